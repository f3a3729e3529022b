// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
//
// Consistent hashing in the analytic layer: each replica of a hashed
// service is a resource of its own, loaded with the requests whose key the
// ring gives it, so a hot key's replica is the bottleneck the engine finds.
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "../models/theory_support.hpp"
#include "analysis/analysis.hpp"
#include "analysis/compare.hpp"
#include "analysis/hash_share.hpp"
#include "analysis_support.hpp"
#include "models/hash_ring.hpp"

using namespace capsim;
using namespace capsim::analysis;
using namespace capsim::theory;
using namespace capsim::analysis::testing;

namespace {

std::string replica(const std::string& service, std::uint32_t k) {
    return service + "[" + std::to_string(k) + "]";
}

// How many of `count` keys base | (first + j) the ring gives each replica.
std::vector<double> owned(const HashRing& ring, std::uint32_t replicas, std::uint64_t base,
                          std::uint32_t first, std::uint32_t count) {
    std::vector<double> out(replicas, 0.0);
    for (std::uint32_t j = 0; j < count; ++j) out[ring.owner(base | (first + j))] += 1.0;
    return out;
}

// 4 replicas of 2 cores behind a ring; `traffic` says who sends what.
CompiledModel hashed_api(const std::string& service, const std::string& traffic) {
    return compile_text(R"T(
[run]
duration = "100s"
[services.api]
replicas = 4
workers = 8
cores = 2
balancer = "consistent_hash"
)T" + service + R"T(
[services.api.endpoints.get]
steps = [ { cpu = "2ms" } ]
)T" + traffic,
                        "hashed.toml");
}

}  // namespace

TEST_CASE("hash balancer: each replica carries the keys the ring gives it",
          "[analysis][balancer]") {
    const HashRing ring(4, name_hash("services.api"));
    SECTION("a source's clients spread by ownership, one client lands on its owner") {
        const CompiledModel cm = hashed_api("", R"T(
[traffic.people]
rate = "400/s"
clients = 1000
endpoint = "api.get"
[traffic.partner]
rate = "300/s"
endpoint = "api.get"
)T");
        const Analysis a = analyze(cm);
        CHECK(find_load(a, "api", ResourceKind::Cores) == nullptr);
        // Client ids are global: people's are 0..999, the partner's 1000.
        const std::vector<double> people = owned(ring, 4, 0, 0, 1000);
        const std::uint32_t partner = ring.owner(1000);
        std::vector<double> rates;
        for (std::uint32_t k = 0; k < 4; ++k) {
            const Resource& cores = resource_of(a, replica("api", k), ResourceKind::Cores);
            const Resource& workers = resource_of(a, replica("api", k), ResourceKind::Workers);
            CHECK(cores.replicas == 1);
            CHECK(cores.per_replica == 2.0);
            CHECK(workers.per_replica == 8.0);
            const double rate = 400.0 * people[k] / 1000.0 + (k == partner ? 300.0 : 0.0);
            CHECK(load_of(a, replica("api", k), ResourceKind::Cores).utilization ==
                  Approx(rate * 0.002 / 2));
            CHECK(a.stations[0].per_replica[k].throughput == Approx(rate));
            CHECK(a.stations[0].per_replica[k].name == replica("api", k));
            rates.push_back(rate);
        }
        // The partner's 300/s outweigh any replica's share of the people.
        REQUIRE(std::max_element(rates.begin(), rates.end()) - rates.begin() == partner);
        CHECK(bottleneck(a).station == replica("api", partner));
        // The service's own figures are the replicas' means, as the report's.
        CHECK(a.stations[0].core_utilization == Approx(700.0 * 0.002 / 8));
        CHECK(a.stations[0].throughput == Approx(700.0));
        CHECK(std::none_of(a.notes.begin(), a.notes.end(),
                           [](const std::string& n) { return n.find("hash") != n.npos; }));
    }
    SECTION("a closed source of one client is keyed by its users") {
        const CompiledModel cm = hashed_api("", R"T(
[traffic.users]
users = 40
think = "exp(1s)"
endpoint = "api.get"
)T");
        const Analysis a = analyze(cm);
        const std::vector<double> users = owned(ring, 4, std::uint64_t{1} << 40, 0, 40);
        const std::vector<double> demand = a.sources[0].demand;
        for (std::uint32_t k = 0; k < 4; ++k) {
            const auto at = [&](ResourceKind kind) {
                const auto& rs = a.demands.resources;
                for (std::size_t r = 0; r < rs.size(); ++r)
                    if (rs[r].station == replica("api", k) && rs[r].kind == kind) return demand[r];
                FAIL("no resource");
                return 0.0;
            };
            CHECK(at(ResourceKind::Cores) == Approx(0.002 * users[k] / 40));
            CHECK(at(ResourceKind::Workers) == Approx(0.002 * users[k] / 40));
        }
        REQUIRE(a.mva.has_value());
        CHECK(a.mva_stations.size() == 5);  // the replicas' cores and the delay
    }
    SECTION("a queue's deliveries carry no client: they spread by the ring's arcs") {
        const CompiledModel cm = hashed_api(R"T(
[services.api.endpoints.send]
steps = [ { enqueue = "jobs" } ]
[queues.jobs]
consumer = "api.get"
)T",
                                            R"T(
[traffic.partner]
rate = "100/s"
endpoint = "api.send"
)T");
        const Analysis a = analyze(cm);
        const std::vector<double> arcs = ring.arc_share();
        for (std::uint32_t k = 0; k < 4; ++k)
            CHECK(load_of(a, replica("api", k), ResourceKind::Cores).utilization ==
                  Approx(100.0 * arcs[k] * 0.002 / 2));
    }
    SECTION("bounded loads keep the service whole, shared evenly, and say so") {
        const CompiledModel cm = hashed_api("hash_bound = 1.25\n", R"T(
[traffic.partner]
rate = "300/s"
endpoint = "api.get"
)T");
        const Analysis a = analyze(cm);
        CHECK(find_load(a, replica("api", 0), ResourceKind::Cores) == nullptr);
        CHECK(resource_of(a, "api", ResourceKind::Cores).replicas == 4);
        CHECK(load_of(a, "api", ResourceKind::Cores).utilization == Approx(300.0 * 0.002 / 8));
        CHECK(std::any_of(a.notes.begin(), a.notes.end(), [](const std::string& n) {
            return n.find("api: hash_bound keeps every replica within 1.25x") == 0;
        }));
    }
}

TEST_CASE("hash balancer: a billion clients are counted exactly at the head, by arcs beyond",
          "[analysis][balancer]") {
    const HashRing ring(6, name_hash("services.feed"));
    // A million keys looked up one by one against the exact head and the
    // arcs' share of the rest: the tail's sampling noise is sqrt(p/n).
    const std::uint32_t n = 1000000;
    const std::vector<double> exact = owned(ring, 6, 0, 7, n);
    const std::vector<double> share = hash_share(ring, 0, 7, n);
    double sum = 0.0;
    for (std::uint32_t k = 0; k < 6; ++k) {
        CHECK(share[k] == Approx(exact[k] / n).margin(0.002));
        sum += share[k];
    }
    CHECK(sum == Approx(1.0));
    // A billion: the head's 65,536 keys weigh 6.6e-5, the rest is the arcs.
    const std::vector<double> billion = hash_share(ring, 0, 7, 1000000000);
    const std::vector<double> arcs = ring.arc_share();
    for (std::uint32_t k = 0; k < 6; ++k) CHECK(billion[k] == Approx(arcs[k]).margin(1e-4));
}

TEST_CASE("hash balancer: each replica's utilisation agrees with the simulation",
          "[analysis][balancer][validation]") {
    // 400 clients at 600/s on 4 replicas of M/M/2: replica k owns n_k
    // clients and is fed a thinned Poisson stream of 600 n_k / 400.
    const double measure = 200.0;
    const int reps = 8;
    std::string t = run_table(measure, 20.0, reps, 931);
    t += R"T(
[services.api]
replicas = 4
workers = 2
cores = 2
balancer = "consistent_hash"
[services.api.endpoints.get]
steps = [ { cpu = "exp(5ms)" } ]
[traffic.users]
rate = "600/s"
clients = 400
endpoint = "api.get"
)T";
    const Outcome o = run_scenario(t, "consistent_hash.toml");
    const Analysis a = analyze(o.model);
    REQUIRE(a.method == Method::Open);
    const StationReport& api = station(o, "api");
    REQUIRE(api.per_replica.size() == 4);
    REQUIRE(a.stations[0].per_replica.size() == 4);
    const std::string params = fmt("600/s over 400 clients, 4 replicas of M/M/2 (exp(5ms)); %s",
                                   run_words(measure, reps).c_str());
    for (std::uint32_t k = 0; k < 4; ++k) {
        const std::string who = replica("api", k);
        compare("Consistent hashing, analytic estimate", params, who + " core utilisation",
                load_of(a, who, ResourceKind::Cores).utilization,
                api.per_replica[k].core_utilization);
        compare("Consistent hashing, analytic estimate", params, who + " throughput (1/s)",
                a.stations[0].per_replica[k].throughput, api.per_replica[k].throughput);
    }
    // The wait for a worker is each replica's M/M/2 wait, mixed by its share.
    compare("Consistent hashing, analytic estimate", params, "api mean wait for a worker (s)",
            a.stations[0].wait, api.wait);
    // The laws' table compares replica by replica; the ring is modelled, so
    // "load balancing" is no reason to disagree.
    const AnalyticReport table = capsim::analysis::compare(a, o.report);
    std::size_t replica_rows = 0;
    for (const AnalyticRow& r : table.rows) {
        CHECK(std::find(r.reasons.begin(), r.reasons.end(), "load balancing") == r.reasons.end());
        if (r.name.rfind("api[", 0) != 0) continue;
        ++replica_rows;
        CHECK(r.verdict == "agree");
    }
    CHECK(replica_rows == 12);
}

TEST_CASE("hash balancer: a closed source's users reach the replicas the engine sends them",
          "[analysis][balancer][validation]") {
    // 40 users of one client, each user a key, on 4 lightly loaded
    // replicas: each replica's throughput is its users' share of MVA's.
    const double measure = 200.0;
    const int reps = 4;
    std::string t = run_table(measure, 10.0, reps, 932);
    t += R"T(
[services.api]
replicas = 4
workers = 64
cores = 8
balancer = "consistent_hash"
[services.api.endpoints.get]
steps = [ { cpu = "exp(1ms)" } ]
[traffic.users]
users = 40
think = "exp(1s)"
endpoint = "api.get"
)T";
    const Outcome o = run_scenario(t, "users.toml");
    const Analysis a = analyze(o.model);
    REQUIRE(a.method == Method::Closed);
    const StationReport& api = station(o, "api");
    REQUIRE(api.per_replica.size() == 4);
    REQUIRE(a.stations[0].per_replica.size() == 4);
    const std::string params =
        fmt("40 users thinking exp(1s), 4 replicas of 8 cores (exp(1ms)); %s",
            run_words(measure, reps).c_str());
    for (std::uint32_t k = 0; k < 4; ++k)
        compare("Consistent hashing, analytic estimate", params,
                replica("api", k) + " throughput (1/s)", a.stations[0].per_replica[k].throughput,
                api.per_replica[k].throughput);
}

TEST_CASE("hash balancer: the hot replica of hot_replica.toml is the laws' bottleneck",
          "[analysis][balancer][validation]") {
    std::ifstream in(std::string(CAPSIM_SOURCE_DIR) + "/scenarios/hot_replica.toml");
    REQUIRE(in);
    std::stringstream text;
    text << in.rdbuf();
    const Outcome o = run_scenario(text.str(), "hot_replica.toml");
    const Analysis a = analyze(o.model);
    // The big partner is one client, so one replica owns all its requests.
    const HashRing ring(6, name_hash("services.feed"));
    std::uint32_t partner = 0;
    while (o.model.model.sources.at(partner).name != "partner_big") ++partner;
    const std::uint32_t owner = ring.owner(o.model.sources[partner].first_client);
    const std::string hot = replica("feed", owner);
    CHECK(bottleneck(a).station == hot);
    CHECK(bottleneck(a).kind == ResourceKind::Cores);
    CHECK(a.method == Method::Saturated);
    CHECK(load_of(a, hot, ResourceKind::Cores).utilization > 1.0);
    CHECK(o.report.busiest_station == hot);
    const StationReport& feed = station(o, "feed");
    const std::string params = fmt("hot_replica.toml; %s", run_words(50.0, 3).c_str());
    for (std::uint32_t k = 0; k < 6; ++k) {
        const ResourceLoad& l = load_of(a, replica("feed", k), ResourceKind::Cores);
        INFO(replica("feed", k) << ": laws " << l.utilization << ", simulated "
                                << feed.per_replica[k].core_utilization.mean);
        // The cold replicas refuse nothing, so the utilisation law holds there.
        if (replica("feed", k) != hot)
            compare("Consistent hashing, hot replica", params,
                    replica("feed", k) + " core utilisation", l.utilization,
                    feed.per_replica[k].core_utilization);
    }
    CHECK(feed.per_replica[owner].core_utilization.mean > 0.97);
}

// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
//
// The consistent-hash ring and the balancer built on it: a replica's share
// of requests is the share of the clients it owns, each replica is then an
// M/M/c queue fed by a thinned Poisson stream, and the bounded-load variant
// moves a hot key's excess on clockwise.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "models/hash_ring.hpp"
#include "theory_support.hpp"

namespace {

using namespace capsim;
using namespace capsim::theory;

std::vector<std::uint32_t> owners(const HashRing& ring, std::uint64_t keys) {
    std::vector<std::uint32_t> out;
    for (std::uint64_t k = 0; k < keys; ++k) out.push_back(ring.owner(k));
    return out;
}

}  // namespace

TEST_CASE("hash ring: the same replicas and salt give the same owners", "[hash_ring]") {
    const HashRing a(5, 42), b(5, 42), c(5, 43);
    CHECK(owners(a, 1000) == owners(b, 1000));
    CHECK(owners(a, 1000) != owners(c, 1000));
}

TEST_CASE("hash ring: 160 points a replica spread keys within a few percent", "[hash_ring]") {
    // With v points per replica the arcs' share has a relative spread of
    // about 1/sqrt(v) (8% at 160); 100,000 keys add 1% of sampling noise.
    const std::uint32_t n = 8;
    const HashRing ring(n, name_hash("services.api"));
    std::vector<double> share(n, 0.0);
    const std::uint64_t keys = 100000;
    for (std::uint32_t r : owners(ring, keys)) share[r] += 1.0 / static_cast<double>(keys);
    for (double s : share) {
        CHECK(s > 0.75 / n);
        CHECK(s < 1.25 / n);
    }
}

TEST_CASE("hash ring: each replica's arcs are the share of many keys it owns", "[hash_ring]") {
    // 1,000,000 keys: each replica's count is binomial, within 5 standard
    // deviations (sqrt(p / n) < 0.0005) of its arcs' share of the circle.
    const std::uint32_t n = 5;
    const HashRing ring(n, name_hash("services.api"));
    const std::vector<double> arcs = ring.arc_share();
    REQUIRE(arcs.size() == n);
    std::vector<double> share(n, 0.0);
    const std::uint64_t keys = 1000000;
    for (std::uint32_t r : owners(ring, keys)) share[r] += 1.0 / static_cast<double>(keys);
    double sum = 0.0;
    for (std::uint32_t k = 0; k < n; ++k) {
        CHECK(share[k] == Approx(arcs[k]).margin(0.0025));
        sum += arcs[k];
    }
    CHECK(sum == Approx(1.0).epsilon(1e-12));
    // One replica owns the whole circle, however many points it has.
    CHECK(HashRing(1, 3).arc_share().at(0) == Approx(1.0).epsilon(1e-12));
    CHECK(HashRing(1, 3, 1).arc_share() == std::vector<double>{1.0});
}

TEST_CASE("hash ring: a replica that cannot take a key passes it to the next clockwise",
          "[hash_ring]") {
    // Skipping replica 2 moves exactly its keys; every other key stays put
    // (the property that makes the ring consistent).
    const HashRing ring(4, 7);
    std::uint64_t moved = 0, owned_by_2 = 0;
    for (std::uint64_t k = 0; k < 20000; ++k) {
        const std::uint32_t home = ring.owner(k);
        const std::uint32_t next = ring.owner(k, [](std::uint32_t r) { return r != 2; });
        CHECK(next != 2);
        if (home == 2) ++owned_by_2;
        if (next != home) {
            ++moved;
            CHECK(home == 2);
        }
    }
    CHECK(moved == owned_by_2);
    CHECK(owned_by_2 > 0);
    // Nothing usable: the owner, rather than no answer.
    CHECK(ring.owner(5, [](std::uint32_t) { return false; }) == ring.owner(5));
}

TEST_CASE("theory: consistent hashing gives each replica the clients it owns, an M/M/c each",
          "[theory]") {
    // 400 clients, each request from one drawn uniformly: replica k owns
    // n_k of them, so it sees a Poisson stream of rate lambda n_k / 400
    // (independent thinning) and is an M/M/2 queue at that rate.
    const double measure = 400.0, warmup = 20.0, lambda = 600.0, mean_s = 0.005;
    const std::uint32_t replicas = 4, clients = 400, c = 2;
    std::string t = run_table(measure, warmup, 10, 71);
    t += "[services.api]\nreplicas = 4\nworkers = 2\ncores = 2\nbalancer = \"consistent_hash\"\n";
    t += "[services.api.endpoints.get]\nsteps = [ { cpu = \"exp(5ms)\" } ]\n";
    t += "[traffic.users]\nrate = \"600/s\"\nclients = 400\nendpoint = \"api.get\"\n";
    const Outcome o = run_scenario(t, "consistent_hash.toml");

    const HashRing ring(replicas, name_hash("services.api"));
    std::vector<double> owned(replicas, 0.0);
    // The engine's client ids of the only source are 0 .. clients-1.
    for (std::uint32_t k = 0; k < clients; ++k) owned[ring.owner(k)] += 1.0;
    const std::string params =
        "lambda=600/s over 400 clients, 4 replicas of M/M/2 (5 ms), " + run_words(measure, 10);
    const StationReport& api = station(o, "api");
    REQUIRE(api.per_replica.size() == replicas);
    for (std::uint32_t k = 0; k < replicas; ++k) {
        const double rate = lambda * owned[k] / clients;
        const double rho = rate * mean_s / c;
        const std::string who = api.per_replica[k].name + " (" +
                                std::to_string(static_cast<int>(owned[k])) + " clients)";
        compare("Consistent hashing", params, who + " throughput (1/s)", rate,
                api.per_replica[k].throughput);
        compare("Consistent hashing", params, who + " worker utilisation", rho,
                api.per_replica[k].worker_utilization);
    }
    // Each replica is a station of its own: the busiest is the one owning most.
    const auto hot =
        static_cast<std::uint32_t>(std::max_element(owned.begin(), owned.end()) - owned.begin());
    CHECK(o.report.busiest_station == "api[" + std::to_string(hot) + "]");
}

TEST_CASE("consistent hashing with bounded loads moves a hot key's excess on", "[balancer]") {
    // One client sends everything: unbounded, its replica takes it all. With
    // hash_bound = 1.25 a replica takes a request only while its outstanding
    // stay within 1.25 x the mean (rounded up), so the owner keeps at most
    // about 1.25 / 4 of the in-flight requests and the rest move on.
    auto run_with = [](const std::string& bound) {
        std::string t = run_table(60.0, 5.0, 4, 5);
        t += "[services.api]\nreplicas = 4\nworkers = 100\ncores = 100\n";
        t += "balancer = \"consistent_hash\"\n" + bound;
        t += "[services.api.endpoints.get]\nsteps = [ { delay = \"exp(20ms)\" } ]\n";
        t += "[traffic.tenant]\nrate = \"1000/s\"\nendpoint = \"api.get\"\n";
        return run_scenario(t, "bounded_loads.toml");
    };
    const Outcome sticky = run_with("");
    const Outcome bounded = run_with("hash_bound = 1.25\n");
    auto busiest_share = [](const Outcome& o) {
        const StationReport& api = station(o, "api");
        double total = 0.0, most = 0.0;
        for (const auto& r : api.per_replica) {
            total += r.worker_utilization.mean;
            most = std::max(most, r.worker_utilization.mean);
        }
        return most / total;
    };
    CHECK(busiest_share(sticky) == Approx(1.0));
    // 20 requests in flight on average: the rounding up adds at most one
    // request to the owner's 1.25 x 5.
    const double in_flight = station(bounded, "api").in_system.mean;
    CHECK(busiest_share(bounded) <= (1.25 * in_flight / 4.0 + 1.0) / in_flight);
    CHECK(busiest_share(bounded) > 0.25);
}

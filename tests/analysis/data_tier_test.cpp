// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
//
// Databases, pools, caches and rate limits as resources of the bottleneck
// law: their demands, and the throughput the engine sustains when one of
// them is the bottleneck (within 2% of X_max).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "../models/theory_support.hpp"
#include "analysis/analysis.hpp"
#include "analysis/shard_share.hpp"
#include "analysis_support.hpp"
#include "models/database_layout.hpp"

using namespace capsim;
using namespace capsim::analysis;
using namespace capsim::theory;
using namespace capsim::analysis::testing;

TEST_CASE("data tier: query, cache, transaction and external demands", "[analysis][data]") {
    const CompiledModel cm = compile_text(R"T(
[run]
duration = "100s"
[databases.db]
cores = 4
max_connections = 50
connect = "3ms"
rtt = "1ms"
[caches.redis]
cores = 2
service = "exp(100us)"
hit_ratio = 0.8
[externals.psp]
latency = "exp(50ms)"
rate_limit = "200/s"
[services.api]
replicas = 2
workers = 32
cores = 2
[services.api.pools.db]
size = 5
[services.api.endpoints.get]
steps = [
  { cache = "redis", miss = [ { query = "db", cost = "exp(2ms)" } ] },
  { transaction = "db", steps = [ { query = "db", cost = "4ms" }, { cpu = "1ms" } ] },
  { call = "psp" },
]
[services.batch]
[services.batch.endpoints.run]
steps = [ { query = "db", cost = "10ms" } ]
[traffic.users]
rate = "100/s"
endpoint = "api.get"
[traffic.jobs]
rate = "1/s"
endpoint = "batch.run"
)T",
                                          "data.toml");
    const Analysis a = analyze(cm);
    // Per api request: 0.2 misses x 2ms + 4ms of database work; per batch job 10ms.
    const double offered = 101.0;
    CHECK(load_of(a, "db", ResourceKind::Cores).demand * offered ==
          Approx(100 * (0.2 * 0.002 + 0.004) + 0.010));
    // Cache: a get per request, a set per miss.
    CHECK(load_of(a, "redis", ResourceKind::Cores).demand * offered == Approx(100 * 1.2 * 100e-6));
    // The pool holds a connection per query (1ms round trip + work) and for
    // the whole transaction (its query's 1ms + 4ms, then 1ms of cpu).
    CHECK(load_of(a, "api->db", ResourceKind::Pool).demand * offered ==
          Approx(100 * (0.2 * (0.001 + 0.002) + (0.001 + 0.004 + 0.001))));
    CHECK(load_of(a, "api->db", ResourceKind::Pool).x_max ==
          Approx(10.0 / load_of(a, "api->db", ResourceKind::Pool).demand));
    // batch has no pool: each query opens a connection (3ms) against max_connections.
    CHECK(load_of(a, "db", ResourceKind::Connections).demand * offered ==
          Approx(1.0 * (0.003 + 0.001 + 0.010)));
    CHECK(load_of(a, "psp", ResourceKind::RateLimit).demand * offered == Approx(100.0));
    CHECK(load_of(a, "psp", ResourceKind::RateLimit).utilization == Approx(0.5));
    CHECK_FALSE(a.notes.empty());  // pool waits are not estimated
}

TEST_CASE("data tier: database cores as the bottleneck saturate at X_max",
          "[analysis][data][validation]") {
    const double measure = 200.0;
    std::string t = run_table(measure, 20.0, 5, 901);
    t += R"T(
[databases.db]
cores = 2
rtt = "0s"
[services.api]
workers = 10000
cores = 10000
[services.api.pools.db]
size = 64
acquire_timeout = "50ms"
[services.api.endpoints.get]
steps = [ { query = "db", cost = "exp(5ms)" } ]
[traffic.clients]
rate = "600/s"
endpoint = "api.get"
)T";
    const Outcome o = run_scenario(t, "db_cores.toml");
    const Analysis a = analyze(o.model);
    REQUIRE(bottleneck(a).station == "db");
    REQUIRE(bottleneck(a).kind == ResourceKind::Cores);
    REQUIRE(a.bottleneck.x_max == Approx(400.0));
    within_two_percent("Open, database cores the bottleneck",
                       fmt("600/s of exp(5ms) queries on 2 cores, pool 64, acquire timeout "
                           "50ms; %s",
                           run_words(measure, 5).c_str()),
                       a.bottleneck.x_max, endpoint(o, "api.get").throughput);
}

TEST_CASE("data tier: a connection pool as the bottleneck saturates at X_max",
          "[analysis][data][validation]") {
    const double measure = 200.0;
    std::string t = run_table(measure, 20.0, 5, 902);
    t += R"T(
[databases.db]
cores = 64
rtt = "1ms"
[services.api]
replicas = 2
workers = 10000
cores = 10000
[services.api.pools.db]
size = 4
acquire_timeout = "50ms"
[services.api.endpoints.get]
steps = [ { query = "db", cost = "exp(9ms)" } ]
[traffic.clients]
rate = "1200/s"
endpoint = "api.get"
)T";
    const Outcome o = run_scenario(t, "pool.toml");
    const Analysis a = analyze(o.model);
    REQUIRE(bottleneck(a).kind == ResourceKind::Pool);
    REQUIRE(a.bottleneck.x_max == Approx(8.0 / 0.010));
    within_two_percent("Open, a connection pool the bottleneck",
                       fmt("1200/s, 2 replicas x pool 4, 1ms round trip + exp(9ms) query, "
                           "acquire timeout 50ms; %s",
                           run_words(measure, 5).c_str()),
                       a.bottleneck.x_max, endpoint(o, "api.get").throughput);
}

TEST_CASE("data tier: an async service's event loops hold CPU and blocking steps",
          "[analysis][data]") {
    const CompiledModel cm = compile_text(R"T(
[run]
duration = "60s"
[databases.db]
cores = 16
rtt = "0.3ms"
[services.api]
mode = "async"
replicas = 4
cores = 1
executor = 2
[services.api.pools.db]
size = 20
[services.api.endpoints.search]
steps = [
  { cpu = "exp(1.5ms)" },
  { query = "db", cost = "lognormal(mean=8ms, sd=4ms)", blocking = true },
  { cpu = "exp(0.5ms)" },
  { offload = [ { cpu = "2ms" } ] },
]
[traffic.users]
rate = "300/s"
endpoint = "api.search"
)T",
                                          "async.toml");
    const Analysis a = analyze(cm);
    // The loop is held for 2ms of CPU and the whole blocking query (0.3 + 8 ms);
    // the offloaded 2ms runs on an executor thread, not on the loop.
    const ResourceLoad& loops = load_of(a, "api", ResourceKind::Loops);
    CHECK(loops.demand == Approx(0.0103));
    CHECK(loops.x_max == Approx(4.0 / 0.0103));
    CHECK(load_of(a, "api", ResourceKind::Executor).demand == Approx(0.002));
    CHECK(load_of(a, "api", ResourceKind::Cores).demand == Approx(0.004));
    CHECK(bottleneck(a).kind == ResourceKind::Loops);
}

namespace {

// Each shard's share of a table's row accesses, summed row by row as the
// engine routes them: the reference for the analysis's shard_share.
std::vector<double> routed_share(std::uint32_t table, unsigned rows, double zipf, unsigned shards) {
    std::vector<double> mass(shards, 0.0);
    double total = 0.0;
    for (std::uint64_t k = 1; k <= rows; ++k) {
        const double p = std::pow(double(k), -zipf);
        mass[shard_of(row_key(table, k), shards)] += p;
        total += p;
    }
    for (double& m : mass) m /= total;
    return mass;
}

std::uint32_t resource_index(const Analysis& a, const std::string& station) {
    for (std::uint32_t k = 0; k < a.demands.resources.size(); ++k)
        if (a.demands.resources[k].station == station &&
            a.demands.resources[k].kind == ResourceKind::Cores)
            return k;
    FAIL("no cores resource " << station);
    return 0;
}

}  // namespace

TEST_CASE("data tier: a sharded, replicated database's work goes to the server that runs it",
          "[analysis][data]") {
    const CompiledModel cm = compile_text(R"T(
[run]
duration = "100s"
[databases.db]
cores = 2
shards = 2
replicas = 2
[databases.db.tables.users]
rows = 10
[databases.db.tables.t]
rows = 500
zipf = 1.2
[services.api]
workers = 100
cores = 100
[services.api.pools.db]
size = 10
[services.api.endpoints.read]
steps = [ { query = "db.t" } ]
[services.api.endpoints.write]
steps = [ { query = "db.t", kind = "write" } ]
[services.api.endpoints.fresh]
steps = [ { query = "db.t", primary = true } ]
[services.api.endpoints.txn]
steps = [ { transaction = "db", steps = [ { query = "db.t" } ] } ]
[services.api.endpoints.report]
steps = [ { query = "db", cost = "5ms" } ]
[traffic.read]
rate = "10/s"
endpoint = "api.read"
[traffic.write]
rate = "10/s"
endpoint = "api.write"
[traffic.fresh]
rate = "10/s"
endpoint = "api.fresh"
[traffic.txn]
rate = "10/s"
endpoint = "api.txn"
[traffic.report]
rate = "10/s"
endpoint = "api.report"
)T",
                                          "sharded.toml");
    const Analysis a = analyze(cm);
    const auto& tables = cm.model.databases.at(0).tables;
    const auto t = static_cast<std::uint32_t>(
        std::find_if(tables.begin(), tables.end(), [](auto& x) { return x.name == "t"; }) -
        tables.begin());
    REQUIRE(t < tables.size());
    const std::vector<double> share = routed_share(t, 500, 1.2, 2);
    REQUIRE(share[0] != Approx(0.5).margin(0.01));  // the test needs a skewed table
    const std::string names[2][3] = {
        {"db.shard[0]", "db.shard[0].replica[0]", "db.shard[0].replica[1]"},
        {"db.shard[1]", "db.shard[1].replica[0]", "db.shard[1].replica[1]"}};
    // Each source's work on server (shard, role) as a fraction of its work on all six.
    auto fraction = [&](const std::string& source, unsigned shard, unsigned role) {
        const SourceLoad& s = source_of(a, source);
        double all = 0.0;
        for (const auto& shard_names : names)
            for (const std::string& n : shard_names) all += s.demand[resource_index(a, n)];
        REQUIRE(all > 0.0);
        return s.demand[resource_index(a, names[shard][role])] / all;
    };
    for (unsigned k = 0; k < 2; ++k) {
        INFO("shard " << k);
        // Reads outside a transaction: the row's shard, its replicas in turn.
        CHECK(fraction("read", k, 0) == Approx(0.0).margin(1e-12));
        CHECK(fraction("read", k, 1) == Approx(share[k] / 2));
        CHECK(fraction("read", k, 2) == Approx(share[k] / 2));
        // Writes, reads that must be fresh and reads in a transaction: the primary.
        for (const char* src : {"write", "fresh", "txn"}) {
            INFO(src);
            CHECK(fraction(src, k, 0) == Approx(share[k]));
            CHECK(fraction(src, k, 1) == Approx(0.0).margin(1e-12));
        }
        // A query that names no row: any shard, then a replica.
        CHECK(fraction("report", k, 1) == Approx(0.25));
    }
    // The database as a whole still does all the work.
    const SourceLoad& r = source_of(a, "report");
    double total = 0.0;
    for (const auto& shard_names : names)
        for (const std::string& n : shard_names) total += r.demand[resource_index(a, n)];
    CHECK(total == Approx(0.005));
}

TEST_CASE("data tier: shard shares are exact for the popular rows and even in the tail",
          "[analysis][data]") {
    // A million rows: the 65,536 most popular are summed exactly, the rest
    // split evenly. Against the full sum, the error is how unevenly the hash
    // spreads the tail: each tail row lands on a shard with probability
    // 1/S, so a shard's tail mass has sd sqrt(sum p_k^2 (1/S)(1 - 1/S)).
    const unsigned rows = 1'000'000, shards = 8, head = 1u << 16;
    for (const double zipf : {0.0, 0.8, 1.0, 1.3}) {
        INFO("zipf " << zipf);
        double total = 0.0, tail_squares = 0.0;
        for (unsigned k = 1; k <= rows; ++k) {
            const double p = std::pow(double(k), -zipf);
            total += p;
            if (k > head) tail_squares += p * p;
        }
        const double sd = std::sqrt(tail_squares / shards * (1.0 - 1.0 / shards)) / total;
        const std::vector<double> exact = routed_share(2, rows, zipf, shards);
        const std::vector<double> got = shard_share(2, rows, zipf, shards);
        REQUIRE(got.size() == shards);
        double sum = 0.0;
        for (unsigned k = 0; k < shards; ++k) {
            CHECK(got[k] == Approx(exact[k]).margin(4.0 * sd + 1e-9));
            sum += got[k];
        }
        CHECK(sum == Approx(1.0));
    }
}

TEST_CASE("data tier: the hot shard is the bottleneck and its queueing is in the estimate",
          "[analysis][data][validation]") {
    // Each shard is one core serving its rows' share of Poisson queries:
    // thinning keeps them Poisson, so shard k is an M/G/1 processor-sharing
    // queue with mean response S / (1 - rho_k) whatever the law, and the
    // mean latency is rtt + sum_k share_k S / (1 - rho_k).
    const unsigned rows = 1000, shards = 4;
    const double zipf = 1.1;
    const std::vector<double> share = routed_share(0, rows, zipf, shards);
    const auto hot =
        static_cast<unsigned>(std::max_element(share.begin(), share.end()) - share.begin());
    // The mean overhead, an index descent of a shard's rows, one row read.
    const double work = 0.002 + 5e-6 * std::log2(double(rows) / shards) + 0.2e-6;
    const double rate = 0.8 / (work * share[hot]);  // the hot shard at rho 0.8
    const double measure = 400.0;
    std::string t = run_table(measure, 20.0, 8, 903);
    t += fmt(R"T(
[databases.db]
cores = 1
shards = %u
overhead = "exp(2ms)"
[databases.db.tables.t]
rows = %u
zipf = %g
[services.api]
workers = 10000
cores = 10000
[services.api.pools.db]
size = 10000
[services.api.endpoints.get]
steps = [ { query = "db.t" } ]
[traffic.clients]
rate = "%s"
endpoint = "api.get"
)T",
             shards, rows, zipf, per_s(rate).c_str());
    const Outcome o = run_scenario(t, "hot_shard.toml");
    const Analysis a = analyze(o.model);
    REQUIRE(bottleneck(a).station == "db.shard[" + std::to_string(hot) + "]");
    REQUIRE(a.bottleneck.x_max == Approx(1.0 / (work * share[hot])));
    double expected = 0.0003;  // the round trip
    for (unsigned k = 0; k < shards; ++k)
        expected += share[k] * work / (1.0 - rate * share[k] * work);
    const std::int64_t e = o.model.find_endpoint("api.get");
    REQUIRE(a.endpoints.at(e).response == Approx(expected));
    compare("Hot shard, analytic estimate",
            fmt("N=%u, s=%g, %u shards x 1 core, hot shard at rho=0.8, ", rows, zipf, shards) +
                run_words(measure, 8),
            "mean latency (s)", a.endpoints.at(e).response, endpoint(o, "api.get").latency.mean);
}

// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
//
// Databases, pools, caches and rate limits as resources of the bottleneck
// law: their demands, and the throughput the engine sustains when one of
// them is the bottleneck (within 2% of X_max).
#include <catch2/catch.hpp>

#include <cmath>
#include <string>

#include "../models/theory_support.hpp"
#include "analysis/analysis.hpp"

using namespace capsim;
using namespace capsim::analysis;
using namespace capsim::theory;

namespace {

const ResourceLoad& load_of(const Analysis& a, const std::string& station, ResourceKind kind) {
    for (std::size_t k = 0; k < a.demands.resources.size(); ++k)
        if (a.demands.resources[k].station == station && a.demands.resources[k].kind == kind)
            return a.bottleneck.loads[k];
    FAIL("no resource " << station);
    return a.bottleneck.loads.front();
}

const Resource& bottleneck(const Analysis& a) {
    REQUIRE_FALSE(a.bottleneck.order.empty());
    return a.demands.resources[a.bottleneck.order.front()];
}

void within_two_percent(const std::string& name, const std::string& params, double x_max,
                        const Estimate& sim) {
    Comparison c;
    c.name = name;
    c.params = params;
    c.quantity = "throughput at saturation (1/s) vs X_max";
    c.theory = x_max;
    c.sim = sim.mean;
    c.half_width = sim.half_width;
    c.tolerance = 0.02 * x_max;
    c.pass = std::fabs(sim.mean - x_max) <= c.tolerance;
    record(c);
}

}  // namespace

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

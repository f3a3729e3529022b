// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
//
// The data tier's mechanics, one behaviour per test: what users rely on
// when they model pools, databases, caches and external dependencies.
#include <catch2/catch.hpp>

#include <string>

#include "models/report.hpp"
#include "models/run.hpp"
#include "theory_support.hpp"

namespace {

using namespace capsim;
using namespace capsim::theory;

double cause(const EndpointReport& e, ErrorCause c) {
    return e.errors_by_cause[static_cast<std::size_t>(c)].mean;
}

double component(const EndpointReport& e, Component c) {
    return e.attribution[static_cast<std::size_t>(c)].mean;
}

const std::string kRun = "[run]\nduration = \"60s\"\nwarmup = \"5s\"\nreplications = 2\nseed = 5\n";

}  // namespace

TEST_CASE("data tier: a pool that cannot serve in time fails with pool_timeout", "[unit]") {
    const Outcome o = run_scenario(kRun + R"toml(
[databases.db]
[services.api]
workers = 1000
[services.api.pools.db]
size = 1
acquire_timeout = "50ms"
[services.api.endpoints.get]
steps = [ { query = "db", cost = "const(1s)" } ]
[traffic.t]
rate = "10/s"
endpoint = "api.get"
)toml",
                                   "timeout.toml");
    const EndpointReport& e = endpoint(o, "api.get");
    CHECK(cause(e, ErrorCause::PoolTimeout) > 8.0);  // ~9 of every 10 requests per second
    // One connection, one 1 s query at a time; after a query, the connection
    // idles until the next arrival (everyone waiting has timed out): about
    // 1 / (1 + 0.1) per second.
    CHECK(e.throughput.mean > 0.85);
    CHECK(e.throughput.mean <= 1.0);
    // Counted by the pool when they happen, by the endpoint by arrival time:
    // they differ by the edges of the measurement window only.
    CHECK(o.report.pools.at(0).timeouts.mean ==
          Approx(cause(e, ErrorCause::PoolTimeout)).epsilon(0.02));
    // A timed-out request waited exactly the timeout; a served one waited less.
    CHECK(o.report.pools.at(0).wait.mean <= 0.05);
}

TEST_CASE("data tier: without a pool, concurrency beyond max_connections is refused", "[unit]") {
    const Outcome o = run_scenario(kRun + R"toml(
[databases.db]
max_connections = 5
connect = "const(5ms)"
[services.api]
workers = 1000
[services.api.endpoints.get]
steps = [ { query = "db", cost = "const(100ms)" } ]
[traffic.t]
rate = "100/s"
endpoint = "api.get"
)toml",
                                   "nopool.toml");
    const EndpointReport& e = endpoint(o, "api.get");
    const DatabaseReport& db = o.report.databases.at(0);
    CHECK(o.report.pools.at(0).size == 0);  // the compiler's unpooled way to db
    CHECK(cause(e, ErrorCause::TooManyConnections) > 40.0);
    CHECK(db.connections_max.mean <= 5.0);
    CHECK(db.refused.mean == Approx(cause(e, ErrorCause::TooManyConnections)));
    // Every served request paid the connect cost.
    CHECK(component(e, Component::Connect) == Approx(0.005).epsilon(1e-6));
}

TEST_CASE("data tier: pools of many replicas can exceed the database's max_connections", "[unit]") {
    const Outcome o = run_scenario(kRun + R"toml(
[databases.db]
cores = 64
max_connections = 20
[services.api]
replicas = 4
workers = 100
[services.api.pools.db]
size = 10
[services.api.endpoints.get]
steps = [ { query = "db", cost = "const(100ms)" } ]
[traffic.t]
rate = "300/s"
endpoint = "api.get"
)toml",
                                   "overcommit.toml");
    const EndpointReport& e = endpoint(o, "api.get");
    CHECK(cause(e, ErrorCause::TooManyConnections) > 0.0);
    CHECK(o.report.databases.at(0).connections_max.mean == 20.0);
    CHECK(o.report.pools.at(0).opened.mean == 20.0);  // the first 20 opens won, and stay open
}

TEST_CASE("data tier: a transaction holds one connection for all its queries", "[unit]") {
    const Outcome o = run_scenario(kRun + R"toml(
[databases.db]
rtt = "0s"
[services.api]
workers = 100
[services.api.pools.db]
size = 2
[services.api.endpoints.pay]
steps = [
  { transaction = "db", steps = [
      { query = "db", cost = "const(1ms)" },
      { delay = "10ms" },
      { query = "db", cost = "const(1ms)" },
  ] },
  { query = "db", cost = "const(1ms)" },
]
[traffic.t]
rate = "50/s"
endpoint = "api.pay"
)toml",
                                   "txn.toml");
    const EndpointReport& e = endpoint(o, "api.pay");
    const PoolReport& p = o.report.pools.at(0);
    const DatabaseReport& db = o.report.databases.at(0);
    // Two acquisitions per request (the transaction's, the last query's), three queries.
    CHECK(p.acquires.mean / e.throughput.mean == Approx(2.0).epsilon(0.01));
    CHECK(db.throughput.mean / e.throughput.mean == Approx(3.0).epsilon(0.01));
    // The connection is held through the delay: ~12 ms + 1 ms of 20 ms between requests.
    CHECK(p.in_use.mean == Approx(50.0 * 0.013).epsilon(0.05));
}

TEST_CASE("data tier: single-flight turns a stampede on a hot key into one fill", "[unit]") {
    auto scenario = [](bool single_flight) {
        return kRun + std::string(R"toml(
[databases.db]
cores = 64
[caches.c]
keys = 1
ttl = "1s"
[services.api]
workers = 10000
cores = 10000
[services.api.endpoints.get]
steps = [ { cache = "c", single_flight = )toml") +
               (single_flight ? "true" : "false") +
               R"toml(, miss = [ { query = "db", cost = "const(200ms)" } ] } ]
[traffic.t]
rate = "500/s"
endpoint = "api.get"
)toml";
    };
    const Outcome herd = run_scenario(scenario(false), "stampede.toml");
    const Outcome one = run_scenario(scenario(true), "single_flight.toml");
    const double herd_q = herd.report.databases.at(0).throughput.mean;
    const double one_q = one.report.databases.at(0).throughput.mean;
    // A fill takes 200 ms and the key lives 1 s: one fill per 1.2 s with
    // single-flight; without it every request of the 200 ms gap queries.
    CHECK(one_q == Approx(1.0 / 1.2).epsilon(0.05));
    CHECK(herd_q > 50.0 * one_q);
    CHECK(one.report.caches.at(0).coalesced.mean > 0.0);
    CHECK(herd.report.caches.at(0).coalesced.mean == 0.0);
}

TEST_CASE("data tier: waiters of a failed fill fail with the leader's cause", "[unit]") {
    const Outcome o = run_scenario(kRun + R"toml(
[externals.origin]
latency = "const(100ms)"
errors = 1.0
[caches.c]
keys = 1
[services.api]
workers = 10000
cores = 10000
[services.api.endpoints.get]
steps = [ { cache = "c", single_flight = true, miss = [ { call = "origin" } ] } ]
[traffic.t]
rate = "200/s"
endpoint = "api.get"
)toml",
                                   "failed_fill.toml");
    const EndpointReport& e = endpoint(o, "api.get");
    CHECK(e.throughput.mean == 0.0);
    CHECK(cause(e, ErrorCause::ExternalError) == Approx(e.arrival_rate.mean).epsilon(0.01));
    CHECK(o.report.caches.at(0).coalesced.mean > 150.0);
}

TEST_CASE("data tier: an outage window fails calls only while it lasts", "[unit]") {
    const Outcome o = run_scenario(kRun + R"toml(
[externals.psp]
latency = "const(10ms)"
windows = [ { start = "20s", end = "30s", errors = 1.0, latency = "const(1s)" } ]
[services.api]
workers = 1000
[services.api.endpoints.pay]
steps = [ { call = "psp" } ]
[traffic.t]
rate = "100/s"
endpoint = "api.pay"
)toml",
                                   "outage.toml");
    const EndpointReport& e = endpoint(o, "api.pay");
    // 10 of the 55 measured seconds fail: 100/s * 10 s / 55 s.
    CHECK(cause(e, ErrorCause::ExternalError) == Approx(1000.0 / 55.0).epsilon(0.05));
    const ExternalReport& x = o.report.externals.at(0);
    CHECK(x.error_rate.mean == Approx(10.0 / 55.0).epsilon(0.05));
    CHECK(e.latency.max.mean < 0.011);  // successes all came outside the window
}

TEST_CASE("data tier: the tail attribution names the slow component", "[unit]") {
    // 1% of requests scan a big table; the p99 tail is theirs, the mean is not.
    const Outcome o = run_scenario(kRun + R"toml(
[databases.db]
cores = 16
[databases.db.tables.t]
rows = 1000000
[services.api]
workers = 1000
cores = 100
[services.api.endpoints.get]
steps = [ { cpu = "exp(5ms)" }, { branch = [
  { weight = 0.98, steps = [ { query = "db.t", kind = "lookup" } ] },
  { weight = 0.02, steps = [ { query = "db.t", kind = "scan" } ] } ] } ]
[traffic.t]
rate = "100/s"
endpoint = "api.get"
)toml",
                                   "tail.toml");
    const EndpointReport& e = endpoint(o, "api.get");
    const auto db = static_cast<std::size_t>(Component::Db);
    const auto cpu = static_cast<std::size_t>(Component::Cpu);
    CHECK(e.attribution[db].mean < e.attribution[cpu].mean);                   // overall: CPU
    CHECK(e.attribution_tail[db].mean > 10.0 * e.attribution_tail[cpu].mean);  // tail: the scan
}

TEST_CASE("data tier: offloaded blocking work frees the loop, bounded by the executor", "[unit]") {
    auto scenario = [](const std::string& step) {
        return kRun + R"toml(
[services.api]
mode = "async"
cores = 2
executor = 4
[services.api.endpoints.get]
steps = [ { cpu = "const(1ms)" }, )toml" +
               step + R"toml( ]
[traffic.t]
rate = "150/s"
endpoint = "api.get"
)toml";
    };
    // 150/s x 20 ms of blocking = 3 loop-seconds per second on one loop: overload.
    const Outcome blocked =
        run_scenario(scenario(R"s({ delay = "const(20ms)", blocking = true })s"), "blocked.toml");
    // Offloaded to 4 threads: 3 of 4 busy on average, and the loop only computes.
    const Outcome off = run_scenario(scenario(R"s({ offload = [ { delay = "const(20ms)" } ] })s"),
                                     "offloaded.toml");
    CHECK(station(blocked, "api").loop_utilization.mean > 0.99);
    CHECK(endpoint(blocked, "api.get").latency.mean.mean > 1.0);
    CHECK(station(off, "api").loop_utilization.mean == Approx(0.15).epsilon(0.05));
    CHECK(endpoint(off, "api.get").latency.mean.mean < 0.1);
    const auto ew = static_cast<std::size_t>(Component::ExecutorWait);
    CHECK(endpoint(off, "api.get").attribution[ew].mean > 0.0);  // 4 threads queue at times
}

TEST_CASE("data tier: code under a blocking step runs on the loop it holds", "[unit]") {
    // A blocking cache step whose miss path computes: with one loop, asking
    // for the loop again would deadlock; it must run on the held loop.
    const Outcome o = run_scenario(kRun + R"toml(
[caches.c]
keys = 1000000
capacity = 1
[services.api]
mode = "async"
[services.api.endpoints.get]
steps = [ { cache = "c", blocking = true, miss = [ { cpu = "const(1ms)" } ] } ]
[traffic.t]
rate = "100/s"
endpoint = "api.get"
)toml",
                                   "reentrant.toml");
    CHECK(endpoint(o, "api.get").throughput.mean == Approx(100.0).epsilon(0.05));
}

TEST_CASE("data tier: poison messages are retried with backoff, then dead-lettered", "[unit]") {
    const Outcome o = run_scenario(kRun + R"toml(
[queues.q]
consumer = "w.run"
max_attempts = 3
backoff = "const(10ms)"
poison = 0.1
[services.w]
workers = 50
[services.w.endpoints.run]
steps = [ { delay = "1ms" } ]
[services.api]
workers = 100
[services.api.endpoints.post]
steps = [ { enqueue = "q" } ]
[traffic.t]
rate = "200/s"
endpoint = "api.post"
)toml",
                                   "poison.toml");
    const QueueReport& q = o.report.queues.at(0);
    // 20/s poison messages, each tried 3 times: 40 retries/s, 20 dead letters/s.
    CHECK(q.dead_lettered.mean == Approx(20.0).epsilon(0.1));
    CHECK(q.retried.mean == Approx(40.0).epsilon(0.1));
    CHECK(q.acked.mean == Approx(180.0).epsilon(0.05));
    CHECK(q.delivered.mean ==
          Approx(q.acked.mean + q.retried.mean + q.dead_lettered.mean).epsilon(0.01));
    const EndpointReport& run = endpoint(o, "w.run");
    CHECK(cause(run, ErrorCause::Poison) == Approx(60.0).epsilon(0.1));
    // The producer never waits: fire and forget.
    CHECK(endpoint(o, "api.post").latency.max.mean == 0.0);
}

TEST_CASE("data tier: a full queue rejects, or blocks its producers", "[unit]") {
    auto scenario = [](const char* when_full) {
        return kRun + std::string(R"toml(
[queues.q]
consumer = "w.run"
capacity = 10
when_full = ")toml") +
               when_full + R"toml("
[services.w]
workers = 1
[services.w.endpoints.run]
steps = [ { delay = "const(20ms)" } ]
[services.api]
workers = 1000
[services.api.endpoints.post]
steps = [ { enqueue = "q" } ]
[traffic.t]
rate = "100/s"
endpoint = "api.post"
)toml";
    };
    // One consumer at 50 jobs/s against 100/s offered.
    const Outcome reject = run_scenario(scenario("reject"), "reject.toml");
    const Outcome block = run_scenario(scenario("block"), "block.toml");
    const EndpointReport& r = endpoint(reject, "api.post");
    CHECK(cause(r, ErrorCause::BrokerFull) == Approx(50.0).epsilon(0.05));
    CHECK(reject.report.queues.at(0).depth_max.mean <= 10.0);
    const EndpointReport& b = endpoint(block, "api.post");
    CHECK(cause(b, ErrorCause::BrokerFull) == 0.0);
    CHECK(b.attribution[static_cast<std::size_t>(Component::BrokerWait)].mean > 1.0);
    CHECK(block.report.queues.at(0).acked.mean == Approx(50.0).epsilon(0.02));
}

TEST_CASE("data tier: a lock held too long fails the writes behind it with lock_timeout",
          "[unit]") {
    const Outcome o = run_scenario(kRun + R"toml(
[databases.db]
lock_timeout = "100ms"
[databases.db.tables.stock]
rows = 1
[services.api]
workers = 1000
[services.api.pools.db]
size = 200
[services.api.endpoints.buy]
steps = [ { transaction = "db", steps = [
  { query = "db.stock", kind = "write" }, { delay = "const(50ms)" } ] } ]
[traffic.t]
rate = "40/s"
endpoint = "api.buy"
)toml",
                                   "lock_timeout.toml");
    const EndpointReport& e = endpoint(o, "api.buy");
    // One row, 50 ms per transaction: at most 20/s commit; the rest time out.
    CHECK(e.throughput.mean <= 20.0);
    CHECK(e.throughput.mean > 15.0);
    CHECK(cause(e, ErrorCause::LockTimeout) > 15.0);
    CHECK(o.report.databases.at(0).lock_timeouts.mean ==
          Approx(cause(e, ErrorCause::LockTimeout)).epsilon(0.05));
    // Every connection came back: none leaked by the failed transactions.
    CHECK(o.report.pools.at(0).in_use.mean < 10.0);
}

TEST_CASE("data tier: writes to different rows do not wait for each other", "[unit]") {
    const Outcome o = run_scenario(kRun + R"toml(
[databases.db]
[databases.db.tables.orders]
rows = 10000000
[services.api]
workers = 1000
[services.api.pools.db]
size = 200
[services.api.endpoints.buy]
steps = [ { transaction = "db", steps = [
  { query = "db.orders", kind = "write" }, { delay = "const(50ms)" } ] } ]
[traffic.t]
rate = "100/s"
endpoint = "api.buy"
)toml",
                                   "no_contention.toml");
    CHECK(o.report.databases.at(0).lock_waits.mean < 0.01);
    CHECK(endpoint(o, "api.buy").throughput.mean == Approx(100.0).epsilon(0.05));
}

TEST_CASE("data tier: writes without invalidation leave stale reads until the TTL", "[unit]") {
    auto scenario = [](const char* write) {
        return kRun + std::string(R"toml(
[caches.c]
keys = 100
zipf = 0
capacity = 1000
ttl = "60s"
[services.api]
workers = 1000
cores = 1000
[services.api.endpoints.read]
steps = [ { cache = "c", miss = [ { delay = "2ms" } ] } ]
[services.api.endpoints.write]
steps = [ { delay = "2ms" }, { cache = "c", write = ")toml") +
               write + R"toml(" } ]
[traffic.t]
rate = "200/s"
mix = { "api.read" = 0.9, "api.write" = 0.1 }
)toml";
    };
    const Outcome keep = run_scenario(scenario("keep"), "keep.toml");
    const Outcome inval = run_scenario(scenario("invalidate"), "invalidate.toml");
    // Each key is written every 5 s on average and cached for 60 s: kept, most
    // hits serve a value older than the last write; invalidated, almost none.
    CHECK(keep.report.caches.at(0).stale_ratio.mean > 0.5);
    CHECK(inval.report.caches.at(0).stale_ratio.mean < 0.001);
    // Invalidation costs hits: the next read of a written key misses.
    CHECK(inval.report.caches.at(0).hit_ratio.mean < keep.report.caches.at(0).hit_ratio.mean);
}

TEST_CASE("data tier: a flushed cache starts cold and warms up again", "[unit]") {
    const Outcome o = run_scenario(kRun + R"toml(
[caches.c]
keys = 10000
zipf = 1.0
capacity = 2000
flush_at = [ "30s" ]
[services.api]
workers = 1000
cores = 1000
[services.api.endpoints.read]
steps = [ { cache = "c", miss = [ { delay = "2ms" } ] } ]
[traffic.t]
rate = "500/s"
endpoint = "api.read"
)toml",
                                   "flush.toml");
    const std::vector<double>& hit = o.report.caches.at(0).series_hit_ratio;
    REQUIRE(hit.size() == 60);
    CHECK(hit[29] > 0.6);            // warm before the flush
    CHECK(hit[30] < hit[29] - 0.2);  // the window after it starts cold
    CHECK(hit[45] > hit[30]);        // and the cache warms up again
}

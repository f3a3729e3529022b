// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
//
// The policies' mechanics in a whole simulation, one behaviour per test:
// what users rely on when they add timeouts, retries, breakers and rate
// limits to a scenario.
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

const PolicyReport& first_policy(const Outcome& o) {
    return o.report.policies.at(0);
}

const std::string kRun = "[run]\nduration = \"60s\"\nwarmup = \"5s\"\nreplications = 2\nseed = 5\n";

// A gateway calls a backend whose work takes 1 s (150 ms waiting on I/O, then
// 850 ms of CPU); the gateway gives up after 100 ms.
std::string slow_backend(const std::string& extra) {
    return kRun + R"toml(
[services.gateway]
workers = 1000
[services.gateway.endpoints.get]
steps = [ { call = "backend.work", timeout = "100ms")toml" +
           extra + R"toml( } ]
[services.backend]
workers = 200
cores = 200
[services.backend.endpoints.work]
steps = [ { delay = "150ms" }, { cpu = "const(850ms)" } ]
[traffic.web]
rate = "100/s"
endpoint = "gateway.get"
)toml";
}

}  // namespace

TEST_CASE("policies: a timeout abandons the call but the callee's work goes on (zombies)",
          "[unit]") {
    const Outcome o = run_scenario(slow_backend(""), "zombie.toml");
    const EndpointReport& get = endpoint(o, "gateway.get");
    CHECK(get.error_rate.mean == Approx(1.0));
    CHECK(cause(get, ErrorCause::Timeout) == Approx(100.0).epsilon(0.05));
    // Every abandoned call still ran to its end at the backend, holding a
    // worker for its full second: ~100 workers busy of 200.
    CHECK(endpoint(o, "backend.work").throughput.mean == Approx(100.0).epsilon(0.05));
    CHECK(station(o, "backend").worker_utilization.mean == Approx(0.5).epsilon(0.05));
    const PolicyReport& p = first_policy(o);
    CHECK(p.zombies.mean == Approx(p.timeouts.mean).epsilon(0.02));
    CHECK(p.zombie_seconds.mean == Approx(0.9).epsilon(0.01));
    // The gateway's wait for abandoned attempts is attributed as such.
    CHECK(p.cancelled.mean == 0.0);
}

TEST_CASE("policies: a propagated deadline drops the callee's work at its next step", "[unit]") {
    const Outcome o = run_scenario(slow_backend(", propagate_deadline = true"), "deadline.toml");
    const EndpointReport& work = endpoint(o, "backend.work");
    // The deadline passes during the 150 ms wait: the backend drops each
    // call before its CPU step, so nothing completes and a worker is busy
    // 150 ms per call instead of a second.
    CHECK(work.throughput.mean == 0.0);
    CHECK(cause(work, ErrorCause::Cancelled) == Approx(100.0).epsilon(0.05));
    CHECK(station(o, "backend").worker_utilization.mean == Approx(100 * 0.15 / 200).epsilon(0.05));
    CHECK(first_policy(o).cancelled.mean == Approx(100.0).epsilon(0.05));
    CHECK(first_policy(o).zombies.mean == 0.0);
}

TEST_CASE("policies: a retry budget caps retries at its share of the traffic", "[unit]") {
    // Every call fails; 5 attempts would make 5x the load, a 10% budget 1.1x.
    const Outcome o = run_scenario(kRun + R"toml(
[externals.down]
latency = "1ms"
errors = 1.0
[services.api]
workers = 1000
[services.api.endpoints.get]
steps = [ { call = "down", retry = { attempts = 5, base = "1ms", budget = 0.1 } } ]
[traffic.web]
rate = "200/s"
endpoint = "api.get"
)toml",
                                   "budget.toml");
    const PolicyReport& p = first_policy(o);
    CHECK(p.attempts_per_call.mean == Approx(1.1).epsilon(0.02));
    CHECK(p.budget_denied.mean == Approx(200.0).epsilon(0.05));
}

TEST_CASE("policies: backoff waits are attributed, and the client sees them in its latency",
          "[unit]") {
    // One failure in two, one retry after a constant 200 ms.
    const Outcome o = run_scenario(kRun + R"toml(
[externals.flaky]
latency = "const(10ms)"
errors = 0.5
[services.api]
workers = 1000
[services.api.endpoints.get]
steps = [ { call = "flaky", retry = { attempts = 2, backoff = "constant", base = "200ms" } } ]
[traffic.web]
rate = "100/s"
endpoint = "api.get"
)toml",
                                   "backoff.toml");
    const EndpointReport& get = endpoint(o, "api.get");
    // Successes: half at 10 ms, a quarter at 10 + 200 + 10 ms.
    CHECK(get.error_rate.mean == Approx(0.25).epsilon(0.05));
    const double backoff = get.attribution[static_cast<std::size_t>(Component::Backoff)].mean;
    CHECK(backoff == Approx(0.2 / 3.0).epsilon(0.05));
    CHECK(get.latency.mean.mean == Approx((0.5 * 0.010 + 0.25 * 0.220) / 0.75).epsilon(0.05));
}

TEST_CASE("policies: an open breaker fails fast into the fallback", "[unit]") {
    const Outcome o = run_scenario(kRun + R"toml(
[externals.down]
latency = "const(500ms)"
errors = 1.0
[services.api]
workers = 1000
[services.api.endpoints.get]
steps = [ { call = "down", breaker = { failure_rate = 0.5, window = "10s", min_calls = 10, open_for = "30s", half_open_calls = 1 },
            fallback = [ { cpu = "const(1ms)" } ] } ]
[traffic.web]
rate = "100/s"
endpoint = "api.get"
)toml",
                                   "breaker.toml");
    const EndpointReport& get = endpoint(o, "api.get");
    CHECK(get.error_rate.mean == 0.0);
    // Open 30 s of every 30.5 s: nearly every request is answered by the
    // fallback in 1 ms.
    CHECK(get.latency.p50.mean < 0.002);
    const PolicyReport& p = first_policy(o);
    CHECK(p.open_fraction.mean > 0.9);
    CHECK(p.short_circuited.mean > 90.0);
    CHECK(p.fallbacks.mean == Approx(100.0).epsilon(0.02));
}

TEST_CASE("policies: a rate limit with a queue delays the excess instead of refusing it",
          "[unit]") {
    const std::string limited = kRun + R"toml(
[services.api]
workers = 1000
rate_limit = { rate = "50/s", burst = 1, excess = "queue", queue = 100 }
[services.api.endpoints.get]
steps = [ { cpu = "exp(1ms)" } ]
[traffic.web]
rate = "100/s"
endpoint = "api.get"
)toml";
    const Outcome o = run_scenario(limited, "limit_queue.toml");
    const EndpointReport& get = endpoint(o, "api.get");
    // 50/s pass at the limit's pace; the queue of 100 is full, so the rest
    // is refused; those let through waited about 100 / 50 = 2 s. So the
    // last 2 s of arrivals are still queued when the run ends, uncounted:
    // completions per measured second are 50 x (55 - 2) / 55.
    CHECK(get.throughput.mean == Approx(50.0 * 53.0 / 55.0).epsilon(0.02));
    CHECK(station(o, "api").rate_limited.mean == Approx(50.0).epsilon(0.05));
    CHECK(station(o, "api").limit_wait.mean == Approx(2.0).epsilon(0.05));
    CHECK(get.attribution[static_cast<std::size_t>(Component::RateLimitWait)].mean ==
          Approx(2.0).epsilon(0.05));
}

TEST_CASE("policies: clients that honour Retry-After send fewer attempts than bots", "[unit]") {
    // 15/s of Poisson traffic under a limit of 20/s with no burst: a request
    // arriving less than 50 ms after the last one passed is refused. A
    // client that honours Retry-After comes back when the next token is
    // there (with every client refused meanwhile, so it may lose again); a
    // bot retries after 1, 2, 4, ... ms and spends several attempts on each
    // gap. Measured: 2.8 attempts per request against 5.1.
    auto scenario = [](const char* respect) {
        return kRun + R"toml(
[services.api]
workers = 1000
rate_limit = { rate = "20/s", burst = 1 }
[services.api.endpoints.get]
steps = [ { cpu = "exp(1ms)" } ]
[traffic.web]
rate = "15/s"
endpoint = "api.get"
retry = { attempts = 10, on = ["429"], base = "1ms", respect_retry_after = )toml" +
               std::string(respect) + " }\n";
    };
    const Outcome polite = run_scenario(scenario("true"), "polite.toml");
    const Outcome bots = run_scenario(scenario("false"), "bots.toml");
    const double polite_attempts = polite.report.sources[0].attempts.mean;
    const double bot_attempts = bots.report.sources[0].attempts.mean;
    INFO("attempts per request: polite " << polite_attempts << ", bots " << bot_attempts);
    CHECK(bot_attempts > 1.5 * polite_attempts);
    CHECK(station(polite, "api").rate_limited.mean < 0.5 * station(bots, "api").rate_limited.mean);
}

TEST_CASE("policies: the same scenario and seed give the same report, bit for bit", "[unit]") {
    const std::string text = slow_backend(", retry = { attempts = 3, jitter = \"full\" }");
    const Outcome a = run_scenario(text, "det.toml", 1);
    const Outcome b = run_scenario(text, "det.toml", 2);
    CHECK(to_json(a.report) == to_json(b.report));
}

TEST_CASE("policies: a bulkhead keeps a slow dependency from taking every worker", "[unit]") {
    // 40 workers; 25 pages/s call a dependency that takes 2 s: without a
    // bulkhead they would hold 50 workers, so the queue for workers grows
    // without bound and search waits in it. A bulkhead of 10 caps the
    // workers pages can hold waiting on the dependency (the rest fall back
    // at once), so search always finds one.
    auto scenario = [](const std::string& bulkhead) {
        return kRun + R"toml(
[externals.recs]
latency = "const(2s)"
[services.shop]
workers = 40
cores = 8
[services.shop.endpoints.page]
steps = [ { call = "recs")toml" +
               bulkhead + R"toml(, fallback = [ { cpu = "1ms" } ] } ]
[services.shop.endpoints.search]
steps = [ { cpu = "exp(5ms)" } ]
[traffic.pages]
rate = "25/s"
endpoint = "shop.page"
[traffic.searches]
rate = "100/s"
endpoint = "shop.search"
)toml";
    };
    const Outcome without = run_scenario(scenario(""), "no_bulkhead.toml");
    const Outcome with = run_scenario(scenario(", bulkhead = 10"), "bulkhead.toml");
    // Without: pages need 50 workers of 40, so search queues without bound.
    CHECK(endpoint(without, "shop.search").latency.p99.mean > 1.0);
    // With: at most 10 workers wait on recs; search is served at once.
    CHECK(endpoint(with, "shop.search").latency.p99.mean < 0.05);
    const PolicyReport& p = first_policy(with);
    CHECK(p.bulkhead == 10);
    // 10 places, 2 s each: 5 calls/s get through, the other 20/s fall back.
    CHECK(p.bulkhead_full.mean == Approx(20.0).epsilon(0.05));
    CHECK(p.fallbacks.mean == Approx(20.0).epsilon(0.05));
    CHECK(endpoint(with, "shop.page").error_rate.mean == 0.0);
}

TEST_CASE("policies: a place in a bulkhead passes to the first waiter, whose wait is attributed",
          "[unit]") {
    // One place, calls of exactly 100 ms every 150 ms on average: some wait.
    const Outcome o = run_scenario(kRun + R"toml(
[externals.dep]
latency = "const(100ms)"
[services.api]
workers = 1000
[services.api.endpoints.get]
steps = [ { call = "dep", bulkhead = { size = 1, max_wait = "10s" } } ]
[traffic.web]
rate = "5/s"
endpoint = "api.get"
)toml",
                                   "bulkhead_fifo.toml");
    const EndpointReport& get = endpoint(o, "api.get");
    CHECK(get.error_rate.mean == 0.0);
    // M/D/1 at rho = 0.5: Wq = rho S / (2 (1 - rho)) = 50 ms.
    const double wait = get.attribution[static_cast<std::size_t>(Component::BulkheadWait)].mean;
    CHECK(wait == Approx(0.05).epsilon(0.15));
    CHECK(first_policy(o).bulkhead_wait.mean == Approx(wait).epsilon(0.01));
    CHECK(get.latency.mean.mean == Approx(0.1 + wait).epsilon(0.02));
}

// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
//
// Load shedding at a service's queue: a queue timeout drops requests that
// waited too long before any work starts, and a full queue can drop its
// oldest request instead of the newest. (Theory: the queue timeout is
// M/M/c+D, in theory_policy_test.cpp.)
#include <catch2/catch.hpp>

#include <string>

#include "models/report.hpp"
#include "models/run.hpp"
#include "theory_support.hpp"

namespace {

using namespace capsim;
using namespace capsim::theory;

// Ten arrivals a second, exactly 100 ms apart, at one worker that takes
// 1.05 s (no ties between arrivals and completions): about nine in ten
// requests must go. Over 300 s, the requests that straddle the warm-up
// cost about 1%.
std::string overloaded(const std::string& service_keys) {
    return "[run]\nduration = \"300s\"\nwarmup = \"5s\"\nreplications = 2\nseed = 3\n"
           "[services.api]\nworkers = 1\n" +
           service_keys +
           "\n[services.api.endpoints.get]\nsteps = [ { cpu = \"const(1050ms)\" } ]\n"
           "[traffic.web]\ninterarrival = \"const(100ms)\"\n"
           "endpoint = \"api.get\"\n";
}

double cause(const EndpointReport& e, ErrorCause c) {
    return e.errors_by_cause[static_cast<std::size_t>(c)].mean;
}

}  // namespace

TEST_CASE("load shedding: a full queue refuses the newest request by default", "[unit]") {
    const Outcome o = run_scenario(overloaded("queue = 1"), "reject.toml");
    const EndpointReport& e = endpoint(o, "api.get");
    CHECK(e.throughput.mean == Approx(1 / 1.05).epsilon(0.02));
    CHECK(cause(e, ErrorCause::QueueFull) == Approx(10 - 1 / 1.05).epsilon(0.02));
    // The request that waits is the first to arrive after a start: it
    // waits 0.95 to 1.05 s, then does its 1.05 s of work.
    CHECK(e.latency.mean.mean > 2.0);
}

TEST_CASE("load shedding: drop_oldest serves the freshest request instead", "[unit]") {
    const Outcome o =
        run_scenario(overloaded("queue = 1\nwhen_full = \"drop_oldest\""), "drop_oldest.toml");
    const EndpointReport& e = endpoint(o, "api.get");
    CHECK(e.throughput.mean == Approx(1 / 1.05).epsilon(0.02));
    CHECK(cause(e, ErrorCause::QueueFull) == Approx(10 - 1 / 1.05).epsilon(0.02));
    // The request that waits is the last to arrive before a start: at most
    // 100 ms in the queue.
    CHECK(e.latency.max.mean <= 1.15 + 1e-9);
    CHECK(station(o, "api").rejected.mean == Approx(10 - 1 / 1.05).epsilon(0.02));
}

TEST_CASE("load shedding: a queue timeout drops stale requests before any work", "[unit]") {
    const Outcome o = run_scenario(overloaded("queue_timeout = \"2500ms\""), "queue_timeout.toml");
    const EndpointReport& e = endpoint(o, "api.get");
    CHECK(e.throughput.mean == Approx(1 / 1.05).epsilon(0.02));
    CHECK(cause(e, ErrorCause::Shed) == Approx(10 - 1 / 1.05).epsilon(0.02));
    CHECK(station(o, "api").shed.mean == Approx(10 - 1 / 1.05).epsilon(0.02));
    // Nobody served waited past the timeout, and the worker only ever ran
    // requests it finished. Stale requests leave when the worker next looks,
    // so the queue holds the last 2.5 s of arrivals plus up to a service
    // time's more: 25 to 35.5, 30 on average.
    CHECK(e.latency.max.mean <= 2.5 + 1.05 + 1e-9);
    CHECK(e.latency.p50.mean >= 2.4 + 1.05);
    CHECK(station(o, "api").worker_utilization.mean == Approx(1.0).epsilon(0.01));
    CHECK(station(o, "api").waiting.mean == Approx(30.0).epsilon(0.03));
}

TEST_CASE("load shedding: an adaptive concurrency limit keeps latency near its target", "[unit]") {
    // 4 workers serving 400/s, offered 800/s: without a limit the queue
    // grows without bound. AIMD on latency settles the limit where almost
    // every request ends within the 50 ms target: by Little's law about
    // 400/s x 50 ms = 20 in flight at most, the excess refused at once.
    const std::string t =
        "[run]\nduration = \"200s\"\nwarmup = \"20s\"\nreplications = 3\nseed = 9\n"
        "[services.api]\nworkers = 4\ncores = 4\n"
        "adaptive_concurrency = { target = \"50ms\", initial = 10, max = 500 }\n"
        "[services.api.endpoints.get]\nsteps = [ { cpu = \"exp(10ms)\" } ]\n"
        "[traffic.web]\nrate = \"800/s\"\nendpoint = \"api.get\"\n";
    const Outcome o = run_scenario(t, "aimd.toml");
    const EndpointReport& e = endpoint(o, "api.get");
    const StationReport& s = station(o, "api");
    CHECK_FALSE(o.report.unstable);
    CHECK(e.throughput.mean == Approx(400.0).epsilon(0.03));  // the workers never idle
    CHECK(cause(e, ErrorCause::ConcurrencyLimited) == Approx(400.0).epsilon(0.03));
    CHECK(s.concurrency_limited.mean == Approx(400.0).epsilon(0.03));
    CHECK(e.latency.p99.mean < 0.075);
    CHECK(e.latency.p50.mean > 0.010);  // it queues, but briefly
    CHECK(s.concurrency_limit.mean > 8.0);
    CHECK(s.concurrency_limit.mean < 30.0);
}

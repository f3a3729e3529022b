// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
//
// The analytic layer against the simulator: at saturation the throughput
// the engine sustains is the bottleneck law's X_max (within 2%, the
// criterion of the analytic layer's specification), on open models driven
// past capacity and on a closed model with many more users than N*; below
// saturation the utilisation law holds within the run's confidence
// interval. Rows go to CAPSIM_VALIDATION_REPORT like the [theory] suite's.
// The four runs take about 4 s together, so they stay in the CI set.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "../models/theory_support.hpp"
#include "analysis/analysis.hpp"
#include "analysis/usl_fit.hpp"
#include "analysis_support.hpp"

using namespace capsim;
using namespace capsim::analysis;
using namespace capsim::theory;
using namespace capsim::analysis::testing;

TEST_CASE("validation: an open model driven past its cores saturates at X_max",
          "[analysis][validation]") {
    const double measure = 200.0;
    const int reps = 5;
    std::string t = run_table(measure, 20.0, reps, 701);
    t += R"T(
[services.api]
replicas = 2
workers = 32
cores = 2
queue = 64
[services.api.endpoints.get]
steps = [ { cpu = "exp(4ms)" }, { call = "db.q" } ]
[services.db]
workers = 16
cores = 4
[services.db.endpoints.q]
steps = [ { cpu = "exp(2ms)" } ]
[traffic.clients]
rate = "1500/s"
endpoint = "api.get"
)T";
    const Outcome o = run_scenario(t, "open_cores.toml");
    const Analysis a = analyze(o.model);
    REQUIRE(a.demands.resources[a.bottleneck.order.front()].station == "api");
    REQUIRE(a.demands.resources[a.bottleneck.order.front()].kind == ResourceKind::Cores);
    REQUIRE(a.bottleneck.x_max == Approx(1000.0));
    CHECK(a.method == Method::Saturated);
    within_two_percent("Open, api cores the bottleneck",
                       fmt("1500/s offered on 2x2 cores of exp(4ms), queue 64; %s",
                           run_words(measure, reps).c_str()),
                       a.bottleneck.x_max, endpoint(o, "api.get").throughput);
}

TEST_CASE("validation: an open model driven past its workers (nested holding) saturates at X_max",
          "[analysis][validation]") {
    const double measure = 200.0;
    const int reps = 5;
    std::string t = run_table(measure, 20.0, reps, 702);
    t += R"T(
[services.front]
replicas = 2
workers = 8
cores = 8
queue = 32
[services.front.endpoints.get]
steps = [ { cpu = "exp(1ms)" }, { call = "back.slow" } ]
[services.back]
workers = 1000
cores = 1000
[services.back.endpoints.slow]
steps = [ { delay = "exp(19ms)" } ]
[traffic.clients]
rate = "1200/s"
endpoint = "front.get"
)T";
    const Outcome o = run_scenario(t, "open_workers.toml");
    const Analysis a = analyze(o.model);
    const Resource& b = a.demands.resources[a.bottleneck.order.front()];
    REQUIRE(b.station == "front");
    REQUIRE(b.kind == ResourceKind::Workers);
    REQUIRE(a.bottleneck.x_max == Approx(16.0 / 0.020));
    within_two_percent("Open, front workers the bottleneck (held across a call)",
                       fmt("1200/s offered on 2x8 workers held 1ms cpu + 19ms call; %s",
                           run_words(measure, reps).c_str()),
                       a.bottleneck.x_max, endpoint(o, "front.get").throughput);
}

TEST_CASE("validation: a closed model with many users saturates at X_max",
          "[analysis][validation]") {
    const double measure = 200.0;
    const int reps = 5;
    std::string t = run_table(measure, 20.0, reps, 703);
    t += R"T(
[services.a]
replicas = 2
workers = 64
cores = 2
[services.a.endpoints.work]
steps = [ { cpu = "exp(5ms)" }, { call = "b.work" } ]
[services.b]
workers = 4
cores = 4
[services.b.endpoints.work]
steps = [ { cpu = "exp(4ms)" } ]
[traffic.users]
users = 2000
think = "exp(1s)"
endpoint = "a.work"
)T";
    const Outcome o = run_scenario(t, "closed_many.toml");
    const Analysis a = analyze(o.model);
    REQUIRE(a.closed);
    REQUIRE(a.bottleneck.x_max == Approx(800.0).epsilon(1e-6));
    CHECK(a.closed->n_star < 1000.0);
    CHECK(a.mva->throughput <= 800.0);
    CHECK(a.mva->throughput >= 0.99 * 800.0);
    within_two_percent("Closed, 2000 users, a cores the bottleneck",
                       fmt("N=2000, Z=exp(1s), a: 2x2 cores exp(5ms), b: 4 cores exp(4ms); %s",
                           run_words(measure, reps).c_str()),
                       a.bottleneck.x_max, endpoint(o, "a.work").throughput);
}

// Below saturation the utilisation law U = X D is exact in expectation
// whatever the laws, so the prediction must lie in the simulated 99.9%
// interval; the open estimates are exact here (product form).
TEST_CASE("validation: predicted utilisations and M/M/c estimates agree with the simulation",
          "[analysis][validation]") {
    const double measure = 1000.0;
    const int reps = 10;
    std::string t = run_table(measure, 50.0, reps, 704);
    t += R"T(
[services.api]
replicas = 2
workers = 64
cores = 2
balancer = "random"
[services.api.endpoints.get]
steps = [ { cpu = "exp(4ms)" }, { forward = "db.q" } ]
[services.db]
workers = 3
cores = 3
[services.db.endpoints.q]
steps = [ { cpu = "exp(6ms)" } ]
[traffic.clients]
rate = "400/s"
endpoint = "api.get"
)T";
    const Outcome o = run_scenario(t, "open_estimates.toml");
    const Analysis a = analyze(o.model);
    REQUIRE(a.method == Method::Open);
    const std::string name = "Analytic vs simulated";
    const std::string params =
        fmt("400/s; api 2x2 PS cores exp(4ms), random balancer; "
            "db M/M/3 exp(6ms); %s",
            run_words(measure, reps).c_str());
    for (const char* s : {"api", "db"}) {
        std::uint32_t k = 0;
        while (o.model.model.services[k].name != s) ++k;
        const StationEstimate& e = a.stations[k];
        const StationReport& r = station(o, s);
        compare(name, params, fmt("%s core utilisation", s), e.core_utilization,
                r.core_utilization);
        compare(name, params, fmt("%s throughput (1/s)", s), e.throughput, r.throughput);
        compare(name, params, fmt("%s requests present", s), e.in_system, r.in_system);
    }
    compare(name, params, "end-to-end mean (s)", a.sources[0].response,
            endpoint(o, "api.get").latency.mean);
}

// Amdahl's law on a model with a serialising resource: every request holds
// its replica's only worker for 9 ms of CPU and 1 ms at a single-worker
// lock, so a tenth of the work is serial. Swept over replicas with many
// closed users (common random numbers: one seed for every size), the
// Amdahl fit must find that serial fraction within its 95% interval.
TEST_CASE("validation: the Amdahl fit recovers a serialising resource's serial fraction",
          "[analysis][validation][usl]") {
    const double measure = 100.0;
    const int reps = 3;
    std::vector<double> sizes, throughput;
    for (int n : {1, 2, 4, 8, 16, 32}) {
        std::string t = run_table(measure, 20.0, reps, 705);
        t += fmt(R"T(
[services.api]
replicas = %d
workers = 1
[services.api.endpoints.get]
steps = [ { cpu = "exp(9ms)" }, { call = "lock.take" } ]
[services.lock]
[services.lock.endpoints.take]
steps = [ { cpu = "exp(1ms)" } ]
[traffic.users]
users = 200
think = "exp(100ms)"
endpoint = "api.get"
)T",
                 n);
        const Outcome o = run_scenario(t, "amdahl.toml");
        sizes.push_back(n);
        throughput.push_back(endpoint(o, "api.get").throughput.mean);
    }
    const UslFit a = fit_amdahl(sizes, throughput);
    Comparison c;
    c.name = "Amdahl fit, serial 1 ms of 10 ms";
    c.params = fmt("replicas 1..32 x 1 worker (9ms cpu) -> 1-worker lock (1ms); 200 users; %s",
                   run_words(measure, reps).c_str());
    c.quantity = "serial fraction σ (± 95% from the fit's standard error)";
    c.theory = 0.1;
    c.sim = a.sigma;
    c.half_width = 1.96 * a.sigma_se;
    c.tolerance = c.half_width;
    c.pass = a.converged && std::fabs(a.sigma - 0.1) <= c.tolerance;
    record(c);
}

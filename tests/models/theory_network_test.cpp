// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
//
// Queueing-theory validation, networks: a tandem line and an open Jackson
// network with feedback (forward hand-offs), closed networks against exact
// MVA, the finite-source machine-repairman model, and fork-join. Every
// comparison uses the 99.9% confidence-interval rule of theory_support.hpp;
// Little's law is checked on every run.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "theory_support.hpp"

namespace {

using namespace capsim;
using namespace capsim::theory;

/// The q-quantile of a continuous CDF on [0, hi], by bisection.
template <class Cdf>
double quantile_of(Cdf&& cdf, double q, double hi) {
    double lo = 0.0;
    for (int i = 0; i < 200; ++i) {
        const double mid = 0.5 * (lo + hi);
        if (cdf(mid) < q)
            lo = mid;
        else
            hi = mid;
    }
    return 0.5 * (lo + hi);
}

}  // namespace

// ---------------------------------------------------------------------------
// Tandem of two M/M/1 stations joined by forward. By Burke's theorem the
// departures of the first are Poisson and (Reich) a request's sojourns at
// the two stations are independent exponentials of rates mu_i - lambda, so
// the end-to-end time is hypoexponential: mean sum 1/(mu_i - lambda), and
// P(T > t) = (b e^{-a t} - a e^{-b t}) / (b - a).
// ---------------------------------------------------------------------------

TEST_CASE("theory: tandem M/M/1 -> M/M/1 (forward)", "[theory]") {
    const double lambda = 60.0, s1 = 0.010, s2 = 0.0125;
    const double a = 1.0 / s1 - lambda, b = 1.0 / s2 - lambda;  // 40/s and 20/s
    const double measure = 4000.0;
    const int reps = 10;
    std::string t = run_table(measure, 100.0, reps, 101);
    t += R"T(
[services.a]
workers = 1
[services.a.endpoints.work]
steps = [ { cpu = "exp(10ms)" }, { forward = "b.work" } ]
[services.b]
workers = 1
[services.b.endpoints.work]
steps = [ { cpu = "exp(12.5ms)" } ]
[traffic.clients]
rate = "60/s"
endpoint = "a.work"
)T";
    const Outcome o = run_scenario(t, "tandem.toml");
    REQUIRE_FALSE(o.report.unstable);
    const std::string name = "Tandem M/M/1→M/M/1";
    const std::string params =
        fmt("λ=60/s, S1=exp(10ms), S2=exp(12.5ms), %s", run_words(measure, reps).c_str());
    const double rho1 = lambda * s1, rho2 = lambda * s2;
    const EndpointReport& e = endpoint(o, "a.work");
    compare(name, params, "L at a = ρ1/(1-ρ1)", rho1 / (1.0 - rho1), station(o, "a").in_system);
    compare(name, params, "L at b = ρ2/(1-ρ2)", rho2 / (1.0 - rho2), station(o, "b").in_system);
    compare(name, params, "throughput at b (1/s)", lambda, station(o, "b").throughput);
    compare(name, params, "end-to-end mean (s)", 1.0 / a + 1.0 / b, e.latency.mean);
    auto cdf = [&](double x) {
        return 1.0 - (b * std::exp(-a * x) - a * std::exp(-b * x)) / (b - a);
    };
    compare_quantile(name, params, "end-to-end p50 (s)", quantile_of(cdf, 0.5, 10.0),
                     e.latency.p50);
    compare_quantile(name, params, "end-to-end p99 (s)", quantile_of(cdf, 0.99, 10.0),
                     e.latency.p99);
    check_little_all(o, name, {"a.work"});
}

// ---------------------------------------------------------------------------
// Open Jackson network with feedback. After service at a, a request goes
// back to a with probability 0.3 or on to b with 0.7; after b it goes back
// to a with 0.2 or leaves with 0.8. Traffic equations:
//     lambda_a = lambda + 0.3 lambda_a + 0.2 lambda_b,  lambda_b = 0.7 lambda_a
// so lambda_a = lambda / 0.56 and lambda_b = 1.25 lambda. Product form:
// L_i = rho_i / (1 - rho_i), and the end-to-end mean time is sum L_i / lambda.
// ---------------------------------------------------------------------------

TEST_CASE("theory: open Jackson network with feedback", "[theory]") {
    const double lambda = 40.0, sa = 0.010, sb = 0.014;
    const double la = lambda / 0.56, lb = 0.7 * la;
    const double ra = la * sa, rb = lb * sb;  // 0.714 and 0.7
    const double La = ra / (1.0 - ra), Lb = rb / (1.0 - rb);
    const double measure = 4000.0;
    const int reps = 10;
    std::string t = run_table(measure, 100.0, reps, 111);
    t += R"T(
[services.a]
workers = 1
[services.a.endpoints.work]
steps = [ { cpu = "exp(10ms)" },
          { branch = [ { weight = 0.3, steps = [ { forward = "a.work" } ] },
                       { weight = 0.7, steps = [ { forward = "b.work" } ] } ] } ]
[services.b]
workers = 1
[services.b.endpoints.work]
steps = [ { cpu = "exp(14ms)" },
          { branch = [ { weight = 0.2, steps = [ { forward = "a.work" } ] },
                       { weight = 0.8, steps = [] } ] } ]
[traffic.clients]
rate = "40/s"
endpoint = "a.work"
)T";
    const Outcome o = run_scenario(t, "jackson.toml");
    REQUIRE_FALSE(o.report.unstable);
    const std::string name = "Jackson with feedback";
    const std::string params =
        fmt("λ=40/s; a: exp(10ms), p(a→a)=0.3, p(a→b)=0.7; b: exp(14ms), "
            "p(b→a)=0.2; %s",
            run_words(measure, reps).c_str());
    compare(name, params, "visit rate at a (1/s) = λ/0.56", la, station(o, "a").throughput);
    compare(name, params, "visit rate at b (1/s) = 1.25λ", lb, station(o, "b").throughput);
    compare(name, params, "utilisation a", ra, station(o, "a").worker_utilization);
    compare(name, params, "utilisation b", rb, station(o, "b").worker_utilization);
    compare(name, params, "L at a = ρa/(1-ρa)", La, station(o, "a").in_system);
    compare(name, params, "L at b = ρb/(1-ρb)", Lb, station(o, "b").in_system);
    compare(name, params, "end-to-end mean (s) = ΣL/λ", (La + Lb) / lambda,
            endpoint(o, "a.work").latency.mean);
    compare(name, params, "completions (1/s) = λ", lambda, endpoint(o, "a.work").throughput);
    check_little_all(o, name, {"a.work"});
}

// ---------------------------------------------------------------------------
// Closed networks: N users with think time Z against exact MVA. Product
// form holds for FCFS stations with exponential service and, by BCMP, for
// processor-sharing stations with any service law and an infinite-server
// think stage with any law — so the second case uses a constant think time
// and hyperexponential service on a PS core.
// ---------------------------------------------------------------------------

TEST_CASE("theory: closed network, two FCFS stations, against MVA", "[theory]") {
    const unsigned N = 10;
    const double Z = 0.5, Da = 0.040, Db = 0.060;
    const Mva th = mva(N, Z, {Da, Db});
    const double measure = 4000.0;
    const int reps = 10;
    std::string t = run_table(measure, 100.0, reps, 121);
    t += R"T(
[services.a]
workers = 1
[services.a.endpoints.work]
steps = [ { cpu = "exp(40ms)" }, { forward = "b.work" } ]
[services.b]
workers = 1
[services.b.endpoints.work]
steps = [ { cpu = "exp(60ms)" } ]
[traffic.users]
users = 10
think = "exp(500ms)"
endpoint = "a.work"
)T";
    const Outcome o = run_scenario(t, "closed2.toml");
    REQUIRE_FALSE(o.report.unstable);
    const std::string name = "Closed, 2 FCFS stations (MVA)";
    const std::string params =
        fmt("N=10, Z=exp(500ms), Da=exp(40ms), Db=exp(60ms), %s", run_words(measure, reps).c_str());
    const EndpointReport& e = endpoint(o, "a.work");
    compare(name, params, "throughput X (1/s)", th.X, e.throughput);
    compare(name, params, "response time R (s)", th.R, e.latency.mean);
    compare(name, params, "Q at a", th.Qk[0], station(o, "a").in_system);
    compare(name, params, "Q at b", th.Qk[1], station(o, "b").in_system);
    check_little_all(o, name, {"a.work"});
}

TEST_CASE("theory: closed network, PS station with hyperexponential service, against MVA",
          "[theory]") {
    const unsigned N = 8;
    const double Z = 1.0, D = 0.100;
    const Mva th = mva(N, Z, {D});
    const double measure = 4000.0;
    const int reps = 10;
    std::string t = run_table(measure, 100.0, reps, 131);
    t += R"T(
[services.server]
workers = 8
cores = 1
cpu = "ps"
[services.server.endpoints.work]
steps = [ { cpu = "hyperexp(mean=100ms, scv=4)" } ]
[traffic.users]
users = 8
think = "1s"
endpoint = "server.work"
)T";
    const Outcome o = run_scenario(t, "closedps.toml");
    REQUIRE_FALSE(o.report.unstable);
    const std::string name = "Closed, 1 PS station (MVA)";
    const std::string params = fmt("N=8, Z=1s const, S=hyperexp(mean=100ms, scv=4), 1 core PS, %s",
                                   run_words(measure, reps).c_str());
    const EndpointReport& e = endpoint(o, "server.work");
    compare(name, params, "throughput X (1/s)", th.X, e.throughput);
    compare(name, params, "response time R (s)", th.R, e.latency.mean);
    compare(name, params, "Q at server", th.Qk[0], station(o, "server").in_system);
    compare(name, params, "core utilisation = X D", th.X * D,
            station(o, "server").core_utilization);
    check_little_all(o, name, {"server.work"});
}

// ---------------------------------------------------------------------------
// Finite-source machine-repairman model: users are machines, the think time
// is the time to failure, the station's c workers are the repairmen.
// ---------------------------------------------------------------------------

TEST_CASE("theory: machine repairman (finite source, c repairmen)", "[theory]") {
    const unsigned N = 12, c = 3;
    const double up = 2.0, repair = 0.5;
    const Repairman th = machine_repairman(N, c, 1.0 / up, 1.0 / repair);
    const double measure = 4000.0;
    const int reps = 10;
    std::string t = run_table(measure, 100.0, reps, 141);
    t += R"T(
[services.repair]
workers = 3
cores = 3
[services.repair.endpoints.fix]
steps = [ { cpu = "exp(500ms)" } ]
[traffic.machines]
users = 12
think = "exp(2s)"
endpoint = "repair.fix"
)T";
    const Outcome o = run_scenario(t, "repairman.toml");
    REQUIRE_FALSE(o.report.unstable);
    const std::string name = "Machine repairman";
    const std::string params = fmt("N=12 machines, up=exp(2s), c=3, repair=exp(500ms), %s",
                                   run_words(measure, reps).c_str());
    const EndpointReport& e = endpoint(o, "repair.fix");
    const StationReport& s = station(o, "repair");
    compare(name, params, "repairs/s X", th.X, e.throughput);
    compare(name, params, "time broken R (s)", th.R, e.latency.mean);
    compare(name, params, "machines broken L", th.L, s.in_system);
    compare(name, params, "repairman utilisation", th.busy / c, s.worker_utilization);
    check_little_all(o, name, {"repair.fix"});
}

// ---------------------------------------------------------------------------
// Fork-join. Without contention (delays on a service with ample workers)
// the join of independent exponentials of mean m is an order statistic:
// all of 2 -> E[max] = 1.5 m, first of 2 -> E[min] = m / 2, 2 of 3 -> the
// second smallest of 3, m (1/3 + 1/2). With contention, the two-way
// fork-join of identical M/M/1 queues (every request split into one task
// per queue, done when both are) has the exact mean response time
// (12 - rho) / 8 / (mu - lambda) (Nelson & Tantawi 1988, Flatto & Hahn).
// ---------------------------------------------------------------------------

TEST_CASE("theory: fork-join order statistics (no contention)", "[theory]") {
    const double m = 0.010, measure = 1000.0;
    const int reps = 10;
    std::string t = run_table(measure, 10.0, reps, 151);
    t += R"T(
[services.fan]
workers = 100000
cores = 100000
[services.fan.endpoints.all]
steps = [ { parallel = [ [ { delay = "exp(10ms)" } ], [ { delay = "exp(10ms)" } ] ], join = "all" } ]
[services.fan.endpoints.first]
steps = [ { parallel = [ [ { delay = "exp(10ms)" } ], [ { delay = "exp(10ms)" } ] ], join = "first" } ]
[services.fan.endpoints.two_of_three]
steps = [ { parallel = [ [ { delay = "exp(10ms)" } ], [ { delay = "exp(10ms)" } ],
                         [ { delay = "exp(10ms)" } ] ], join = 2 } ]
[traffic.all]
rate = "50/s"
endpoint = "fan.all"
[traffic.first]
rate = "50/s"
endpoint = "fan.first"
[traffic.two]
rate = "50/s"
endpoint = "fan.two_of_three"
)T";
    const Outcome o = run_scenario(t, "forkjoin0.toml");
    REQUIRE_FALSE(o.report.unstable);
    const std::string name = "Fork-join, no contention";
    const std::string params =
        fmt("arms delay=exp(10ms), 50/s each, %s", run_words(measure, reps).c_str());
    compare(name, params, "join all of 2: mean = 1.5m (s)", 1.5 * m,
            endpoint(o, "fan.all").latency.mean);
    // P(max <= t) = (1 - e^{-t/m})^2: median m ln(1 / (1 - sqrt(0.5))).
    compare_quantile(name, params, "join all of 2: p50 (s)", -m * std::log(1.0 - std::sqrt(0.5)),
                     endpoint(o, "fan.all").latency.p50);
    compare(name, params, "join first of 2: mean = m/2 (s)", 0.5 * m,
            endpoint(o, "fan.first").latency.mean);
    compare(name, params, "join 2 of 3: mean = m(1/3+1/2) (s)", m * (1.0 / 3.0 + 0.5),
            endpoint(o, "fan.two_of_three").latency.mean);
    check_little_all(o, name, {"fan.all", "fan.first", "fan.two_of_three"});
}

// Regression test for an engine bug this suite found: the fan-out form
// `parallel = N, steps = [...]` copies one BlockSpec N times, so the copies
// of each step share a key path, and the compiler used to name each copy's
// random stream by that path. The N streams were seeded identically and
// consumed in lock step, so every arm drew the same sample and a join of N
// "independent" arms was a single draw (mean m instead of m (1 + 1/2 + 1/3)
// for all of 3). models/compiler.cpp now suffixes repeated stream names.
TEST_CASE("theory: fan-out parallel = N draws independent arms", "[theory]") {
    const double m = 0.010, measure = 1000.0;
    const int reps = 10;
    std::string t = run_table(measure, 10.0, reps, 152);
    t += R"T(
[services.fan]
workers = 100000
cores = 100000
[services.fan.endpoints.all]
steps = [ { parallel = 3, steps = [ { delay = "exp(10ms)" } ], join = "all" } ]
[services.fan.endpoints.two]
steps = [ { parallel = 3, steps = [ { delay = "exp(10ms)" } ], join = 2 } ]
[traffic.all]
rate = "50/s"
endpoint = "fan.all"
[traffic.two]
rate = "50/s"
endpoint = "fan.two"
)T";
    const Outcome o = run_scenario(t, "fanout.toml");
    REQUIRE_FALSE(o.report.unstable);
    const std::string name = "Fan-out parallel=3";
    const std::string params =
        fmt("parallel = 3, steps = [delay exp(10ms)], join all / join 2, 50/s each, %s",
            run_words(measure, reps).c_str());
    compare(name, params, "join all of 3: mean = m(1+1/2+1/3) (s)", m * (1.0 + 0.5 + 1.0 / 3.0),
            endpoint(o, "fan.all").latency.mean);
    compare(name, params, "join 2 of 3: mean = m(1/3+1/2) (s)", m * (1.0 / 3.0 + 0.5),
            endpoint(o, "fan.two").latency.mean);
    check_little_all(o, name, {"fan.all", "fan.two"});
}

// ---------------------------------------------------------------------------
// Parallel CPU arms inside one request: the arms share the request's worker
// and compete for the replica's cores. One worker, two cpu arms of exp(m)
// work each, join all: with one core the arms share it and the request
// holds the worker for X1 + X2 (the core is work-conserving, whatever the
// discipline); with two cores they run side by side and it holds it for
// max(X1, X2). Either way the worker is an M/G/1 queue (P-K) with
//     1 core:  E[S] = 2m,   E[S^2] = 6 m^2  (Erlang-2),
//     2 cores: E[S] = 1.5m, E[S^2] = 3.5 m^2 (max = Exp(m/2) + Exp(m)).
// ---------------------------------------------------------------------------

TEST_CASE("theory: parallel CPU arms share the replica's cores (M/G/1 with S = sum or max)",
          "[theory]") {
    const double m = 0.010, lambda = 20.0, measure = 3000.0;
    const int reps = 10;
    struct Case {
        unsigned cores;
        double es, es2;
        int seed;
    };
    for (const Case& k : {Case{1, 2.0 * m, 6.0 * m * m, 171}, Case{2, 1.5 * m, 3.5 * m * m, 172}}) {
        std::string t = run_table(measure, 100.0, reps, k.seed);
        t += fmt(R"T(
[services.server]
workers = 1
cores = %u
[services.server.endpoints.work]
steps = [ { parallel = [ [ { cpu = "exp(10ms)" } ], [ { cpu = "exp(10ms)" } ] ], join = "all" } ]
[traffic.clients]
rate = "20/s"
endpoint = "server.work"
)T",
                 k.cores);
        const Outcome o = run_scenario(t, "cpuarms.toml");
        REQUIRE_FALSE(o.report.unstable);
        const std::string name =
            fmt("2 cpu arms on 1 worker, %u core%s", k.cores, k.cores == 1 ? "" : "s");
        const std::string params =
            fmt("λ=20/s, arms exp(10ms), join all, %s", run_words(measure, reps).c_str());
        const double wq = pk_mean_wait(lambda, k.es, k.es2 - k.es * k.es);
        compare(name, params, "mean sojourn (s), P-K", wq + k.es,
                endpoint(o, "server.work").latency.mean);
        compare(name, params, "worker utilisation = λE[S]", lambda * k.es,
                station(o, "server").worker_utilization);
        compare(name, params, "core utilisation = 2λm / cores", 2.0 * lambda * m / k.cores,
                station(o, "server").core_utilization);
        check_little_all(o, name, {"server.work"});
    }
}

TEST_CASE("theory: two-way fork-join of M/M/1 queues (Nelson-Tantawi)", "[theory]") {
    const double lambda = 70.0, S = 0.010, mu = 1.0 / S, rho = lambda * S;
    const double measure = 4000.0;
    const int reps = 10;
    std::string t = run_table(measure, 100.0, reps, 161);
    t += R"T(
[services.front]
workers = 100000
cores = 100000
[services.front.endpoints.split]
steps = [ { parallel = [ [ { call = "q1.work" } ], [ { call = "q2.work" } ] ], join = "all" } ]
[services.q1]
workers = 1
[services.q1.endpoints.work]
steps = [ { cpu = "exp(10ms)" } ]
[services.q2]
workers = 1
[services.q2.endpoints.work]
steps = [ { cpu = "exp(10ms)" } ]
[traffic.clients]
rate = "70/s"
endpoint = "front.split"
)T";
    const Outcome o = run_scenario(t, "forkjoin.toml");
    REQUIRE_FALSE(o.report.unstable);
    const std::string name = "Fork-join 2×M/M/1";
    const std::string params =
        fmt("λ=70/s, S=exp(10ms) at each queue, %s", run_words(measure, reps).c_str());
    compare(name, params, "mean response (s) = (12-ρ)/8/(μ-λ)", (12.0 - rho) / 8.0 / (mu - lambda),
            endpoint(o, "front.split").latency.mean);
    compare(name, params, "mean sojourn at q1 (s) = 1/(μ-λ)", 1.0 / (mu - lambda),
            endpoint(o, "q1.work").latency.mean);
    compare(name, params, "L at q2 = ρ/(1-ρ)", rho / (1.0 - rho), station(o, "q2").in_system);
    // The front station holds each request from arrival to join: L = lambda W there.
    check_little_all(o, name, {"front.split"}, {"front"});
}

// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
//
// Queueing-theory validation, one station: M/M/1, M/M/c (Erlang C),
// M/M/c/K and Erlang B (loss), M/D/1 and M/G/1 (Pollaczek–Khinchine),
// GI/M/1, M/G/1 processor sharing. Every simulated value is compared with
// its exact value by the rule of theory_support.hpp (99.9% confidence
// interval over replications), and Little's law is checked on every run.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "engine/law.hpp"
#include "models/error_cause.hpp"
#include "scenario/value_parser.hpp"
#include "theory_support.hpp"

namespace {

using namespace capsim;
using namespace capsim::theory;

/// One service "server" with one endpoint "work" = a single cpu step, fed
/// by one Poisson source (or a renewal source when `interarrival` is set).
struct Station {
    double lambda = 0.0;       // arrivals per second (Poisson)
    std::string interarrival;  // a law instead of Poisson, e.g. gamma(...)
    std::string service;       // law of the cpu step
    unsigned workers = 1;
    unsigned cores = 1;
    std::string cpu = "fcfs";
    std::string queue = "\"unbounded\"";
    double measure = 2000.0, warmup = 100.0;
    int replications = 10;
    int seed = 1;
    std::string extra;  // appended verbatim (more sources or endpoints)

    std::string toml() const {
        std::string t = run_table(measure, warmup, replications, seed);
        t += fmt("[services.server]\nworkers = %u\ncores = %u\ncpu = \"%s\"\nqueue = %s\n", workers,
                 cores, cpu.c_str(), queue.c_str());
        t += fmt("[services.server.endpoints.work]\nsteps = [ { cpu = \"%s\" } ]\n",
                 service.c_str());
        t += "[traffic.clients]\nendpoint = \"server.work\"\n";
        if (interarrival.empty())
            t += fmt("rate = \"%s\"\n", per_s(lambda).c_str());
        else
            t += fmt("interarrival = \"%s\"\n", interarrival.c_str());
        return t + extra;
    }
};

Law law_of(const std::string& text) {
    return scenario::parse_law(text, Dimension::Time);
}

double queue_full(const EndpointResult& e) {
    return static_cast<double>(e.errors[static_cast<std::size_t>(ErrorCause::QueueFull)]);
}

}  // namespace

// ---------------------------------------------------------------------------
// Self-checks of the exact formulas against textbook values, so that a
// mistake in theory_support.hpp cannot pass for an engine bug (or hide one).
// ---------------------------------------------------------------------------

TEST_CASE("theory formulas reproduce textbook values", "[theory]") {
    // Erlang B(c=10, a=5) = 0.018384570 (standard table); B(1, a) = a / (1 + a).
    CHECK(erlang_b(10, 5.0) == Approx(0.0183845).epsilon(1e-5));
    CHECK(erlang_b(1, 0.5) == Approx(1.0 / 3.0).epsilon(1e-12));
    // Erlang C(2, 1) = 1/3; C(1, rho) = rho.
    CHECK(erlang_c(2, 1.0) == Approx(1.0 / 3.0).epsilon(1e-12));
    CHECK(erlang_c(1, 0.7) == Approx(0.7).epsilon(1e-12));
    // M/M/1/K with rho = 1 has uniform occupancy: loss 1 / (K + 1).
    CHECK(mmck(1, 4, 5.0, 5.0).p_loss == Approx(0.2).epsilon(1e-12));
    // M/M/c/K with a huge K is M/M/c: Lq = C rho / (1 - rho).
    const MMcK big = mmck(3, 2000, 2.4, 1.0);
    CHECK(big.Lq == Approx(erlang_c(3, 2.4) * 0.8 / 0.2).epsilon(1e-9));
    // P-K with exponential service is M/M/1: Wq = rho / (mu - lambda).
    CHECK(pk_mean_wait(80.0, 0.01, 1e-4) == Approx(0.8 / 20.0).epsilon(1e-12));
    // MVA with one station, no think time, N users: X = 1/D, R = N D.
    const Mva m1 = mva(5, 0.0, {0.2});
    CHECK(m1.X == Approx(5.0).epsilon(1e-12));
    CHECK(m1.R == Approx(1.0).epsilon(1e-12));
    // The repairman with one repairman is the one-station MVA network.
    const Repairman rp = machine_repairman(8, 1, 0.5, 3.0);
    const Mva m2 = mva(8, 2.0, {1.0 / 3.0});
    CHECK(rp.X == Approx(m2.X).epsilon(1e-12));
    CHECK(rp.R == Approx(m2.R).epsilon(1e-12));
    // ... and with N <= c nobody ever waits: R = 1/mu.
    CHECK(machine_repairman(3, 3, 0.5, 2.0).R == Approx(0.5).epsilon(1e-12));
    // Sojourn quantile of M/M/1: median ln 2 / (mu - lambda).
    CHECK(mm1_sojourn_quantile(50.0, 100.0, 0.5) == Approx(std::log(2.0) / 50.0));
    // The histogram helpers: exact fraction of zeros, and E[W^2] within the
    // histogram's resolution.
    Histogram h;
    for (int i = 0; i < 300; ++i) h.record(0.0);
    for (int i = 0; i < 700; ++i) h.record(0.5 + i * 1e-3);
    CHECK(fraction_zero(h) == Approx(0.3).epsilon(1e-12));
    Histogram none;
    for (int i = 1; i <= 10; ++i) none.record(i);
    CHECK(fraction_zero(none) == 0.0);
    double exact = 0.0;
    for (int i = 0; i < 700; ++i) exact += (0.5 + i * 1e-3) * (0.5 + i * 1e-3);
    CHECK(second_moment(h) == Approx(exact / 1000.0).epsilon(0.01));
}

// ---------------------------------------------------------------------------
// M/M/1: sojourn exponential with rate mu - lambda.
// ---------------------------------------------------------------------------

TEST_CASE("theory: M/M/1 sojourn time (mean, p50, p99) at rho 0.5, 0.8, 0.95", "[theory]") {
    struct Case {
        double rho, measure, warmup;
        int seed;
    };
    // The relaxation time of M/M/1 is 1 / (mu (1 - sqrt(rho))^2): 0.12 s,
    // 1.0 s and 15.6 s here, so the warm-ups are >= 10 of them. The lengths
    // give a 95% half-width of ~1% on the mean sojourn.
    const Case cases[] = {
        {0.5, 2000.0, 50.0, 11}, {0.8, 4000.0, 100.0, 12}, {0.95, 10000.0, 300.0, 13}};
    const double S = 0.010, mu = 1.0 / S;
    for (const Case& k : cases) {
        const double lambda = k.rho * mu;
        Station st;
        st.lambda = lambda;
        st.service = "exp(10ms)";
        st.measure = k.measure;
        st.warmup = k.warmup;
        st.seed = k.seed;
        const Outcome o = run_scenario(st.toml(), "mm1.toml");
        REQUIRE_FALSE(o.report.unstable);
        const std::string name = fmt("M/M/1 ρ=%.2f", k.rho);
        const std::string params =
            fmt("λ=%g/s, S=exp(10ms), %s", lambda, run_words(k.measure, st.replications).c_str());
        const EndpointReport& e = endpoint(o, "server.work");
        const StationReport& s = station(o, "server");
        compare(name, params, "mean sojourn (s)", 1.0 / (mu - lambda), e.latency.mean);
        compare_quantile(name, params, "p50 sojourn (s)", mm1_sojourn_quantile(lambda, mu, 0.5),
                         e.latency.p50);
        compare_quantile(name, params, "p99 sojourn (s)", mm1_sojourn_quantile(lambda, mu, 0.99),
                         e.latency.p99);
        compare(name, params, "L in system", k.rho / (1.0 - k.rho), s.in_system);
        compare(name, params, "utilisation", k.rho, s.worker_utilization);
        compare(name, params, "mean wait in queue (s)", k.rho / (mu - lambda), s.wait);
        check_little_all(o, name, {"server.work"});
    }
}

// ---------------------------------------------------------------------------
// M/M/c: Erlang C. P(wait) is measured with zero-work probes: a second
// Poisson source sends requests with no steps to the same FCFS queue. A
// probe takes a worker and gives it back at the same instant, so it never
// changes when real requests start; its latency is exactly the queue wait
// a real arrival would have had at that instant, and by PASTA the probes'
// fraction of zero waits estimates P(wait = 0) = 1 - C(c, a).
// ---------------------------------------------------------------------------

TEST_CASE("theory: M/M/c mean wait and P(wait) (Erlang C)", "[theory]") {
    const unsigned c = 4;
    const double S = 0.040, mu = 1.0 / S, lambda = 80.0, probes = 40.0;
    const double a = lambda / mu;  // 3.2 erlangs, rho = 0.8
    Station st;
    st.lambda = lambda;
    st.service = "exp(40ms)";
    st.workers = c;
    st.cores = c;
    st.measure = 4000.0;
    st.warmup = 100.0;
    st.seed = 21;
    st.extra =
        fmt("[services.server.endpoints.probe]\nsteps = []\n"
            "[traffic.probes]\nendpoint = \"server.probe\"\nrate = \"%s\"\n",
            per_s(probes).c_str());
    const Outcome o = run_scenario(st.toml(), "mmc.toml");
    REQUIRE_FALSE(o.report.unstable);
    const std::string name = "M/M/4 ρ=0.8";
    const std::string params = fmt("λ=80/s, S=exp(40ms), c=4, probes 40/s, %s",
                                   run_words(st.measure, st.replications).c_str());
    const double C = erlang_c(c, a);
    const double wq = mmc_mean_wait(c, lambda, mu);
    const std::size_t probe = endpoint_index(o, "server.probe");
    const EndpointReport& e = endpoint(o, "server.work");
    const StationReport& s = station(o, "server");

    compare(name, params, "P(wait) = C(c,a), probes", C,
            per_replication(o, [&](const ReplicationResult& r) {
                return 1.0 - fraction_zero(r.endpoints[probe].latency);
            }));
    compare(name, params, "mean wait in queue (s), probes", wq,
            endpoint(o, "server.probe").latency.mean);
    // The station's wait covers requests and probes alike: same law (PASTA).
    compare(name, params, "mean wait in queue (s), station", wq, s.wait);
    compare(name, params, "mean sojourn (s)", wq + S, e.latency.mean);
    // Requests and probes both queue: Lq = (lambda + probes) Wq by Little.
    compare(name, params, "mean waiting (requests + probes)", (lambda + probes) * wq, s.waiting);
    compare(name, params, "worker utilisation", a / c, s.worker_utilization);
    check_little_all(o, name, {"server.work", "server.probe"});
}

// ---------------------------------------------------------------------------
// Loss systems: M/M/c/K (queue = K - c) and Erlang B (queue = 0). Erlang B
// is insensitive to the service law, so it is run with exponential and with
// hyperexponential (scv 4) service.
// ---------------------------------------------------------------------------

TEST_CASE("theory: Erlang B loss (M/M/c/c and M/G/c/c)", "[theory]") {
    const unsigned c = 5;
    const double S = 0.050, lambda = 80.0;  // a = 4 erlangs
    const double a = lambda * S;
    const double B = erlang_b(c, a);
    struct Case {
        const char* law;
        int seed;
    };
    for (const Case& k : {Case{"exp(50ms)", 31}, Case{"hyperexp(mean=50ms, scv=4)", 32}}) {
        Station st;
        st.lambda = lambda;
        st.service = k.law;
        st.workers = c;
        st.cores = c;
        st.queue = "0";
        st.measure = 2000.0;
        st.warmup = 50.0;
        st.seed = k.seed;
        const Outcome o = run_scenario(st.toml(), "erlangb.toml");
        REQUIRE_FALSE(o.report.unstable);
        const std::string name = fmt("Erlang B, S=%s", k.law);
        const std::string params =
            fmt("λ=80/s, c=5, queue=0, a=4, %s", run_words(st.measure, st.replications).c_str());
        const EndpointReport& e = endpoint(o, "server.work");
        const StationReport& s = station(o, "server");
        compare(name, params, "loss = error_rate", B, e.error_rate);
        const std::size_t ep = endpoint_index(o, "server.work");
        compare(name, params, "loss, cause queue_full / arrivals", B,
                per_replication(o, [&](const ReplicationResult& r) {
                    return queue_full(r.endpoints[ep]) /
                           static_cast<double>(r.endpoints[ep].arrivals);
                }));
        compare(name, params, "rejected/s (station)", lambda * B, s.rejected);
        compare(name, params, "L = a (1 - B)", a * (1.0 - B), s.in_system);
        compare(name, params, "mean sojourn (s) = E[S]", S, e.latency.mean);
        check_little_all(o, name, {"server.work"});
    }
}

TEST_CASE("theory: M/M/c/K finite buffer (loss, L, Lq, sojourn)", "[theory]") {
    const unsigned c = 2, K = 6;
    const double S = 0.020, mu = 1.0 / S, lambda = 90.0;  // a = 1.8, rho = 0.9
    const MMcK th = mmck(c, K, lambda, mu);
    Station st;
    st.lambda = lambda;
    st.service = "exp(20ms)";
    st.workers = c;
    st.cores = c;
    st.queue = fmt("%u", K - c);
    st.measure = 2000.0;
    st.warmup = 50.0;
    st.seed = 41;
    const Outcome o = run_scenario(st.toml(), "mmck.toml");
    REQUIRE_FALSE(o.report.unstable);
    const std::string name = "M/M/2/6";
    const std::string params = fmt("λ=90/s, S=exp(20ms), c=2, queue=4, %s",
                                   run_words(st.measure, st.replications).c_str());
    const EndpointReport& e = endpoint(o, "server.work");
    const StationReport& s = station(o, "server");
    compare(name, params, "loss p_K = error_rate", th.p_loss, e.error_rate);
    compare(name, params, "L in system", th.L, s.in_system);
    compare(name, params, "Lq waiting", th.Lq, s.waiting);
    compare(name, params, "mean sojourn of admitted (s)", th.W, e.latency.mean);
    compare(name, params, "throughput (1/s)", th.throughput, e.throughput);
    check_little_all(o, name, {"server.work"});
}

// ---------------------------------------------------------------------------
// M/D/1 and M/G/1 (FCFS): Pollaczek–Khinchine mean wait. The law's exact
// mean and variance come from the parsed Law (engine/law.hpp), so what is
// tested is the queue, given the law; law_test checks the laws' moments.
// ---------------------------------------------------------------------------

TEST_CASE("theory: M/D/1 and M/G/1 mean wait (Pollaczek–Khinchine)", "[theory]") {
    struct Case {
        const char* law;
        double rho, measure;
        int seed;
    };
    // High-variance service converges slowly (the variance of the mean wait
    // grows with E[S^3] and E[S^4]): those runs are longer.
    const Case cases[] = {{"10ms", 0.8, 2000.0, 51},
                          {"lognormal(mean=10ms, sd=20ms)", 0.7, 6000.0, 52},
                          {"hyperexp(mean=10ms, scv=4)", 0.7, 6000.0, 53}};
    for (const Case& k : cases) {
        const Law law = law_of(k.law);
        const double es = law.mean(), var = law.variance();
        REQUIRE(es == Approx(0.010).epsilon(1e-9));
        const double lambda = k.rho / es;
        const double wq = pk_mean_wait(lambda, es, var);
        Station st;
        st.lambda = lambda;
        st.service = k.law;
        st.measure = k.measure;
        st.warmup = 200.0;
        st.seed = k.seed;
        const Outcome o = run_scenario(st.toml(), "mg1.toml");
        REQUIRE_FALSE(o.report.unstable);
        const std::string name = fmt("M/G/1 S=%s", k.law);
        const std::string params = fmt("λ=%g/s, ρ=%g, scv=%g, %s", lambda, k.rho, var / (es * es),
                                       run_words(k.measure, st.replications).c_str());
        const EndpointReport& e = endpoint(o, "server.work");
        const StationReport& s = station(o, "server");
        compare(name, params, "mean wait in queue (s)", wq, s.wait);
        compare(name, params, "mean sojourn (s)", wq + es, e.latency.mean);
        compare(name, params, "L in system", lambda * (wq + es), s.in_system);
        compare(name, params, "utilisation", k.rho, s.worker_utilization);
        check_little_all(o, name, {"server.work"});
    }
}

// ---------------------------------------------------------------------------
// GI/M/1 with Erlang-2 inter-arrivals (a renewal source): the sojourn is
// exponential with rate mu (1 - sigma), sigma the root in (0, 1) of
// sigma = A*(mu (1 - sigma)), A*(s) = (2 lambda / (2 lambda + s))^2.
// ---------------------------------------------------------------------------

TEST_CASE("theory: E2/M/1 (renewal arrivals) sojourn time", "[theory]") {
    const double lambda = 80.0, S = 0.010, mu = 1.0 / S;
    double sigma = 0.5;
    for (int i = 0; i < 10000; ++i) {
        const double x = 2.0 * lambda / (2.0 * lambda + mu * (1.0 - sigma));
        sigma = x * x;
    }
    // Check the fixed point (the iteration converges to the root in (0,1)).
    const double x = 2.0 * lambda / (2.0 * lambda + mu * (1.0 - sigma));
    REQUIRE(sigma == Approx(x * x).epsilon(1e-12));
    REQUIRE(sigma < 0.8);
    const double rate = mu * (1.0 - sigma);
    Station st;
    st.interarrival = "gamma(shape=2, mean=12.5ms)";
    st.service = "exp(10ms)";
    st.measure = 3000.0;
    st.warmup = 100.0;
    st.seed = 61;
    const Outcome o = run_scenario(st.toml(), "e2m1.toml");
    REQUIRE_FALSE(o.report.unstable);
    const std::string name = "E2/M/1 ρ=0.8";
    const std::string params = fmt("interarrival gamma(2, mean 12.5ms), S=exp(10ms), σ=%.4f, %s",
                                   sigma, run_words(st.measure, st.replications).c_str());
    const EndpointReport& e = endpoint(o, "server.work");
    compare(name, params, "arrival rate (1/s)", lambda, e.arrival_rate);
    compare(name, params, "mean sojourn (s)", 1.0 / rate, e.latency.mean);
    compare_quantile(name, params, "p50 sojourn (s)", std::log(2.0) / rate, e.latency.p50);
    compare_quantile(name, params, "p99 sojourn (s)", std::log(100.0) / rate, e.latency.p99);
    compare(name, params, "mean wait in queue (s)", sigma / rate, station(o, "server").wait);
    check_little_all(o, name, {"server.work"});
}

// ---------------------------------------------------------------------------
// M/G/1 processor sharing: one core, many workers, cpu = "ps". The mean
// sojourn is E[S] / (1 - rho) and the number in system is geometric with
// mean rho / (1 - rho), whatever the service law (insensitivity).
// 64 workers: P(N >= 64) = 0.7^64 ~ 1e-10, so the worker limit never binds.
// ---------------------------------------------------------------------------

TEST_CASE("theory: M/G/1-PS mean sojourn is insensitive to the service law", "[theory]") {
    const double rho = 0.7, es = 0.010, lambda = rho / es;
    struct Case {
        const char* law;
        int seed;
    };
    for (const Case& k :
         {Case{"exp(10ms)", 71}, Case{"10ms", 72}, Case{"hyperexp(mean=10ms, scv=4)", 73}}) {
        Station st;
        st.lambda = lambda;
        st.service = k.law;
        st.workers = 64;
        st.cores = 1;
        st.cpu = "ps";
        st.measure = 3000.0;
        st.warmup = 100.0;
        st.seed = k.seed;
        const Outcome o = run_scenario(st.toml(), "mg1ps.toml");
        REQUIRE_FALSE(o.report.unstable);
        const std::string name = fmt("M/G/1-PS S=%s", k.law);
        const std::string params = fmt("λ=70/s, ρ=0.7, 1 core, 64 workers, %s",
                                       run_words(st.measure, st.replications).c_str());
        const EndpointReport& e = endpoint(o, "server.work");
        const StationReport& s = station(o, "server");
        compare(name, params, "mean sojourn (s)", es / (1.0 - rho), e.latency.mean);
        compare(name, params, "L in system", rho / (1.0 - rho), s.in_system);
        compare(name, params, "core utilisation", rho, s.core_utilization);
        check_little_all(o, name, {"server.work"});
    }
}

// ---------------------------------------------------------------------------
// Queueing for cores instead of workers: 64 workers share 2 cores, so the
// worker limit never binds and requests queue inside the CPU scheduler.
// With exponential work both disciplines make the number present a
// birth-death chain with death rate min(n, 2) mu — M/M/2 — so L and the mean
// sojourn are those of M/M/2 (for FCFS the whole sojourn law is, too).
// ---------------------------------------------------------------------------

TEST_CASE("theory: M/M/2 at the CPU (workers > cores, fcfs and ps)", "[theory]") {
    const unsigned c = 2;
    const double S = 0.020, mu = 1.0 / S, lambda = 80.0;  // a = 1.6, rho = 0.8
    const double wq = mmc_mean_wait(c, lambda, mu);
    struct Case {
        const char* cpu;
        int seed;
    };
    for (const Case& k : {Case{"fcfs", 81}, Case{"ps", 82}}) {
        Station st;
        st.lambda = lambda;
        st.service = "exp(20ms)";
        st.workers = 64;
        st.cores = c;
        st.cpu = k.cpu;
        st.measure = 3000.0;
        st.warmup = 100.0;
        st.seed = k.seed;
        const Outcome o = run_scenario(st.toml(), "mm2cpu.toml");
        REQUIRE_FALSE(o.report.unstable);
        const std::string name = fmt("M/M/2 at the CPU, cpu=%s", k.cpu);
        const std::string params = fmt("λ=80/s, S=exp(20ms), 2 cores, 64 workers, %s",
                                       run_words(st.measure, st.replications).c_str());
        const EndpointReport& e = endpoint(o, "server.work");
        const StationReport& s = station(o, "server");
        compare(name, params, "mean sojourn (s) = Wq(M/M/2) + S", wq + S, e.latency.mean);
        compare(name, params, "L in system", lambda * (wq + S), s.in_system);
        compare(name, params, "core utilisation", lambda * S / c, s.core_utilization);
        check_little_all(o, name, {"server.work"});
    }
}

// ---------------------------------------------------------------------------
// Load balancing across replicas of a Poisson stream. Random splitting
// gives each replica a Poisson stream of half the rate (M/M/1 each); round
// robin gives each replica every other arrival, an Erlang-2 renewal stream
// (E2/M/1 each, sojourn exponential with rate mu (1 - sigma)).
// ---------------------------------------------------------------------------

TEST_CASE("theory: balancers split a Poisson stream (random -> M/M/1, round robin -> E2/M/1)",
          "[theory]") {
    const double lambda = 160.0, S = 0.010, mu = 1.0 / S, per = lambda / 2.0;
    double sigma = 0.5;  // sigma = A*(mu (1 - sigma)), A*(s) = (2 per / (2 per + s))^2
    for (int i = 0; i < 10000; ++i) {
        const double x = 2.0 * per / (2.0 * per + mu * (1.0 - sigma));
        sigma = x * x;
    }
    struct Case {
        const char* balancer;
        double sojourn;
        int seed;
    };
    for (const Case& k : {Case{"random", 1.0 / (mu - per), 91},
                          Case{"round_robin", 1.0 / (mu * (1.0 - sigma)), 92}}) {
        std::string t = run_table(3000.0, 100.0, 10, k.seed);
        t += fmt(R"T(
[services.server]
replicas = 2
workers = 1
balancer = "%s"
[services.server.endpoints.work]
steps = [ { cpu = "exp(10ms)" } ]
[traffic.clients]
rate = "160/s"
endpoint = "server.work"
)T",
                 k.balancer);
        const Outcome o = run_scenario(t, "balancer.toml");
        REQUIRE_FALSE(o.report.unstable);
        const std::string name = fmt("2 replicas, balancer=%s", k.balancer);
        const std::string params =
            fmt("λ=160/s, S=exp(10ms), 2×1 worker, %s", run_words(3000.0, 10).c_str());
        const EndpointReport& e = endpoint(o, "server.work");
        compare(name, params, "mean sojourn (s)", k.sojourn, e.latency.mean);
        compare_quantile(name, params, "p99 sojourn (s)", std::log(100.0) * k.sojourn,
                         e.latency.p99);
        compare(name, params, "L in system (both replicas)", lambda * k.sojourn,
                station(o, "server").in_system);
        check_little_all(o, name, {"server.work"});
    }
}

// ---------------------------------------------------------------------------
// Queue disciplines of M/M/1. LIFO (non-preemptive) changes the law of the
// wait but not its mean, since the order of service does not depend on
// service times: the mean sojourn is still 1 / (mu - lambda). Strict
// non-preemptive priority with two classes (Cobham): the mean wait of class
// k is W0 / ((1 - sigma_{k-1}) (1 - sigma_k)), sigma_k the load of classes
// 1..k and W0 = sum_i lambda_i E[S_i^2] / 2 the mean residual work seen.
// ---------------------------------------------------------------------------

TEST_CASE("theory: M/M/1 queue disciplines (LIFO mean, non-preemptive priority)", "[theory]") {
    const double S = 0.010, mu = 1.0 / S;
    {
        Station st;
        st.lambda = 80.0;
        st.service = "exp(10ms)";
        st.measure = 4000.0;
        st.warmup = 100.0;
        st.seed = 95;
        st.extra = "";
        std::string t = st.toml();
        t.insert(t.find("[services.server.endpoints.work]"), "queue_discipline = \"lifo\"\n");
        const Outcome o = run_scenario(t, "lifo.toml");
        REQUIRE_FALSE(o.report.unstable);
        const std::string name = "M/M/1 LIFO ρ=0.8";
        const std::string params =
            fmt("λ=80/s, S=exp(10ms), %s", run_words(st.measure, st.replications).c_str());
        compare(name, params, "mean sojourn (s)", 1.0 / (mu - 80.0),
                endpoint(o, "server.work").latency.mean);
        compare(name, params, "L in system", 4.0, station(o, "server").in_system);
        check_little_all(o, name, {"server.work"});
    }
    {
        const double l_hi = 30.0, l_lo = 50.0;  // rho 0.3 + 0.5
        const double w0 = (l_hi + l_lo) * 2.0 * S * S / 2.0;
        const double s1 = l_hi * S, s2 = (l_hi + l_lo) * S;
        const double wq_hi = w0 / (1.0 - s1), wq_lo = w0 / ((1.0 - s1) * (1.0 - s2));
        std::string t = run_table(4000.0, 100.0, 10, 96);
        t += R"T(
[services.server]
workers = 1
queue_discipline = "priority"
[services.server.endpoints.hi]
steps = [ { cpu = "exp(10ms)" } ]
[services.server.endpoints.lo]
steps = [ { cpu = "exp(10ms)" } ]
[traffic.gold]
rate = "30/s"
endpoint = "server.hi"
priority = 0
[traffic.bronze]
rate = "50/s"
endpoint = "server.lo"
priority = 1
)T";
        const Outcome o = run_scenario(t, "priority.toml");
        REQUIRE_FALSE(o.report.unstable);
        const std::string name = "M/M/1 priority ρ=0.3+0.5";
        const std::string params =
            fmt("class 0: 30/s, class 1: 50/s, S=exp(10ms), non-preemptive, %s",
                run_words(4000.0, 10).c_str());
        compare(name, params, "class 0 mean sojourn (s)", wq_hi + S,
                endpoint(o, "server.hi").latency.mean);
        compare(name, params, "class 1 mean sojourn (s)", wq_lo + S,
                endpoint(o, "server.lo").latency.mean);
        // Both classes together: L = sum lambda_k (Wq_k + S).
        compare(name, params, "L in system", l_hi * (wq_hi + S) + l_lo * (wq_lo + S),
                station(o, "server").in_system);
        check_little_all(o, name, {"server.hi", "server.lo"});
    }
}

// ---------------------------------------------------------------------------
// Slow variants (hidden: run with "[slow]"; see docs/validation.md). Heavier
// traffic and heavier tails need much longer runs for a tight interval:
// M/M/1 at rho = 0.99 has a relaxation time of 400 s and L = 99;
// M/G/1 with lognormal service (scv 4) at rho = 0.9.
// ---------------------------------------------------------------------------

TEST_CASE("theory (slow): M/M/1 at rho 0.99 and M/G/1 lognormal at rho 0.9",
          "[.][slow][theory-slow]") {
    {
        const double rho = 0.99, mu = 100.0, lambda = rho * mu;
        Station st;
        st.lambda = lambda;
        st.service = "exp(10ms)";
        st.measure = 40000.0;
        st.warmup = 4000.0;
        st.replications = 20;
        st.seed = 1001;
        const Outcome o = run_scenario(st.toml(), "mm1slow.toml");
        REQUIRE_FALSE(o.report.unstable);
        const std::string name = "M/M/1 ρ=0.99 (slow)";
        const std::string params =
            fmt("λ=99/s, S=exp(10ms), %s", run_words(st.measure, st.replications).c_str());
        const EndpointReport& e = endpoint(o, "server.work");
        compare(name, params, "mean sojourn (s)", 1.0 / (mu - lambda), e.latency.mean);
        compare_quantile(name, params, "p50 sojourn (s)", mm1_sojourn_quantile(lambda, mu, 0.5),
                         e.latency.p50);
        compare_quantile(name, params, "p99 sojourn (s)", mm1_sojourn_quantile(lambda, mu, 0.99),
                         e.latency.p99);
        compare(name, params, "L in system", rho / (1.0 - rho), station(o, "server").in_system);
        check_little_all(o, name, {"server.work"});
    }
    {
        const char* law_text = "lognormal(mean=10ms, sd=20ms)";
        const Law law = law_of(law_text);
        const double rho = 0.9, lambda = rho / law.mean();
        const double wq = pk_mean_wait(lambda, law.mean(), law.variance());
        Station st;
        st.lambda = lambda;
        st.service = law_text;
        st.measure = 40000.0;
        st.warmup = 2000.0;
        st.replications = 20;
        st.seed = 1002;
        const Outcome o = run_scenario(st.toml(), "mg1slow.toml");
        REQUIRE_FALSE(o.report.unstable);
        const std::string name = "M/G/1 lognormal ρ=0.9 (slow)";
        const std::string params = fmt("λ=90/s, S=%s, scv=4, %s", law_text,
                                       run_words(st.measure, st.replications).c_str());
        compare(name, params, "mean wait in queue (s)", wq, station(o, "server").wait);
        compare(name, params, "mean sojourn (s)", wq + law.mean(),
                endpoint(o, "server.work").latency.mean);
        check_little_all(o, name, {"server.work"});
    }
}

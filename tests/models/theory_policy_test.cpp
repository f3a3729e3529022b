// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
//
// Queueing-theory validation of the resilience policies: the retry load
// multiplier for independent failures, M/M/c with abandonment at a
// deterministic deadline (M/M/c+D, exact), and a circuit breaker's open
// time over a known outage. Tolerances follow theory_support.hpp (the
// 99.9% interval over replications) unless stated.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>

#include "theory_support.hpp"

namespace {

using namespace capsim;
using namespace capsim::theory;

const PolicyReport& policy(const Outcome& o, const std::string& path) {
    for (const PolicyReport& p : o.report.policies)
        if (p.path == path) return p;
    throw std::runtime_error("no policy at " + path);
}

// M/M/n+D, from the M/M/n+G results of Zeltyn and Mandelbaum (Queueing
// Systems 51, 2005): with H(x) = min(x, D) the integrated patience
// survival, the virtual wait V has density pi0 * lambda^n / ((n-1)!
// mu^(n-1)) * exp(lambda H(x) - n mu x) for x > 0 and an atom at 0. An
// arrival abandons when V >= D.
struct MmcD {
    double abandon = 0.0;      // P(V >= D)
    double served_wait = 0.0;  // E[V | V < D]
};

MmcD mmc_d(unsigned n, double lambda, double mu, double d) {
    const double a = lambda / mu;
    double e = 0.0, term = 1.0;
    for (unsigned j = 0; j < n; ++j) {
        e += term;
        term *= a / (j + 1);
    }
    const double nm = n * mu;
    const double k = lambda - nm;
    const double j_below = std::fabs(k) < 1e-12 ? d : std::expm1(k * d) / k;
    const double j_above = std::exp(k * d) / nm;
    // lambda^n / ((n-1)! mu^(n-1)) = mu a^n / (n-1)!
    double c = mu;
    for (unsigned j = 1; j <= n; ++j) c *= a;
    for (unsigned j = 1; j < n; ++j) c /= j;
    const double pi0 = 1.0 / (e + c * (j_below + j_above));
    MmcD out;
    out.abandon = pi0 * c * j_above;
    // E[V; 0 < V < D] = pi0 c * integral_0^D x e^{k x} dx.
    const double xint =
        std::fabs(k) < 1e-12 ? d * d / 2.0 : (std::exp(k * d) * (k * d - 1.0) + 1.0) / (k * k);
    out.served_wait = pi0 * c * xint / (1.0 - out.abandon);
    return out;
}

}  // namespace

TEST_CASE("theory: retries of independent failures multiply attempts by (1 - p^n) / (1 - p)",
          "[theory]") {
    // Every call fails with probability p, independently; up to n attempts
    // with no backoff. Attempts per call are 1 + p + ... + p^(n-1), and a
    // call fails only when all n attempts do.
    const double p = 0.3, lambda = 200.0;
    const unsigned n = 4;
    const double measure = 500.0, warmup = 10.0;
    std::string t = run_table(measure, warmup, 10, 41);
    t += fmt("[externals.flaky]\nlatency = \"exp(5ms)\"\nerrors = %g\n", p);
    t += "[services.api]\nworkers = 10000\ncores = 10000\n";
    t +=
        fmt("[services.api.endpoints.get]\nsteps = [ { call = \"flaky\", retry = { attempts = %u, "
            "base = \"0s\", on = [\"5xx\"] } } ]\n",
            n);
    t += fmt("[traffic.clients]\nrate = \"%s\"\nendpoint = \"api.get\"\n", per_s(lambda).c_str());
    const Outcome o = run_scenario(t, "retry_multiplier.toml");
    const std::string name = "Retries, independent failures";
    const std::string params = fmt("p=%.1f, n=%u, ", p, n) + run_words(measure, 10);
    const double attempts = (1.0 - std::pow(p, n)) / (1.0 - p);
    const PolicyReport& pr = policy(o, "services.api.endpoints.get.steps[0]");
    compare(name, params, "attempts per call", attempts, pr.attempts_per_call);
    compare(name, params, "calls failing every attempt", std::pow(p, n),
            endpoint(o, "api.get").error_rate);
    const std::size_t x = 0;
    const Estimate external_rate = per_replication(
        o, [&](const ReplicationResult& r) { return double(r.externals[x].calls) / r.measured; });
    compare(name, params, "load on the dependency (1/s)", lambda * attempts, external_rate);
}

TEST_CASE("theory: a client deadline handed down is M/M/c+D (abandonment while waiting)",
          "[theory]") {
    // Clients give up D after sending and propagate the deadline: a request
    // still queued at its deadline is dropped when a worker reaches it (in
    // zero time), so the served requests see exactly an M/M/c queue whose
    // customers abandon at patience D. Critically loaded (rho = 1), which
    // only abandonment keeps stable.
    const unsigned c = 4;
    const double s = 0.010, lambda = c / s, d = 0.020;
    const double measure = 1000.0, warmup = 20.0;
    std::string t = run_table(measure, warmup, 10, 43);
    t += fmt("[services.api]\nworkers = %u\ncores = %u\n", c, c);
    t += fmt("[services.api.endpoints.get]\nsteps = [ { cpu = \"exp(%s)\" } ]\n", secs(s).c_str());
    t +=
        fmt("[traffic.clients]\nrate = \"%s\"\nendpoint = \"api.get\"\ntimeout = \"%s\"\n"
            "propagate_deadline = true\n",
            per_s(lambda).c_str(), secs(d).c_str());
    const Outcome o = run_scenario(t, "mmc_d.toml");
    const MmcD theory = mmc_d(c, lambda, 1.0 / s, d);
    const std::string name = "M/M/c+D (deadline)";
    const std::string params = fmt("c=%u, ρ=1, D=%gms, ", c, d * 1000) + run_words(measure, 10);
    const EndpointReport& e = endpoint(o, "api.get");
    compare(name, params, "P(abandon) = P(wait >= D)", theory.abandon, e.error_rate);
    compare(name, params, "mean wait of the served (s)", theory.served_wait,
            e.attribution[static_cast<std::size_t>(Component::WorkerWait)]);
    // Every abandonment is a dropped request, none a zombie: the deadline
    // reached them before any work started.
    const Estimate cancelled = per_replication(o, [&](const ReplicationResult& r) {
        return double(r.endpoints[0].errors[static_cast<std::size_t>(ErrorCause::Cancelled)]);
    });
    CHECK(cancelled.mean > 0.0);
}

TEST_CASE("theory: a service queue timeout is M/M/c+D (shed when a worker reaches them)",
          "[theory]") {
    // A request that waited longer than D is dropped when a worker reaches
    // it, in zero time: under FCFS the served see exactly an M/M/c queue
    // whose customers abandon at patience D. Critically loaded (rho = 1).
    const unsigned c = 4;
    const double s = 0.010, lambda = c / s, d = 0.020;
    const double measure = 1000.0, warmup = 20.0;
    std::string t = run_table(measure, warmup, 10, 47);
    t += fmt("[services.api]\nworkers = %u\ncores = %u\nqueue_timeout = \"%s\"\n", c, c,
             secs(d).c_str());
    t += fmt("[services.api.endpoints.get]\nsteps = [ { cpu = \"exp(%s)\" } ]\n", secs(s).c_str());
    t += fmt("[traffic.clients]\nrate = \"%s\"\nendpoint = \"api.get\"\n", per_s(lambda).c_str());
    const Outcome o = run_scenario(t, "queue_timeout.toml");
    const MmcD theory = mmc_d(c, lambda, 1.0 / s, d);
    const std::string name = "M/M/c+D (queue timeout)";
    const std::string params = fmt("c=%u, ρ=1, D=%gms, ", c, d * 1000) + run_words(measure, 10);
    const EndpointReport& e = endpoint(o, "api.get");
    compare(name, params, "P(shed) = P(wait >= D)", theory.abandon, e.error_rate);
    compare(name, params, "mean wait of the served (s)", theory.served_wait,
            e.attribution[static_cast<std::size_t>(Component::WorkerWait)]);
}

TEST_CASE("theory: a breaker over a known outage is open O / (O + 1/lambda + L) of it",
          "[theory]") {
    // Calls fail during [100 s, 160 s). The breaker opens after 5
    // consecutive failures; each open period (O) is followed by one
    // half-open probe: the next arrival (1/lambda later on average) fails
    // L later and reopens it. So during the outage the breaker cycles with
    // mean length C = O + 1/lambda + L, open O of it; after the outage the
    // first probe closes it. The detection at the start and the last cycle
    // at the end shift the total by at most one cycle: each replication's
    // open time must be within C of 60 O / C, and the number of openings
    // within one of 60 / C.
    const double lambda = 100.0, open_for = 1.0, latency = 0.010;
    const double outage = 60.0, measure = 200.0;
    std::string t = run_table(measure, 0.0, 10, 47);
    t += fmt(
        "[externals.payments]\nlatency = \"%s\"\nwindows = [ { start = \"100s\", end = \"160s\", "
        "errors = 1.0 } ]\n",
        secs(latency).c_str());
    t += "[services.api]\nworkers = 10000\ncores = 10000\n";
    t +=
        fmt("[services.api.endpoints.pay]\nsteps = [ { call = \"payments\", breaker = { "
            "consecutive_failures = 5, open_for = \"%s\", half_open_calls = 1 } } ]\n",
            secs(open_for).c_str());
    t += fmt("[traffic.clients]\nrate = \"%s\"\nendpoint = \"api.pay\"\n", per_s(lambda).c_str());
    const Outcome o = run_scenario(t, "breaker_outage.toml");
    const double cycle = open_for + 1.0 / lambda + latency;
    const double expected_open = outage * open_for / cycle;
    const double expected_opens = outage / cycle;
    for (const ReplicationResult& r : o.reps) {
        const GuardResult& g = r.guards[0];
        INFO("replication " << r.replication);
        CHECK(std::fabs(g.open * r.measured - expected_open) <= cycle);
        CHECK(std::fabs(double(g.opens) - expected_opens) <= 1.0);
    }
    // While open it fails fast instead of calling: Poisson arrivals during
    // the open time, lambda per second of it.
    const Estimate fast = per_replication(o, [&](const ReplicationResult& r) {
        return double(r.guards[0].short_circuited) / (r.guards[0].open * r.measured);
    });
    compare("Breaker over an outage", "O=1s, λ=100/s", "calls failed fast per open second", lambda,
            fast);
}

TEST_CASE("theory: a rate limit passes its rate under overload, token bucket and sliding window",
          "[theory]") {
    // Poisson arrivals at 4x the limit. A token bucket passes a request per
    // token and tokens arrive at `rate`; it wastes some only while full,
    // which at 4x overload (a bucket of 10) essentially never happens: the
    // accepted rate is the limit.
    //
    // A sliding-window counter with limit L per window W passes a request
    // while prev (1 - f) + cur < L (f: the elapsed fraction of the fixed
    // window). Under overload cur reaches L - 1 early; the L-th request
    // passes only once prev (1 - f) < 1, in the last 1/prev of the window,
    // if a request arrives there: probability 1 - exp(-lambda W / prev). So
    // a window ends at L (prob. depending on prev = L or L - 1) or L - 1, a
    // two-state Markov chain whose stationary P(L) = a / (1 - b + a), with
    // a = P(L | prev = L - 1), b = P(L | prev = L); accepted per window:
    // L - 1 + P(L).
    const double rate = 50.0, lambda = 4.0 * rate;
    const double window = 1.0, limit = rate * window;
    const double a = -std::expm1(-lambda * window / (limit - 1.0));
    const double b = -std::expm1(-lambda * window / limit);
    const double sliding = (limit - 1.0 + a / (1.0 - b + a)) / window;
    const double measure = 500.0, warmup = 10.0;
    for (const char* kind : {"token_bucket", "sliding_window"}) {
        std::string t = run_table(measure, warmup, 10, 53);
        t += "[services.api]\nworkers = 10000\ncores = 10000\n";
        t += fmt("rate_limit = { kind = \"%s\", rate = \"%s\"%s }\n", kind, per_s(rate).c_str(),
                 std::string(kind) == "token_bucket" ? ", burst = 10" : ", window = \"1s\"");
        t += "[services.api.endpoints.get]\nsteps = [ { cpu = \"exp(1ms)\" } ]\n";
        t += fmt("[traffic.clients]\nrate = \"%s\"\nendpoint = \"api.get\"\n",
                 per_s(lambda).c_str());
        const Outcome o = run_scenario(t, std::string(kind) + "_limit.toml");
        const std::string params = fmt("%s, r=%g/s, λ=4r, ", kind, rate) + run_words(measure, 10);
        const double accepted = std::string(kind) == "token_bucket" ? rate : sliding;
        compare("Rate limit under overload", params, "accepted (1/s)", accepted,
                endpoint(o, "api.get").throughput);
        compare("Rate limit under overload", params, "refused (1/s)", lambda - accepted,
                station(o, "api").rate_limited);
    }
}

TEST_CASE("theory: a per-client limit caps each client, not the others", "[theory]") {
    // Five bots at 60/s each and 1,000 people at 0.2/s each share a limit of
    // 10/s per client: each bot is cut to 10/s (50/s in all) and no person
    // comes near their own limit, so all 200/s of people pass.
    const double measure = 300.0, warmup = 10.0;
    std::string t = run_table(measure, warmup, 10, 59);
    t += "[services.api]\nworkers = 10000\ncores = 10000\n";
    t += "rate_limit = { rate = \"10/s\", burst = 10, per = \"client\" }\n";
    t += "[services.api.endpoints.get]\nsteps = [ { cpu = \"exp(1ms)\" } ]\n";
    t += "[traffic.bots]\nrate = \"300/s\"\nclients = 5\nendpoint = \"api.get\"\n";
    t += "[traffic.people]\nrate = \"200/s\"\nclients = 1000\nendpoint = \"api.get\"\n";
    const Outcome o = run_scenario(t, "per_client_limit.toml");
    const std::string params =
        "5 bots at 60/s, 1000 people at 0.2/s, 10/s per client, " + run_words(measure, 10);
    auto source_rate = [&](std::size_t s) {
        return per_replication(o, [&](const ReplicationResult& r) {
            return double(r.sources[s].completions) / r.measured;
        });
    };
    std::size_t bots = 0, people = 1;
    if (o.model.model.sources[0].name != "bots") std::swap(bots, people);
    compare("Per-client limit", params, "bots' accepted (1/s)", 50.0, source_rate(bots));
    const Estimate people_refused = per_replication(o, [&](const ReplicationResult& r) {
        return double(r.sources[people].errors[static_cast<std::size_t>(ErrorCause::RateLimited)]);
    });
    CHECK(people_refused.mean == 0.0);
}

TEST_CASE("theory: a fail-fast bulkhead of k places is an Erlang loss system, whatever the law",
          "[theory]") {
    // Poisson calls that find all k places taken fail at once, so the
    // bulkhead is M/G/k/k: the refused fraction is Erlang B(k, lambda E[S])
    // for any law of the call's duration (insensitivity), lognormal here.
    const unsigned k = 8;
    const double lambda = 100.0, mean = 0.060;  // offered 6 erlangs
    const double measure = 1000.0, warmup = 20.0;
    std::string t = run_table(measure, warmup, 10, 61);
    t += "[externals.slow]\nlatency = \"lognormal(mean=60ms, p99=400ms)\"\n";
    t += "[services.api]\nworkers = 10000\ncores = 10000\n";
    t += fmt("[services.api.endpoints.get]\nsteps = [ { call = \"slow\", bulkhead = %u } ]\n", k);
    t += fmt("[traffic.clients]\nrate = \"%s\"\nendpoint = \"api.get\"\n", per_s(lambda).c_str());
    const Outcome o = run_scenario(t, "bulkhead_loss.toml");
    const std::string params =
        fmt("k=%u, λE[S]=%g, lognormal, ", k, lambda * mean) + run_words(measure, 10);
    const Estimate refused = per_replication(o, [&](const ReplicationResult& r) {
        return double(r.guards[0].bulkhead_full) / double(r.guards[0].calls);
    });
    compare("Bulkhead, fail fast", params, "P(full) = Erlang B", erlang_b(k, lambda * mean),
            refused);
    compare("Bulkhead, fail fast", params, "error rate", erlang_b(k, lambda * mean),
            endpoint(o, "api.get").error_rate);
}

TEST_CASE("theory: a bulkhead with a bounded wait is M/M/k+D", "[theory]") {
    // Calls wait at most D for a place, first come first served, then fail:
    // the bulkhead is an M/M/k queue whose customers abandon at patience D.
    const unsigned k = 4;
    const double s = 0.040, lambda = 95.0, d = 0.030;
    const double measure = 1000.0, warmup = 20.0;
    std::string t = run_table(measure, warmup, 10, 67);
    t += fmt("[externals.dep]\nlatency = \"exp(%s)\"\n", secs(s).c_str());
    t += "[services.api]\nworkers = 10000\ncores = 10000\n";
    t +=
        fmt("[services.api.endpoints.get]\nsteps = [ { call = \"dep\", bulkhead = { size = %u, "
            "max_wait = \"%s\" } } ]\n",
            k, secs(d).c_str());
    t += fmt("[traffic.clients]\nrate = \"%s\"\nendpoint = \"api.get\"\n", per_s(lambda).c_str());
    const Outcome o = run_scenario(t, "bulkhead_wait.toml");
    const MmcD theory = mmc_d(k, lambda, 1.0 / s, d);
    const std::string params =
        fmt("k=%u, ρ=%.2f, D=%gms, ", k, lambda * s / k, d * 1000) + run_words(measure, 10);
    const EndpointReport& e = endpoint(o, "api.get");
    compare("Bulkhead, bounded wait", params, "P(full after waiting D)", theory.abandon,
            e.error_rate);
    compare("Bulkhead, bounded wait", params, "mean wait of the admitted (s)", theory.served_wait,
            o.report.policies.at(0).bulkhead_wait);
}

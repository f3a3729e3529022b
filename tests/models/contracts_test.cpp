// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
//
// The contracts of DESIGN.md §5 that are not queueing formulas:
// - determinism: the same scenario and seed give the same report, bit for
//   bit, at any thread count and on every run;
// - common random numbers: every source and station draws from its own
//   stream, so changing one station's service law leaves the arrivals of an
//   independent source, and of stations upstream of the change, untouched;
// - a time-varying source produces, per window, the number of arrivals the
//   integral of its rate shape predicts, within Poisson error.
#include <catch2/catch.hpp>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "engine/law.hpp"
#include "models/report.hpp"
#include "models/run.hpp"
#include "theory_support.hpp"

namespace {

using namespace capsim;
using namespace capsim::theory;

// A scenario that exercises every step kind, both CPU disciplines, bounded
// queues (so errors occur), several balancers, open, shaped and closed
// sources, and most laws: whatever runs in it must not depend on threads.
const char* kEverything = R"T(
[run]
duration = "60s"
warmup = "5s"
replications = 7
seed = 2024
window = "5s"
[services.api]
replicas = 3
workers = 4
cores = 2
cpu = "ps"
balancer = "power_of_two"
queue = 20
[services.api.endpoints.checkout]
steps = [ { cpu = "lognormal(mean=4ms, sd=6ms)" },
          { call = "db.query" },
          { loop = 3, steps = [ { call = "cache.get" } ] },
          { parallel = [ [ { call = "db.query" } ], [ { delay = "uniform(1ms, 3ms)" } ] ], join = "all" },
          { branch = [ { weight = 0.2, steps = [ { forward = "worker.job" } ] },
                       { weight = 0.8, steps = [ { cpu = "gamma(shape=2, mean=2ms)" } ] } ] } ]
[services.api.endpoints.browse]
steps = [ { cpu = "hyperexp(mean=3ms, scv=4)" },
          { parallel = [ [ { call = "cache.get" } ], [ { call = "db.query" } ] ], join = "first" } ]
[services.db]
workers = 6
cores = 3
cpu = "fcfs"
balancer = "random"
replicas = 2
queue = 30
[services.db.endpoints.query]
steps = [ { cpu = "exp(5ms)" } ]
[services.cache]
workers = 16
cores = 16
[services.cache.endpoints.get]
steps = [ { delay = "exp(0.5ms)" } ]
[services.worker]
workers = 1
queue = 5
[services.worker.endpoints.job]
steps = [ { cpu = "40ms" } ]
[traffic.shoppers]
shape = { kind = "spike", base = "100/s", peak = "400/s", start = "20s", rise = "5s", hold = "10s", decay = "5s" }
mix = { "api.checkout" = 0.3, "api.browse" = 0.7 }
[traffic.bots]
interarrival = "gamma(shape=0.5, mean=20ms)"
endpoint = "api.browse"
[traffic.bursts]
shape = { kind = "bursty", base = "20/s", burst = "200/s", base_duration = "4s", burst_duration = "1s" }
endpoint = "api.browse"
[traffic.users]
users = 40
think = "exp(500ms)"
endpoint = "api.checkout"
)T";

std::string json_of(const CompiledModel& m, unsigned threads) {
    RunOptions opt;
    opt.threads = threads;
    return to_json(run(m, opt));
}

}  // namespace

// ---------------------------------------------------------------------------
// Determinism
// ---------------------------------------------------------------------------

TEST_CASE("contract: same scenario and seed give the same report at any thread count",
          "[theory][contracts]") {
    const CompiledModel m = compile_text(kEverything, "everything.toml");
    const std::string one = json_of(m, 1);
    REQUIRE(one.size() > 1000);
    CHECK(json_of(m, 1) == one);  // twice at the same thread count
    const std::string two = json_of(m, 2);
    CHECK(two == one);
    CHECK(json_of(m, 2) == two);
    CHECK(json_of(m, 3) == one);  // more threads than cores, odd split
    // run() is parallel_for + merge: the helper the theory tests use gives
    // the very same report.
    const Outcome o = run_scenario(kEverything, "everything.toml", 2);
    CHECK(to_json(o.report) == one);
    // The scenario really exercised what it claims (a silent no-op run
    // would be deterministic too): every station served requests (a
    // forward target counts no endpoint arrivals of its own: the frame
    // keeps its entry endpoint), and the bounded worker queue rejected some.
    CHECK_FALSE(o.report.unstable);
    for (const StationReport& s : o.report.stations) {
        INFO(s.name);
        CHECK(s.throughput.mean > 0.0);
    }
    CHECK(station(o, "worker").rejected.mean > 0.0);
    CHECK(endpoint(o, "api.checkout").error_rate.mean > 0.0);
    // A different seed gives a different report (the seed is used at all).
    const std::string other = std::string(kEverything);
    const std::string reseeded =
        other.substr(0, other.find("seed = 2024")) + "seed = 2025" +
        other.substr(other.find("seed = 2024") + std::string("seed = 2024").size());
    CHECK(json_of(compile_text(reseeded, "everything.toml"), 2) != one);
}

// ---------------------------------------------------------------------------
// Common random numbers
// ---------------------------------------------------------------------------

namespace {

// front (ample workers and cores: no queueing) calls mid (2 workers), which
// calls back (1 worker); `other` is fed by its own source. front's and mid's
// arrival times depend only on the main source and front's CPU draws, never
// on what happens downstream of them.
std::string crn_scenario(const std::string& back_law, const std::string& other_law) {
    return fmt(R"T(
[run]
duration = "200s"
warmup = "10s"
replications = 4
seed = 99
window = "2s"
[services.front]
workers = 10000
cores = 10000
[services.front.endpoints.go]
steps = [ { cpu = "exp(2ms)" }, { call = "mid.work" } ]
[services.mid]
workers = 2
[services.mid.endpoints.work]
steps = [ { cpu = "exp(4ms)" }, { call = "back.work" } ]
[services.back]
workers = 1
[services.back.endpoints.work]
steps = [ { cpu = "%s" } ]
[services.other]
workers = 1
[services.other.endpoints.work]
steps = [ { cpu = "%s" } ]
[traffic.main]
rate = "100/s"
endpoint = "front.go"
[traffic.side]
rate = "60/s"
endpoint = "other.work"
)T",
               back_law.c_str(), other_law.c_str());
}

/// Arrivals per window of one endpoint in every replication, concatenated.
std::vector<double> raw_arrivals(const Outcome& o, const std::string& ep) {
    const std::size_t e = endpoint_index(o, ep);
    std::vector<double> all;
    for (const ReplicationResult& r : o.reps)
        all.insert(all.end(), r.endpoints[e].series.arrivals.begin(),
                   r.endpoints[e].series.arrivals.end());
    return all;
}

void require_same_arrivals(const Outcome& a, const Outcome& b, const std::string& ep) {
    INFO("endpoint " << ep);
    CHECK(raw_arrivals(a, ep) == raw_arrivals(b, ep));
    CHECK(endpoint(a, ep).series_arrival_rate == endpoint(b, ep).series_arrival_rate);
    CHECK(endpoint(a, ep).arrival_rate.mean == endpoint(b, ep).arrival_rate.mean);
}

}  // namespace

TEST_CASE("contract: common random numbers across a what-if", "[theory][contracts]") {
    const Outcome base = run_scenario(crn_scenario("exp(6ms)", "exp(10ms)"), "crn.toml");
    REQUIRE_FALSE(base.report.unstable);

    SECTION("changing one station's law leaves an independent source's arrivals identical") {
        const Outcome what_if =
            run_scenario(crn_scenario("exp(6ms)", "lognormal(mean=12ms, sd=20ms)"), "crn.toml");
        // The change is real: the changed station's latency moved.
        CHECK(endpoint(what_if, "other.work").latency.mean.mean !=
              endpoint(base, "other.work").latency.mean.mean);
        require_same_arrivals(base, what_if, "other.work");  // its own source: unchanged too
        require_same_arrivals(base, what_if, "front.go");
        require_same_arrivals(base, what_if, "mid.work");
        require_same_arrivals(base, what_if, "back.work");
        // And the untouched chain saw exactly the same service draws.
        CHECK(endpoint(what_if, "front.go").latency.mean.mean ==
              endpoint(base, "front.go").latency.mean.mean);
    }

    SECTION("changing a downstream service leaves the arrivals upstream identical") {
        const Outcome what_if =
            run_scenario(crn_scenario("hyperexp(mean=8ms, scv=6)", "exp(10ms)"), "crn.toml");
        CHECK(endpoint(what_if, "back.work").latency.mean.mean !=
              endpoint(base, "back.work").latency.mean.mean);
        CHECK(endpoint(what_if, "mid.work").latency.mean.mean !=
              endpoint(base, "mid.work").latency.mean.mean);
        require_same_arrivals(base, what_if, "front.go");
        require_same_arrivals(base, what_if, "mid.work");  // upstream of the change
        require_same_arrivals(base, what_if, "other.work");
        CHECK(endpoint(what_if, "other.work").latency.mean.mean ==
              endpoint(base, "other.work").latency.mean.mean);
    }
}

// ---------------------------------------------------------------------------
// Time-varying sources: counts per window against the integral of the rate.
// ---------------------------------------------------------------------------

namespace {

/// Integral over [a, b] of a piecewise-linear rate through the knots
/// (t_i, r_i) — equal times make a jump —, constant before the first knot
/// and after the last: computed here independently of the engine's
/// Intensity. The rate is linear between consecutive cuts, so the midpoint
/// rule is exact on each piece (and never evaluates the rate at a jump).
double piecewise_integral(const std::vector<double>& t, const std::vector<double>& r, double a,
                          double b) {
    auto rate_at = [&](double x) {
        if (x < t.front()) return r.front();
        if (x >= t.back()) return r.back();
        std::size_t i = 0;
        while (!(x < t[i + 1])) ++i;  // t[i] <= x < t[i+1], so t[i] < t[i+1]
        return r[i] + (r[i + 1] - r[i]) * (x - t[i]) / (t[i + 1] - t[i]);
    };
    std::vector<double> cuts = {a};
    for (double k : t)
        if (k > a && k < b) cuts.push_back(k);
    cuts.push_back(b);
    double s = 0.0;
    for (std::size_t i = 0; i + 1 < cuts.size(); ++i)
        s += rate_at(0.5 * (cuts[i] + cuts[i + 1])) * (cuts[i + 1] - cuts[i]);
    return s;
}

/// P(|N - L| > k sqrt(L)) for N ~ Poisson(L), summed exactly in log space.
double poisson_two_sided_tail(double L, double k) {
    const double lo = L - k * std::sqrt(L), hi = L + k * std::sqrt(L);
    double p_inside = 0.0;
    const auto n_max = static_cast<long>(hi + 50.0 * std::sqrt(L) + 50.0);
    for (long n = std::max(0L, static_cast<long>(std::ceil(lo))); n <= n_max; ++n) {
        const double x = static_cast<double>(n);
        if (x < lo || x > hi) continue;
        p_inside += std::exp(x * std::log(L) - L - std::lgamma(x + 1.0));
    }
    return std::max(0.0, 1.0 - p_inside);
}

}  // namespace

TEST_CASE("contract: a shaped source's arrivals per window follow its rate",
          "[theory][contracts]") {
    const int reps = 20;
    const char* scenario = R"T(
[run]
duration = "60s"
replications = 20
seed = 5
window = "1s"
[services.sink]
workers = 100000
cores = 100000
[services.sink.endpoints.spike]
steps = [ { delay = "1ms" } ]
[services.sink.endpoints.ramp]
steps = [ { delay = "1ms" } ]
[services.sink.endpoints.step]
steps = [ { delay = "1ms" } ]
[services.sink.endpoints.diurnal]
steps = [ { delay = "1ms" } ]
[traffic.flash]
shape = { kind = "spike", base = "50/s", peak = "500/s", start = "20s", rise = "5s", hold = "10s", decay = "5s" }
endpoint = "sink.spike"
[traffic.growth]
shape = { kind = "ramp", from = "40/s", to = "240/s", start = "10s", duration = "40s" }
endpoint = "sink.ramp"
[traffic.stairs]
shape = { kind = "step", steps = [ { at = "0s", rate = "60/s" }, { at = "15.5s", rate = "300/s" }, { at = "40s", rate = "120/s" } ] }
endpoint = "sink.step"
[traffic.daily]
shape = { kind = "diurnal", mean = "150/s", amplitude = "100/s", period = "25s", peak = "5s" }
endpoint = "sink.diurnal"
)T";
    const Outcome o = run_scenario(scenario, "shapes.toml");
    REQUIRE_FALSE(o.report.unstable);
    REQUIRE(o.reps.size() == static_cast<std::size_t>(reps));

    using Integral = std::function<double(double, double)>;
    auto knots = [](std::vector<double> t, std::vector<double> r) -> Integral {
        return [t, r](double a, double b) { return piecewise_integral(t, r, a, b); };
    };
    // mean + amplitude cos(2 pi (t - peak) / period), integrated analytically.
    const Integral sinusoid = [](double a, double b) {
        const double mean = 150.0, amp = 100.0, period = 25.0, peak = 5.0;
        const double w = 2.0 * std::acos(-1.0) / period;
        return mean * (b - a) + amp / w * (std::sin(w * (b - peak)) - std::sin(w * (a - peak)));
    };
    struct Shape {
        const char* endpoint;
        Integral integral;
    };
    const Shape shapes[] = {
        {"sink.spike", knots({20.0, 25.0, 35.0, 40.0}, {50.0, 500.0, 500.0, 50.0})},
        {"sink.ramp", knots({10.0, 50.0}, {40.0, 240.0})},
        // A jump in the middle of a window (15.5 s) and one on its edge (40 s).
        {"sink.step", knots({0.0, 15.5, 15.5, 40.0, 40.0}, {60.0, 60.0, 300.0, 300.0, 120.0})},
        {"sink.diurnal", sinusoid},
    };
    // Two bounds on the counts. Per window and replication (a cell):
    // |n - Lambda_w| <= 5.5 sqrt(Lambda_w), which catches a single bad
    // replication; per window, pooled over the R replications:
    // |N - R Lambda_w| <= 4.5 sqrt(R Lambda_w), which is R times more
    // sensitive to a bias. The chance that a correct engine fails either
    // somewhere is at most the sum of the exact Poisson tails over all the
    // cells and windows (Boole's inequality); it is computed and printed
    // below: 6e-4 to 8e-4 per shape here (4.5 sigma per cell would be ~2e-2 with
    // 1,200 cells of Lambda ~ 50, since a Poisson upper tail is heavier
    // than the normal one).
    constexpr double k_cell = 5.5, k_pooled = 4.5;
    for (const Shape& s : shapes) {
        const std::size_t e = endpoint_index(o, s.endpoint);
        const std::vector<double>& ends = o.reps[0].window_end;
        REQUIRE(ends.size() == 60);
        double false_failure = 0.0, chi2 = 0.0;
        std::size_t cells = 0, bad = 0, bad_pooled = 0;
        for (std::size_t w = 0; w < ends.size(); ++w) {
            const double start = w == 0 ? 0.0 : ends[w - 1];
            const double L = s.integral(start, ends[w]);
            false_failure += reps * poisson_two_sided_tail(L, k_cell) +
                             poisson_two_sided_tail(reps * L, k_pooled);
            double pooled = 0.0;
            for (const ReplicationResult& r : o.reps) {
                const double n = r.endpoints[e].series.arrivals[w];
                pooled += n;
                ++cells;
                if (std::fabs(n - L) > k_cell * std::sqrt(L)) {
                    ++bad;
                    UNSCOPED_INFO(s.endpoint << " window " << w << " replication " << r.replication
                                             << ": " << n << " arrivals, expected " << L);
                }
            }
            if (std::fabs(pooled - reps * L) > k_pooled * std::sqrt(reps * L)) {
                ++bad_pooled;
                UNSCOPED_INFO(s.endpoint << " window " << w << ": " << pooled
                                         << " arrivals over all replications, expected "
                                         << reps * L);
            }
            chi2 += (pooled - reps * L) * (pooled - reps * L) / (reps * L);
            // The report's series is the mean over replications of count / width.
            CHECK(endpoint(o, s.endpoint).series_arrival_rate[w] ==
                  Approx(pooled / reps / (ends[w] - start)).epsilon(1e-12));
        }
        // Pooled over replications the window counts are independent
        // Poisson(R Lambda_w): Pearson's statistic is ~ chi-square with one
        // degree of freedom per window. Accept below its 99.9% quantile
        // (Wilson–Hilferty), a 0.1% false-failure probability.
        const double df = static_cast<double>(ends.size());
        const double z = normal_quantile(0.999);
        const double h = 2.0 / (9.0 * df);
        const double chi2_999 = df * std::pow(1.0 - h + z * std::sqrt(h), 3.0);
        INFO(s.endpoint << ": " << bad << " of " << cells << " cells outside ±5.5 sqrt(Λ), "
                        << bad_pooled << " pooled windows outside ±4.5 sqrt(RΛ); "
                        << "false-failure probability of those checks " << false_failure
                        << "; chi-square " << chi2 << " on " << df << " df, 99.9% quantile "
                        << chi2_999);
        CHECK(false_failure < 1e-3);  // the checks are as strict as claimed
        CHECK(bad == 0);
        CHECK(bad_pooled == 0);
        CHECK(chi2 < chi2_999);

        Comparison row;
        row.name = fmt("Shaped source, %s", s.endpoint);
        row.params =
            fmt("%zu windows of 1s × R=%d; cells with abs(n-Λ) > 5.5√Λ: %zu/%zu; "
                "pooled windows with abs(N-RΛ) > 4.5√(RΛ): %zu/%zu; P(false fail) ≤ %.1e",
                ends.size(), reps, bad, cells, bad_pooled, ends.size(), false_failure);
        row.quantity = "Pearson χ² of pooled window counts";
        row.theory = df;  // its expectation
        row.sim = chi2;
        row.half_width = std::nan("");
        row.tolerance = chi2_999 - df;
        row.pass = bad == 0 && bad_pooled == 0 && chi2 < chi2_999;
        report_row(row);
    }
}

// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
//
// Shared helpers of the queueing-theory validation suite (tests tagged
// [theory]): exact formulas, a scenario runner that keeps the raw
// replications next to the merged report, the tolerance rule, and a small
// reporter that prints one markdown row per comparison (docs/validation.md).
//
// ---------------------------------------------------------------------------
// How a tolerance is derived (the rule every [theory] comparison uses)
// ---------------------------------------------------------------------------
// A simulated statistic is the mean of R independent replications,
// reported as an Estimate whose half_width h95 is the 95% Student-t
// interval t_{0.975,R-1} s / sqrt(R). A comparison accepts
//
//     |sim - theory| <= h95 * t_{0.9995,R-1} / t_{0.975,R-1}  (+ hist)
//
// i.e. the theory value must lie inside the 99.9% confidence interval of the
// simulated value; rescaling h95 by the ratio of t quantiles turns the 95%
// interval into the 99.9% one without recomputing s. If the engine is right
// and the replication means are roughly normal, a single comparison fails
// with probability 0.1%; with the ~190 comparisons of the suite (many of
// them positively correlated: they come from the same runs) the chance that
// *some* comparison fails by bad luck is of the order of 10% for a given set
// of seeds, which is why the seeds are fixed: a seed that passed keeps
// passing, and a failure after an engine change is a change in the engine,
// not noise. Never change a seed or widen a tolerance to make a failure go
// away: find out whether the engine is wrong.
//
//  * Percentiles come from capsim::Histogram, whose reported quantile is
//    within 1/256 (half a bucket) of the exact sample quantile, so for
//    percentiles `hist` = |theory| / 256 is added to the interval.
//  * Loss probabilities (a rare event: errors / attempts) are handled by the
//    same rule: each replication's error_rate is a proportion over ~10^5
//    arrivals, approximately normal, and the interval is that of the mean
//    of R of them. The scenarios keep losses well above 10^-3 so that every
//    replication sees hundreds of losses and the normal approximation
//    holds; a zero half-width (no loss seen anywhere) is treated as a
//    failure of the test design, not a pass.
//  * Systematic (non-random) errors of the estimators are kept far below the
//    interval by the choice of run length: the bias from starting empty
//    decays like exp(-warmup / relaxation time) and the warm-ups are several
//    relaxation times; censoring (requests still in flight at the end are
//    not in the latency statistics) touches ~L of ~lambda*T requests.
//    Nothing is added for them, so a bias larger than the interval fails.
//
// Little's law (L = lambda W) is an identity on every sample path, not a
// statistical statement, so it is checked per run with a tolerance that
// bounds the edge effects of the measurement window; see "Little's law"
// below (little_tolerance) for its derivation.
#pragma once

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/histogram.hpp"
#include "engine/parallel_runner.hpp"
#include "engine/student_t.hpp"
#include "engine/summary.hpp"
#include "models/compiled_model.hpp"
#include "models/replication_result.hpp"
#include "models/report.hpp"
#include "models/run.hpp"
#include "scenario/diagnostic.hpp"
#include "scenario/loader.hpp"

namespace capsim::theory {

// ===========================================================================
// Formatting
// ===========================================================================

/// printf into a std::string (scenario text and report rows).
template <class... Args>
std::string fmt(const char* format, Args... args) {
    const int n = std::snprintf(nullptr, 0, format, args...);
    std::string s(static_cast<std::size_t>(std::max(n, 0)) + 1, '\0');
    std::snprintf(s.data(), s.size(), format, args...);
    s.resize(static_cast<std::size_t>(std::max(n, 0)));
    return s;
}

/// A duration the loader reads back exactly: seconds with 17 digits.
inline std::string secs(double s) {
    return fmt("%.17gs", s);
}
/// A rate per second, likewise.
inline std::string per_s(double r) {
    return fmt("%.17g/s", r);
}

// ===========================================================================
// Exact formulas
// ===========================================================================

/// M/M/1 sojourn time is exponential with rate mu - lambda: its q-quantile.
inline double mm1_sojourn_quantile(double lambda, double mu, double q) {
    return -std::log1p(-q) / (mu - lambda);
}

/// Erlang B: blocking probability of M/M/c/c (or M/G/c/c) with offered load
/// a = lambda / mu, by the stable recursion B(k) = a B(k-1) / (k + a B(k-1)).
inline double erlang_b(unsigned c, double a) {
    double b = 1.0;
    for (unsigned k = 1; k <= c; ++k) b = a * b / (static_cast<double>(k) + a * b);
    return b;
}

/// Erlang C: probability that an arrival waits in M/M/c, a = lambda/mu < c.
inline double erlang_c(unsigned c, double a) {
    const double b = erlang_b(c, a);
    const double cd = static_cast<double>(c);
    return cd * b / (cd - a * (1.0 - b));
}

/// M/M/c: mean wait in queue, C(c, a) / (c mu - lambda).
inline double mmc_mean_wait(unsigned c, double lambda, double mu) {
    return erlang_c(c, lambda / mu) / (static_cast<double>(c) * mu - lambda);
}

/// M/M/c/K (K >= c places in all, K - c of them in the queue).
struct MMcK {
    double p_loss = 0.0;      // p_K: probability an arrival is lost (PASTA)
    double L = 0.0;           // mean number in system
    double Lq = 0.0;          // mean number waiting
    double throughput = 0.0;  // lambda (1 - p_K)
    double W = 0.0;           // mean sojourn of admitted requests, L / throughput
};

inline MMcK mmck(unsigned c, unsigned K, double lambda, double mu) {
    // Unnormalised p_n by the birth-death recursion p_n = p_{n-1} lambda / (min(n,c) mu).
    std::vector<double> p(K + 1);
    p[0] = 1.0;
    for (unsigned n = 1; n <= K; ++n)
        p[n] = p[n - 1] * lambda / (static_cast<double>(std::min(n, c)) * mu);
    const double total = std::accumulate(p.begin(), p.end(), 0.0);
    MMcK r;
    for (unsigned n = 0; n <= K; ++n) {
        const double pn = p[n] / total;
        r.L += n * pn;
        if (n > c) r.Lq += (n - c) * pn;
    }
    r.p_loss = p[K] / total;
    r.throughput = lambda * (1.0 - r.p_loss);
    r.W = r.L / r.throughput;
    return r;
}

/// Pollaczek–Khinchine: mean wait in queue of M/G/1 (FCFS),
/// lambda E[S^2] / (2 (1 - rho)).
inline double pk_mean_wait(double lambda, double mean_s, double var_s) {
    const double rho = lambda * mean_s;
    const double es2 = var_s + mean_s * mean_s;
    return lambda * es2 / (2.0 * (1.0 - rho));
}

/// Exact mean value analysis of a closed product-form network of N users
/// with think time Z (an infinite-server delay) and single-server FCFS
/// exponential (or PS, any law) queueing stations of service demands D_k
/// (visit ratio x mean service time).
struct Mva {
    double X = 0.0;          // system throughput (requests per second)
    double R = 0.0;          // mean response time, sum of R_k
    std::vector<double> Rk;  // mean residence time per station
    std::vector<double> Qk;  // mean number per station
};

inline Mva mva(unsigned N, double Z, const std::vector<double>& D) {
    Mva m;
    m.Qk.assign(D.size(), 0.0);
    m.Rk.assign(D.size(), 0.0);
    for (unsigned n = 1; n <= N; ++n) {
        m.R = 0.0;
        for (std::size_t k = 0; k < D.size(); ++k) {
            m.Rk[k] = D[k] * (1.0 + m.Qk[k]);
            m.R += m.Rk[k];
        }
        m.X = static_cast<double>(n) / (Z + m.R);
        for (std::size_t k = 0; k < D.size(); ++k) m.Qk[k] = m.X * m.Rk[k];
    }
    return m;
}

/// Finite-source machine-repairman model: N machines, each fails after an
/// exponential time of mean 1/fail_rate while up; c repairmen fix one
/// machine each in an exponential time of mean 1/repair_rate. Birth-death
/// chain on n = broken machines: birth (N - n) fail_rate, death
/// min(n, c) repair_rate.
struct Repairman {
    double X = 0.0;     // repairs per second
    double L = 0.0;     // mean machines broken (waiting or in repair)
    double R = 0.0;     // mean time from failure to repaired, L / X
    double busy = 0.0;  // mean busy repairmen
};

inline Repairman machine_repairman(unsigned N, unsigned c, double fail_rate, double repair_rate) {
    std::vector<double> p(N + 1);
    p[0] = 1.0;
    for (unsigned n = 1; n <= N; ++n)
        p[n] = p[n - 1] * static_cast<double>(N - n + 1) * fail_rate /
               (static_cast<double>(std::min(n, c)) * repair_rate);
    const double total = std::accumulate(p.begin(), p.end(), 0.0);
    Repairman r;
    for (unsigned n = 0; n <= N; ++n) {
        const double pn = p[n] / total;
        r.L += n * pn;
        r.busy += std::min(n, c) * pn;
    }
    r.X = r.busy * repair_rate;
    r.R = r.L / r.X;
    return r;
}

// ===========================================================================
// Running a scenario
// ===========================================================================

/// A finished run: the compiled model, every raw replication (for the
/// histograms and per-replication identities) and the merged report, which
/// is exactly what capsim::run() returns (run() is parallel_for + merge;
/// contracts_test checks the two agree bit for bit).
struct Outcome {
    CompiledModel model;
    std::vector<ReplicationResult> reps;
    Report report;
};

/// The [run] table of a validation scenario: `measure` seconds measured
/// after `warmup`, R replications, ten time-series windows.
inline std::string run_table(double measure, double warmup, int replications, int seed) {
    return fmt(
        "[run]\nduration = \"%s\"\nwarmup = \"%s\"\nreplications = %d\nseed = %d\n"
        "window = \"%s\"\n",
        secs(measure + warmup).c_str(), secs(warmup).c_str(), replications, seed,
        secs((measure + warmup) / 10.0).c_str());
}

/// "R=10×2000s": the run size, for the parameters column.
inline std::string run_words(double measure, int replications) {
    return fmt("R=%d×%gs", replications, measure);
}

inline CompiledModel compile_text(const std::string& toml, const std::string& name) {
    const scenario::LoadResult loaded = scenario::load_string(toml, name);
    if (!loaded.ok())
        throw std::runtime_error("scenario " + name + " does not load:\n" +
                                 scenario::format_all(loaded.diagnostics) + "\n" + toml);
    return compile(*loaded.model);
}

inline Outcome run_scenario(const std::string& toml, const std::string& name,
                            unsigned threads = 0) {
    Outcome o{compile_text(toml, name), {}, {}};
    const std::uint32_t n = std::max<std::uint32_t>(1, o.model.model.run.replications);
    o.reps.resize(n);
    parallel_for(n, threads, [&](std::size_t i, const std::atomic<bool>&) {
        o.reps[i] = run_replication(o.model, static_cast<std::uint32_t>(i));
    });
    o.report = merge(o.model, o.reps);
    return o;
}

inline std::size_t endpoint_index(const Outcome& o, const std::string& name) {
    const std::int64_t i = o.model.find_endpoint(name);
    if (i < 0) throw std::runtime_error("no endpoint " + name);
    return static_cast<std::size_t>(i);
}

inline std::size_t station_index(const Outcome& o, const std::string& name) {
    for (std::size_t s = 0; s < o.report.stations.size(); ++s)
        if (o.report.stations[s].name == name) return s;
    throw std::runtime_error("no station " + name);
}

inline const EndpointReport& endpoint(const Outcome& o, const std::string& name) {
    return o.report.endpoints[endpoint_index(o, name)];
}

inline const StationReport& station(const Outcome& o, const std::string& name) {
    return o.report.stations[station_index(o, name)];
}

/// Estimate over replications of any per-replication value.
template <class F>
Estimate per_replication(const Outcome& o, F&& f) {
    std::vector<double> v;
    for (const ReplicationResult& r : o.reps) v.push_back(f(r));
    return estimate(v);
}

/// Fraction of a histogram's samples that are exactly 0 (Histogram keeps
/// zeros in a bucket of their own): the largest rank whose nearest-rank
/// quantile is 0, found by bisection on ranks.
inline double fraction_zero(const Histogram& h) {
    const std::uint64_t n = h.count();
    if (n == 0) return std::nan("");
    const double dn = static_cast<double>(n);
    // quantile(q) reports the sample of rank ceil(q n); q = (r - 0.5) / n
    // lands on rank r whatever the rounding.
    auto zero_at = [&](std::uint64_t r) {
        return h.quantile((static_cast<double>(r) - 0.5) / dn) == 0.0;
    };
    if (!zero_at(1)) return 0.0;
    std::uint64_t lo = 1, hi = n;  // zero_at(lo) holds
    if (zero_at(hi)) return 1.0;
    while (hi - lo > 1) {
        const std::uint64_t mid = lo + (hi - lo) / 2;
        if (zero_at(mid))
            lo = mid;
        else
            hi = mid;
    }
    return static_cast<double>(lo) / dn;
}

// ===========================================================================
// Tolerances and the comparison reporter
// ===========================================================================

/// 99.9% half-width from the 95% one: h95 * t_{0.9995,R-1} / t_{0.975,R-1}.
inline double ci999(const Estimate& e) {
    if (e.n < 2 || !std::isfinite(e.half_width)) return std::nan("");
    const double df = static_cast<double>(e.n - 1);
    return e.half_width * student_t_quantile(0.9995, df) / student_t_quantile(0.975, df);
}

/// One comparison of the suite: a table row of docs/validation.md.
struct Comparison {
    std::string name;      // case, e.g. "M/M/1 rho=0.8"
    std::string params;    // parameters in words
    std::string quantity;  // e.g. "mean sojourn (s)"
    double theory = 0.0;
    double sim = 0.0;
    double half_width = 0.0;  // 95%, as reported
    double tolerance = 0.0;   // absolute
    bool pass = false;

    double error() const { return sim - theory; }
    std::string row() const {
        const double rel = theory != 0.0 ? 100.0 * error() / std::fabs(theory) : std::nan("");
        const std::string ci = std::isfinite(half_width) ? fmt(" ± %.3g", half_width) : "";
        const std::string err =
            std::isfinite(rel) ? fmt("%+.3g (%+.2f%%)", error(), rel) : fmt("%+.3g", error());
        return fmt("| %s | %s | %s | %.6g | %.6g%s | %s | %.3g | %s |", name.c_str(),
                   params.c_str(), quantity.c_str(), theory, sim, ci.c_str(), err.c_str(),
                   tolerance, pass ? "pass" : "**FAIL**");
    }
};

/// Where rows go: CAPSIM_VALIDATION_REPORT=- (or 1) prints them on stdout,
/// any other value is a file the rows are appended to (a header first when
/// the file is new or empty). Unset: silent.
inline void report_row(const Comparison& c) {
    const char* env = std::getenv("CAPSIM_VALIDATION_REPORT");
    if (!env || !*env) return;
    const std::string target = env;
    static const char* kHeader =
        "| case | parameters | quantity | theory | simulated ± 95% CI | error | tolerance | "
        "result |\n|---|---|---|---|---|---|---|---|";
    if (target == "-" || target == "1") {
        std::printf("%s\n", c.row().c_str());
        std::fflush(stdout);
        return;
    }
    bool empty = true;
    {
        std::ifstream in(target);
        empty = !in || in.peek() == std::ifstream::traits_type::eof();
    }
    std::ofstream out(target, std::ios::app);
    if (empty) out << kHeader << '\n';
    out << c.row() << '\n';
}

/// Record and check a comparison. The row is printed (see report_row) and
/// shown by Catch on failure.
inline void record(const Comparison& c) {
    report_row(c);
    INFO(c.row());
    CHECK(c.pass);
}

/// sim (an Estimate over replications) against an exact value, with the
/// 99.9% interval, plus `extra` (e.g. the histogram's quantile error).
inline Comparison compare(const std::string& name, const std::string& params,
                          const std::string& quantity, double theory, const Estimate& sim,
                          double extra = 0.0) {
    Comparison c;
    c.name = name;
    c.params = params;
    c.quantity = quantity;
    c.theory = theory;
    c.sim = sim.mean;
    c.half_width = sim.half_width;
    c.tolerance = ci999(sim) + extra;
    // A zero or NaN interval means the statistic never varied or never was
    // observed: the comparison says nothing, so it cannot pass.
    c.pass = std::isfinite(c.tolerance) && sim.half_width > 0.0 &&
             std::fabs(sim.mean - theory) <= c.tolerance;
    record(c);
    return c;
}

/// A percentile: the interval plus the histogram's 1/256 relative error.
inline Comparison compare_quantile(const std::string& name, const std::string& params,
                                   const std::string& quantity, double theory,
                                   const Estimate& sim) {
    return compare(name, params, quantity, theory, sim, std::fabs(theory) / 256.0);
}

// ===========================================================================
// Little's law
// ===========================================================================

/// Little's law L = lambda W is an identity on every sample path, except
/// for the requests present at the two edges of the measurement window
/// [warm-up, end]. With
///   area = the integral of the number present over the window (the
///          time-average L times the measured time T), and
///   sum  = the sum of the residence times W of the requests the statistic
///          counts (those that started after warm-up and finished),
/// the requests present at warm-up put their remaining time in the area
/// but not in the sum, and those present at the end their elapsed time.
/// For a stationary system the expected total remaining (or elapsed) time
/// of the requests present at a given instant is lambda E[W^2] / 2 (a
/// request covers an instant with probability proportional to its length),
/// so per replication
///     E[area - sum] = lambda E[W^2],   relative to the area: E[W^2] / (E[W] T).
/// For waits in queue (Lq = lambda Wq) the two edges have opposite signs
/// (a wait is counted at admission, whole), and each waiting request's
/// residual or elapsed wait is at most its residual or elapsed sojourn, so
/// the same lambda E[W^2] bounds the expected discrepancy there too.
///
/// The check therefore uses an absolute tolerance on the time-average scale:
///     |area - sum| / T <= 5 lambda E[W^2] / T + 1e-9 L
/// with E[W^2] estimated from the merged latency histogram of the run and
/// T the measured time of one replication (the pooled area and sum are
/// divided by the pooled time R T, and the pooled edge error is R times the
/// per-replication one). The factor 5 covers the fluctuation of the edge
/// contents around their mean (pooled over R >= 10 replications, a
/// relative spread well below 5); 1e-9 L covers floating-point summation.
/// Everything else — a request lost from the count, a wait booked twice, a
/// gauge that misses a change — shows up as an error proportional to T and
/// fails the check.

/// E[W^2] of a histogram's samples, by integrating the squared quantile
/// function over q in (0, 1) on a fine grid, plus the exact maximum for the
/// top cell (the tail dominates E[W^2], so it must not be dropped).
inline double second_moment(const Histogram& h) {
    if (h.count() == 0) return 0.0;
    constexpr int kCells = 4000;
    double s = 0.0;
    for (int i = 0; i < kCells - 1; ++i) {
        const double v = h.quantile((i + 0.5) / kCells);
        s += v * v;
    }
    s += h.max() * h.max();
    return s / kCells;
}

struct LittleCheck {
    double area = 0.0;      // integral of the number present, summed over replications
    double sum = 0.0;       // sum of residence (or queue) times
    double measured = 0.0;  // measured time, summed over replications
    double L() const { return area / measured; }
    double lambda_w() const { return sum / measured; }
};

/// Queue waits at one station: integral of `waiting` vs the waits of the
/// requests admitted to a worker after warm-up (Lq = X Wq).
inline LittleCheck little_queue(const Outcome& o, std::size_t station) {
    LittleCheck c;
    for (const ReplicationResult& r : o.reps) {
        c.area += r.stations[station].waiting * r.measured;
        c.sum += r.stations[station].wait_sum;
        c.measured += r.measured;
    }
    return c;
}

/// Whole system: integral of the number present at all listed stations
/// (waiting + holding a worker) vs the latencies of the requests of the
/// listed entry endpoints (each request is at exactly one of the stations
/// from its arrival to its completion).
inline LittleCheck little_system(const Outcome& o, const std::vector<std::size_t>& stations,
                                 const std::vector<std::size_t>& endpoints) {
    LittleCheck c;
    for (const ReplicationResult& r : o.reps) {
        for (std::size_t s : stations)
            c.area += (r.stations[s].waiting + r.stations[s].busy_workers) * r.measured;
        for (std::size_t e : endpoints) c.sum += r.endpoints[e].latency.sum();
        c.measured += r.measured;
    }
    return c;
}

/// The tolerance above for a run whose requests (of the listed endpoints)
/// have sojourns recorded in their latency histograms.
inline double little_tolerance(const Outcome& o, const std::vector<std::size_t>& endpoints,
                               double L) {
    Histogram all;
    double measured = 0.0;
    for (const ReplicationResult& r : o.reps) {
        for (std::size_t e : endpoints) all.merge(r.endpoints[e].latency);
        measured += r.measured;
    }
    const double lambda = static_cast<double>(all.count()) / measured;
    const double T = measured / static_cast<double>(o.reps.size());
    return 5.0 * lambda * second_moment(all) / T + 1e-9 * L;
}

/// Record a Little's-law comparison as a table row and check it: "theory"
/// is the time-average L, "simulated" is lambda W (sum of residence times
/// over measured time).
inline void check_little(const std::string& name, const std::string& what, const LittleCheck& c,
                         double tolerance) {
    Comparison row;
    row.name = name;
    row.params = "Little's law, pooled over replications";
    row.quantity = what;
    row.theory = c.L();
    row.sim = c.lambda_w();
    row.half_width = std::nan("");
    row.tolerance = tolerance;
    row.pass = std::isfinite(row.theory) && std::fabs(row.sim - row.theory) <= tolerance;
    record(row);
}

/// Little's law Lq = X Wq at every station of a run.
inline void check_little_queues(const Outcome& o, const std::string& name, double tolerance) {
    for (std::size_t s = 0; s < o.report.stations.size(); ++s)
        check_little(name, "Lq = λWq at " + o.report.stations[s].name, little_queue(o, s),
                     tolerance);
}

/// Little's law on the whole system, L = lambda W with L summed over
/// `stations` and W the latency of `entries` (every request enters through
/// one of them and is at exactly one of the stations until it completes),
/// then Lq = X Wq at every station. Empty `stations`: all of them.
inline void check_little_all(const Outcome& o, const std::string& name,
                             const std::vector<std::string>& entries,
                             const std::vector<std::string>& stations = {}) {
    std::vector<std::size_t> eps, sts;
    for (const std::string& e : entries) eps.push_back(endpoint_index(o, e));
    for (const std::string& s : stations) sts.push_back(station_index(o, s));
    if (stations.empty())
        for (std::size_t s = 0; s < o.report.stations.size(); ++s) sts.push_back(s);
    const LittleCheck sys = little_system(o, sts, eps);
    const double tol = little_tolerance(o, eps, sys.L());
    check_little(name, "L = λW, whole system", sys, tol);
    check_little_queues(o, name, tol);
}

}  // namespace capsim::theory

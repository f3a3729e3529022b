// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#include "models/report_resilience.hpp"

#include <algorithm>
#include <string>

#include "models/report.hpp"
#include "models/report_merge.hpp"

namespace capsim {

using namespace report_merge;

void merge_policies(const CompiledModel& cm, const std::vector<ReplicationResult>& reps,
                    std::size_t windows, Report& rep) {
    auto series = [&](auto pick) { return mean_series(reps, windows, pick); };
    for (std::size_t g = 0; g < cm.program.guards.size(); ++g) {
        const GuardOp& op = cm.program.guards[g];
        PolicyReport pr;
        pr.name = op.name;
        pr.path = op.site;
        pr.timeout = op.policy.timeout;
        pr.attempts_max = op.policy.retry.attempts;
        pr.breaker = op.policy.breaker.enabled;
        auto gd = [g](const ReplicationResult& r) -> const GuardResult& { return r.guards[g]; };
        auto rate = [&](auto count) {
            return over(reps, [&](auto& r) { return per_second(double(count(gd(r))), r); });
        };
        pr.calls = rate([](const GuardResult& x) { return x.calls; });
        pr.attempts_per_call =
            over(reps, [&](auto& r) { return ratio(double(gd(r).attempts), double(gd(r).calls)); });
        pr.retries = rate([](const GuardResult& x) { return x.retries; });
        pr.budget_denied = rate([](const GuardResult& x) { return x.budget_denied; });
        pr.timeouts = rate([](const GuardResult& x) { return x.timeouts; });
        pr.zombies = rate([](const GuardResult& x) { return x.zombies; });
        pr.cancelled = rate([](const GuardResult& x) { return x.cancelled; });
        pr.short_circuited = rate([](const GuardResult& x) { return x.short_circuited; });
        pr.bulkhead = op.policy.bulkhead.enabled ? op.policy.bulkhead.size : 0;
        pr.bulkhead_full = rate([](const GuardResult& x) { return x.bulkhead_full; });
        pr.bulkhead_wait = over(reps, [&](auto& r) {
            return ratio(gd(r).bulkhead_wait_sum, double(gd(r).bulkhead_entered));
        });
        pr.fallbacks = rate([](const GuardResult& x) { return x.fallbacks; });
        pr.failed = rate([](const GuardResult& x) { return x.failed; });
        pr.zombie_seconds =
            over(reps, [&](auto& r) { return ratio(gd(r).zombie_seconds, double(gd(r).zombies)); });
        if (pr.breaker) {
            pr.opens = over(reps, [&](auto& r) { return double(gd(r).opens); });
            pr.open_fraction = over(reps, [&](auto& r) { return gd(r).open; });
        } else {
            pr.opens = pr.open_fraction = Estimate{kNaN, kNaN, 0};
        }
        pr.series_open = series([&](auto& r, std::size_t w) { return gd(r).series_open[w]; });
        pr.series_attempts = series([&](auto& r, std::size_t w) {
            return ratio(gd(r).series_attempts[w], window_width(r, w));
        });
        pr.series_timeouts = series([&](auto& r, std::size_t w) {
            return ratio(gd(r).series_timeouts[w], window_width(r, w));
        });
        rep.policies.push_back(std::move(pr));
    }
}

namespace {

const char* fault_kind(FaultKind k) {
    switch (k) {
        case FaultKind::Crash:
            return "crash";
        case FaultKind::Latency:
            return "latency";
        case FaultKind::Error:
            return "error";
        case FaultKind::Partition:
            return "partition";
    }
    return "crash";
}

}  // namespace

void merge_faults(const CompiledModel& cm, const std::vector<ReplicationResult>& reps,
                  Report& rep) {
    for (std::size_t f = 0; f < cm.model.faults.size(); ++f) {
        const FaultSpec& spec = cm.model.faults[f];
        FaultReport fr;
        fr.name = spec.path;
        fr.kind = fault_kind(spec.kind);
        fr.target = spec.target;
        fr.from = spec.from;
        fr.random = spec.random;
        auto fa = [f](const ReplicationResult& r) -> const FaultResult& { return r.faults[f]; };
        fr.occurrences = over(reps, [&](auto& r) { return double(fa(r).occurrences); });
        fr.active = over(reps, [&](auto& r) { return fa(r).active; });
        fr.hits = over(reps, [&](auto& r) { return per_second(double(fa(r).hits), r); });
        rep.faults.push_back(std::move(fr));
    }
}

namespace {

struct Trigger {
    std::string name;
    double start = 0.0, end = 0.0;
    std::size_t report = 0;  // the RecoveryReport it counts in
};

// The failure windows every replication shares: external windows, cache
// flushes and faults at set times, one report each.
std::vector<Trigger> fixed_triggers(const Model& m) {
    std::vector<Trigger> out;
    for (const ExternalSpec& x : m.externals)
        for (std::size_t k = 0; k < x.windows.size(); ++k)
            out.push_back({x.path + ".windows[" + std::to_string(k) + "]", x.windows[k].start,
                           x.windows[k].end, out.size()});
    for (const CacheSpec& c : m.caches)
        for (std::size_t k = 0; k < c.flush_at.size(); ++k)
            out.push_back({c.path + ".flush_at[" + std::to_string(k) + "]", c.flush_at[k],
                           c.flush_at[k], out.size()});
    for (const FaultSpec& f : m.faults)
        if (!f.random) out.push_back({f.path, f.start, f.end, out.size()});
    std::stable_sort(out.begin(), out.end(),
                     [](const Trigger& a, const Trigger& b) { return a.start < b.start; });
    for (std::size_t k = 0; k < out.size(); ++k) out[k].report = k;
    return out;
}

// One replication's triggers in time order: the shared ones, and each
// occurrence of a random fault (counted in that fault's one report).
std::vector<Trigger> triggers(const Model& m, const std::vector<Trigger>& fixed,
                              const ReplicationResult& r) {
    std::vector<Trigger> out = fixed;
    std::size_t report = fixed.size();
    for (std::size_t f = 0; f < m.faults.size(); ++f) {
        if (!m.faults[f].random) continue;
        if (f < r.faults.size())
            for (const auto& [start, end] : r.faults[f].windows)
                out.push_back({m.faults[f].path, start, end, report});
        ++report;
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const Trigger& a, const Trigger& b) { return a.start < b.start; });
    return out;
}

// The entry endpoints' state in each window of one replication.
struct WindowState {
    double start = 0.0, end = 0.0;
    double error_ratio = kNaN;
    double p99 = kNaN;  // the worst entry endpoint's
};

std::vector<WindowState> window_states(const std::vector<bool>& entry, const ReplicationResult& r) {
    std::vector<WindowState> out(r.window_end.size());
    for (std::size_t w = 0; w < out.size(); ++w) {
        out[w].start = w == 0 ? 0.0 : r.window_end[w - 1];
        out[w].end = r.window_end[w];
        double errors = 0.0, done = 0.0;
        for (std::size_t e = 0; e < entry.size(); ++e) {
            if (!entry[e]) continue;
            const EndpointSeries& s = r.endpoints[e].series;
            errors += s.errors[w];
            done += s.completions[w];
            if (!std::isnan(s.p99[w]) && !(s.p99[w] <= out[w].p99)) out[w].p99 = s.p99[w];
        }
        out[w].error_ratio = ratio(errors, errors + done);
    }
    return out;
}

}  // namespace

void check_recovery(const CompiledModel& cm, const std::vector<ReplicationResult>& reps,
                    Report& rep) {
    const Model& m = cm.model;
    const std::vector<Trigger> fixed = fixed_triggers(m);
    std::vector<RecoveryReport> out(fixed.size());
    for (std::size_t k = 0; k < fixed.size(); ++k) {
        out[k].trigger = fixed[k].name;
        out[k].start = fixed[k].start;
        out[k].end = fixed[k].end;
    }
    for (const FaultSpec& f : m.faults) {
        if (!f.random) continue;
        RecoveryReport rr;
        rr.trigger = f.path;
        rr.random = true;
        rr.start = rr.end = kNaN;
        out.push_back(std::move(rr));
    }
    if (out.empty()) return;
    std::vector<bool> entry(cm.endpoints.size(), false);
    for (const CompiledSource& s : cm.sources)
        for (std::uint32_t e : s.endpoints) entry[e] = true;

    std::vector<std::vector<double>> times(out.size());
    double base_err_sum = 0.0, base_p99_sum = 0.0;
    std::size_t base_n = 0;
    for (const ReplicationResult& r : reps) {
        const std::vector<Trigger> trig = triggers(m, fixed, r);
        const std::vector<WindowState> ws = window_states(entry, r);
        // The baseline: whole windows after the warm-up and before the first trigger.
        const double first = trig.empty() ? r.measured + m.run.warmup : trig.front().start;
        std::vector<double> p99s;
        double errors = 0.0, n = 0.0;
        for (const WindowState& w : ws) {
            if (w.start < m.run.warmup || w.end > first) continue;
            if (!std::isnan(w.error_ratio)) {
                errors += w.error_ratio;
                n += 1.0;
            }
            if (!std::isnan(w.p99)) p99s.push_back(w.p99);
        }
        const bool has_baseline = n > 0.0 && !p99s.empty();
        double base_err = 0.0, base_p99 = 0.0;
        if (has_baseline) {
            base_err = errors / n;
            std::nth_element(p99s.begin(), p99s.begin() + static_cast<long>(p99s.size() / 2),
                             p99s.end());
            base_p99 = p99s[p99s.size() / 2];
            base_err_sum += base_err;
            base_p99_sum += base_p99;
            ++base_n;
        }
        // Degraded: 5 points more errors than before, or twice the p99.
        auto degraded = [&](const WindowState& w) {
            return (!std::isnan(w.error_ratio) && w.error_ratio > base_err + 0.05) ||
                   (!std::isnan(w.p99) && w.p99 > 2.0 * base_p99);
        };
        const double stop = r.window_end.empty() ? 0.0 : r.window_end.back();
        // Overlapping triggers are one episode (two replicas down at once):
        // the first one's aftermath is the second one's time on, and the
        // episode counts once in each report among them.
        struct Episode {
            double start, end;
            std::vector<std::size_t> reports;
        };
        std::vector<Episode> episodes;
        for (const Trigger& tr : trig) {
            if (episodes.empty() || tr.start > episodes.back().end) {
                episodes.push_back({tr.start, tr.end, {tr.report}});
                continue;
            }
            Episode& e = episodes.back();
            e.end = std::max(e.end, tr.end);
            if (std::find(e.reports.begin(), e.reports.end(), tr.report) == e.reports.end())
                e.reports.push_back(tr.report);
        }
        enum class Outcome { Recovered, Late, NotRecovered, Inconclusive };
        for (std::size_t k = 0; k < episodes.size(); ++k) {
            const Episode& ep = episodes[k];
            const double horizon = k + 1 < episodes.size() ? episodes[k + 1].start : stop;
            const double within = m.run.recovery;
            double last_bad = -1.0;
            bool any_after = false;
            for (const WindowState& w : ws) {
                if (w.end <= ep.end || w.end > horizon) continue;
                any_after = true;
                if (degraded(w)) last_bad = w.end;
            }
            Outcome outcome = Outcome::Recovered;
            double t = 0.0;
            if (!has_baseline || !any_after) {
                outcome = Outcome::Inconclusive;
            } else if (last_bad >= horizon - 1e-9) {
                outcome =
                    horizon - ep.end >= within ? Outcome::NotRecovered : Outcome::Inconclusive;
            } else if (last_bad >= 0.0) {
                t = last_bad - ep.end;
                outcome = t > within ? Outcome::Late : Outcome::Recovered;
            }
            for (std::size_t report : ep.reports) {
                RecoveryReport& rr = out[report];
                switch (outcome) {
                    case Outcome::Recovered:
                        ++rr.recovered;
                        times[report].push_back(t);
                        break;
                    case Outcome::Late:
                        ++rr.late;
                        times[report].push_back(t);
                        break;
                    case Outcome::NotRecovered:
                        ++rr.not_recovered;
                        break;
                    case Outcome::Inconclusive:
                        ++rr.inconclusive;
                        break;
                }
            }
        }
    }
    for (std::size_t k = 0; k < out.size(); ++k) {
        RecoveryReport& rr = out[k];
        rr.within = m.run.recovery;
        rr.recovery_time = estimate(times[k]);
        rr.baseline_error_ratio = base_n ? base_err_sum / double(base_n) : kNaN;
        rr.baseline_p99 = base_n ? base_p99_sum / double(base_n) : kNaN;
        rr.flagged = rr.late > 0 || rr.not_recovered > 0;
        rep.recoveries.push_back(std::move(rr));
    }
}

}  // namespace capsim

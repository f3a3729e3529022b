// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#pragma once

#include <array>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <vector>

#include "engine/summary.hpp"
#include "models/error_cause.hpp"
#include "models/replication_result.hpp"

/// Helpers shared by the parts of the report merge: per-replication values
/// turned into estimates over replications, and per-window series means.
namespace capsim::report_merge {

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

template <class F>
Estimate over(const std::vector<ReplicationResult>& reps, F&& f) {
    std::vector<double> v;
    v.reserve(reps.size());
    for (const ReplicationResult& r : reps) {
        const double x = f(r);
        if (!std::isnan(x)) v.push_back(x);
    }
    return estimate(v);
}

inline double per_second(double count, const ReplicationResult& r) {
    return r.measured > 0.0 ? count / r.measured : kNaN;
}

// Mean over replications of one per-window series; windows a replication
// did not reach (it stopped early) or that had no value are skipped.
inline std::vector<double> mean_series(
    const std::vector<ReplicationResult>& reps, std::size_t windows,
    const std::function<double(const ReplicationResult&, std::size_t)>& f) {
    std::vector<double> out(windows, kNaN);
    for (std::size_t w = 0; w < windows; ++w) {
        double sum = 0.0;
        std::size_t n = 0;
        for (const ReplicationResult& r : reps) {
            if (w >= r.window_end.size()) continue;
            const double x = f(r, w);
            if (std::isnan(x)) continue;
            sum += x;
            ++n;
        }
        if (n) out[w] = sum / static_cast<double>(n);
    }
    return out;
}

inline double window_width(const ReplicationResult& r, std::size_t w) {
    const double start = w == 0 ? 0.0 : r.window_end[w - 1];
    return r.window_end[w] - start;
}

inline double ratio(double a, double b) {
    return b > 0.0 ? a / b : kNaN;
}

inline double total(const std::array<std::uint64_t, kCauses>& errors) {
    std::uint64_t n = 0;
    for (std::uint64_t c : errors) n += c;
    return static_cast<double>(n);
}

}  // namespace capsim::report_merge

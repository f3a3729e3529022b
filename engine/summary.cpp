// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#include "engine/summary.hpp"

#include <algorithm>

#include "engine/student_t.hpp"

namespace capsim {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double half_width(double variance, std::size_t n, double confidence) {
    if (n < 2 || !(confidence > 0.0 && confidence < 1.0)) {
        return kNaN;
    }
    const double nd = static_cast<double>(n);
    return student_t_quantile(0.5 * (1.0 + confidence), nd - 1.0) * std::sqrt(variance / nd);
}

}  // namespace

Estimate estimate(std::span<const double> values, double confidence) {
    const std::size_t n = values.size();
    if (n == 0) {
        return {kNaN, kNaN, 0};
    }
    const double nd = static_cast<double>(n);
    double sum = 0.0;
    for (double v : values) {
        sum += v;
    }
    const double mean = sum / nd;
    // Two passes, with the corrected form (Bjorck) that cancels the rounding
    // left in `mean`: replication means often agree to many digits, where
    // sum(x^2) - n mean^2 would be mostly noise.
    double squares = 0.0;
    double residual = 0.0;
    for (double v : values) {
        const double d = v - mean;
        squares += d * d;
        residual += d;
    }
    const double variance =
        n < 2 ? kNaN : std::max(0.0, squares - residual * residual / nd) / (nd - 1.0);
    return {mean, half_width(variance, n, confidence), n};
}

Estimate estimate(const RunningStats& stats, double confidence) {
    return {stats.mean(), half_width(stats.variance(), stats.count(), confidence), stats.count()};
}

}  // namespace capsim

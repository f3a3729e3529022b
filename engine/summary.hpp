// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#pragma once

#include <cmath>
#include <cstddef>
#include <limits>
#include <span>

namespace capsim {

/// A replication mean with its confidence interval: the true mean lies in
/// [mean - half_width, mean + half_width] with the requested confidence,
/// assuming the replications are independent and their means roughly
/// normal. half_width is NaN when n < 2 (one replication says nothing about
/// its own variability; NaN cannot be mistaken for a zero-width interval),
/// and mean is NaN when n = 0.
struct Estimate {
    double mean;
    double half_width;
    std::size_t n;
};

/// Streaming mean, variance, min and max (Welford's update), so per-run
/// statistics need no stored samples. Two RunningStats merge into exactly
/// the statistics of the union, up to rounding (Chan et al.'s pairwise
/// formula), which lets threads or replications be combined in any order.
class RunningStats {
  public:
    void add(double x) {
        ++n_;
        const double delta = x - mean_;
        mean_ += delta / static_cast<double>(n_);
        m2_ += delta * (x - mean_);
        if (x < min_) {
            min_ = x;
        }
        if (x > max_) {
            max_ = x;
        }
    }

    void merge(const RunningStats& other) {
        if (other.n_ == 0) {
            return;
        }
        if (n_ == 0) {
            *this = other;
            return;
        }
        const double na = static_cast<double>(n_);
        const double nb = static_cast<double>(other.n_);
        const double n = na + nb;
        const double delta = other.mean_ - mean_;
        mean_ += delta * (nb / n);
        m2_ += other.m2_ + delta * delta * (na * (nb / n));
        n_ += other.n_;
        if (other.min_ < min_) {
            min_ = other.min_;
        }
        if (other.max_ > max_) {
            max_ = other.max_;
        }
    }

    std::size_t count() const { return n_; }
    /// NaN when empty.
    double mean() const { return n_ == 0 ? kNaN : mean_; }
    /// Sample variance (divisor n - 1), the unbiased estimate over
    /// replications; NaN when count() < 2.
    double variance() const { return n_ < 2 ? kNaN : m2_ / static_cast<double>(n_ - 1); }
    double stddev() const { return std::sqrt(variance()); }
    /// NaN when empty.
    double min() const { return n_ == 0 ? kNaN : min_; }
    /// NaN when empty.
    double max() const { return n_ == 0 ? kNaN : max_; }

  private:
    static constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

    std::size_t n_ = 0;
    double mean_ = 0.0;
    double m2_ = 0.0;  // sum of squared deviations from mean_
    double min_ = std::numeric_limits<double>::infinity();
    double max_ = -std::numeric_limits<double>::infinity();
};

/// Mean of one statistic over replications (one value per replication) and
/// its Student-t confidence half-width t_{(1+c)/2, n-1} * s / sqrt(n), s the
/// sample standard deviation. half_width is NaN when n < 2 or `confidence`
/// is not in (0, 1).
Estimate estimate(std::span<const double> values, double confidence = 0.95);

/// The same from streaming statistics.
Estimate estimate(const RunningStats& stats, double confidence = 0.95);

}  // namespace capsim

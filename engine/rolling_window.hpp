// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#pragma once

#include <array>
#include <cmath>
#include <cstdint>

namespace capsim {

/// Counts over the last `width` seconds of simulated time, kept in
/// `kBuckets` buckets (as Resilience4j, Finagle and Envoy keep theirs), so
/// adding and reading are O(1) and a count leaves the window one bucket
/// width at a time. `Fields` counters share the buckets (calls, failures,
/// slow calls, say). Times must not decrease.
template <std::size_t Fields>
class RollingWindow {
  public:
    static constexpr std::uint32_t kBuckets = 10;

    void configure(double width) {
        bucket_ = width / kBuckets;
        clear();
    }

    void clear() {
        buckets_ = {};
        sums_ = {};
        current_ = 0;
    }

    /// Add `n` to counter `field` at time `now`.
    void add(double now, std::size_t field, double n) {
        advance(now);
        buckets_[current_ % kBuckets][field] += n;
        sums_[field] += n;
    }

    /// The sum of counter `field` over the window ending at `now`.
    double sum(double now, std::size_t field) {
        advance(now);
        return sums_[field];
    }

  private:
    // Move the current bucket to the one holding `now`, emptying the ones
    // passed over: they held counts older than the window.
    void advance(double now) {
        const double index = std::floor(now / bucket_);
        const auto target = index < 1.8e19 ? static_cast<std::uint64_t>(index) : current_;
        if (target <= current_) return;
        const std::uint64_t steps = target - current_;
        if (steps >= kBuckets) {
            buckets_ = {};
            sums_ = {};
        } else {
            for (std::uint64_t k = 1; k <= steps; ++k) {
                auto& b = buckets_[(current_ + k) % kBuckets];
                for (std::size_t f = 0; f < Fields; ++f) sums_[f] -= b[f];
                b = {};
            }
        }
        current_ = target;
    }

    double bucket_ = 1.0;
    std::uint64_t current_ = 0;
    std::array<std::array<double, Fields>, kBuckets> buckets_{};
    std::array<double, Fields> sums_{};
};

}  // namespace capsim

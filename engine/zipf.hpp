// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "engine/random.hpp"

namespace capsim {

/// Ranks 1..n drawn with P(k) proportional to k^-s (Zipf; s = 0 is
/// uniform), in O(1) time and memory per draw whatever n, by
/// rejection-inversion (Hörmann & Derflinger, "Rejection-inversion to
/// generate variates from monotone discrete distributions", ACM TOMACS
/// 1996). Caches have key spaces of millions of keys, so a table of
/// cumulative probabilities per cache would cost more than the cache.
class ZipfSampler {
  public:
    ZipfSampler() = default;
    ZipfSampler(std::uint64_t n, double s) : n_(std::max<std::uint64_t>(n, 1)), s_(s) {
        if (s_ <= 0.0) return;
        h_x1_ = big_h(1.5) - 1.0;
        h_n_ = big_h(static_cast<double>(n_) + 0.5);
        squeeze_ = 2.0 - big_h_inv(big_h(2.5) - h(2.0));
    }

    std::uint64_t n() const { return n_; }
    double exponent() const { return s_; }

    /// One rank in [1, n]. Uniform keys draw exactly one `below(n)`.
    std::uint64_t sample(Rng& rng) const {
        if (s_ <= 0.0) return rng.below(n_) + 1;
        for (;;) {
            const double u = h_n_ + rng.uniform01() * (h_x1_ - h_n_);
            const double x = big_h_inv(u);
            auto k = static_cast<std::uint64_t>(std::max(1.0, x + 0.5));
            k = std::min(k, n_);
            const double kd = static_cast<double>(k);
            if (kd - x <= squeeze_ || u >= big_h(kd + 0.5) - h(kd)) return k;
        }
    }

  private:
    double h(double x) const { return std::exp(-s_ * std::log(x)); }
    // H(x) = (x^(1-s) - 1) / (1 - s), written so s = 1 (log x) is not a special case.
    double big_h(double x) const {
        const double lx = std::log(x);
        return expm1_over((1.0 - s_) * lx) * lx;
    }
    double big_h_inv(double x) const {
        double t = x * (1.0 - s_);
        if (t < -1.0) t = -1.0;  // rounding at the far end of the support
        return std::exp(log1p_over(t) * x);
    }
    static double expm1_over(double x) {
        return std::abs(x) > 1e-8 ? std::expm1(x) / x : 1.0 + x * 0.5 * (1.0 + x / 3.0);
    }
    static double log1p_over(double x) {
        return std::abs(x) > 1e-8 ? std::log1p(x) / x : 1.0 - x * (0.5 - x / 3.0);
    }

    std::uint64_t n_ = 1;
    double s_ = 0.0;
    double h_x1_ = 0.0;
    double h_n_ = 0.0;
    double squeeze_ = 0.0;
};

}  // namespace capsim

// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "engine/histogram.hpp"

namespace capsim {

/// Quantiles of the values recorded in one time-series window. Most windows
/// hold few values, for which clearing and scanning a full histogram every
/// window would cost more than the values themselves: up to kExact values
/// are kept as they are and their quantiles are exact (nearest rank, like
/// Histogram). Past that the values move into a histogram, so memory stays
/// bounded whatever the rate, with the histogram's error bound.
class WindowQuantiles {
  public:
    static constexpr std::size_t kExact = 4096;

    void record(double v) {
        if (!spilled_) {
            if (values_.size() < kExact) {
                values_.push_back(v);
                return;
            }
            for (double x : values_) hist_.record(x);
            spilled_ = true;
        }
        hist_.record(v);
    }

    std::uint64_t count() const { return spilled_ ? hist_.count() : values_.size(); }

    /// Quantiles q[i] of this window into out[i] (NaN when empty).
    /// Reorders the kept values, so call once, then clear().
    void quantiles(const double* q, double* out, std::size_t n) {
        for (std::size_t i = 0; i < n; ++i) {
            if (count() == 0) {
                out[i] = std::nan("");
            } else if (spilled_) {
                out[i] = hist_.quantile(q[i]);
            } else {
                const std::size_t size = values_.size();
                const auto rank =
                    static_cast<std::size_t>(std::ceil(q[i] * static_cast<double>(size)));
                const std::size_t k = rank == 0 ? 0 : std::min(rank, size) - 1;
                std::nth_element(values_.begin(), values_.begin() + static_cast<std::ptrdiff_t>(k),
                                 values_.end());
                out[i] = values_[k];
            }
        }
    }

    void clear() {
        values_.clear();
        if (spilled_) hist_.clear();
        spilled_ = false;
    }

  private:
    std::vector<double> values_;
    Histogram hist_;
    bool spilled_ = false;
};

}  // namespace capsim

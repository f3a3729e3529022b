// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#pragma once

#include <array>

#include "engine/law.hpp"
#include "engine/random.hpp"

namespace capsim {

/// The draws of one law from a stream nothing else draws from, taken a
/// block at a time. The values and their order are exactly those of
/// drawing one at a time (a stream's draws beyond the end of a run are
/// never seen), but a block of exponentials computes its logarithms a
/// vector at a time (Law::sample_n), instead of one per event on the event
/// path (bench/PROFILE.md).
class SampleBlock {
  public:
    static constexpr int kSize = 32;

    /// The next draw of `law` from `rng`; every call must pass the same pair.
    double next(const Law& law, Rng& rng) {
        if (next_ == kSize) [[unlikely]]
            refill(law, rng);
        return v_[next_++];
    }

  private:
    void refill(const Law& law, Rng& rng) {
        law.sample_n(rng, v_.data(), v_.size());
        next_ = 0;
    }

    std::array<double, kSize> v_{};
    int next_ = kSize;
};

}  // namespace capsim

// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "engine/random.hpp"
#include "models/policy.hpp"

namespace capsim {

/// The wait before retry number `retry` (1 for the first retry), given the
/// previous wait (decorrelated jitter grows from it). One uniform draw per
/// wait whatever the jitter, so changing the jitter keeps the stream aligned.
inline double backoff_wait(const RetrySpec& r, std::uint32_t retry, double previous, Rng& rng) {
    const double u = rng.uniform01();
    const double exponent = static_cast<double>(retry > 0 ? retry - 1 : 0);
    const double w = std::min(r.cap, r.base * std::pow(r.multiplier, exponent));
    switch (r.jitter) {
        case Jitter::None:
            return w;
        case Jitter::Full:
            return u * w;
        case Jitter::Equal:
            return w / 2.0 + u * w / 2.0;
        case Jitter::Decorrelated: {
            const double hi = std::max(r.base, 3.0 * (previous > 0.0 ? previous : r.base));
            return std::min(r.cap, r.base + u * (hi - r.base));
        }
    }
    return w;
}

}  // namespace capsim

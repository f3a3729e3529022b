// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#pragma once

#include <cmath>
#include <limits>

#include "engine/natural_log.hpp"
#include "engine/random.hpp"
#include "engine/sample_block.hpp"
#include "models/model.hpp"
#include "models/rate_shape.hpp"

namespace capsim {

/// Arrival times of one open or trace source, generated exactly. A renewal
/// source accumulates unit-mean gaps (the user's inter-arrival law divided
/// by its mean) in operational time and maps them back through the inverse
/// cumulative rate; an MMPP races its Poisson arrivals against its state
/// changes, which is exact because both are memoryless.
class ArrivalProcess {
  public:
    ArrivalProcess(const SourceSpec&&) = delete;  // keeps a pointer: no temporaries
    explicit ArrivalProcess(const SourceSpec& spec) : spec_(&spec), intensity_(spec.shape) {
        const double m = spec.interarrival.mean();
        inv_mean_ = m > 0.0 ? 1.0 / m : 1.0;
        const RateShape& s = spec.shape;
        constant_ = s.kind == RateShape::Kind::Piecewise && s.t.size() == 1 && s.period == 0.0;
    }

    /// The first arrival; call once before next().
    double first(Rng& rng) {
        if (spec_->shape.kind == RateShape::Kind::Mmpp) {
            state_ = 0;
            switch_at_ = exp_draw(rng) * spec_->shape.mmpp_sojourn[0];
        }
        return next(rng);
    }

    /// The arrival after the previous one; +inf when the source is done.
    double next(Rng& rng) {
        switch (spec_->kind) {
            case SourceKind::Trace:
                return index_ < spec_->timestamps.size() ? spec_->timestamps[index_++] : kInf;
            case SourceKind::Closed:
                return kInf;
            case SourceKind::Open:
                break;
        }
        const RateShape& s = spec_->shape;
        if (s.kind == RateShape::Kind::Mmpp) return next_mmpp(rng);
        if (constant_) {
            if (ahead_ == kAhead) [[unlikely]]
                refill(rng, s.rate[0]);
            return times_[ahead_++];
        }
        u_ += gaps_.next(spec_->interarrival, rng) * inv_mean_;
        return intensity_.inverse(u_);
    }

  private:
    static constexpr double kInf = std::numeric_limits<double>::infinity();
    static double exp_draw(Rng& rng) { return -natural_log(rng.uniform01()); }

    // A constant rate's next kAhead arrival times, computed as next() would
    // one at a time: the same draws and the same arithmetic, but the draws
    // are taken as a block (Law::sample_n) and the divisions overlap instead
    // of each waiting on the event path (the stream is the source's own;
    // bench/PROFILE.md).
    void refill(Rng& rng, double r) {
        spec_->interarrival.sample_n(rng, times_, kAhead);
        for (double& t : times_) {
            u_ += t * inv_mean_;
            t = r > 0.0 ? u_ / r : kInf;
        }
        ahead_ = 0;
    }

    double next_mmpp(Rng& rng) {
        const RateShape& s = spec_->shape;
        // Both states silent: no arrival ever (and no endless state switching).
        if (!(s.mmpp_rate[0] > 0.0) && !(s.mmpp_rate[1] > 0.0)) return kInf;
        for (;;) {
            const double r = s.mmpp_rate[state_];
            const double t = r > 0.0 ? clock_ + exp_draw(rng) / r : kInf;
            if (t < switch_at_) {
                clock_ = t;
                return t;
            }
            clock_ = switch_at_;
            state_ ^= 1;
            switch_at_ = clock_ + exp_draw(rng) * s.mmpp_sojourn[state_];
        }
    }

    const SourceSpec* spec_;
    Intensity intensity_;
    double inv_mean_ = 1.0;
    bool constant_ = false;
    double u_ = 0.0;
    SampleBlock gaps_;  // a shaped rate's interarrival draws (an MMPP draws its own)
    static constexpr int kAhead = 32;
    double times_[kAhead] = {};  // a constant rate's next arrivals
    int ahead_ = kAhead;         // the next of them to return
    std::size_t index_ = 0;
    int state_ = 0;
    double clock_ = 0.0;
    double switch_at_ = 0.0;
};

}  // namespace capsim

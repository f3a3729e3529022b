// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#include "models/rate_shape.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

namespace capsim {

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();

// Rate and slope of the piecewise shape on the segment starting at knot i.
struct Segment {
    double start, end, rate, slope;
};

Segment segment(const RateShape& s, std::size_t i) {
    const std::size_t n = s.t.size();
    if (i + 1 >= n) {
        const double end = s.period > 0.0 ? s.period : kInf;
        return {s.t[n - 1], end, s.rate[n - 1], 0.0};
    }
    const double len = s.t[i + 1] - s.t[i];
    const double slope = len > 0.0 ? (s.rate[i + 1] - s.rate[i]) / len : 0.0;
    return {s.t[i], s.t[i + 1], s.rate[i], slope};
}

double sinusoid_cumulative(const RateShape& s, double time) {
    const double w = 2.0 * std::numbers::pi / s.period;
    return s.mean * time +
           s.amplitude / w * (std::sin(w * (time - s.peak)) - std::sin(-w * s.peak));
}
}  // namespace

RateShape RateShape::constant(double r) {
    RateShape s;
    s.rate = {r};
    return s;
}

double RateShape::at(double time) const {
    switch (kind) {
        case Kind::Sinusoid:
            return mean + amplitude * std::cos(2.0 * std::numbers::pi * (time - peak) / period);
        case Kind::Mmpp: {
            const double p0 = mmpp_sojourn[0] / (mmpp_sojourn[0] + mmpp_sojourn[1]);
            return p0 * mmpp_rate[0] + (1.0 - p0) * mmpp_rate[1];
        }
        case Kind::Piecewise:
            break;
    }
    if (period > 0.0) time = std::fmod(time, period);
    if (time < t.front()) return rate.front();
    const auto it = std::upper_bound(t.begin(), t.end(), time);
    const std::size_t i = static_cast<std::size_t>(it - t.begin()) - 1;
    const Segment seg = segment(*this, i);
    return seg.rate + seg.slope * (time - seg.start);
}

double RateShape::mean_rate(double horizon) const {
    switch (kind) {
        case Kind::Sinusoid:
            return mean;
        case Kind::Mmpp:
            return at(0.0);
        case Kind::Piecewise:
            break;
    }
    const double span = period > 0.0 ? period : horizon;
    if (span <= 0.0) return rate.front();
    Intensity in(*this);
    return in.cumulative(span) / span;
}

Intensity::Intensity(const RateShape& shape) : shape_(&shape) {
    if (shape.kind != RateShape::Kind::Piecewise) return;
    const std::size_t n = shape.t.size();
    cum_.resize(n);
    // Before the first knot the rate is rate[0]; Lambda(t[0]) covers [0, t[0]).
    double c = shape.rate[0] * std::max(0.0, shape.t[0]);
    for (std::size_t i = 0; i < n; ++i) {
        cum_[i] = c;
        const Segment s = segment(shape, i);
        if (std::isfinite(s.end))
            c += (s.rate + 0.5 * s.slope * (s.end - s.start)) * (s.end - s.start);
    }
    per_period_ = shape.period > 0.0 ? c : 0.0;
}

double Intensity::cumulative(double time) const {
    const RateShape& s = *shape_;
    if (s.kind == RateShape::Kind::Sinusoid) return sinusoid_cumulative(s, time);
    double base = 0.0;
    if (s.period > 0.0) {
        const double cycles = std::floor(time / s.period);
        base = cycles * per_period_;
        time -= cycles * s.period;
    }
    if (time < s.t.front()) return base + s.rate.front() * time;
    const auto it = std::upper_bound(s.t.begin(), s.t.end(), time);
    const std::size_t i = static_cast<std::size_t>(it - s.t.begin()) - 1;
    const Segment g = segment(s, i);
    const double d = time - g.start;
    return base + cum_[i] + (g.rate + 0.5 * g.slope * d) * d;
}

double Intensity::segment_inverse(std::size_t i, double u) const {
    const Segment g = segment(*shape_, i);
    const double need = u - cum_[i];
    if (need <= 0.0) return g.start;
    // Solve rate*d + slope/2*d^2 = need in the form that stays accurate when
    // the slope is tiny or the starting rate is zero.
    const double disc = g.rate * g.rate + 2.0 * g.slope * need;
    const double denom = g.rate + std::sqrt(std::max(0.0, disc));
    if (denom <= 0.0) return kInf;
    return g.start + 2.0 * need / denom;
}

double Intensity::inverse(double u) {
    const RateShape& s = *shape_;
    if (s.kind == RateShape::Kind::Sinusoid) {
        const double w = 2.0 * std::numbers::pi / s.period;
        const double swing = 2.0 * std::abs(s.amplitude) / w;
        if (s.mean <= 0.0) return kInf;
        double lo = std::max(0.0, (u - swing) / s.mean);
        double hi = (u + swing) / s.mean;
        double x = u / s.mean;
        for (int iter = 0; iter < 100; ++iter) {
            const double f = sinusoid_cumulative(s, x) - u;
            if (f > 0.0)
                hi = x;
            else
                lo = x;
            if (hi - lo <= 1e-13 * std::max(1.0, hi)) break;
            const double r = s.at(x);
            double next = r > 0.0 ? x - f / r : 0.5 * (lo + hi);
            if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
            x = next;
        }
        return x;
    }
    double base_time = 0.0;
    if (s.period > 0.0) {
        if (per_period_ <= 0.0) return kInf;
        const double cycles = std::floor(u / per_period_);
        base_time = cycles * s.period;
        u -= cycles * per_period_;
        if (u < cum_[seg_] || seg_ >= cum_.size()) seg_ = 0;
    }
    if (u < cum_.front()) {
        // Before the first knot, at the constant rate[0].
        const double r0 = s.rate.front();
        return r0 > 0.0 ? base_time + u / r0 : base_time + s.t.front();
    }
    while (seg_ + 1 < cum_.size() && cum_[seg_ + 1] <= u) ++seg_;
    return base_time + segment_inverse(seg_, u);
}

}  // namespace capsim

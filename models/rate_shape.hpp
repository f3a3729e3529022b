// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <vector>

namespace capsim {

/// An arrival-rate function of time, in requests per second. Constant,
/// ramp, step, spike, hourly points and per-interval traces all become a
/// piecewise-linear function (knots, optionally repeating with a period);
/// a diurnal sinusoid and a two-state MMPP have their own kinds. The
/// source draws arrivals exactly from it: in operational time Lambda(t) =
/// integral of the rate, inverted analytically, never by stepping the rate.
struct RateShape {
    enum class Kind : std::uint8_t { Piecewise, Sinusoid, Mmpp };
    Kind kind = Kind::Piecewise;

    // Piecewise: rate[i] at time t[i], linear in between; rate[0] before
    // t[0] and the last rate after the last knot. Equal times make a jump.
    std::vector<double> t{0.0};
    std::vector<double> rate{0.0};
    double period = 0.0;  // > 0: the knots in [0, period) repeat forever

    // Sinusoid: mean + amplitude * cos(2 pi (t - peak) / period).
    double mean = 0.0;
    double amplitude = 0.0;
    double peak = 0.0;

    // Mmpp: Poisson at mmpp_rate[s] while in state s; the state lasts an
    // exponential time of mean mmpp_sojourn[s].
    double mmpp_rate[2] = {0.0, 0.0};
    double mmpp_sojourn[2] = {1.0, 1.0};

    static RateShape constant(double r);
    /// Rate at time t (for MMPP: the long-run mean rate).
    double at(double time) const;
    /// Long-run mean rate over one period (or the whole run for a
    /// non-periodic shape, taken over [0, horizon]).
    double mean_rate(double horizon) const;
};

/// Cumulative intensity Lambda(t) and its inverse for a Piecewise or
/// Sinusoid shape. Queries must be made with non-decreasing arguments
/// (arrivals move forward), which lets the piecewise inverse walk its
/// segments in amortised O(1).
class Intensity {
  public:
    explicit Intensity(const RateShape& shape);
    Intensity(const RateShape&&) = delete;  // keeps a pointer: no temporaries
    /// The time t with Lambda(t) = u; +inf when the rate stays 0 forever.
    double inverse(double u);
    double cumulative(double time) const;

  private:
    double segment_inverse(std::size_t i, double u_in_cycle) const;
    const RateShape* shape_;
    std::vector<double> cum_;  // Lambda at each knot (within one period)
    double per_period_ = 0.0;  // Lambda over one period
    std::size_t seg_ = 0;
};

}  // namespace capsim

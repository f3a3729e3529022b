// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#include "models/rate_shape.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "engine/random.hpp"

using capsim::Intensity;
using capsim::RateShape;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

RateShape piecewise(std::vector<double> t, std::vector<double> rate, double period = 0.0) {
    RateShape s;
    s.t = std::move(t);
    s.rate = std::move(rate);
    s.period = period;
    return s;
}

RateShape sinusoid(double mean, double amplitude, double period, double peak) {
    RateShape s;
    s.kind = RateShape::Kind::Sinusoid;
    s.mean = mean;
    s.amplitude = amplitude;
    s.period = period;
    s.peak = peak;
    return s;
}

// The shapes the loader builds (see scenario/traffic_loader.cpp), by hand.
struct NamedShape {
    std::string name;
    RateShape shape;
};

std::vector<NamedShape> shapes() {
    return {
        {"constant", RateShape::constant(250.0)},
        {"ramp", piecewise({0.0, 60.0}, {100.0, 1000.0})},
        {"ramp starting late", piecewise({10.0, 70.0}, {100.0, 1000.0})},
        {"ramp from zero", piecewise({0.0, 30.0}, {0.0, 300.0})},
        {"step (repeated time)", piecewise({0.0, 30.0, 30.0}, {50.0, 50.0, 200.0})},
        {"steps down and up", piecewise({5.0, 5.0, 12.0, 12.0}, {80.0, 20.0, 20.0, 500.0})},
        {"spike", piecewise({100.0, 102.0, 110.0, 130.0}, {20.0, 800.0, 800.0, 20.0})},
        {"periodic hourly",
         piecewise({0.0, 6.0, 12.0, 18.0, 24.0}, {10.0, 5.0, 40.0, 30.0, 10.0}, 24.0)},
        {"periodic step", piecewise({0.0, 2.0, 2.0}, {1.0, 1.0, 9.0}, 5.0)},
        {"periodic, first knot late", piecewise({1.0, 3.0}, {4.0, 2.0}, 4.0)},
        {"sinusoid", sinusoid(100.0, 60.0, 10.0, 3.0)},
        {"sinusoid touching zero", sinusoid(20.0, 20.0, 86400.0, 50400.0)},
    };
}

// Where the rate may have a kink or a jump: numeric integration splits
// there, so each piece is smooth.
std::vector<double> breakpoints(const RateShape& s, double horizon) {
    std::vector<double> b{0.0, horizon};
    if (s.kind == RateShape::Kind::Piecewise) {
        const double span = s.period > 0.0 ? s.period : horizon;
        for (double base = 0.0; base < horizon; base += span) {
            for (double k : s.t)
                if (base + k < horizon) b.push_back(base + k);
            b.push_back(base);
            if (s.period <= 0.0) break;
        }
    }
    std::sort(b.begin(), b.end());
    b.erase(std::unique(b.begin(), b.end()), b.end());
    while (!b.empty() && b.back() > horizon) b.pop_back();
    return b;
}

// Integral of s.at over [0, x] by 5-point Gauss-Legendre on a fine grid
// inside each smooth piece. It never evaluates the rate at a piece's ends,
// so jumps (where at() takes the right-hand value) cost nothing, and it is
// exact for the linear pieces up to rounding.
double integrate(const RateShape& s, double x) {
    static const double node[5] = {0.0, -0.5384693101056831, 0.5384693101056831,
                                   -0.9061798459386640, 0.9061798459386640};
    static const double weight[5] = {0.5688888888888889, 0.4786286704993665, 0.4786286704993665,
                                     0.2369268850561891, 0.2369268850561891};
    const std::vector<double> b = breakpoints(s, x);
    double sum = 0.0;
    for (std::size_t p = 0; p + 1 < b.size(); ++p) {
        const double a = b[p], z = b[p + 1];
        // Sinusoids need a grid fine against their period; 64 cells a period.
        const int cells = s.kind == RateShape::Kind::Sinusoid
                              ? std::max(1, static_cast<int>(64.0 * (z - a) / s.period) + 1)
                              : 1;
        const double h = (z - a) / cells;
        for (int c = 0; c < cells; ++c) {
            const double mid = a + (c + 0.5) * h;
            for (int k = 0; k < 5; ++k) sum += 0.5 * h * weight[k] * s.at(mid + 0.5 * h * node[k]);
        }
    }
    return sum;
}

// Query times for a shape: every knot (and its repeats over a few
// periods), a little either side of each, and random points, sorted
// (Intensity::inverse wants non-decreasing arguments).
std::vector<double> query_times(const RateShape& s, double horizon) {
    std::vector<double> q = breakpoints(s, horizon);
    const std::size_t knots = q.size();
    for (std::size_t i = 0; i < knots; ++i) {
        q.push_back(q[i] + 1e-3);
        if (q[i] > 1e-3) q.push_back(q[i] - 1e-3);
    }
    capsim::Rng rng(17, 0, "rate-shape-test");
    for (int i = 0; i < 400; ++i) q.push_back(horizon * rng.uniform01());
    std::sort(q.begin(), q.end());
    return q;
}

double horizon_of(const RateShape& s) {
    if (s.kind == RateShape::Kind::Sinusoid) return 3.5 * s.period;
    if (s.period > 0.0) return 4.5 * s.period;
    return 2.0 * s.t.back() + 20.0;
}

}  // namespace

TEST_CASE("rate shape: at() interpolates linearly and jumps at repeated times", "[unit]") {
    const RateShape ramp = piecewise({10.0, 70.0}, {100.0, 1000.0});
    CHECK(ramp.at(0.0) == 100.0);  // rate[0] before the first knot
    CHECK(ramp.at(40.0) == Approx(550.0));
    CHECK(ramp.at(500.0) == 1000.0);  // the last rate after the last knot

    // A jump takes its new value at the knot itself (right-continuous).
    const RateShape step = piecewise({0.0, 30.0, 30.0}, {50.0, 50.0, 200.0});
    CHECK(step.at(29.999) == 50.0);
    CHECK(step.at(30.0) == 200.0);

    // A periodic shape repeats.
    const RateShape day =
        piecewise({0.0, 6.0, 12.0, 18.0, 24.0}, {10.0, 5.0, 40.0, 30.0, 10.0}, 24.0);
    for (double t : {0.0, 3.0, 9.5, 17.0, 23.9})
        CHECK(day.at(t + 48.0) == Approx(day.at(t)).epsilon(1e-12));

    const RateShape sine = sinusoid(100.0, 60.0, 10.0, 3.0);
    CHECK(sine.at(3.0) == Approx(160.0));  // the peak
    CHECK(sine.at(8.0) == Approx(40.0));   // half a period later, the trough
}

TEST_CASE("rate shape: cumulative() is the integral of at()", "[unit]") {
    for (const auto& [name, shape] : shapes()) {
        INFO(name);
        const Intensity in(shape);
        const double horizon = horizon_of(shape);
        CHECK(in.cumulative(0.0) == Approx(0.0).margin(1e-9));
        for (double t : query_times(shape, horizon)) {
            INFO("t = " << t);
            const double numeric = integrate(shape, t);
            CHECK(in.cumulative(t) == Approx(numeric).epsilon(1e-9).margin(1e-9));
        }
    }
}

TEST_CASE("rate shape: cumulative() of simple shapes, by hand", "[unit]") {
    const RateShape five = RateShape::constant(5.0);
    CHECK(Intensity(five).cumulative(7.0) == Approx(35.0));
    // Ramp 100 -> 1000 over [0, 60]: area 60 * 550; then 1000/s.
    const RateShape ramp = piecewise({0.0, 60.0}, {100.0, 1000.0});
    CHECK(Intensity(ramp).cumulative(60.0) == Approx(33000.0));
    CHECK(Intensity(ramp).cumulative(70.0) == Approx(43000.0));
    // Periodic step: 1/s for 2 s then 9/s for 3 s: 29 per 5 s period.
    const RateShape ps = piecewise({0.0, 2.0, 2.0}, {1.0, 1.0, 9.0}, 5.0);
    CHECK(Intensity(ps).cumulative(5.0) == Approx(29.0));
    CHECK(Intensity(ps).cumulative(11.0) == Approx(29.0 * 2 + 1.0));
    CHECK(Intensity(ps).cumulative(13.0) == Approx(29.0 * 2 + 2.0 + 9.0));
}

TEST_CASE("rate shape: inverse(cumulative(t)) == t, across knots and periods", "[unit]") {
    for (const auto& [name, shape] : shapes()) {
        INFO(name);
        // One Intensity for the whole sorted sweep (the amortised walk) ...
        Intensity sweep(shape);
        const double peak_rate = shape.kind == RateShape::Kind::Sinusoid
                                     ? shape.mean + shape.amplitude
                                     : *std::max_element(shape.rate.begin(), shape.rate.end());
        for (double t : query_times(shape, horizon_of(shape))) {
            INFO("t = " << t);
            const double u = sweep.cumulative(t);
            const double back = sweep.inverse(u);
            // ... and a fresh one per point (no state carried over).
            Intensity fresh(shape);
            const double fresh_back = fresh.inverse(u);
            if (shape.at(t) > 1e-6 * peak_rate) {
                CHECK(back == Approx(t).epsilon(1e-9).margin(1e-9));
                CHECK(fresh_back == Approx(t).epsilon(1e-9).margin(1e-9));
            } else {
                // Where the rate (nearly) vanishes -- the ramp's start, the
                // trough of a sinusoid that touches 0 -- Lambda is flat to
                // within an ulp over a visible span of t, so t itself cannot
                // be recovered; the inverse must still land on Lambda = u.
                CHECK(sweep.cumulative(back) == Approx(u).epsilon(1e-12).margin(1e-12));
                CHECK(fresh.cumulative(fresh_back) == Approx(u).epsilon(1e-12).margin(1e-12));
            }
        }
    }
}

// Regression: the Newton bracket used swing = 2 * amplitude / w, negative
// for a negative amplitude, so the search stopped after one step (t = 4 came
// back as 2.53). The loader never produces one; hand-built shapes can.
TEST_CASE("rate shape: a sinusoid with a negative amplitude inverts like any other", "[unit]") {
    const RateShape flipped = sinusoid(100.0, -60.0, 10.0, 3.0);
    Intensity in(flipped);
    for (double t : {1.0, 4.0, 7.3, 12.0}) {
        INFO("t = " << t);
        CHECK(in.inverse(in.cumulative(t)) == Approx(t).epsilon(1e-9));
    }
}

TEST_CASE("rate shape: inverse() of a rate that stays 0 forever is +inf", "[unit]") {
    // (Intensity keeps a pointer to its shape, so each shape is named.)
    const RateShape none = RateShape::constant(0.0);
    Intensity zero(none);
    CHECK(zero.inverse(1.0) == kInf);

    // 2/s falling to 0 at t = 10: only 10 arrivals' worth of intensity.
    const RateShape fade = piecewise({0.0, 10.0}, {2.0, 0.0});
    Intensity in(fade);
    CHECK(in.inverse(9.99) == Approx(10.0 - std::sqrt(10.0 * 0.01)));
    CHECK(in.inverse(10.5) == kInf);
    CHECK(in.inverse(1e9) == kInf);

    const RateShape none_periodic = piecewise({0.0, 1.0}, {0.0, 0.0}, 5.0);
    Intensity zero_periodic(none_periodic);
    CHECK(zero_periodic.inverse(0.5) == kInf);

    const RateShape none_sine = sinusoid(0.0, 0.0, 10.0, 0.0);
    Intensity zero_sine(none_sine);
    CHECK(zero_sine.inverse(0.5) == kInf);
}

TEST_CASE("rate shape: a gap at zero rate is skipped by inverse()", "[unit]") {
    // 10/s for 1 s, nothing for 4 s, then 10/s again: intensity 10 is
    // reached at t = 1 and anything above it only after t = 5.
    const RateShape gap = piecewise({0.0, 1.0, 1.0, 5.0, 5.0}, {10.0, 10.0, 0.0, 0.0, 10.0});
    Intensity in(gap);
    CHECK(in.inverse(5.0) == Approx(0.5));
    CHECK(in.inverse(10.5) == Approx(5.05));
    CHECK(in.inverse(20.0) == Approx(6.0));
}

TEST_CASE("rate shape: mean_rate", "[unit]") {
    CHECK(RateShape::constant(5.0).mean_rate(100.0) == Approx(5.0));
    // Non-periodic: averaged over [0, horizon].
    const RateShape step = piecewise({0.0, 30.0, 30.0}, {50.0, 50.0, 200.0});
    CHECK(step.mean_rate(60.0) == Approx((30 * 50.0 + 30 * 200.0) / 60.0));
    CHECK(step.mean_rate(0.0) == 50.0);  // no horizon: the starting rate
    // Periodic: one period's average, whatever the horizon.
    const RateShape ps = piecewise({0.0, 2.0, 2.0}, {1.0, 1.0, 9.0}, 5.0);
    CHECK(ps.mean_rate(1.0) == Approx(29.0 / 5.0));
    CHECK(ps.mean_rate(1e6) == Approx(29.0 / 5.0));
    CHECK(sinusoid(100.0, 60.0, 10.0, 3.0).mean_rate(1.0) == 100.0);

    // MMPP: the stationary mix of its two rates, weighted by mean sojourns.
    RateShape mmpp;
    mmpp.kind = RateShape::Kind::Mmpp;
    mmpp.mmpp_rate[0] = 10.0;
    mmpp.mmpp_rate[1] = 100.0;
    mmpp.mmpp_sojourn[0] = 2.0;
    mmpp.mmpp_sojourn[1] = 0.5;
    CHECK(mmpp.mean_rate(1.0) == Approx(0.8 * 10.0 + 0.2 * 100.0));
    CHECK(mmpp.at(123.0) == Approx(28.0));
}

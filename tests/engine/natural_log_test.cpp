// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
//
// capsim's own logarithm: accurate to 1 ulp over the whole range of normal
// numbers (checked against libm, itself within 1 ulp of the exact value),
// and a block gives the bits of one-at-a-time calls, so a stream's draws do
// not depend on whether they were taken ahead.
#include "engine/natural_log.hpp"

#include <catch2/catch.hpp>

#include <bit>
#include <cmath>
#include <cstdint>
#include <vector>

#include "engine/law.hpp"
#include "engine/random.hpp"

using capsim::natural_log;
using capsim::Rng;

namespace {

// Distance in units in the last place between two finite doubles of one sign.
std::int64_t ulps(double a, double b) {
    const auto d = std::bit_cast<std::int64_t>(a) - std::bit_cast<std::int64_t>(b);
    return d < 0 ? -d : d;
}

}  // namespace

TEST_CASE("natural log: within 1 ulp of libm on every binade of the normal range",
          "[natural_log]") {
    Rng rng(11, 0, "natural_log");
    std::int64_t worst = 0;
    for (int e = -1022; e <= 1023; ++e) {
        for (int i = 0; i < 2000; ++i) {
            const double x = std::ldexp(1.0 + rng.uniform01(), e);
            const double got = natural_log(x);
            const double want = std::log(x);
            // Around x = 1 the result is tiny and ulps are fine-grained:
            // there an absolute bound on the relative error is the check.
            if (std::fabs(want) < 0x1p-20) {
                REQUIRE(std::fabs(got - want) <= 0x1p-52 * std::fabs(want));
            } else {
                worst = std::max(worst, ulps(got, want));
            }
        }
    }
    CHECK(worst <= 1);
}

TEST_CASE("natural log: exact where the answer is", "[natural_log]") {
    CHECK(natural_log(1.0) == 0.0);
    CHECK(natural_log(2.0) == 0x1.62e42fefa39efp-1);  // ln 2, correctly rounded
    CHECK(natural_log(0.5) == -0x1.62e42fefa39efp-1);
    CHECK(natural_log(1.0 - 0x1p-53) == -0x1p-53);  // log(1 - e) = -e to within e^2
}

TEST_CASE("natural log: a block is bit for bit one call per value", "[natural_log]") {
    Rng rng(5, 2, "block");
    std::vector<double> x(1000), block(1000);
    for (std::size_t i = 0; i < x.size(); ++i) {
        x[i] = 1.0 - rng.uniform01();  // the exponential inversion's argument
        block[i] = x[i];
    }
    capsim::natural_log_n(block.data(), block.size());
    for (std::size_t i = 0; i < x.size(); ++i)
        REQUIRE(std::bit_cast<std::uint64_t>(block[i]) ==
                std::bit_cast<std::uint64_t>(natural_log(x[i])));
}

TEST_CASE("natural log: the exponential law draws n at a time as one at a time", "[natural_log]") {
    const capsim::Law exp = capsim::Law::exponential(0.01);
    Rng one(9, 0, "steps[0]"), many(9, 0, "steps[0]");
    std::vector<double> drawn(37);
    exp.sample_n(many, drawn.data(), drawn.size());
    for (double v : drawn) REQUIRE(v == exp.sample(one));
    // Both streams are at the same place afterwards.
    CHECK(one.uniform01() == many.uniform01());
}

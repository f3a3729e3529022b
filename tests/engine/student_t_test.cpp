// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#include "engine/student_t.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <numbers>

using capsim::student_t_quantile;

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
}

TEST_CASE("student_t: 97.5% quantiles match the published tables to 1e-6") {
    const double rel = 1e-6;
    CHECK(student_t_quantile(0.975, 1) == Approx(12.7062047).epsilon(rel));
    CHECK(student_t_quantile(0.975, 2) == Approx(4.30265273).epsilon(rel));
    CHECK(student_t_quantile(0.975, 4) == Approx(2.77644511).epsilon(rel));
    CHECK(student_t_quantile(0.975, 9) == Approx(2.26215716).epsilon(rel));
    CHECK(student_t_quantile(0.975, 29) == Approx(2.04522964).epsilon(rel));
    CHECK(student_t_quantile(0.975, 100) == Approx(1.98397152).epsilon(rel));
}

TEST_CASE("student_t: other levels, tails and fractional df match reference values") {
    // References from Boost.Math / SciPy in double precision.
    const double rel = 1e-9;
    CHECK(student_t_quantile(0.9995, 3) == Approx(12.923978636687961).epsilon(rel));
    CHECK(student_t_quantile(0.999, 5) == Approx(5.893429531356009).epsilon(rel));
    CHECK(student_t_quantile(0.995, 30) == Approx(2.7499956535672254).epsilon(rel));
    CHECK(student_t_quantile(0.9, 2.5) == Approx(1.7302509288071766).epsilon(rel));
    CHECK(student_t_quantile(1e-12, 7) == Approx(-104.02182926264722).epsilon(rel));
    CHECK(student_t_quantile(1e-10, 1) == Approx(-3183098861.8379064).epsilon(rel));
    CHECK(student_t_quantile(0.975, 1e6) == Approx(1.959966356814107).epsilon(rel));
}

TEST_CASE("student_t: df = 1 and df = 2 follow their closed forms") {
    for (double p : {1e-8, 0.01, 0.1, 0.3, 0.7, 0.9, 0.999}) {
        INFO("p = " << p);
        // Cauchy: cot(pi p) is the accurate form in the lower tail.
        const double cauchy = p < 0.25 ? -1.0 / std::tan(std::numbers::pi * p)
                                       : std::tan(std::numbers::pi * (p - 0.5));
        CHECK(student_t_quantile(p, 1) == Approx(cauchy).epsilon(1e-12));
        const double two = (2 * p - 1) / std::sqrt(2 * p * (1 - p));
        CHECK(student_t_quantile(p, 2) == Approx(two).epsilon(1e-12));
    }
}

TEST_CASE("student_t: infinite df gives the normal quantile") {
    CHECK(student_t_quantile(0.975, kInf) == Approx(1.959963984540054).epsilon(1e-14));
    CHECK(student_t_quantile(1e-10, kInf) == Approx(-6.361340902404056).epsilon(1e-14));
    CHECK(student_t_quantile(0.5, kInf) == 0.0);
}

TEST_CASE("student_t: the quantile is odd about p = 1/2 and shrinks as df grows") {
    for (double df : {1.0, 1.5, 3.0, 10.0, 1e3, 1e7}) {
        // Values of p for which 1 - p is exact, so both calls see the same tail.
        for (double p : {0x1p-40, 0x1p-20, 0.0625, 0.375, 0.5 - 0x1p-30}) {
            INFO("df = " << df << ", p = " << p);
            CHECK(student_t_quantile(1 - p, df) ==
                  Approx(-student_t_quantile(p, df)).epsilon(1e-12));
        }
        CHECK(student_t_quantile(0.5, df) == 0.0);
    }
    double previous = kInf;
    for (double df = 1; df <= 200; df += 0.5) {
        const double t = student_t_quantile(0.975, df);
        CHECK(t < previous);
        CHECK(t > 1.959963984540054);
        previous = t;
    }
}

TEST_CASE("student_t: quantiles near the centre keep their relative accuracy") {
    // t = (p - 1/2) / f(0) + O(t^3), f(0) the density at 0: 1/pi for df = 1,
    // 1/(2 sqrt 2) for df = 2, 3/8 for df = 4. p - 1/2 = 2^-40 exactly.
    const double p = 0.5 + 0x1p-40;
    CHECK(student_t_quantile(p, 1) == Approx(std::numbers::pi * 0x1p-40).epsilon(1e-12));
    CHECK(student_t_quantile(p, 2) == Approx(2 * std::sqrt(2.0) * 0x1p-40).epsilon(1e-12));
    CHECK(student_t_quantile(p, 4) == Approx(0x1p-40 / 0.375).epsilon(1e-12));
    CHECK(student_t_quantile(1 - p, 4) == Approx(-0x1p-40 / 0.375).epsilon(1e-12));
}

TEST_CASE("student_t: edges and invalid arguments") {
    CHECK(student_t_quantile(0.0, 5) == -kInf);
    CHECK(student_t_quantile(1.0, 5) == kInf);
    CHECK(std::isnan(student_t_quantile(-0.1, 5)));
    CHECK(std::isnan(student_t_quantile(1.1, 5)));
    CHECK(std::isnan(student_t_quantile(0.5, 0)));
    CHECK(std::isnan(student_t_quantile(0.9, -3)));
    CHECK(std::isnan(student_t_quantile(std::nan(""), 5)));
    CHECK(std::isnan(student_t_quantile(0.9, std::nan(""))));
}

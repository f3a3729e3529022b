// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#include "engine/summary.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "engine/random.hpp"

using capsim::Estimate;
using capsim::estimate;
using capsim::RunningStats;

TEST_CASE("summary: estimate gives the mean and the Student-t half-width") {
    const std::vector<double> values = {1, 2, 3, 4, 5};
    // s = sqrt(2.5), t_{0.975,4} = 2.7764451052: 2.7764451052 * sqrt(2.5 / 5).
    const Estimate e = estimate(values);
    CHECK(e.n == 5);
    CHECK(e.mean == 3.0);
    CHECK(e.half_width == Approx(1.9632431614775572).epsilon(1e-12));
    // 90%: t_{0.95,4} = 2.1318467863.
    CHECK(estimate(values, 0.90).half_width == Approx(1.5074433190623227).epsilon(1e-12));
}

TEST_CASE("summary: the half-width is NaN below two replications") {
    const std::vector<double> one = {7.5};
    const Estimate e1 = estimate(one);
    CHECK(e1.n == 1);
    CHECK(e1.mean == 7.5);
    CHECK(std::isnan(e1.half_width));

    const Estimate e0 = estimate(std::vector<double>{});
    CHECK(e0.n == 0);
    CHECK(std::isnan(e0.mean));
    CHECK(std::isnan(e0.half_width));
}

TEST_CASE("summary: identical replications give a zero half-width") {
    const std::vector<double> same(10, 0.125);
    const Estimate e = estimate(same);
    CHECK(e.mean == 0.125);
    CHECK(e.half_width == 0.0);
}

TEST_CASE("summary: a confidence outside (0, 1) gives a NaN half-width") {
    const std::vector<double> values = {1, 2, 3};
    CHECK(std::isnan(estimate(values, 0.0).half_width));
    CHECK(std::isnan(estimate(values, 1.0).half_width));
    CHECK(std::isnan(estimate(values, 95.0).half_width));
}

TEST_CASE("summary: the variance survives a large common offset") {
    // Variance 1 around 1e9: a naive sum of squares would lose it.
    const std::vector<double> values = {1e9 + 1, 1e9 + 2, 1e9 + 3};
    const double t = 4.302652729749462;  // t_{0.975,2}
    CHECK(estimate(values).half_width == Approx(t / std::sqrt(3.0)).epsilon(1e-9));
    RunningStats rs;
    for (double v : values) {
        rs.add(v);
    }
    CHECK(rs.variance() == Approx(1.0).epsilon(1e-9));
}

TEST_CASE("summary: RunningStats matches the textbook formulas") {
    RunningStats rs;
    CHECK(rs.count() == 0);
    CHECK(std::isnan(rs.mean()));
    CHECK(std::isnan(rs.variance()));
    CHECK(std::isnan(rs.min()));
    CHECK(std::isnan(rs.max()));
    rs.add(4.0);
    CHECK(rs.mean() == 4.0);
    CHECK(std::isnan(rs.variance()));
    for (double v : {2.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0}) {
        rs.add(v);
    }
    CHECK(rs.count() == 8);
    CHECK(rs.mean() == Approx(5.0).epsilon(1e-15));
    CHECK(rs.variance() == Approx(32.0 / 7.0).epsilon(1e-14));
    CHECK(rs.stddev() == Approx(std::sqrt(32.0 / 7.0)).epsilon(1e-14));
    CHECK(rs.min() == 2.0);
    CHECK(rs.max() == 9.0);
}

TEST_CASE("summary: merging RunningStats (Chan) equals adding sequentially") {
    capsim::Rng rng(3, 0, "summary-test");
    std::vector<double> values(10007);
    for (double& v : values) {
        v = 100.0 - 3.0 * std::log(rng.uniform01());
    }

    RunningStats sequential;
    for (double v : values) {
        sequential.add(v);
    }

    for (std::size_t chunk : {1u, 2u, 7u, 1000u, 5003u}) {
        INFO("chunk = " << chunk);
        RunningStats merged;
        for (std::size_t i = 0; i < values.size(); i += chunk) {
            RunningStats part;
            for (std::size_t j = i; j < std::min(values.size(), i + chunk); ++j) {
                part.add(values[j]);
            }
            merged.merge(part);
        }
        CHECK(merged.count() == sequential.count());
        CHECK(merged.mean() == Approx(sequential.mean()).epsilon(1e-12));
        CHECK(merged.variance() == Approx(sequential.variance()).epsilon(1e-10));
        CHECK(merged.min() == sequential.min());
        CHECK(merged.max() == sequential.max());
    }

    RunningStats empty;
    RunningStats copy = sequential;
    copy.merge(empty);
    empty.merge(sequential);
    CHECK(copy.count() == sequential.count());
    CHECK(copy.mean() == sequential.mean());
    CHECK(empty.count() == sequential.count());
    CHECK(empty.variance() == sequential.variance());
}

TEST_CASE("summary: estimate from RunningStats equals estimate from the values") {
    const std::vector<double> values = {0.31, 0.29, 0.35, 0.30, 0.33, 0.28};
    RunningStats rs;
    for (double v : values) {
        rs.add(v);
    }
    const Estimate a = estimate(values, 0.99);
    const Estimate b = estimate(rs, 0.99);
    CHECK(b.n == a.n);
    CHECK(b.mean == Approx(a.mean).epsilon(1e-14));
    CHECK(b.half_width == Approx(a.half_width).epsilon(1e-12));
    CHECK(std::isnan(estimate(RunningStats{}).half_width));
}

// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "engine/zipf.hpp"

using capsim::Rng;
using capsim::ZipfSampler;

namespace {

// Pearson chi-square of observed counts against Zipf(n, s) probabilities.
double chi_square(const std::vector<double>& counts, double s, double draws) {
    double total = 0.0;
    for (std::size_t k = 1; k < counts.size(); ++k) total += std::pow(double(k), -s);
    double chi = 0.0;
    for (std::size_t k = 1; k < counts.size(); ++k) {
        const double expected = draws * std::pow(double(k), -s) / total;
        chi += (counts[k] - expected) * (counts[k] - expected) / expected;
    }
    return chi;
}

}  // namespace

TEST_CASE("zipf: ranks follow k^-s for s below, at and above 1", "[unit]") {
    // 50 ranks, 49 degrees of freedom: the 99.9% point of chi-square(49) is 85.4.
    for (const double s : {0.0, 0.5, 1.0, 1.3}) {
        const ZipfSampler z(50, s);
        Rng rng(7, 0, "zipf");
        std::vector<double> counts(51, 0.0);
        const int draws = 200000;
        for (int i = 0; i < draws; ++i) {
            const auto k = z.sample(rng);
            REQUIRE(k >= 1);
            REQUIRE(k <= 50);
            ++counts[k];
        }
        INFO("s = " << s);
        CHECK(chi_square(counts, s, draws) < 85.4);
    }
}

TEST_CASE("zipf: a huge key space costs nothing and stays in range", "[unit]") {
    const ZipfSampler z(1000000000000ULL, 0.9);
    Rng rng(1, 0, "big");
    std::uint64_t top = 0;
    for (int i = 0; i < 100000; ++i) {
        const auto k = z.sample(rng);
        REQUIRE(k >= 1);
        REQUIRE(k <= 1000000000000ULL);
        if (k == 1) ++top;
    }
    // P(1) = 1 / H(n, 0.9) with H(10^12, 0.9) = about 155.8: about 642 in 100k.
    CHECK(top > 500);
    CHECK(top < 800);
}

// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
//
// Drawing a block ahead changes nothing: the values, in their order, are
// those of drawing one at a time, for laws that take one uniform per
// sample and for those that take a varying number (rejection, resampling).
#include "engine/sample_block.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "engine/law.hpp"
#include "engine/random.hpp"

using capsim::Law;
using capsim::Rng;
using capsim::SampleBlock;

TEST_CASE("sample block: the same draws in the same order as one at a time", "[sample_block]") {
    const std::vector<Law> laws = {
        Law::exponential(0.01),
        Law::constant(0.005),
        Law::lognormal_mean_p99(0.008, 0.08),
        Law::normal(0.01, 0.006),  // truncated at 0 by resampling
        Law::gamma(0.7, 0.01),     // Marsaglia-Tsang: a rejection method
        Law::empirical({0.001, 0.002, 0.004, 0.030}),
        Law::mixture({0.9, 0.1}, {Law::exponential(0.002), Law::exponential(0.2)}),
    };
    for (std::size_t k = 0; k < laws.size(); ++k) {
        INFO("law " << k);
        Rng one(3, 1, "steps[0]"), ahead(3, 1, "steps[0]");
        SampleBlock block;
        // Several blocks, and a partial one.
        for (int i = 0; i < 5 * SampleBlock::kSize + 7; ++i)
            REQUIRE(block.next(laws[k], ahead) == laws[k].sample(one));
    }
}

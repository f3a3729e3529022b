// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#include "engine/window_quantiles.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

#include "engine/random.hpp"

TEST_CASE("window quantiles: exact nearest-rank below the spill size, histogram-bounded above",
          "[unit]") {
    capsim::Rng rng(5, 0, "window");
    capsim::WindowQuantiles w;
    std::vector<double> values;
    for (int i = 0; i < 1000; ++i) {
        const double v = -std::log(rng.uniform01()) * 0.01;
        values.push_back(v);
        w.record(v);
    }
    const double q[3] = {0.0, 0.5, 0.99};
    double out[3];
    w.quantiles(q, out, 3);
    std::sort(values.begin(), values.end());
    CHECK(out[0] == values[0]);
    CHECK(out[1] == values[499]);  // rank ceil(0.5 * 1000) = 500
    CHECK(out[2] == values[989]);  // rank ceil(0.99 * 1000) = 990
    w.clear();
    CHECK(w.count() == 0);
    w.quantiles(q, out, 1);
    CHECK(std::isnan(out[0]));

    // Past the spill size the histogram takes over: within its 1% bound.
    values.clear();
    for (std::size_t i = 0; i < 3 * capsim::WindowQuantiles::kExact; ++i) {
        const double v = -std::log(rng.uniform01()) * 0.01;
        values.push_back(v);
        w.record(v);
    }
    std::sort(values.begin(), values.end());
    w.quantiles(q + 2, out, 1);
    const double exact =
        values[static_cast<std::size_t>(std::ceil(0.99 * static_cast<double>(values.size()))) - 1];
    CHECK(std::abs(out[0] - exact) <= 0.01 * exact);
}

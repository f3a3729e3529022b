// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#include <catch2/catch.hpp>

#include <vector>

#include "analysis/bounds.hpp"
#include "analysis/mva.hpp"
#include "engine/random.hpp"

using namespace capsim;
using namespace capsim::analysis;

// The bounds are theorems for single-server product-form networks, so
// exact MVA must lie inside them for any demands, think time and N.
TEST_CASE("bounds: asymptotic and balanced job bounds contain exact MVA", "[analysis][bounds]") {
    Rng rng(11, 0, "bounds");
    for (int trial = 0; trial < 300; ++trial) {
        const auto k = 1 + rng.below(6);
        std::vector<MvaStation> net;
        double dsum = 0.0, dmax = 0.0;
        for (std::uint64_t i = 0; i < k; ++i) {
            const double d = 0.001 + rng.uniform01();
            net.push_back({d, 1, 1});
            dsum += d;
            dmax = std::max(dmax, d);
        }
        const double z = rng.uniform01() < 0.3 ? 0.0 : 5.0 * rng.uniform01();
        const auto n = static_cast<std::uint32_t>(1 + rng.below(60));
        const MvaResult m = mva(net, z, n);
        const ClosedBounds b = closed_bounds(n, z, dsum, 1.0 / dmax, net);
        INFO("trial " << trial << ": K = " << k << ", N = " << n << ", Z = " << z);
        const double eps = 1e-9 * (1.0 + m.throughput);
        CHECK(b.balanced_exact);
        CHECK(m.throughput <= b.x_upper + eps);
        CHECK(m.throughput >= b.x_lower - eps);
        CHECK(m.throughput <= b.bjb_x_upper + eps);
        CHECK(m.throughput >= b.bjb_x_lower - eps);
        CHECK(m.response >= b.r_lower - 1e-9 * m.response);
        CHECK(m.response <= b.r_upper + 1e-9 * m.response);
        CHECK(m.response >= b.bjb_r_lower - 1e-9 * m.response);
        CHECK(m.response <= b.bjb_r_upper + 1e-9 * m.response);
        // The balanced bounds are the tighter ones.
        CHECK(b.bjb_x_upper <= b.x_upper + eps);
        CHECK(b.bjb_x_lower >= b.x_lower - eps);
    }
}

TEST_CASE("bounds: N* is where the two asymptotes meet", "[analysis][bounds]") {
    const ClosedBounds b =
        closed_bounds(10, 4.0, 6.0, 1.0 / 3.0, {{2, 1, 1}, {3, 1, 1}, {1, 1, 1}});
    CHECK(b.n_star == Approx(10.0 / 3.0));
    CHECK(b.x_upper == Approx(1.0 / 3.0));
    CHECK(b.r_lower == Approx(10.0 * 3.0 - 4.0));
}

TEST_CASE("bounds: the bottleneck law orders resources by the load that saturates them",
          "[analysis][bounds]") {
    std::vector<Resource> rs = {
        {ResourceKind::Cores, "api", 0, 4, 2.0},     // 8 cores
        {ResourceKind::Workers, "api", 0, 4, 32.0},  // 128 workers
        {ResourceKind::Cores, "db", 1, 1, 8.0},
        {ResourceKind::Cores, "idle", 2, 1, 1.0},
    };
    // At 900 req/s: api cores busy 900 x 6ms = 5.4, workers 900 x 50ms = 45, db 900 x 5ms = 4.5.
    const Bottleneck b =
        bottleneck_law(rs, {5.4, 45.0, 4.5, 0.0}, {10.8, 90.0, 9.0, 0.0}, 900.0, 1800.0);
    REQUIRE(b.order.size() == 3);
    CHECK(b.order[0] == 0);
    CHECK(b.order[1] == 2);
    CHECK(b.order[2] == 1);
    CHECK(b.loads[0].demand == Approx(0.006));
    CHECK(b.loads[0].x_max == Approx(8.0 / 0.006));
    CHECK(b.loads[0].utilization == Approx(5.4 / 8.0));
    CHECK(b.loads[0].peak_utilization == Approx(10.8 / 8.0));
    CHECK(b.x_max == Approx(8.0 / 0.006));
    CHECK(b.headroom == Approx(8.0 / 0.006 / 900.0));
}

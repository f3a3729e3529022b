// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#include <catch2/catch.hpp>

#include <cmath>
#include <numeric>
#include <vector>

#include "analysis/mva.hpp"

using capsim::analysis::mva;
using capsim::analysis::MvaStation;

// R. Jain, The Art of Computer Systems Performance Analysis (Wiley, 1991),
// Example 34.2 and Table 34.1: the central-server model of a timesharing
// system. CPU S = 0.125 s with V = 16 visits, disk A S = 0.3 s with V = 10,
// disk B S = 0.2 s with V = 5, think time Z = 4 s. The table prints the
// system response time, throughput and queue lengths to 3 decimals.
TEST_CASE("mva: the central-server model of Jain (1991), Table 34.1", "[analysis][mva]") {
    const std::vector<MvaStation> net = {{0.125 * 16, 1, 1}, {0.3 * 10, 1, 1}, {0.2 * 5, 1, 1}};
    struct Row {
        unsigned n;
        double r, x, q_cpu, q_a, q_b;
    };
    const Row table[] = {
        {1, 6.000, 0.100, 0.200, 0.300, 0.100},    {2, 7.400, 0.175, 0.421, 0.684, 0.193},
        {3, 9.088, 0.229, 0.651, 1.158, 0.273},    {4, 11.051, 0.266, 0.878, 1.721, 0.338},
        {5, 13.256, 0.290, 1.088, 2.365, 0.388},   {17, 47.045, 0.333, 1.974, 13.195, 0.499},
        {18, 50.032, 0.333, 1.981, 14.187, 0.499}, {19, 53.022, 0.333, 1.987, 15.181, 0.500},
        {20, 56.016, 0.333, 1.991, 16.177, 0.500},
    };
    for (const Row& row : table) {
        INFO("N = " << row.n);
        const auto m = mva(net, 4.0, row.n);
        // Half a unit in the printed third decimal.
        CHECK(m.response == Approx(row.r).margin(0.0005));
        CHECK(m.throughput == Approx(row.x).margin(0.0005));
        CHECK(m.queue[0] == Approx(row.q_cpu).margin(0.0005));
        CHECK(m.queue[1] == Approx(row.q_a).margin(0.0005));
        CHECK(m.queue[2] == Approx(row.q_b).margin(0.0005));
    }
}

// D. Menasce, V. Almeida, L. Dowdy, Performance by Design (Prentice Hall,
// 2004), sec. 12.2: the database server with a CPU (D = 10 s), a fast disk
// (15 s x 0.5 visits) and a slow disk (30 s x 0.5), two customers, no
// think time; the Markov chain of its Figure 12.2 gives the queue lengths
// 0.5913, 0.4174 and 0.9913.
TEST_CASE("mva: the database server of Menasce et al. (2004), two customers", "[analysis][mva]") {
    const auto m = mva({{10.0, 1, 1}, {7.5, 1, 1}, {15.0, 1, 1}}, 0.0, 2);
    CHECK(m.queue[0] == Approx(0.5913).margin(5e-5));
    CHECK(m.queue[1] == Approx(0.4174).margin(5e-5));
    CHECK(m.queue[2] == Approx(0.9913).margin(5e-5));
    CHECK(m.queue[0] + m.queue[1] + m.queue[2] == Approx(2.0));
}

// The finite-source machine-repairman model is a closed network of one
// c-server station and a delay (the machines' up time): its birth-death
// chain is the exact oracle for load-dependent MVA.
TEST_CASE("mva: a c-server station matches the machine-repairman birth-death chain",
          "[analysis][mva]") {
    for (unsigned c : {1u, 2u, 3u, 8u}) {
        for (unsigned n : {1u, 5u, 12u, 40u}) {
            const double up = 2.0, repair = 0.5;
            std::vector<double> p(n + 1);
            p[0] = 1.0;
            for (unsigned k = 1; k <= n; ++k)
                p[k] = p[k - 1] * (n - k + 1) / up / (std::min(k, c) / repair);
            const double total = std::accumulate(p.begin(), p.end(), 0.0);
            double busy = 0.0, broken = 0.0;
            for (unsigned k = 0; k <= n; ++k) {
                busy += std::min(k, c) * p[k] / total;
                broken += k * p[k] / total;
            }
            const double x = busy / repair;
            INFO("c = " << c << ", N = " << n);
            const auto m = mva({{repair, c, 1}}, up, n);
            CHECK(m.throughput == Approx(x).epsilon(1e-10));
            CHECK(m.queue[0] == Approx(broken).epsilon(1e-9));
            CHECK(m.utilization[0] == Approx(busy / c).epsilon(1e-10));
        }
    }
}

TEST_CASE("mva: identical copies share the demand like separate stations", "[analysis][mva]") {
    // Two replicas of 2 servers each, demand 0.4 s in all, against the same
    // network written out as two stations of 0.2 s.
    const auto copies = mva({{0.4, 2, 2}, {0.1, 1, 1}}, 1.0, 25);
    const auto split = mva({{0.2, 2, 1}, {0.2, 2, 1}, {0.1, 1, 1}}, 1.0, 25);
    CHECK(copies.throughput == Approx(split.throughput).epsilon(1e-12));
    CHECK(copies.queue[0] == Approx(split.queue[0] + split.queue[1]).epsilon(1e-12));
    CHECK(copies.residence[0] == Approx(split.residence[0] + split.residence[1]).epsilon(1e-12));
}

TEST_CASE("mva: a delay centre and a station with servers >= N never queue", "[analysis][mva]") {
    const auto m = mva({{0.3, 0, 1}, {0.2, 10, 1}}, 0.5, 10);
    CHECK(m.residence[0] == Approx(0.3));
    CHECK(m.residence[1] == Approx(0.2));
    CHECK(m.throughput == Approx(10.0 / 1.0));
}

TEST_CASE("mva: many users reach the bottleneck's capacity", "[analysis][mva]") {
    // 4 servers of 0.1 s: at most 40 requests per second.
    const auto m = mva({{0.1, 4, 1}, {0.02, 1, 1}}, 1.0, 2000);
    CHECK(m.throughput == Approx(40.0).epsilon(1e-9));
    CHECK(m.utilization[0] == Approx(1.0).epsilon(1e-9));
    REQUIRE(m.throughput_by_population.size() == 2000);
    for (std::size_t n = 1; n < m.throughput_by_population.size(); ++n)
        CHECK(m.throughput_by_population[n] >= m.throughput_by_population[n - 1] - 1e-12);
}

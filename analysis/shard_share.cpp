// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#include "analysis/shard_share.hpp"

#include <algorithm>
#include <cmath>

#include "models/database_layout.hpp"

namespace capsim::analysis {

namespace {

constexpr std::uint64_t kExact = 1u << 16;

// sum of k^-s for k in (a, b], by the midpoint rule: x^-s is smooth and
// flat this far out, so the error is far below the exact head's weight.
double tail_mass(double a, double b, double s) {
    const double lo = a + 0.5, hi = b + 0.5;
    if (std::fabs(s - 1.0) < 1e-12) return std::log(hi / lo);
    return (std::pow(hi, 1.0 - s) - std::pow(lo, 1.0 - s)) / (1.0 - s);
}

}  // namespace

std::vector<double> shard_share(std::uint32_t table, std::uint64_t rows, double zipf,
                                std::uint32_t shards) {
    shards = std::max<std::uint32_t>(shards, 1);
    rows = std::max<std::uint64_t>(rows, 1);
    std::vector<double> share(shards, 0.0);
    const double s = std::max(0.0, zipf);
    const std::uint64_t head = std::min(rows, kExact);
    double total = 0.0;
    for (std::uint64_t k = 1; k <= head; ++k) {
        const double p = s > 0.0 ? std::pow(static_cast<double>(k), -s) : 1.0;
        share[shard_of(row_key(table, k), shards)] += p;
        total += p;
    }
    if (rows > head) {
        const double tail =
            s > 0.0 ? tail_mass(double(head), double(rows), s) : static_cast<double>(rows - head);
        for (double& x : share) x += tail / shards;
        total += tail;
    }
    for (double& x : share) x /= total;
    return share;
}

}  // namespace capsim::analysis

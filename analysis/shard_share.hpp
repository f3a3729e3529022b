// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <vector>

namespace capsim::analysis {

/// Each shard's share of the accesses to one table's rows: row k of `rows`
/// is drawn with probability proportional to k^-zipf (0: uniform) and
/// lives on shard_of(row_key(table, k), shards), as in the engine. The
/// 65,536 most popular rows are summed exactly, so a hot row weighs on
/// the shard that really holds it; the tail, where no row weighs much,
/// is split evenly (its mass from the integral of x^-zipf). Sums to 1.
std::vector<double> shard_share(std::uint32_t table, std::uint64_t rows, double zipf,
                                std::uint32_t shards);

}  // namespace capsim::analysis

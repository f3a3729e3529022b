// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#pragma once

#include "models/model.hpp"

namespace capsim::analysis {

/// The steady-state hit ratio of a cache-aside cache whose `keys` are
/// requested independently with Zipf(`zipf`) popularity at `lookups` per
/// second in all. An LRU cache smaller than its key space hits key i with
/// probability 1 - exp(-lambda_i T) (Che's approximation: the
/// characteristic time T solves sum_i (1 - exp(-lambda_i T)) = capacity);
/// a TTL set on insert, not refreshed by hits, caps that at
/// lambda_i ttl / (1 + lambda_i ttl) (a renewal argument: one miss, then
/// hits until the entry expires). With both, the smaller of the two: the
/// estimate ignores the room expired entries free, so it errs low.
/// Flushes, cold starts and stampedes are not in it. `lookups` matters only
/// with a TTL. The key space is summed exactly for the 2,000 most popular
/// keys and in geometric buckets beyond, so it costs microseconds for
/// millions of keys.
double cache_hit_ratio(const CacheSpec& cache, double lookups);

}  // namespace capsim::analysis

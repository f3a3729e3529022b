// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <vector>

#include "models/hash_ring.hpp"

namespace capsim::analysis {

/// Each replica's share of the requests sent under `count` keys drawn
/// uniformly, key j being base | uint32(first + j) (the engine's client
/// ids, or its closed-loop users with base 1 << 40). The first 65,536 keys
/// are looked up on the ring one by one, so a few keys land where the
/// engine sends them; the rest, none weighing much, spread by the ring's
/// arcs (HashRing::arc_share). Sums to 1.
std::vector<double> hash_share(const HashRing& ring, std::uint64_t base, std::uint32_t first,
                               std::uint64_t count);

}  // namespace capsim::analysis

// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#include "analysis/hash_share.hpp"

#include <algorithm>

namespace capsim::analysis {

std::vector<double> hash_share(const HashRing& ring, std::uint64_t base, std::uint32_t first,
                               std::uint64_t count) {
    constexpr std::uint64_t kExact = 1u << 16;
    count = std::max<std::uint64_t>(count, 1);
    const std::vector<double> arcs = ring.arc_share();
    std::vector<double> share(arcs.size(), 0.0);
    const std::uint64_t head = std::min(count, kExact);
    for (std::uint64_t j = 0; j < head; ++j)
        share[ring.owner(base | static_cast<std::uint32_t>(first + j))] += 1.0;
    for (std::size_t k = 0; k < share.size(); ++k)
        share[k] =
            (share[k] + arcs[k] * static_cast<double>(count - head)) / static_cast<double>(count);
    return share;
}

}  // namespace capsim::analysis

// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "engine/random.hpp"

namespace capsim {

/// A consistent-hash ring (Karger et al. 1997, laid out as Ketama does):
/// each replica owns `points` pseudo-random points on a 64-bit circle and a
/// key belongs to the first point at or after its hash. The ring is
/// configuration, not chance: it depends on the service's name and replica
/// count only, so every replication and seed routes a client the same way,
/// and losing a replica moves only the keys of its own arcs.
class HashRing {
  public:
    static constexpr std::uint32_t kPoints = 160;

    HashRing() = default;
    HashRing(std::uint32_t replicas, std::uint64_t salt, std::uint32_t points = kPoints)
        : replicas_(replicas) {
        std::vector<std::pair<std::uint64_t, std::uint32_t>> ring;
        ring.reserve(std::size_t{replicas} * points);
        // The salt is hashed before it meets the point numbers: XORed raw,
        // salts 42 and 43 would give the same set of points.
        std::uint64_t mixed = salt;
        const std::uint64_t base = splitmix64(mixed);
        for (std::uint32_t r = 0; r < replicas; ++r)
            for (std::uint32_t v = 0; v < points; ++v) {
                std::uint64_t state = base ^ ((std::uint64_t{r} << 32) | v);
                ring.emplace_back(splitmix64(state), r);
            }
        std::sort(ring.begin(), ring.end());
        for (const auto& [point, replica] : ring) {
            point_.push_back(point);
            replica_.push_back(replica);
        }
    }

    /// The key of a closed-loop user's requests, apart from every client id
    /// (those are 32-bit): the engine and the analytic layer key alike.
    static constexpr std::uint64_t user_key(std::uint32_t user) {
        return (std::uint64_t{1} << 40) | user;
    }

    /// Where a key lands on the circle. Keys are offset into a domain of
    /// their own: small keys and small point numbers must not share hashes.
    static std::uint64_t position(std::uint64_t key) {
        std::uint64_t state = key ^ 0x5851F42D4C957F2DULL;
        return splitmix64(state);
    }

    /// The replica owning `key`.
    std::uint32_t owner(std::uint64_t key) const { return replica_[first(position(key))]; }

    /// The first replica clockwise from `key` that `usable` accepts (one
    /// that is up, or under its load bound); the key's owner when none is.
    template <class Usable>
    std::uint32_t owner(std::uint64_t key, Usable usable) const {
        const std::size_t start = first(position(key));
        for (std::size_t i = 0; i < point_.size(); ++i) {
            const std::uint32_t r = replica_[(start + i) % point_.size()];
            if (usable(r)) return r;
        }
        return replica_[start];
    }

    /// Each replica's share of the circle: the fraction of keys it owns
    /// when keys are many and none weighs more than another. A point owns
    /// the arc back to the point before it, the first one the wrap past 0.
    std::vector<double> arc_share() const {
        std::vector<double> share(replicas_, 0.0);
        const std::size_t n = point_.size();
        if (n == 1) share[replica_[0]] = 1.0;
        for (std::size_t i = 0; n > 1 && i < n; ++i)
            share[replica_[i]] +=
                0x1p-64 * static_cast<double>(point_[i] - point_[(i + n - 1) % n]);
        return share;
    }

  private:
    std::size_t first(std::uint64_t at) const {
        const auto it = std::lower_bound(point_.begin(), point_.end(), at);
        return it == point_.end() ? 0 : static_cast<std::size_t>(it - point_.begin());
    }

    std::uint32_t replicas_ = 0;
    std::vector<std::uint64_t> point_;  // sorted
    std::vector<std::uint32_t> replica_;
};

}  // namespace capsim

// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <string>

#include "engine/random.hpp"
#include "models/model.hpp"

namespace capsim {

/// How a database's servers are laid out and which one holds a row: one
/// source for the engine's routing, the report's member names and the
/// analytic layer's per-server demands, so the three cannot disagree.
///
/// Servers are numbered shard by shard, each shard's primary first, then
/// its replicas: server k is shard k / (1 + replicas), role k % (1 + replicas).
inline std::uint32_t member_count(const DatabaseSpec& db) {
    return db.shards * (1 + db.replicas);
}

/// The report's name of server k: "db" alone, else "db.shard[2]",
/// "db.replica[0]" or "db.shard[0].replica[1]".
inline std::string member_name(const DatabaseSpec& db, std::uint32_t k) {
    const std::uint32_t per_shard = 1 + db.replicas;
    std::string name = db.name;
    if (db.shards > 1) name += ".shard[" + std::to_string(k / per_shard) + "]";
    if (k % per_shard > 0) name += ".replica[" + std::to_string(k % per_shard - 1) + "]";
    return name;
}

/// A row's key, unique across the database's tables (rows are ranks 1..n,
/// below 2^40): the lock, staleness and shard key of the row.
constexpr std::uint64_t row_key(std::uint32_t table, std::uint64_t row) {
    return (static_cast<std::uint64_t>(table) << 40) | row;
}

/// The shard a key lives on. Hashed, so neighbouring (and hot) rows spread
/// out instead of filling the first shard.
constexpr std::uint32_t shard_of(std::uint64_t key, std::uint32_t shards) {
    std::uint64_t h = key;
    return static_cast<std::uint32_t>(splitmix64(h) % shards);
}

}  // namespace capsim

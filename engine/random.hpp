// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <string_view>

namespace capsim {

__extension__ using uint128 = unsigned __int128;

/// SplitMix64 step; used to expand seeds, never as a simulation stream.
constexpr std::uint64_t splitmix64(std::uint64_t& state) {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/// FNV-1a over an entity name: stable across platforms and runs, so a
/// stream's identity depends only on the name the user gave the entity.
constexpr std::uint64_t name_hash(std::string_view name) {
    std::uint64_t h = 0xCBF29CE484222325ULL;
    for (char c : name) {
        h ^= static_cast<unsigned char>(c);
        h *= 0x100000001B3ULL;
    }
    return h;
}

/// One random stream: xoshiro256**. Our own generator and our own
/// transforms (see law.hpp) keep results identical across standard
/// libraries, which std::*_distribution does not.
class Rng {
  public:
    Rng() : Rng(0, 0, "") {}

    /// The stream of entity `name` in replication `replication` of a run
    /// seeded with `seed`. Streams of different names are independent, so
    /// changing one station leaves every other stream's draws untouched
    /// (common random numbers across what-if variants).
    Rng(std::uint64_t seed, std::uint64_t replication, std::string_view name) {
        std::uint64_t sm = seed ^ (name_hash(name) * 0xD1B54A32D192ED03ULL);
        sm ^= splitmix64(sm) + replication * 0x8CB92BA72F3D8DD7ULL;
        for (auto& w : s_) w = splitmix64(sm);
    }

    std::uint64_t next() {
        const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
        const std::uint64_t t = s_[1] << 17;
        s_[2] ^= s_[0];
        s_[3] ^= s_[1];
        s_[1] ^= s_[2];
        s_[0] ^= s_[3];
        s_[2] ^= t;
        s_[3] = rotl(s_[3], 45);
        return result;
    }

    /// Uniform on the open interval (0, 1): never 0, so -log(u) is finite,
    /// and never 1. 52 bits, so k + 0.5 is exact in a double (with 53 bits
    /// the largest k + 0.5 would round up to 2^53 and give exactly 1).
    double uniform01() { return (static_cast<double>(next() >> 12) + 0.5) * 0x1.0p-52; }

    /// Uniform integer in [0, n), n > 0 (Lemire's multiply-shift; the tiny
    /// bias for n far below 2^64 is irrelevant here and keeps it branch-free).
    std::uint64_t below(std::uint64_t n) {
        return static_cast<std::uint64_t>((static_cast<uint128>(next()) * n) >> 64);
    }

  private:
    static constexpr std::uint64_t rotl(std::uint64_t x, int k) {
        return (x << k) | (x >> (64 - k));
    }
    std::uint64_t s_[4]{};
};

}  // namespace capsim

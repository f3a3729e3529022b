// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <limits>
#include <unordered_map>
#include <vector>

namespace capsim {

/// The contents of one cache: which keys are present, until when, and in
/// what order they were last used. A get of a present, unexpired key is a
/// hit and makes it most recently used; a set inserts (or refreshes) a key
/// with a fresh TTL, evicting the least recently used entry when full. An
/// expired entry stays until it is touched or evicted, as in Redis's lazy
/// expiry, so it still occupies capacity meanwhile.
class CacheStore {
  public:
    static constexpr double kNever = std::numeric_limits<double>::infinity();

    void configure(std::uint64_t capacity, double ttl);

    /// What a hit found: when its value was stored, when it expires, and
    /// how long the fill that stored it took (early refresh weighs it).
    struct Found {
        double set_at = 0.0;
        double expires = kNever;
        double fill = 0.0;
    };

    /// True when `key` is present and not expired at `now`; `found`, when
    /// given, receives what the entry holds.
    bool get(std::uint64_t key, double now, Found* found = nullptr);
    /// Empty the cache (a restart or a FLUSHALL).
    void flush();
    /// Store `key` from `now` for the TTL; `fill` is how long computing the
    /// value took.
    void set(std::uint64_t key, double now, double fill = 0.0);
    /// Drop `key` (invalidate on write).
    void erase(std::uint64_t key);

    std::uint64_t size() const { return index_.size(); }
    std::uint64_t evictions() const { return evictions_; }
    std::uint64_t expirations() const { return expirations_; }

  private:
    static constexpr std::uint32_t kNil = std::numeric_limits<std::uint32_t>::max();
    struct Entry {
        std::uint64_t key = 0;
        double expires = kNever;
        double set_at = 0.0;
        double fill = 0.0;
        std::uint32_t prev = kNil;  // towards the most recently used
        std::uint32_t next = kNil;  // towards the least recently used
    };
    void unlink(std::uint32_t e);
    void push_front(std::uint32_t e);
    void remove(std::uint32_t e);

    std::vector<Entry> entries_;
    std::vector<std::uint32_t> free_;
    std::unordered_map<std::uint64_t, std::uint32_t> index_;
    std::uint32_t head_ = kNil;  // most recently used
    std::uint32_t tail_ = kNil;  // least recently used
    std::uint64_t capacity_ = 0;
    double ttl_ = kNever;
    std::uint64_t evictions_ = 0;
    std::uint64_t expirations_ = 0;
};

}  // namespace capsim

// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#include <catch2/catch.hpp>

#include "models/cache_store.hpp"

using capsim::CacheStore;

TEST_CASE("cache store: a full LRU evicts the least recently used key", "[unit]") {
    CacheStore c;
    c.configure(2, CacheStore::kNever);
    c.set(1, 0.0);
    c.set(2, 0.0);
    CHECK(c.get(1, 1.0));  // 1 is now the most recent
    c.set(3, 2.0);         // evicts 2
    CHECK(c.evictions() == 1);
    CHECK(c.get(1, 3.0));
    CHECK_FALSE(c.get(2, 3.0));
    CHECK(c.get(3, 3.0));
    CHECK(c.size() == 2);
}

TEST_CASE("cache store: keys expire a TTL after they were set, not after use", "[unit]") {
    CacheStore c;
    c.configure(10, 5.0);
    c.set(7, 1.0);
    CHECK(c.get(7, 5.9));
    CHECK_FALSE(c.get(7, 6.0));  // expired at 1 + 5
    CHECK(c.expirations() == 1);
    CHECK(c.size() == 0);
    c.set(7, 6.0);
    c.set(7, 9.0);  // a set refreshes the TTL
    CHECK(c.get(7, 13.5));
}

TEST_CASE("cache store: invalidation and a zero capacity", "[unit]") {
    CacheStore c;
    c.configure(10, CacheStore::kNever);
    c.set(1, 0.0);
    c.erase(1);
    CHECK_FALSE(c.get(1, 0.0));
    c.erase(42);  // absent: harmless
    CacheStore none;
    none.configure(0, CacheStore::kNever);
    none.set(1, 0.0);
    CHECK_FALSE(none.get(1, 0.0));
}

TEST_CASE("cache store: freed slots are reused, so memory stays at capacity", "[unit]") {
    CacheStore c;
    c.configure(100, 1.0);
    for (int round = 0; round < 50; ++round)
        for (std::uint64_t k = 0; k < 100; ++k) {
            const double now = round * 2.0;
            if (!c.get(k + 1000 * std::uint64_t(round), now))
                c.set(k + 1000 * std::uint64_t(round), now);
        }
    CHECK(c.size() <= 100);
}

TEST_CASE("cache store: a hit reports when its value was set, expires and took to fill", "[unit]") {
    // Early refresh weighs the last fill's duration: a refreshed key must
    // carry its new fill, not the first one.
    CacheStore c;
    c.configure(10, 5.0);
    c.set(3, 1.0, 0.25);
    CacheStore::Found f;
    REQUIRE(c.get(3, 2.0, &f));
    CHECK(f.set_at == 1.0);
    CHECK(f.expires == 6.0);
    CHECK(f.fill == 0.25);
    c.set(3, 4.0, 0.5);
    REQUIRE(c.get(3, 4.5, &f));
    CHECK(f.expires == 9.0);
    CHECK(f.fill == 0.5);
}

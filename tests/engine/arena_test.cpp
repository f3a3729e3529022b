// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#include "engine/arena.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

#include "engine/random.hpp"

using capsim::Arena;

namespace {

struct Item {
    double value = 0.0;
    std::uint32_t tag = 7;  // a non-zero default, to see that reuse resets it
};

}  // namespace

TEST_CASE("arena: a fresh arena hands out indices 0, 1, 2, ... with generation 0", "[unit]") {
    Arena<Item> arena;
    CHECK(arena.live() == 0);
    CHECK(arena.capacity() == 0);
    for (std::uint32_t i = 0; i < 5; ++i) {
        CHECK(arena.acquire() == i);
        CHECK(arena.generation(i) == 0);
        CHECK(arena[i].tag == 7);
    }
    CHECK(arena.live() == 5);
    CHECK(arena.capacity() == 5);
}

TEST_CASE("arena: a released index is recycled before the arena grows", "[unit]") {
    Arena<Item> arena;
    for (int i = 0; i < 4; ++i) arena.acquire();
    arena.release(1);
    arena.release(3);
    const std::uint32_t a = arena.acquire();
    const std::uint32_t b = arena.acquire();
    // Both come from the free list (in some order), not from new slots.
    CHECK(((a == 1 && b == 3) || (a == 3 && b == 1)));
    CHECK(arena.capacity() == 4);
    CHECK(arena.acquire() == 4);  // only now does it grow
    CHECK(arena.capacity() == 5);
}

TEST_CASE("arena: release bumps the generation, so an old index can be told stale", "[unit]") {
    // A child that finishes after its parent gave up holds (index, generation);
    // the slot being recycled must show as a different generation.
    Arena<Item> arena;
    const std::uint32_t parent = arena.acquire();
    const std::uint32_t held_gen = arena.generation(parent);
    arena.release(parent);
    CHECK(arena.generation(parent) == held_gen + 1);
    const std::uint32_t reused = arena.acquire();
    REQUIRE(reused == parent);
    CHECK(arena.generation(reused) != held_gen);
    arena.release(reused);
    CHECK(arena.generation(reused) == held_gen + 2);
}

TEST_CASE("arena: a recycled slot starts from a default-constructed value", "[unit]") {
    Arena<Item> arena;
    const std::uint32_t i = arena.acquire();
    arena[i].value = 3.5;
    arena[i].tag = 99;
    arena.release(i);
    REQUIRE(arena.acquire() == i);
    CHECK(arena[i].value == 0.0);
    CHECK(arena[i].tag == 7);
}

TEST_CASE("arena: live() counts acquired minus released", "[unit]") {
    Arena<Item> arena;
    std::vector<std::uint32_t> held;
    for (int i = 0; i < 10; ++i) held.push_back(arena.acquire());
    CHECK(arena.live() == 10);
    for (int i = 0; i < 4; ++i) {
        arena.release(held.back());
        held.pop_back();
    }
    CHECK(arena.live() == 6);
    arena.acquire();
    CHECK(arena.live() == 7);
    CHECK(arena.capacity() == 10);
}

TEST_CASE("arena: capacity stays constant across a million cycles at bounded population",
          "[unit]") {
    // The kernel's promise: once at the run's peak population, no allocation.
    constexpr std::size_t kPeak = 256;
    capsim::Rng rng(11, 0, "arena-test");
    Arena<Item> arena;
    std::vector<std::uint32_t> held;
    held.reserve(kPeak);
    for (std::size_t i = 0; i < kPeak; ++i) held.push_back(arena.acquire());
    REQUIRE(arena.capacity() == kPeak);

    std::vector<std::uint32_t> gen_seen(kPeak, 0);
    bool all_in_range = true;
    bool all_reset = true;
    for (int cycle = 0; cycle < 1'000'000; ++cycle) {
        // Random walk of the population inside [0, kPeak].
        const bool grow = held.empty() || (held.size() < kPeak && rng.below(2) == 0);
        if (grow) {
            const std::uint32_t i = arena.acquire();
            all_in_range = all_in_range && i < kPeak;
            all_reset = all_reset && arena[i].tag == 7;
            arena[i].tag = 1;
            held.push_back(i);
        } else {
            const std::size_t k = rng.below(held.size());
            const std::uint32_t i = held[k];
            held[k] = held.back();
            held.pop_back();
            arena.release(i);
            ++gen_seen[i];
        }
    }
    CHECK(all_in_range);
    CHECK(all_reset);
    CHECK(arena.capacity() == kPeak);
    CHECK(arena.live() == held.size());
    for (std::uint32_t i = 0; i < kPeak; ++i) {
        if (arena.generation(i) != gen_seen[i]) REQUIRE(arena.generation(i) == gen_seen[i]);
    }
}

TEST_CASE("arena: peak() is the most objects alive at once", "[unit]") {
    Arena<Item> arena;
    CHECK(arena.peak() == 0);
    std::vector<std::uint32_t> held;
    for (int i = 0; i < 5; ++i) held.push_back(arena.acquire());
    for (int i = 0; i < 3; ++i) {
        arena.release(held.back());
        held.pop_back();
    }
    CHECK(arena.live() == 2);
    CHECK(arena.peak() == 5);  // releases do not lower it
    for (int i = 0; i < 3; ++i) arena.acquire();
    CHECK(arena.peak() == 5);  // back to 5, not beyond
    arena.acquire();
    CHECK(arena.peak() == 6);
    arena.clear();
    CHECK(arena.peak() == 0);
}

TEST_CASE("arena: clear() forgets every slot", "[unit]") {
    Arena<Item> arena;
    for (int i = 0; i < 3; ++i) arena.acquire();
    arena.release(0);
    arena.clear();
    CHECK(arena.live() == 0);
    CHECK(arena.capacity() == 0);
    CHECK(arena.acquire() == 0);
    CHECK(arena.generation(0) == 0);
}

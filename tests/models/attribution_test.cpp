// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
//
// The sparse per-task attribution: a few components inline, a dense spill
// when a task meets more, and the same sums either way.
#include <catch2/catch.hpp>

#include <array>

#include "engine/arena.hpp"
#include "models/attribution.hpp"

namespace {

using namespace capsim;

std::array<double, kComponents> dense(const Attribution& a, const Arena<Components>& spills) {
    std::array<double, kComponents> out{};
    a.for_each(spills, [&](Component c, float v) { out[static_cast<std::size_t>(c)] += v; });
    return out;
}

}  // namespace

TEST_CASE("attribution: a few components stay inline and sum per component", "[attribution]") {
    Arena<Components> spills;
    Attribution a;
    a.add(Component::Cpu, 1.0f, spills);
    a.add(Component::WorkerWait, 0.5f, spills);
    a.add(Component::Cpu, 2.0f, spills);
    CHECK(a.spilled() == Attribution::kNoSpill);
    CHECK(spills.live() == 0);
    const auto d = dense(a, spills);
    CHECK(d[static_cast<std::size_t>(Component::Cpu)] == 3.0);
    CHECK(d[static_cast<std::size_t>(Component::WorkerWait)] == 0.5);
    CHECK(a.get(Component::Delay, spills) == 0.0f);
}

TEST_CASE("attribution: a task that meets every component spills and loses nothing",
          "[attribution]") {
    Arena<Components> spills;
    Attribution a, b;
    for (std::size_t c = 0; c < kComponents; ++c) {
        a.add(static_cast<Component>(c), float(c + 1), spills);
        if (c % 3 == 0) b.add(static_cast<Component>(c), 0.25f, spills);
    }
    REQUIRE(a.spilled() != Attribution::kNoSpill);
    CHECK(spills.live() == 1);
    CHECK(b.spilled() == Attribution::kNoSpill);  // 7 components: still inline
    // Merging an inline record into a spilled one, and the other way round.
    a.merge(b, spills);
    Attribution c;
    c.add(Component::Cpu, 1.0f, spills);
    c.merge(a, spills);
    const auto da = dense(a, spills), dc = dense(c, spills);
    for (std::size_t k = 0; k < kComponents; ++k) {
        const double want = double(k + 1) + (k % 3 == 0 ? 0.25 : 0.0);
        CHECK(da[k] == want);
        CHECK(dc[k] == want + (static_cast<Component>(k) == Component::Cpu ? 1.0 : 0.0));
    }
    CHECK(spills.live() == 2);  // a's and c's; the owner frees them (Simulation::complete)
}

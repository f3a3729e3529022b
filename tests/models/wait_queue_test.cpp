// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#include "models/wait_queue.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <deque>
#include <vector>

#include "engine/random.hpp"

using capsim::QueueDiscipline;
using capsim::Ring;
using capsim::WaitQueue;

namespace {

std::vector<std::uint32_t> drain(WaitQueue& q) {
    std::vector<std::uint32_t> out;
    while (!q.empty()) out.push_back(q.pop());
    return out;
}

}  // namespace

TEST_CASE("ring: pop_front is FIFO, pop_back is LIFO", "[unit]") {
    Ring<int> r;
    CHECK(r.empty());
    for (int i = 1; i <= 4; ++i) r.push_back(i);
    CHECK(r.size() == 4);
    CHECK(r.pop_front() == 1);
    CHECK(r.pop_back() == 4);
    CHECK(r.pop_front() == 2);
    CHECK(r.pop_back() == 3);
    CHECK(r.empty());
}

TEST_CASE("ring: growth past the initial capacity keeps order, even when wrapped", "[unit]") {
    // The first buffer holds 16. Move the head forward first, so that the
    // content wraps around the end when the ring has to grow.
    Ring<int> r;
    int next_in = 0, next_out = 0;
    for (int i = 0; i < 10; ++i) r.push_back(next_in++);
    for (int i = 0; i < 7; ++i) REQUIRE(r.pop_front() == next_out++);
    for (int i = 0; i < 100; ++i) r.push_back(next_in++);  // wraps, then grows twice
    CHECK(r.size() == 103);
    bool in_order = true;
    while (!r.empty()) in_order = in_order && r.pop_front() == next_out++;
    CHECK(in_order);
    CHECK(next_out == next_in);
}

TEST_CASE("ring: matches std::deque over random pushes and pops", "[unit]") {
    capsim::Rng rng(21, 0, "ring-test");
    Ring<std::uint32_t> r;
    std::deque<std::uint32_t> ref;
    bool same = true;
    for (std::uint32_t op = 0; op < 200'000; ++op) {
        const std::uint64_t dice = rng.below(10);
        if (dice < 5 || ref.empty()) {
            r.push_back(op);
            ref.push_back(op);
        } else if (dice < 8) {
            same = same && r.pop_front() == ref.front();
            ref.pop_front();
        } else {
            same = same && r.pop_back() == ref.back();
            ref.pop_back();
        }
        same = same && r.size() == ref.size();
    }
    CHECK(same);
}

TEST_CASE("ring: clear() empties it and it keeps working", "[unit]") {
    Ring<int> r;
    for (int i = 0; i < 20; ++i) r.push_back(i);
    r.clear();
    CHECK(r.empty());
    r.push_back(5);
    r.push_back(6);
    CHECK(r.pop_front() == 5);
    CHECK(r.pop_front() == 6);
}

TEST_CASE("wait queue: FCFS serves in arrival order, ignoring priority", "[unit]") {
    WaitQueue q;
    q.configure(QueueDiscipline::Fcfs, 3);
    q.push(10, 2);
    q.push(11, 0);
    q.push(12, 1);
    CHECK(q.size() == 3);
    CHECK(drain(q) == std::vector<std::uint32_t>{10, 11, 12});
}

TEST_CASE("wait queue: LIFO serves the newest first", "[unit]") {
    WaitQueue q;
    q.configure(QueueDiscipline::Lifo, 1);
    for (std::uint32_t i = 0; i < 5; ++i) q.push(i, 0);
    CHECK(q.pop() == 4);
    q.push(9, 0);
    CHECK(drain(q) == std::vector<std::uint32_t>{9, 3, 2, 1, 0});
}

TEST_CASE("wait queue: priority serves lower classes first, FIFO within a class", "[unit]") {
    WaitQueue q;
    q.configure(QueueDiscipline::Priority, 3);
    q.push(1, 2);
    q.push(2, 1);
    q.push(3, 2);
    q.push(4, 0);
    q.push(5, 1);
    q.push(6, 0);
    CHECK(q.size() == 6);
    CHECK(q.pop() == 4);
    q.push(7, 0);  // a late class-0 request still overtakes classes 1 and 2
    CHECK(drain(q) == std::vector<std::uint32_t>{6, 7, 2, 5, 1, 3});
    CHECK(q.empty());
}

TEST_CASE("wait queue: every discipline keeps order past the initial capacity", "[unit]") {
    constexpr std::uint32_t kN = 1000;  // far beyond a ring's first 16 slots
    WaitQueue fcfs, lifo, prio;
    fcfs.configure(QueueDiscipline::Fcfs, 1);
    lifo.configure(QueueDiscipline::Lifo, 1);
    prio.configure(QueueDiscipline::Priority, 2);
    for (std::uint32_t i = 0; i < kN; ++i) {
        fcfs.push(i, 0);
        lifo.push(i, 0);
        prio.push(i, static_cast<std::uint8_t>(i % 2));  // odd tasks in class 1
    }
    std::vector<std::uint32_t> up(kN), down(kN), by_class;
    for (std::uint32_t i = 0; i < kN; ++i) {
        up[i] = i;
        down[i] = kN - 1 - i;
    }
    for (std::uint32_t i = 0; i < kN; i += 2) by_class.push_back(i);
    for (std::uint32_t i = 1; i < kN; i += 2) by_class.push_back(i);
    CHECK(drain(fcfs) == up);
    CHECK(drain(lifo) == down);
    CHECK(drain(prio) == by_class);
}

TEST_CASE("wait queue: configure() resets the queue", "[unit]") {
    WaitQueue q;
    q.configure(QueueDiscipline::Fcfs, 1);
    q.push(1, 0);
    q.push(2, 0);
    q.configure(QueueDiscipline::Priority, 2);
    CHECK(q.empty());
    CHECK(q.size() == 0);
    q.push(3, 1);
    q.push(4, 0);
    CHECK(drain(q) == std::vector<std::uint32_t>{4, 3});
}

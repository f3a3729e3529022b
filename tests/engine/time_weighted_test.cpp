// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#include "engine/time_weighted.hpp"

#include <catch2/catch.hpp>

using capsim::TimeWeighted;

TEST_CASE("time_weighted: a fresh accumulator holds 0 from time 0") {
    const TimeWeighted tw;
    CHECK(tw.value() == 0.0);
    CHECK(tw.mean(0.0) == 0.0);
    CHECK(tw.mean(10.0) == 0.0);
    CHECK(tw.max() == 0.0);
}

TEST_CASE("time_weighted: the mean weights each value by how long it was held") {
    TimeWeighted tw;
    tw.reset(0.0, 0.0);
    tw.set(1.0, 2.0);  // 0 over [0, 1)
    tw.set(3.0, 1.0);  // 2 over [1, 3)
    // 1 over [3, 5): area 0 + 4 + 2 = 6 over 5 s.
    CHECK(tw.mean(5.0) == Approx(1.2));
    CHECK(tw.value() == 1.0);
    CHECK(tw.max() == 2.0);
    // mean() does not disturb the accumulation.
    CHECK(tw.mean(5.0) == Approx(1.2));
    tw.add(5.0, 3.0);  // 4 over [5, 6): area 10 over 6 s
    CHECK(tw.value() == 4.0);
    CHECK(tw.mean(6.0) == Approx(10.0 / 6.0));
    CHECK(tw.max() == 4.0);
}

TEST_CASE("time_weighted: add() tracks a queue as requests join and leave") {
    TimeWeighted queue;
    queue.reset(0.0, 0.0);
    queue.add(1.0, 1.0);   // 1 waiting from t = 1
    queue.add(2.0, 1.0);   // 2 from t = 2
    queue.add(4.0, -1.0);  // 1 from t = 4
    queue.add(7.0, -1.0);  // empty from t = 7
    // Area: 1*1 + 2*2 + 1*3 = 8 over [0, 10].
    CHECK(queue.mean(10.0) == Approx(0.8));
    CHECK(queue.value() == 0.0);
    CHECK(queue.max() == 2.0);
}

TEST_CASE("time_weighted: reset at the end of warm-up discards the past") {
    TimeWeighted busy;
    busy.reset(0.0, 0.0);
    busy.set(1.0, 8.0);  // a warm-up transient, above anything after
    busy.set(9.0, 3.0);
    busy.reset(10.0, busy.value());  // warm-up ends with 3 busy
    CHECK(busy.max() == 3.0);
    CHECK(busy.mean(10.0) == 3.0);  // no time elapsed: the current value
    busy.set(12.0, 0.0);
    CHECK(busy.mean(14.0) == Approx(1.5));  // 3 for 2 s, 0 for 2 s
    CHECK(busy.max() == 3.0);
}

TEST_CASE("time_weighted: a value held for no time counts in max but not in the mean") {
    TimeWeighted tw;
    tw.reset(0.0, 1.0);
    tw.set(2.0, 50.0);
    tw.set(2.0, 1.0);
    CHECK(tw.max() == 50.0);
    CHECK(tw.mean(4.0) == Approx(1.0));
}

TEST_CASE("time_weighted: a constant value averages to itself") {
    TimeWeighted tw;
    tw.reset(100.0, 4.0);
    for (int i = 1; i <= 1000; ++i) {
        tw.set(100.0 + i * 0.001, 4.0);
    }
    CHECK(tw.mean(102.0) == Approx(4.0).epsilon(1e-12));
}

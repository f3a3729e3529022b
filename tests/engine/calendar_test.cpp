// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#include "engine/calendar.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <vector>

#include "engine/random.hpp"

using capsim::Calendar;
using capsim::Event;
using capsim::TimerHandle;

namespace {

// Pops everything left and returns the args in pop order.
std::vector<std::uint32_t> drain(Calendar& cal) {
    std::vector<std::uint32_t> args;
    while (!cal.empty()) args.push_back(cal.pop().arg);
    return args;
}

}  // namespace

TEST_CASE("calendar: a fresh calendar is empty and its next time is +inf", "[unit]") {
    Calendar cal;
    CHECK(cal.empty());
    CHECK(cal.size() == 0);
    CHECK(cal.popped() == 0);
    CHECK(std::isinf(cal.next_time()));
    CHECK(cal.next_time() > 0.0);
}

TEST_CASE("calendar: events pop in time order whatever order they were scheduled in", "[unit]") {
    Calendar cal;
    const double times[] = {5.0, 1.0, 4.0, 2.0, 3.0, 0.5, 10.0};
    for (std::uint32_t i = 0; i < 7; ++i) cal.schedule(times[i], 0, i);
    double last = -1.0;
    while (!cal.empty()) {
        const Event e = cal.pop();
        CHECK(e.time == times[e.arg]);
        CHECK(e.time >= last);
        last = e.time;
    }
    CHECK(last == 10.0);
}

TEST_CASE("calendar: ties pop in insertion order", "[unit]") {
    // Reproducibility hangs on this: two events at the same instant must
    // always run first-scheduled first, whatever the heap's shape.
    Calendar cal;
    for (std::uint32_t i = 0; i < 100; ++i) cal.schedule(1.0, 0, i);
    std::vector<std::uint32_t> expected(100);
    for (std::uint32_t i = 0; i < 100; ++i) expected[i] = i;
    CHECK(drain(cal) == expected);
}

TEST_CASE("calendar: ties between plain events and timers also pop in insertion order", "[unit]") {
    Calendar cal;
    cal.schedule(2.0, 1, 0);
    cal.schedule_timer(1.0, 2, 1);
    cal.schedule_timer(2.0, 3, 2);
    cal.schedule(1.0, 4, 3);
    cal.schedule(2.0, 5, 4);
    CHECK(drain(cal) == std::vector<std::uint32_t>{1, 3, 0, 2, 4});
}

TEST_CASE("calendar: kind and arg come back as scheduled, over their full range", "[unit]") {
    Calendar cal;
    cal.schedule(1.0, 0xFFFF, 0xFFFFFFFEu);
    cal.schedule_timer(2.0, 0, 0);
    cal.schedule(3.0, 0x1234, 42);
    Event e = cal.pop();
    CHECK(e.kind() == 0xFFFF);
    CHECK(e.arg == 0xFFFFFFFEu);
    e = cal.pop();
    CHECK(e.kind() == 0);
    CHECK(e.arg == 0);
    e = cal.pop();
    CHECK(e.kind() == 0x1234);
    CHECK(e.arg == 42);
}

TEST_CASE("calendar: a cancelled timer never pops", "[unit]") {
    Calendar cal;
    cal.schedule(1.0, 0, 1);
    TimerHandle t = cal.schedule_timer(2.0, 0, 2);
    cal.schedule(3.0, 0, 3);
    REQUIRE(t.valid());
    cal.cancel(t);
    CHECK_FALSE(t.valid());  // cancel() clears the caller's handle
    CHECK(drain(cal) == std::vector<std::uint32_t>{1, 3});
}

TEST_CASE("calendar: cancelling twice is a no-op", "[unit]") {
    Calendar cal;
    TimerHandle t = cal.schedule_timer(1.0, 0, 1);
    cal.schedule_timer(1.0, 0, 2);
    const TimerHandle copy = t;
    cal.cancel(t);
    cal.cancel(t);  // cleared handle
    TimerHandle again = copy;
    cal.cancel(again);  // stale copy of the same handle
    CHECK(cal.size() == 1);
    CHECK(drain(cal) == std::vector<std::uint32_t>{2});
}

TEST_CASE("calendar: cancelling a timer after it fired is a no-op", "[unit]") {
    Calendar cal;
    TimerHandle fired = cal.schedule_timer(1.0, 0, 1);
    REQUIRE(cal.pop().arg == 1);
    CHECK(cal.empty());
    // The fired timer's slot is free again and a new timer will take it: a
    // late cancel through the old handle must not kill that new timer.
    bool reused = false;
    for (std::uint32_t i = 0; i < 64 && !reused; ++i)
        reused = cal.schedule_timer(2.0 + i, 0, 2 + i).slot == fired.slot;
    REQUIRE(reused);
    const std::size_t pending = cal.size();
    cal.cancel(fired);
    CHECK(cal.size() == pending);
    CHECK(drain(cal).size() == pending);
}

TEST_CASE("calendar: an invalid (default) handle can be cancelled harmlessly", "[unit]") {
    Calendar cal;
    cal.schedule(1.0, 0, 1);
    TimerHandle none;
    CHECK_FALSE(none.valid());
    cal.cancel(none);
    CHECK(cal.size() == 1);
}

TEST_CASE("calendar: size() and empty() count only live events", "[unit]") {
    Calendar cal;
    cal.schedule(1.0, 0, 0);
    TimerHandle a = cal.schedule_timer(2.0, 0, 1);
    TimerHandle b = cal.schedule_timer(3.0, 0, 2);
    CHECK(cal.size() == 3);
    cal.cancel(a);
    CHECK(cal.size() == 2);
    cal.cancel(b);
    CHECK(cal.size() == 1);
    CHECK_FALSE(cal.empty());
    cal.pop();
    // Two dead timers are still in the heap, but nothing live is pending.
    CHECK(cal.size() == 0);
    CHECK(cal.empty());
    CHECK(std::isinf(cal.next_time()));
}

TEST_CASE("calendar: next_time() skips cancelled events", "[unit]") {
    Calendar cal;
    TimerHandle early = cal.schedule_timer(1.0, 0, 1);
    TimerHandle middle = cal.schedule_timer(2.0, 0, 2);
    cal.schedule(3.0, 0, 3);
    CHECK(cal.next_time() == 1.0);
    cal.cancel(early);
    CHECK(cal.next_time() == 2.0);
    cal.cancel(middle);
    CHECK(cal.next_time() == 3.0);
    CHECK(cal.next_time() == 3.0);  // asking again changes nothing
    CHECK(cal.size() == 1);
    CHECK(cal.pop().arg == 3);
}

TEST_CASE("calendar: popped() counts live events popped, never cancelled ones", "[unit]") {
    Calendar cal;
    for (std::uint32_t i = 0; i < 10; ++i) cal.schedule(static_cast<double>(i), 0, i);
    TimerHandle t = cal.schedule_timer(0.5, 0, 99);
    cal.cancel(t);
    cal.next_time();  // discards the dead timer without counting it
    for (int i = 0; i < 4; ++i) cal.pop();
    CHECK(cal.popped() == 4);
    drain(cal);
    CHECK(cal.popped() == 10);
}

TEST_CASE("calendar: clear() forgets every event and restarts the counts", "[unit]") {
    Calendar cal;
    for (std::uint32_t i = 0; i < 5; ++i) cal.schedule(1.0, 0, i);
    cal.schedule_timer(0.5, 0, 7);
    cal.pop();
    cal.clear();
    CHECK(cal.empty());
    CHECK(cal.popped() == 0);
    CHECK(std::isinf(cal.next_time()));
    // Reused for the next replication, it orders ties as a fresh one does.
    cal.schedule(1.0, 0, 10);
    cal.schedule(0.5, 0, 11);
    cal.schedule(1.0, 0, 12);
    CHECK(drain(cal) == std::vector<std::uint32_t>{11, 10, 12});
}

namespace {

// The specification of the calendar's order, written the obvious way: a
// multimap keyed by time keeps equal keys in insertion order. It also
// mirrors which cancelled events are still held, so the test can prove
// that it drove the calendar through its bulk purge (more than 4096 dead
// events, and more dead than live).
class ReferenceCalendar {
  public:
    enum Status : std::uint8_t { kLive, kDead, kGone };

    std::uint32_t schedule(double time) {
        const auto id = static_cast<std::uint32_t>(status_.size());
        events_.emplace(time, id);
        status_.push_back(kLive);
        ++live_;
        return id;
    }

    void cancel(std::uint32_t id) {
        if (status_[id] != kLive) return;
        status_[id] = kDead;
        --live_;
        ++dead_;
        if (dead_ > 4096 && dead_ > live_) {
            for (auto it = events_.begin(); it != events_.end();) {
                if (status_[it->second] == kDead) {
                    status_[it->second] = kGone;
                    it = events_.erase(it);
                } else {
                    ++it;
                }
            }
            dead_ = 0;
            ++purges_;
        }
    }

    double next_time() {
        drop_dead_front();
        return events_.empty() ? std::numeric_limits<double>::infinity() : events_.begin()->first;
    }

    std::pair<double, std::uint32_t> pop() {
        drop_dead_front();
        const auto front = *events_.begin();
        events_.erase(events_.begin());
        status_[front.second] = kGone;
        --live_;
        return front;
    }

    bool pending(std::uint32_t id) const { return status_[id] == kLive; }
    std::size_t live() const { return live_; }
    std::size_t purges() const { return purges_; }

  private:
    void drop_dead_front() {
        while (!events_.empty() && status_[events_.begin()->second] == kDead) {
            status_[events_.begin()->second] = kGone;
            events_.erase(events_.begin());
            --dead_;
        }
    }

    std::multimap<double, std::uint32_t> events_;
    std::vector<Status> status_;
    std::size_t live_ = 0;
    std::size_t dead_ = 0;
    std::size_t purges_ = 0;
};

}  // namespace

TEST_CASE("calendar: the bulk purge of cancelled timers keeps the exact pop order", "[unit]") {
    // 100k random schedule / cancel / pop operations against the reference.
    // The run alternates a fill phase (many long timeouts, few pops) with a
    // cancel phase (most of those timeouts cancelled), the pattern of a
    // service whose calls mostly answer before their timeout; that piles up
    // dead events and triggers purges. Times sit on a coarse grid so that
    // ties, which the purge's heap rebuild could reorder, are frequent.
    capsim::Rng rng(2024, 0, "calendar-purge-test");
    Calendar cal;
    ReferenceCalendar ref;
    std::vector<TimerHandle> handles;        // by reference id (kNoTimer for plain events)
    std::vector<std::uint32_t> cancellable;  // timer ids not yet cancelled by the test
    double now = 0.0;
    std::uint64_t pops = 0;
    long first_bad = -1;
    const long kOps = 100'000;

    auto schedule = [&](bool timer, double time) {
        const auto kind = static_cast<std::uint16_t>(rng.below(0x10000));
        const std::uint32_t id = ref.schedule(time);
        if (timer) {
            handles.push_back(cal.schedule_timer(time, kind, id));
            cancellable.push_back(id);
        } else {
            cal.schedule(time, kind, id);
            handles.push_back(TimerHandle{});
        }
    };

    for (long op = 0; op < kOps && first_bad < 0; ++op) {
        const bool fill = (op / 10'000) % 2 == 0;
        const std::uint64_t dice = rng.below(100);
        if (fill ? dice < 60 : dice < 10) {
            // A timeout: far enough ahead to outlive many pops.
            schedule(true, now + 5.0 + 0.25 * static_cast<double>(rng.below(400)));
        } else if (fill ? dice < 75 : dice < 15) {
            schedule(false, now + 0.25 * static_cast<double>(rng.below(40)));
        } else if (fill ? dice < 77 : dice < 85) {
            if (cancellable.empty()) continue;
            const std::size_t k = rng.below(cancellable.size());
            const std::uint32_t id = cancellable[k];
            cancellable[k] = cancellable.back();
            cancellable.pop_back();
            // Often the timer already fired: cancel() must then do nothing.
            TimerHandle h = handles[id];
            cal.cancel(h);
            ref.cancel(id);
        } else if (dice < 87) {
            // A stale handle, cancelled again (a double cancel or a late one).
            const std::uint32_t id = static_cast<std::uint32_t>(rng.below(handles.size() + 1));
            if (id == handles.size() || ref.pending(id)) continue;
            TimerHandle h = handles[id];
            cal.cancel(h);
        } else if (dice < 90) {
            if (cal.next_time() != ref.next_time()) first_bad = op;
        } else {
            if (ref.live() == 0) continue;
            const Event e = cal.pop();
            const auto [time, id] = ref.pop();
            ++pops;
            if (e.time != time || e.arg != id) first_bad = op;
            now = e.time;
        }
        if (cal.size() != ref.live()) first_bad = op;
    }
    INFO("first disagreement at operation " << first_bad);
    REQUIRE(first_bad == -1);
    REQUIRE(ref.purges() > 0);  // the purge path really ran

    // Drain both: the remaining order must agree too.
    while (!cal.empty()) {
        REQUIRE(ref.live() > 0);
        const Event e = cal.pop();
        const auto [time, id] = ref.pop();
        ++pops;
        if (e.time != time || e.arg != id) {
            CHECK(e.time == time);
            REQUIRE(e.arg == id);
        }
    }
    CHECK(ref.live() == 0);
    CHECK(cal.popped() == pops);
}

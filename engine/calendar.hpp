// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

namespace capsim {

/// A scheduled event: 24 bytes, ordered by (time, sequence). The sequence is
/// the insertion order, so events at equal times pop first-scheduled first:
/// ties are part of the contract that makes runs reproducible. `kind` is an
/// opaque tag the model dispatches on; the kernel never interprets it.
struct Event {
    double time;
    std::uint64_t key;    // sequence << 16 | kind
    std::uint32_t arg;    // usually an arena index
    std::uint32_t timer;  // slot in the timer table, or kNoTimer

    static constexpr std::uint32_t kNoTimer = std::numeric_limits<std::uint32_t>::max();
    std::uint16_t kind() const { return static_cast<std::uint16_t>(key & 0xFFFF); }
    std::uint64_t sequence() const { return key >> 16; }
};

/// Handle to a cancellable event. Cancelling is O(1): the event is marked
/// dead and skipped when it reaches the front (timeouts are cancelled far
/// more often than they fire, so we never search the heap for them).
struct TimerHandle {
    std::uint32_t slot = Event::kNoTimer;
    std::uint64_t sequence = 0;
    bool valid() const { return slot != Event::kNoTimer; }
};

/// The future event list: a 4-ary min-heap in one vector (no allocation
/// once it has grown to the run's peak size) plus a table of timer slots
/// for cancellable events. Dead events are purged in bulk when they
/// outnumber live ones, so long timeouts cannot bloat the heap.
class Calendar {
  public:
    void clear();

    /// Schedule a plain event; it cannot be cancelled.
    void schedule(double time, std::uint16_t kind, std::uint32_t arg) {
        push(Event{time, (next_seq_++ << 16) | kind, arg, Event::kNoTimer});
    }

    /// Schedule a cancellable event and return its handle.
    TimerHandle schedule_timer(double time, std::uint16_t kind, std::uint32_t arg);

    /// Cancel a pending timer. Cancelling a timer that already fired, or
    /// was already cancelled, is a harmless no-op.
    void cancel(TimerHandle& handle);

    /// True while some live event is pending.
    bool empty() const { return live_ == 0; }
    /// Number of live (not cancelled) pending events.
    std::size_t size() const { return live_; }
    /// Time of the next live event; +inf when none.
    double next_time();

    /// Remove and return the next live event. Precondition: !empty().
    Event pop();

    /// Total events popped (live ones), for events/s in benchmarks.
    std::uint64_t popped() const { return popped_; }

  private:
    static bool before(const Event& a, const Event& b) {
        return a.time < b.time || (a.time == b.time && a.key < b.key);
    }
    void push(const Event& e);
    void pop_front();
    void sift_down(std::size_t i);
    bool alive(const Event& e) const {
        return e.timer == Event::kNoTimer || timer_seq_[e.timer] == e.sequence();
    }
    void release_slot(std::uint32_t slot) { free_slots_.push_back(slot); }
    void purge_dead();

    std::vector<Event> heap_;
    std::vector<std::uint64_t> timer_seq_;  // live sequence per slot; 0 = none
    std::vector<std::uint32_t> free_slots_;
    std::uint64_t next_seq_ = 1;
    std::size_t live_ = 0;
    std::size_t dead_ = 0;
    std::uint64_t popped_ = 0;
};

// Forced inline: two pushes per request, and GCC kept it out of line.
[[gnu::always_inline]] inline void Calendar::push(const Event& e) {
    std::size_t i = heap_.size();
    heap_.push_back(e);
    while (i > 0) {
        std::size_t parent = (i - 1) / 4;
        if (!before(e, heap_[parent])) break;
        heap_[i] = heap_[parent];
        i = parent;
    }
    heap_[i] = e;
    ++live_;
}

inline void Calendar::sift_down(std::size_t i) {
    const std::size_t n = heap_.size();
    const Event e = heap_[i];
    for (;;) {
        std::size_t first = 4 * i + 1;
        if (first >= n) break;
        std::size_t best = first;
        std::size_t last = first + 4 < n ? first + 4 : n;
        for (std::size_t c = first + 1; c < last; ++c)
            if (before(heap_[c], heap_[best])) best = c;
        if (!before(heap_[best], e)) break;
        heap_[i] = heap_[best];
        i = best;
    }
    heap_[i] = e;
}

inline void Calendar::pop_front() {
    heap_.front() = heap_.back();
    heap_.pop_back();
    if (!heap_.empty()) sift_down(0);
}

inline Event Calendar::pop() {
    for (;;) {
        Event e = heap_.front();
        pop_front();
        if (e.timer == Event::kNoTimer) {
            --live_;
            ++popped_;
            return e;
        }
        const bool live = timer_seq_[e.timer] == e.sequence();
        timer_seq_[e.timer] = 0;
        release_slot(e.timer);
        if (live) {
            --live_;
            ++popped_;
            return e;
        }
        --dead_;
    }
}

inline double Calendar::next_time() {
    while (!heap_.empty() && !alive(heap_.front())) {
        const std::uint32_t slot = heap_.front().timer;
        timer_seq_[slot] = 0;
        release_slot(slot);
        pop_front();
        --dead_;
    }
    return heap_.empty() ? std::numeric_limits<double>::infinity() : heap_.front().time;
}

}  // namespace capsim

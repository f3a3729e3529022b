// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#include "engine/calendar.hpp"

#include <algorithm>

namespace capsim {

void Calendar::clear() {
    heap_.clear();
    timer_seq_.clear();
    free_slots_.clear();
    // Sequences keep increasing across clear(), so a handle kept from
    // before can never match a new timer.
    live_ = 0;
    dead_ = 0;
    popped_ = 0;
}

TimerHandle Calendar::schedule_timer(double time, std::uint16_t kind, std::uint32_t arg) {
    std::uint32_t slot;
    if (free_slots_.empty()) {
        slot = static_cast<std::uint32_t>(timer_seq_.size());
        timer_seq_.push_back(0);
    } else {
        slot = free_slots_.back();
        free_slots_.pop_back();
    }
    const std::uint64_t seq = next_seq_++;
    timer_seq_[slot] = seq;
    push(Event{time, (seq << 16) | kind, arg, slot});
    return TimerHandle{slot, seq};
}

void Calendar::cancel(TimerHandle& handle) {
    if (handle.valid() && handle.slot < timer_seq_.size() &&
        timer_seq_[handle.slot] == handle.sequence) {
        timer_seq_[handle.slot] = 0;  // the slot is released when the event surfaces
        --live_;
        ++dead_;
        if (dead_ > 4096 && dead_ > live_) purge_dead();
    }
    handle = TimerHandle{};
}

void Calendar::purge_dead() {
    // Pop order depends only on the strict (time, key) order, never on the
    // heap's shape, so rebuilding the heap keeps runs reproducible.
    auto dead = [this](const Event& e) {
        if (e.timer == Event::kNoTimer || timer_seq_[e.timer] == e.sequence()) return false;
        release_slot(e.timer);
        return true;
    };
    heap_.erase(std::remove_if(heap_.begin(), heap_.end(), dead), heap_.end());
    dead_ = 0;
    for (std::size_t i = heap_.size() / 4 + 1; i-- > 0;)
        if (i < heap_.size()) sift_down(i);
}

}  // namespace capsim

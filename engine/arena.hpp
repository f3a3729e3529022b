// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <vector>

namespace capsim {

/// Objects of one type addressed by 32-bit index, recycled through a free
/// list. Once the arena has grown to the run's peak population it never
/// allocates again. A per-slot generation lets holders of an old index
/// detect that the slot was recycled (a child finishing after its parent
/// gave up on it, for instance).
template <class T>
class Arena {
  public:
    static constexpr std::uint32_t kNone = 0xFFFFFFFFu;

    std::uint32_t acquire() {
        std::uint32_t i;
        if (free_.empty()) {
            i = static_cast<std::uint32_t>(items_.size());
            items_.emplace_back();
            generations_.push_back(0);
        } else {
            i = free_.back();
            free_.pop_back();
            // Copying a ready-made blank compiles to a few vector moves;
            // `T{}` builds a temporary with `rep stos` (or a memset call) first.
            items_[i] = kBlank;
        }
        if (++live_ > peak_) peak_ = live_;
        return i;
    }

    void release(std::uint32_t i) {
        ++generations_[i];
        free_.push_back(i);
        --live_;
    }

    /// Counts in live() and peak() an object of this kind kept elsewhere
    /// (a plain station's job is a request and a task at once); undone by
    /// uncount_outside().
    void count_outside() {
        if (++live_ > peak_) peak_ = live_;
    }
    void uncount_outside() { --live_; }

    T& operator[](std::uint32_t i) { return items_[i]; }
    const T& operator[](std::uint32_t i) const { return items_[i]; }
    std::uint32_t generation(std::uint32_t i) const { return generations_[i]; }

    std::size_t live() const { return live_; }
    /// Calls f(i) for every slot in use, in index order. Costs a pass over
    /// the whole arena: for rare events (a crash), not the hot path.
    template <class F>
    void for_each_live(F f) const {
        std::vector<bool> idle(items_.size(), false);
        for (std::uint32_t i : free_) idle[i] = true;
        for (std::uint32_t i = 0; i < items_.size(); ++i)
            if (!idle[i]) f(i);
    }
    /// Most objects alive at once since the arena was created.
    std::size_t peak() const { return peak_; }
    std::size_t capacity() const { return items_.size(); }
    void clear() {
        items_.clear();
        generations_.clear();
        free_.clear();
        live_ = 0;
        peak_ = 0;
    }

  private:
    static inline const T kBlank{};

    std::vector<T> items_;
    std::vector<std::uint32_t> generations_;
    std::vector<std::uint32_t> free_;
    std::size_t live_ = 0;
    std::size_t peak_ = 0;
};

}  // namespace capsim

// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
//
// What the hand-written benchmark loops share: a binary-heap calendar of
// (time, sequence) events, a growable FIFO, exponential draws with capsim's
// generator and transform (so the random-number cost is the same as the
// engine's), and argument/JSON helpers. Deliberately small and specialised:
// these loops are "the limit on this machine" capsim is measured against.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

#include "engine/random.hpp"

namespace bare {

struct Event {
    double time;
    std::uint64_t seq;
    std::uint32_t kind;
    std::uint32_t arg;
};

/// Binary min-heap on (time, seq) in one vector.
class Heap {
  public:
    void push(double t, std::uint32_t kind, std::uint32_t arg) {
        v_.push_back(Event{t, seq_++, kind, arg});
        std::push_heap(v_.begin(), v_.end(), later);
    }
    Event pop() {
        std::pop_heap(v_.begin(), v_.end(), later);
        const Event e = v_.back();
        v_.pop_back();
        return e;
    }
    bool empty() const { return v_.empty(); }

  private:
    static bool later(const Event& a, const Event& b) {
        return a.time > b.time || (a.time == b.time && a.seq > b.seq);
    }
    std::vector<Event> v_;
    std::uint64_t seq_ = 0;
};

/// FIFO ring that doubles when full.
template <class T>
class Fifo {
  public:
    bool empty() const { return n_ == 0; }
    void push(const T& x) {
        if (n_ == buf_.size()) {
            std::vector<T> next(buf_.empty() ? 16 : 2 * buf_.size());
            for (std::size_t i = 0; i < n_; ++i) next[i] = buf_[(head_ + i) & (buf_.size() - 1)];
            buf_.swap(next);
            head_ = 0;
        }
        buf_[(head_ + n_++) & (buf_.size() - 1)] = x;
    }
    T pop() {
        const T x = buf_[head_];
        head_ = (head_ + 1) & (buf_.size() - 1);
        --n_;
        return x;
    }

  private:
    std::vector<T> buf_;
    std::size_t head_ = 0, n_ = 0;
};

/// Exponential with the given mean: capsim's inversion -log(1 - u), as
/// engine/law.cpp draws it, one draw at a time as a hand-written loop
/// would, with libm's log: for a single value it is faster than capsim's
/// own (engine/natural_log.hpp), which wins only a block at a time. Keep
/// the inversion in step with the engine, or the limit stops being honest.
inline double expo(capsim::Rng& rng, double mean) {
    return -std::log(1.0 - rng.uniform01()) * mean;
}

/// CPU seconds this process has run: on a shared machine, wall time also
/// counts time spent waiting for the core, CPU time does not.
inline double cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

/// Value of "--name value" among the arguments, or `fallback`.
inline double arg(int argc, char** argv, const std::string& name, double fallback) {
    for (int i = 1; i + 1 < argc; ++i)
        if (name == argv[i]) return std::atof(argv[i + 1]);
    return fallback;
}

}  // namespace bare

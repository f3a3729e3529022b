// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "engine/calendar.hpp"
#include "models/event_kind.hpp"
#include "models/model.hpp"
#include "models/wait_queue.hpp"

namespace capsim {

/// The cores of one replica. Three regimes, chosen once at compile time:
/// - dedicated: the replica never runs more tasks than it has cores (workers
///   <= cores), so CPU work never waits: one event per step;
/// - FCFS: c servers, a FIFO of waiting CPU steps;
/// - processor sharing: n running steps each progress at min(1, c/n). It is
///   kept in virtual time V (attained service per step), so only the
///   earliest finisher has a calendar event, re-timed (cancel + schedule)
///   when n changes.
class CpuScheduler {
  public:
    enum class Mode : std::uint8_t { Dedicated, Fcfs, Sharing };

    /// `done` is the event kind of a finished dedicated/FCFS step (arg: the
    /// task) and `shared_done` that of the earliest processor-sharing
    /// finisher (arg: `self`), so a service's cores and a database's can
    /// share this code and still be told apart by the dispatcher.
    void configure(Mode mode, std::uint32_t cores, std::uint32_t self, EventKind done = kCpuDone,
                   EventKind shared_done = kPsDone) {
        mode_ = mode;
        cores_ = cores;
        self_ = self;
        done_ = done;
        shared_done_ = shared_done;
        busy_ = 0;
        jobs_.clear();
        fifo_.clear();
        v_ = 0.0;
        last_ = 0.0;
        seq_ = 0;
        timer_ = TimerHandle{};
    }

    /// Cores busy right now (for utilisation).
    std::uint32_t busy() const { return busy_; }
    /// Every submit takes a core at once and every finish frees one.
    bool dedicated() const { return mode_ == Mode::Dedicated; }

    /// Start `work` seconds of CPU for `task`. Completion arrives as a
    /// `done`(task) event, or (sharing) `shared_done`(self) then finish_sharing().
    void submit(Calendar& cal, double now, std::uint32_t task, double work) {
        // Dedicated is the common regime (every M/M/c): kept small enough
        // to inline, the queued regimes go out of line.
        if (mode_ == Mode::Dedicated) {
            ++busy_;
            cal.schedule(now + work, done_, task);
            return;
        }
        submit_queued(cal, now, task, work);
    }

    /// A `done` step finished (dedicated or FCFS): free its core or hand
    /// it to the next waiting step.
    void finish_fcfs(Calendar& cal, double now) {
        if (mode_ == Mode::Fcfs && !fifo_.empty()) {
            const Waiting next = fifo_.pop_front();
            cal.schedule(now + next.work, done_, next.task);
            return;
        }
        --busy_;
    }

    /// The kPsDone event fired: returns the task whose step completed.
    std::uint32_t finish_sharing(Calendar& cal, double now) {
        advance(now);
        std::pop_heap(jobs_.begin(), jobs_.end(), later);
        const std::uint32_t task = jobs_.back().task;
        jobs_.pop_back();
        busy_ = std::min<std::uint32_t>(static_cast<std::uint32_t>(jobs_.size()), cores_);
        timer_ = TimerHandle{};
        retime(cal, now);
        return task;
    }

  private:
    // FCFS or processor sharing (Dedicated never gets here).
    void submit_queued(Calendar& cal, double now, std::uint32_t task, double work) {
        if (mode_ == Mode::Fcfs) {
            if (busy_ < cores_) {
                ++busy_;
                cal.schedule(now + work, done_, task);
            } else {
                fifo_.push_back(Waiting{task, work});
            }
            return;
        }
        advance(now);
        jobs_.push_back(Job{v_ + work, seq_++, task});
        std::push_heap(jobs_.begin(), jobs_.end(), later);
        busy_ = std::min<std::uint32_t>(static_cast<std::uint32_t>(jobs_.size()), cores_);
        retime(cal, now);
    }

    struct Job {
        double finish_v;
        std::uint64_t seq;
        std::uint32_t task;
    };
    static bool later(const Job& a, const Job& b) {
        return a.finish_v > b.finish_v || (a.finish_v == b.finish_v && a.seq > b.seq);
    }
    double rate() const {
        const double n = static_cast<double>(jobs_.size());
        return n <= cores_ ? 1.0 : static_cast<double>(cores_) / n;
    }
    void advance(double now) {
        if (!jobs_.empty()) v_ += (now - last_) * rate();
        last_ = now;
    }
    void retime(Calendar& cal, double now) {
        cal.cancel(timer_);
        if (jobs_.empty()) return;
        const double left = std::max(0.0, jobs_.front().finish_v - v_);
        timer_ = cal.schedule_timer(now + left / rate(), shared_done_, self_);
    }

    Mode mode_ = Mode::Dedicated;
    std::uint32_t cores_ = 1;
    std::uint32_t self_ = 0;
    EventKind done_ = kCpuDone;
    EventKind shared_done_ = kPsDone;
    std::uint32_t busy_ = 0;
    std::vector<Job> jobs_;  // sharing: min-heap on finish_v
    struct Waiting {
        std::uint32_t task;
        double work;
    };
    Ring<Waiting> fifo_;  // FCFS: steps waiting for a core
    double v_ = 0.0;
    double last_ = 0.0;
    std::uint64_t seq_ = 0;
    TimerHandle timer_;
};

}  // namespace capsim

// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#pragma once

#include <array>
#include <bit>
#include <cstdint>

namespace capsim {

/// Where a request's time went. Each task adds the length of every phase it
/// passes through; a finished child hands its record to the parent it
/// unblocked, so a root's record partitions its latency along the critical
/// path (the arm of a fan-out that completed the join, not the others).
enum class Component : std::uint8_t {
    WorkerWait,     // queued for a worker (a concurrency slot)
    CpuWait,        // runnable but the replica's cores were busy
    Cpu,            // computing
    Delay,          // network hop or sleep, holding the worker
    PoolWait,       // waiting for a connection from the replica's pool
    Connect,        // opening a connection (no pool, or a pool's first use)
    Network,        // round trips to the database
    DbWait,         // queued for the database's cores
    Db,             // database work
    LockWait,       // waiting for a row lock another transaction holds
    Cache,          // cache operations, queueing included
    External,       // waiting on a third-party API
    LoopWait,       // async: waiting for the event loop
    ExecutorWait,   // async: waiting for an executor thread
    BrokerWait,     // waiting for room in a full queue (backpressure)
    TimedOut,       // attempts the caller gave up on (their own breakdown is lost with them)
    Backoff,        // waiting between a failed attempt and its retry
    RateLimitWait,  // queued at a service's rate limit for its turn
    BulkheadWait,   // waiting for room in the caller's bulkhead
    Injected,       // held by an injected fault: added latency, or a partition until it healed
    kCount,
};

inline constexpr const char* component_name(Component c) {
    switch (c) {
        case Component::WorkerWait:
            return "worker_wait";
        case Component::CpuWait:
            return "cpu_wait";
        case Component::Cpu:
            return "cpu";
        case Component::Delay:
            return "delay";
        case Component::PoolWait:
            return "pool_wait";
        case Component::Connect:
            return "connect";
        case Component::Network:
            return "network";
        case Component::DbWait:
            return "db_wait";
        case Component::Db:
            return "db";
        case Component::LockWait:
            return "lock_wait";
        case Component::Cache:
            return "cache";
        case Component::External:
            return "external";
        case Component::LoopWait:
            return "loop_wait";
        case Component::ExecutorWait:
            return "executor_wait";
        case Component::BrokerWait:
            return "broker_wait";
        case Component::TimedOut:
            return "timed_out";
        case Component::Backoff:
            return "backoff";
        case Component::RateLimitWait:
            return "rate_limit_wait";
        case Component::BulkheadWait:
            return "bulkhead_wait";
        case Component::Injected:
            return "injected";
        case Component::kCount:
            break;
    }
    return "?";
}

inline constexpr std::size_t kComponents = static_cast<std::size_t>(Component::kCount);

/// A cpu step's (or a query's) wait for a core: its elapsed time less its
/// work, clamped at 0, which is std::max(0.0, elapsed - work) for finite
/// times, without a branch. On a core of its own the difference is rounding
/// noise whose sign is a coin toss, and GCC compiles std::max to a branch
/// that cachegrind saw mispredicted every other request (bench/PROFILE.md,
/// fifth pass).
inline double cpu_wait_of(double elapsed, double work) {
    const auto bits = std::bit_cast<std::uint64_t>(elapsed - work);
    const auto negative = static_cast<std::uint64_t>(static_cast<std::int64_t>(bits) >> 63);
    return std::bit_cast<double>(bits & ~negative);  // a negative difference becomes +0
}

/// Seconds per component, all of them: the spill of a task whose record
/// outgrew its inline slots.
using Components = std::array<float, kComponents>;

/// Seconds per component for one task, sparse: a task passes through a few
/// components (an M/M/1 request three), so up to kInline of them live
/// inline and a task that meets more moves its record to a dense block in
/// an arena its simulation owns (`Spills`). This keeps a task 48 bytes
/// smaller than a dense record. Floats keep it small; the sums that feed
/// the report are accumulated in double.
class Attribution {
  public:
    static constexpr std::uint8_t kInline = 7;
    static constexpr std::uint32_t kNoSpill = 0xFFFFFFFFu;

    // Forced inline: it runs on every phase of every task, and GCC's
    // heuristics kept it out of line (3% of an M/M/1 run in perf).
    template <class Spills>
    [[gnu::always_inline]] void add(Component c, float seconds, Spills& spills) {
        const auto k = static_cast<std::uint8_t>(c);
        if (n_ != kSpilled) {
            for (std::uint8_t i = 0; i < n_; ++i)
                if (c_[i] == k) {
                    v_[i] += seconds;
                    return;
                }
            if (n_ < kInline) {
                c_[n_] = k;
                v_[n_++] = seconds;
                return;
            }
            spill(spills);
        }
        spills[spill_][k] += seconds;
    }

    /// Adds another record into this one (a child's, on the critical path).
    template <class Spills>
    void merge(const Attribution& other, Spills& spills) {
        other.for_each(spills, [&](Component c, float v) { add(c, v, spills); });
    }

    /// f(component, seconds) for every component this record holds.
    template <class Spills, class F>
    void for_each(const Spills& spills, F f) const {
        if (n_ == kSpilled) {
            // A copy: f may add to a record that spills, and grow the arena.
            const Components d = spills[spill_];
            for (std::size_t c = 0; c < kComponents; ++c)
                if (d[c] != 0.0f) f(static_cast<Component>(c), d[c]);
            return;
        }
        for (std::uint8_t i = 0; i < n_; ++i) f(static_cast<Component>(c_[i]), v_[i]);
    }

    /// Seconds in one component.
    template <class Spills>
    float get(Component c, const Spills& spills) const {
        float out = 0.0f;
        for_each(spills, [&](Component k, float v) {
            if (k == c) out = v;
        });
        return out;
    }

    /// The spill block this record owns (kNoSpill: none), for its owner to free.
    std::uint32_t spilled() const { return n_ == kSpilled ? spill_ : kNoSpill; }

  private:
    static constexpr std::uint8_t kSpilled = 0xFF;

    template <class Spills>
    void spill(Spills& spills) {
        const std::uint32_t s = spills.acquire();
        Components& d = spills[s];
        d.fill(0.0f);
        for (std::uint8_t i = 0; i < n_; ++i) d[c_[i]] += v_[i];
        spill_ = s;
        n_ = kSpilled;
    }

    std::array<float, kInline> v_{};
    std::array<std::uint8_t, kInline> c_{};
    std::uint8_t n_ = 0;
    std::uint32_t spill_ = kNoSpill;
};

}  // namespace capsim

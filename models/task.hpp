// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <limits>

#include "engine/calendar.hpp"
#include "models/attribution.hpp"

namespace capsim {

inline constexpr std::uint32_t kNone = 0xFFFFFFFFu;

/// The deadline of work on a replica that crashed: already past at any
/// time, and told apart from a caller's deadline by its value.
inline constexpr double kCrashed = -std::numeric_limits<double>::infinity();

/// A request as its source sees it: created on arrival, freed when its
/// root task ends.
struct Request {
    double arrival = 0.0;
    std::uint32_t user = kNone;     // closed-loop user waiting for it, if any
    std::uint32_t message = kNone;  // a queue's delivery: the message it carries
    std::uint32_t client = 0;       // which client sent it (rate limits per client)
    // A rate limit's refusal: when to come back, in seconds after arrival
    // (a float is ample for the life of a request, and keeps it 32 bytes).
    float retry_after = 0.0f;
    std::uint16_t source = 0;    // the loader allows at most 65,535 sources
    std::uint16_t attempts = 0;  // calls and retries its guards started (saturating)
    std::uint8_t priority = 0;
    bool answered = false;  // its client was told it failed (a crash) before its root ended
};

/// A request served by a plain station (CompiledEndpoint::plain): its
/// Request and its only Task in one, 40 bytes instead of 216. The task and
/// request arenas count it (Arena::count_outside), so in-flight limits and
/// peaks read the same as on the generic path.
struct PlainJob {
    double start = 0.0;          // arrival
    double mark = 0.0;           // arrival; from its grant, when its cpu step began
    double work = 0.0;           // CPU seconds of its cpu step
    std::uint32_t user = kNone;  // closed-loop user waiting for it, if any
    std::uint32_t endpoint = 0;  // and its PlainLane
    std::uint16_t source = 0;
};

/// A thread of execution through the program: an endpoint frame (the root,
/// or a synchronous call's callee, which holds a worker of its own), or a
/// block run for a loop or a parallel arm on its parent's worker.
struct Task {
    double start = 0.0;  // when this frame began (an endpoint's latency starts here)
    double mark = 0.0;   // when the current phase began (attribution)
    double work = 0.0;   // CPU seconds of the current cpu step
    // Past this time the work is dropped (a deadline handed down by a
    // caller's timeout); +inf when no caller propagates one.
    double deadline = std::numeric_limits<double>::infinity();
    std::uint64_t key = 0;  // cache: the key looked up; write: the row it locks
    TimerHandle timer;      // pool acquire, lock or guard timeout
    std::uint32_t pc = 0;
    std::uint32_t request = kNone;
    std::uint32_t endpoint = kNone;  // set on endpoint frames only
    std::uint32_t replica = kNone;   // where it runs
    std::uint32_t parent = kNone;
    std::uint32_t parent_gen = 0;        // parent's arena generation when spawned
    std::uint32_t parent_wait = 0;       // parent's wait id when spawned
    std::uint32_t wait_id = 0;           // bumped each time this task starts a wait
    std::uint32_t counter = 0;           // loop iterations still to run
    std::uint32_t pending = 0;           // children still needed to resume
    std::uint32_t allowed_failures = 0;  // arms that may still fail (k of n)
    std::uint32_t body = 0;              // loop: pc of the body's start
    std::uint32_t txn = kNone;           // pool whose transaction connection this task may use
    std::uint32_t held = kNone;          // pool whose transaction connection this task holds
    std::uint32_t txn_id = 0;            // the transaction it runs in (its row locks' owner)
    std::uint32_t lock_owner = 0;        // the owner of the lock its current write takes
    std::uint32_t guard = kNone;         // an attempt: the guard that started it
    std::uint32_t member = 0;            // query: the database server (shard, replica) running it
    float fill = 0.0f;                   // cache: how long the miss path that fills the key took
    std::uint16_t attempt = 0;           // at a guard: attempts started so far
    std::uint8_t permit = 0;             // at a guard: the breaker's CircuitBreaker::Permit
    std::uint8_t outcome = 0;  // external call: the ErrorCause + 1 it will fail with, 0 for none
    // Flags as bits: a task is copied on every spawn and acquire, and the
    // in-flight bytes per request are a budget (bench/RESULTS.md).
    bool retry : 1 = false;     // runs for a retry (arrivals it causes are retry load)
    bool fallback : 1 = false;  // at a guard: its fallback is running
    bool holds_worker : 1 = false;
    bool holds_loop : 1 = false;      // async: this task took an event loop
    bool in_loop : 1 = false;         // async: an ancestor holds one, so this task runs on it
    bool holds_executor : 1 = false;  // async: this task holds an executor thread
    bool poisoned : 1 = false;  // the root of a delivery of a poison message: it fails at the end
    bool leads_flight : 1 = false;  // cache: this task's miss fills the key for coalesced waiters
    bool holds_bulkhead : 1 =
        false;                  // at a guard: its current attempt holds a place in the bulkhead
    bool detached : 1 = false;  // its caller was answered for it (a crash): its end tells no one
    Attribution attr{};
};

}  // namespace capsim

// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#pragma once

#include <array>
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

/// Seconds per component; float keeps a task small, and the sums that
/// feed the report are accumulated in double.
using Attribution = std::array<float, kComponents>;

}  // namespace capsim

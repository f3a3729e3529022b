// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>

namespace capsim {

/// Why a request failed. A failure keeps its original cause as it travels
/// up the call chain, so the root endpoint reports "queue_full" (and the
/// station it happened at counts it too), not a vague "downstream".
enum class ErrorCause : std::uint8_t {
    QueueFull,           // a bounded request queue was full
    PoolTimeout,         // no pooled connection within acquire_timeout
    TooManyConnections,  // the store was at max_connections
    ExternalError,       // the external dependency answered with an error
    RateLimited,         // the external dependency's rate limit refused it (429)
    BrokerFull,          // a message queue was full
    LockTimeout,         // a write waited longer than the database's lock_timeout
    Poison,              // a poison message: its consumer always fails on it
    Timeout,             // the caller's timeout fired before the attempt answered
    CircuitOpen,         // the caller's circuit breaker was open: failed fast
    Cancelled,           // the deadline handed down had passed: the work was dropped
    BulkheadFull,        // the caller's bulkhead for this dependency had no room
    Shed,                // waited in a service's queue past its queue_timeout: never started
    ConcurrencyLimited,  // the replica's adaptive concurrency limit was reached
    Crashed,             // the replica serving it crashed (its connection reset)
    ConnectionRefused,   // sent to a replica that was down and still in rotation
    InjectedFault,       // an injected error fault failed the call
    kCount,
};

inline constexpr const char* cause_name(ErrorCause c) {
    switch (c) {
        case ErrorCause::QueueFull:
            return "queue_full";
        case ErrorCause::PoolTimeout:
            return "pool_timeout";
        case ErrorCause::TooManyConnections:
            return "too_many_connections";
        case ErrorCause::ExternalError:
            return "external_error";
        case ErrorCause::RateLimited:
            return "rate_limited";
        case ErrorCause::BrokerFull:
            return "broker_full";
        case ErrorCause::LockTimeout:
            return "lock_timeout";
        case ErrorCause::Poison:
            return "poison";
        case ErrorCause::Timeout:
            return "timeout";
        case ErrorCause::CircuitOpen:
            return "circuit_open";
        case ErrorCause::Cancelled:
            return "cancelled";
        case ErrorCause::BulkheadFull:
            return "bulkhead_full";
        case ErrorCause::Shed:
            return "shed";
        case ErrorCause::ConcurrencyLimited:
            return "concurrency_limited";
        case ErrorCause::Crashed:
            return "crashed";
        case ErrorCause::ConnectionRefused:
            return "connection_refused";
        case ErrorCause::InjectedFault:
            return "injected_fault";
        case ErrorCause::kCount:
            break;
    }
    return "?";
}

inline constexpr std::size_t kCauses = static_cast<std::size_t>(ErrorCause::kCount);

}  // namespace capsim

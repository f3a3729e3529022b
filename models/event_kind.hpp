// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>

namespace capsim {

/// The tags the simulation dispatches on. The kernel's calendar carries
/// them opaquely; a new station type adds its tags here, not in engine/.
enum EventKind : std::uint16_t {
    kArrival,          // arg: source index
    kCpuDone,          // arg: task (dedicated or FCFS cores)
    kPsDone,           // arg: replica (the earliest processor-sharing completion)
    kDelayDone,        // arg: task
    kThinkDone,        // arg: closed-loop user
    kWindow,           // time-series window boundary
    kWarmupEnd,        // statistics restart
    kDbCpuDone,        // arg: task (a query on FCFS database cores)
    kDbPsDone,         // arg: database (the earliest processor-sharing completion)
    kConnectDone,      // arg: task (a connection is open)
    kRoundTripDone,    // arg: task (a query reached the database)
    kPoolTimeout,      // arg: task (gave up waiting for a pooled connection)
    kCacheCpuDone,     // arg: task (a cache operation finished)
    kCachePsDone,      // arg: cache (processor-sharing completion)
    kExternalDone,     // arg: task (an external call answered)
    kMessageRetry,     // arg: message (its backoff is over)
    kLockTimeout,      // arg: task (gave up waiting for a row lock)
    kCacheFlush,       // arg: cache (emptied: a restart or a FLUSHALL)
    kGuardTimeout,     // arg: task (a guarded attempt's timeout fired)
    kRetryDue,         // arg: task (its backoff is over: the next attempt starts)
    kHalfOpen,         // arg: breaker (its open period is over)
    kLimitWake,        // arg: rate-limit key (requests queued at it may pass)
    kBulkheadTimeout,  // arg: task (gave up waiting for room in a bulkhead)
    kFaultStart,       // arg: fault unit (a crash, latency, error or partition begins)
    kFaultEnd,         // arg: fault unit (it ends: a restart, a healed partition)
    kProbe,            // arg: replica (its health check probes it)
    kFaultDelayDone,   // arg: held call (a call held by injected latency goes on)
    kScaleEval,        // arg: service (its autoscaler evaluates its metric)
    kScaleFloor,       // arg: service (a scheduled floor takes effect)
    kReplicaReady,     // arg: replica (provisioned: it joins the rotation)
    kOutlierReturn,    // arg: replica (its outlier ejection is over)
    kPlainDone,        // arg: task (a plain station's cpu step finished)
};

}  // namespace capsim

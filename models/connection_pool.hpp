// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>

#include "models/gauge.hpp"
#include "models/wait_queue.hpp"

namespace capsim {

/// A task waiting for a pooled connection. The generation and wait id let
/// the pool skip entries whose task gave up (acquire timeout) without
/// searching the queue when it happened.
struct PoolWaiter {
    std::uint32_t task = 0;
    std::uint32_t generation = 0;
    std::uint32_t wait_id = 0;
};

/// One replica's pool of connections to one database (or, with size 0, its
/// habit of opening a connection per query). Connections are opened lazily,
/// on the first use of each slot, and then kept: a pool never holds more
/// open connections than its size, nor than its peak concurrency.
struct ConnectionPool {
    std::uint32_t database = 0;
    std::uint32_t size = 0;  // 0: no pool
    double acquire_timeout = 0.0;
    std::uint32_t in_use = 0;
    std::uint32_t opened = 0;   // connections this pool holds open
    std::uint32_t waiting = 0;  // live entries in `waiters`
    Ring<PoolWaiter> waiters;
    Gauge busy;    // connections in use
    Gauge queued;  // tasks waiting for one
};

}  // namespace capsim

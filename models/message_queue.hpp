// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>

#include "engine/histogram.hpp"
#include "engine/random.hpp"
#include "models/connection_pool.hpp"
#include "models/gauge.hpp"
#include "models/wait_queue.hpp"

namespace capsim {

/// One message, from enqueue to ack or dead letter.
struct Message {
    double enqueued = 0.0;  // first enqueue: end-to-end job latency starts here
    double ready = 0.0;     // when it (re)joined the queue: its age in the queue
    std::uint32_t queue = 0;
    std::uint32_t attempts = 0;
    bool poison = false;
};

/// A queue's state in one replication: messages ready for delivery (FIFO),
/// deliveries in progress, producers blocked on a full queue.
struct MessageQueue {
    Ring<std::uint32_t> ready;        // message ids
    std::uint32_t delivering = 0;     // consumer requests in flight
    Ring<PoolWaiter> blocked;         // producers waiting for room (block_when_full)
    std::uint32_t blocked_count = 0;  // live entries in `blocked`
    Gauge depth;                      // messages ready
    std::uint64_t window_acked = 0;
    // Set while delivering: a delivery that fails at once (a full consumer
    // queue) finishes inside the loop, and must not start a nested one.
    bool in_deliver = false;
    Rng backoff_rng;
};

}  // namespace capsim

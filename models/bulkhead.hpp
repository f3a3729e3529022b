// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>

#include "models/connection_pool.hpp"
#include "models/wait_queue.hpp"

namespace capsim {

/// One caller replica's bulkhead for one guarded step: the places left
/// and the attempts waiting for one, first come, first served. A waiter
/// that gave up stays in the ring until it reaches the front, where its
/// stale wait id tells it apart.
struct Bulkhead {
    std::uint32_t free = 0;
    Ring<PoolWaiter> waiters;
};

}  // namespace capsim

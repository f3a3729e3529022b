// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>

namespace capsim {

/// The tags the simulation dispatches on. The kernel's calendar carries
/// them opaquely; a new station type adds its tags here, not in engine/.
enum EventKind : std::uint16_t {
    kArrival,    // arg: source index
    kCpuDone,    // arg: task (dedicated or FCFS cores)
    kPsDone,     // arg: replica (the earliest processor-sharing completion)
    kDelayDone,  // arg: task
    kThinkDone,  // arg: closed-loop user
    kWindow,     // time-series window boundary
    kWarmupEnd,  // statistics restart
};

}  // namespace capsim

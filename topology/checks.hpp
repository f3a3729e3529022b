// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "topology/topology.hpp"

namespace capsim::topology {

/// One problem with a scenario's shape, located by key path: the scenario
/// layer turns it into a diagnostic at file:line:column.
struct Finding {
    enum class Severity : std::uint8_t { Error, Warning };
    Severity severity = Severity::Error;
    std::string path;
    std::string message;
    std::string expected;
};

/// The checks a scenario must pass before it runs, in this order:
/// - unresolved step targets (errors);
/// - cycles through a synchronous call, a.x → b.y → a.x (errors): every
///   level holds a worker while it waits for the level below, so the chain
///   never ends and, in the real system, every worker ends up waiting on
///   another: a deadlock, whatever the number of workers or the branch
///   weights. Forwards on such a cycle do not break it (the original caller
///   still waits);
/// - a call chain that comes back to another endpoint of the caller's own
///   service, a.x → b.y → a.z: an error when that service has one worker in
///   all (it deadlocks on the first such request), a warning otherwise (it
///   deadlocks once every worker waits on the chain);
/// - cycles of forwards only, a.x ⇒ b.y ⇒ a.x: an error when every hand-off
///   on it is unconditional (the request never finishes), a warning with the
///   chance of going round again when a branch can leave it;
/// - stations and endpoints that no traffic source reaches (warnings).
/// Each cycle is reported once, at the step that starts it in model order.
std::vector<Finding> check(const Topology& topology);

}  // namespace capsim::topology

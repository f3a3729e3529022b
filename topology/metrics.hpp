// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <vector>

#include "topology/topology.hpp"

namespace capsim::topology {

/// How deep and how wide one request to an endpoint goes. `depth` counts
/// the synchronous hops nested below it at the deepest point (a call, a
/// query, a cache lookup, an external call each wait one level down; a
/// forward continues at the same level): 0 for an endpoint that only
/// computes. `fan_out` is the worst-case number of downstream requests one
/// request causes in total (calls, forwards, queries, cache lookups,
/// external calls, recursively), with every loop at its largest count,
/// every `parallel` arm taken and the worst arm of every branch. Both are
/// +inf when unbounded: on a cycle, or below a loop whose count law has no
/// upper bound.
struct EndpointMetrics {
    std::string endpoint;  // "service.endpoint"
    std::string path;
    bool entry = false;  // a traffic source sends to it
    double depth = 0.0;
    double fan_out = 0.0;
};

/// One row per endpoint, in model order.
std::vector<EndpointMetrics> endpoint_metrics(const Topology& topology);

}  // namespace capsim::topology

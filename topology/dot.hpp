// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#pragma once

#include <string>

#include "topology/topology.hpp"

namespace capsim::topology {

/// The topology in Graphviz DOT, left to right: sources, each service as a
/// box (cluster) labelled with its capacity (replicas×workers w×cores c)
/// holding its endpoints and pools, stores and externals with theirs.
/// Calls are solid, forwards dashed, uses dotted; an edge is labelled with
/// its largest repeat count (×10) and its probability when below 1.
std::string to_dot(const Topology& topology);

}  // namespace capsim::topology

// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#include <cmath>

#include "bindings.hpp"
#include "models/compiled_model.hpp"
#include "topology/dot.hpp"
#include "topology/metrics.hpp"
#include "topology/topology.hpp"

namespace capsim::python {

namespace {

// Unbounded depths and fan-outs go to Python as None, which pandas and
// JSON both show as missing rather than as a huge number.
py::object finite_or_none(double x) {
    if (std::isinf(x)) return py::none();
    return py::float_(x);
}

}  // namespace

void register_topology(py::module_& m) {
    m.def(
        "graph_dot",
        [](const CompiledModel& c) { return topology::to_dot(topology::Topology(c.model)); },
        py::arg("model"), "The scenario's topology as Graphviz DOT text.");
    m.def(
        "endpoint_metrics",
        [](const CompiledModel& c) {
            py::list out;
            for (const auto& r : topology::endpoint_metrics(topology::Topology(c.model))) {
                py::dict row;
                row["endpoint"] = r.endpoint;
                row["path"] = r.path;
                row["entry"] = r.entry;
                row["depth"] = finite_or_none(r.depth);
                row["fan_out"] = finite_or_none(r.fan_out);
                out.append(row);
            }
            return out;
        },
        py::arg("model"), "Call depth and worst-case fan-out of every endpoint.");
}

}  // namespace capsim::python

// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#include "bindings.hpp"

PYBIND11_MODULE(_core, m) {
    m.doc() = "capsim's C++ engine. Use the capsim package, not this module.";
    m.attr("__version__") = CAPSIM_VERSION;
    capsim::python::register_scenario(m);
    capsim::python::register_run(m);
    capsim::python::register_analysis(m);
    capsim::python::register_topology(m);
}

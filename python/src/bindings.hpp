// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#pragma once

#include <pybind11/pybind11.h>

#include "scenario/toml.hpp"

namespace capsim::python {

namespace py = pybind11;

void register_scenario(py::module_& m);
void register_run(py::module_& m);
void register_analysis(py::module_& m);
void register_topology(py::module_& m);

/// A Python dict (of dicts, lists, str, int, float, bool) as a TOML table.
/// Raises TypeError naming the key path of a value TOML cannot hold.
toml::table dict_to_toml(const py::dict& d);

}  // namespace capsim::python

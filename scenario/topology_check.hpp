// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#pragma once

#include "models/model.hpp"
#include "scenario/table_reader.hpp"
#include "scenario/toml.hpp"

namespace capsim::scenario {

/// Check the shape of a model the loader built from `root` (call cycles,
/// unreachable stations: topology/checks.hpp) and report each finding as a
/// diagnostic at the file:line:column its key path names in `root`.
void check_topology(TableReader& rd, const toml::table& root, const Model& model);

}  // namespace capsim::scenario

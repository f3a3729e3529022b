// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "scenario/loader.hpp"
#include "scenario/toml.hpp"

namespace capsim::scenario {

/// Load a scenario already held as a TOML table (a Python dict converted by
/// the bindings). Nodes without source positions are located by key path.
LoadResult load_table(toml::table table, const std::string& name,
                      const std::filesystem::path& base_dir = {},
                      const std::vector<std::string>& overrides = {});

/// resolve_file for a scenario held as a TOML table.
ResolveResult resolve_table(toml::table table, const std::string& name,
                            const std::filesystem::path& base_dir = {},
                            const std::vector<std::string>& overrides = {});

}  // namespace capsim::scenario

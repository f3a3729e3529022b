// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <vector>

#include "scenario/table_reader.hpp"
#include "scenario/toml.hpp"

namespace capsim::scenario {

/// Apply "key.path=value" assignments (the CLI's --set) to a parsed
/// scenario before it is validated, so an override is checked exactly like
/// the file it changes. Path segments are dotted keys, "quoted.keys" and
/// [index] for array elements; intermediate tables are created. A value is
/// read as TOML (8, 0.5, true, "text", [1, 2], { cpu = "5ms" }) or, when
/// that fails, taken as a bare string (250ms, fcfs, exp(5ms)).
void apply_overrides(TableReader& rd, toml::table& root, const std::vector<std::string>& overrides);

}  // namespace capsim::scenario

// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#pragma once

// TOML++ in header-only mode with TOML 1.1's multi-line inline tables (so a
// step list can span lines) and without exceptions (parse errors are
// values we turn into diagnostics). capsim_scenario sets these for every
// translation unit that includes it, so all agree on the configuration.
#include <toml++/toml.h>

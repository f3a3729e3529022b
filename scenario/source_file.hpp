// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "scenario/diagnostic.hpp"
#include "scenario/toml.hpp"

namespace capsim::scenario {

/// Scenario files are read whole; past this size they are refused (traces
/// belong in CSV files), so a hostile file cannot exhaust memory: TOML++
/// spends up to ~45 bytes of tree per byte of the densest input (`a=[{},{},…]`),
/// so 4 MiB adds at most ~170 MB, where 16 MiB reached 750 MB.
inline constexpr std::uintmax_t kMaxScenarioBytes = 4u * 1024 * 1024;

/// The text of a scenario file, or why it cannot be had: missing, not a
/// regular file, or over kMaxScenarioBytes.
struct SourceText {
    std::optional<std::string> text;
    Diagnostic problem;  // set when text is empty
};
SourceText read_source(const std::filesystem::path& file);

/// TOML text parsed with `name` as its source (so every node, and every
/// diagnostic about it, names that file), or the syntax error.
struct ParsedSource {
    std::optional<toml::table> table;
    Diagnostic problem;  // set when table is empty
};
ParsedSource parse_source(std::string_view text, const std::string& name);

}  // namespace capsim::scenario

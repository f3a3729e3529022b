// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "models/model.hpp"
#include "scenario/diagnostic.hpp"

namespace capsim::scenario {

/// The outcome of loading a scenario: a model when there were no errors,
/// and every diagnostic found in one pass (warnings even on success).
struct LoadResult {
    std::optional<Model> model;
    std::vector<Diagnostic> diagnostics;
    bool ok() const { return model.has_value(); }
};

/// Load a scenario file. `overrides` are "key.path=value" assignments
/// (the CLI's --set) applied before validation; a value parses as TOML
/// (8, 0.5, true, "x") or, failing that, as a bare string (250ms, fcfs).
LoadResult load_file(const std::filesystem::path& file,
                     const std::vector<std::string>& overrides = {});

/// Load scenario text; `name` labels diagnostics, `base_dir` resolves
/// relative file references (empirical laws, traces).
LoadResult load_string(std::string_view text, const std::string& name,
                       const std::filesystem::path& base_dir = {},
                       const std::vector<std::string>& overrides = {});

/// A scenario as the loader validated it, after `extends` and overrides:
/// TOML text (what `capsim show` prints) when it is valid, and every
/// diagnostic either way.
struct ResolveResult {
    std::optional<std::string> toml;
    std::vector<Diagnostic> diagnostics;
    bool ok() const { return toml.has_value(); }
};

/// Resolve and validate a scenario file; see ResolveResult.
ResolveResult resolve_file(const std::filesystem::path& file,
                           const std::vector<std::string>& overrides = {});

}  // namespace capsim::scenario

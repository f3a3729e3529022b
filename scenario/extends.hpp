// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#pragma once

#include <filesystem>

#include "scenario/table_reader.hpp"
#include "scenario/toml.hpp"

namespace capsim::scenario {

/// Bases may extend bases this deep; past it the chain is refused.
inline constexpr std::size_t kMaxExtendsDepth = 16;

/// Replace `root` by its base scenario with `root` merged on top, when it
/// says `extends = "base.toml"`: the path is relative to `dir` (the
/// directory of the file that says it), bases may extend bases, and the
/// child wins key by key: [header] tables merge deeply, while values,
/// arrays and inline { ... } tables replace the base's whole value. `name`
/// is not inherited (a scenario is named by its own `name` or file). Every
/// node keeps the file it came from, so later diagnostics point into the
/// right file. A missing or unreadable base, bad TOML in it, a chain that
/// comes back to a file already in it (spelled out) or one deeper than
/// kMaxExtendsDepth are errors in `rd`. `self` is the file `root` was read
/// from, when it was read from one.
void resolve_extends(TableReader& rd, toml::table& root, const std::filesystem::path& dir,
                     const std::filesystem::path& self);

}  // namespace capsim::scenario

// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "scenario/toml.hpp"

namespace capsim::scenario {

/// One step of a key path: a key, or an array index.
using KeySegment = std::variant<std::string, std::size_t>;

/// Split a key path as diagnostics and --set write it, a.b."c.d"[2].e,
/// into segments; nullopt when malformed.
std::optional<std::vector<KeySegment>> split_key_path(const std::string& path);

/// The node a key path names in a parsed scenario, or the nearest enclosing
/// node that has a source position (tables created implicitly by a dotted
/// header have none); null when nothing on the path exists. This is how a
/// problem found in the Model, which keeps only key paths, is located at a
/// file:line:column.
const toml::node* locate(const toml::table& root, const std::string& path);

}  // namespace capsim::scenario

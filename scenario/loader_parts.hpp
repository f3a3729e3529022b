// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <vector>

#include "models/model.hpp"
#include "scenario/table_reader.hpp"

namespace capsim::scenario {

/// A name the loader could only check once the whole file was read (a call
/// target, a mix entry, an SLO's endpoint): where it was written and what.
struct Reference {
    const toml::node* node;
    std::string path;
    std::string target;  // "service.endpoint"
};

/// Read [traffic.*] into sources; endpoint names go to `refs` for checking.
void load_traffic(TableReader& rd, const toml::table& root, Model& model,
                  std::vector<Reference>& refs);

}  // namespace capsim::scenario

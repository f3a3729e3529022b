// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#include "scenario/topology_check.hpp"

#include "scenario/key_path.hpp"
#include "topology/checks.hpp"

namespace capsim::scenario {

void check_topology(TableReader& rd, const toml::table& root, const Model& model) {
    const topology::Topology graph(model);
    for (topology::Finding& f : topology::check(graph)) {
        const toml::node* at = locate(root, f.path);
        if (f.severity == topology::Finding::Severity::Error)
            rd.error(at, f.path, std::move(f.message), std::move(f.expected));
        else
            rd.warning(at, f.path, std::move(f.message));
    }
}

}  // namespace capsim::scenario

// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#include "models/run.hpp"

#include "models/simulation.hpp"

namespace capsim {

ReplicationResult run_replication(const CompiledModel& model, std::uint32_t replication) {
    return Simulation(model, replication).run();
}

Report run(const CompiledModel& model, const RunOptions& options) {
    const std::uint32_t n = std::max<std::uint32_t>(1, model.model.run.replications);
    std::vector<ReplicationResult> results(n);
    parallel_for(
        n, options.threads,
        [&](std::size_t i, const std::atomic<bool>& cancel) {
            results[i] = Simulation(model, static_cast<std::uint32_t>(i)).run(&cancel);
        },
        options.progress);
    return merge(model, results);
}

}  // namespace capsim

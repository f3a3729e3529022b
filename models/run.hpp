// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#pragma once

#include "engine/parallel_runner.hpp"
#include "models/compiled_model.hpp"
#include "models/report.hpp"

namespace capsim {

/// How to execute a run; none of it changes the report.
struct RunOptions {
    unsigned threads = 0;  // 0: all hardware threads
    Progress progress;     // replications done / total
};

/// Run every replication of the model (in parallel) and merge them. The
/// report is identical bit for bit whatever `threads` is.
Report run(const CompiledModel& model, const RunOptions& options = {});

/// One replication alone, for tests and benchmarks.
ReplicationResult run_replication(const CompiledModel& model, std::uint32_t replication);

}  // namespace capsim

// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <vector>

#include "models/compiled_model.hpp"
#include "models/replication_result.hpp"

namespace capsim {

struct Report;

/// The guarded steps' table (Report::policies).
void merge_policies(const CompiledModel& cm, const std::vector<ReplicationResult>& reps,
                    std::size_t windows, Report& rep);

/// The injected faults' table (Report::faults).
void merge_faults(const CompiledModel& cm, const std::vector<ReplicationResult>& reps, Report& rep);

/// For every failure window of the scenario (external outages and
/// brown-outs, cache flushes, injected faults; each occurrence of a random
/// one), whether and when the entry endpoints came back to their level
/// before it (Report::recoveries).
void check_recovery(const CompiledModel& cm, const std::vector<ReplicationResult>& reps,
                    Report& rep);

}  // namespace capsim

// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#pragma once

#include "analysis/analysis.hpp"
#include "models/report.hpp"

namespace capsim::analysis {

/// The report's "analytic vs simulated" section: per station throughput,
/// core and worker utilisation, requests present and wait for a worker,
/// per endpoint throughput and mean latency. A prediction agrees when it
/// lies in the simulated 99.9% confidence interval (the validation suite's
/// rule); a disagreement carries the reasons this model gives for one.
AnalyticReport compare(const Analysis& a, const Report& report);

/// Analyse the report's model and attach the comparison to `report`. A
/// model the analysis rejects (or fails on) leaves the section with a note
/// saying why; the run's report is never lost to the analysis.
void attach(Report& report, const CompiledModel& model);

}  // namespace capsim::analysis

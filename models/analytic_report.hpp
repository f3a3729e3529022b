// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#pragma once

#include <limits>
#include <string>
#include <vector>

#include "engine/json_writer.hpp"
#include "engine/summary.hpp"

namespace capsim {

/// One quantity the analytic layer predicts, next to the simulation's
/// estimate. `verdict` is "agree" (the prediction lies in the simulated
/// 99.9% confidence interval), "disagree", or "no ci" (one replication).
/// A disagreement lists the reasons the model gives for one (heavy-tailed
/// service, nested holding, bursts, finite buffers...): it is why the
/// user simulates.
struct AnalyticRow {
    std::string kind;  // "station" or "endpoint"
    std::string name;
    std::string quantity;  // e.g. "core_utilization", "latency_mean"
    double analytic = std::numeric_limits<double>::quiet_NaN();
    Estimate simulated{std::numeric_limits<double>::quiet_NaN(),
                       std::numeric_limits<double>::quiet_NaN(), 0};
    double tolerance = std::numeric_limits<double>::quiet_NaN();  // 99.9% half-width
    std::string verdict;
    std::vector<std::string> reasons;
};

/// The analytic section of a report: the bounds and the comparison table.
/// Filled by the analytic layer (analysis/compare.hpp); empty when the run
/// was made without it.
struct AnalyticReport {
    bool present = false;
    std::string method;  // "open", "closed", "saturated"
    double offered = 0.0, x_max = 0.0, headroom = 0.0;
    std::string bottleneck_station, bottleneck_resource;
    std::vector<AnalyticRow> rows;
    std::vector<std::string> notes;
};

/// Write the section as the value of the current key ("analytic").
void write_analytic(JsonWriter& w, const AnalyticReport& a);

}  // namespace capsim

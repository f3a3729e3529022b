// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <vector>

#include "analysis/demands.hpp"
#include "analysis/mva.hpp"

namespace capsim::analysis {

/// One resource under the scenario's workload.
struct ResourceLoad {
    double demand = 0.0;            // per request of the workload (seconds, or calls)
    double x_max = 0.0;             // capacity / demand: requests/s at which it saturates
    double utilization = 0.0;       // at the mean offered load
    double peak_utilization = 0.0;  // at the peak offered load
};

/// The bottleneck law for the whole workload: every resource's load, the
/// order in which they saturate as the load grows (every source scaled
/// together) and the headroom left.
struct Bottleneck {
    std::vector<ResourceLoad> loads;   // in resource order
    std::vector<std::uint32_t> order;  // resources that carry load, saturating first first
    double offered = 0.0;              // requests per second, mean over the measured window
    double peak_offered = 0.0;         // requests per second at each source's peak
    double x_max = 0.0;                // the throughput at which the first resource saturates
    double headroom = 0.0;             // x_max / offered
};

/// X_max = min_k capacity_k / D_k, where D_k = load_k / offered is the demand
/// of one request of the workload on resource k (`load` is busy servers,
/// i.e. sum over sources of rate x demand, at the mean; `peak_load` with
/// every source at its peak).
Bottleneck bottleneck_law(const std::vector<Resource>& resources, const std::vector<double>& load,
                          const std::vector<double>& peak_load, double offered,
                          double peak_offered);

/// Bounds on a closed workload of N users thinking Z seconds.
///
/// Asymptotic bounds (Lazowska et al., Quantitative System Performance,
/// 1984, ch. 5), written with the minimum response time R0 (the critical
/// path without contention) in place of the sum of demands, so that they
/// hold with multi-server stations and parallel arms:
///     X(N) <= min(N / (R0 + Z), X_max),  R(N) >= max(R0, N / X_max - Z),
///     X(N) >= N / (N Dq + Dd + Z)  (everyone queues behind everyone),
/// and N* = (R0 + Z) X_max, the population beyond which the bottleneck
/// caps the throughput.
///
/// Balanced job bounds (Zahorjan et al. 1982) for the queueing stations
/// `stations`: exact bounds when every station has one server; a station
/// of c servers is first replaced by Seidmann's equivalent (one server c
/// times faster plus a delay of D (c - 1) / c), which makes them
/// approximations.
struct ClosedBounds {
    double users = 0.0, think = 0.0;
    double response0 = 0.0;  // R0
    double x_max = 0.0;
    double n_star = 0.0;
    double x_upper = 0.0, x_lower = 0.0;
    double r_lower = 0.0, r_upper = 0.0;
    bool balanced_exact = false;  // every station single-server: BJB are true bounds
    double bjb_x_lower = 0.0, bjb_x_upper = 0.0;
    double bjb_r_lower = 0.0, bjb_r_upper = 0.0;
};

ClosedBounds closed_bounds(std::uint32_t users, double think, double response0, double x_max,
                           const std::vector<MvaStation>& stations);

}  // namespace capsim::analysis

// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "engine/histogram.hpp"
#include "models/attribution.hpp"
#include "models/error_cause.hpp"

namespace capsim {

/// Per-window values of one endpoint (one entry per window).
struct EndpointSeries {
    std::vector<double> arrivals;
    std::vector<double> completions;
    std::vector<double> errors;
    std::vector<double> p50;
    std::vector<double> p99;
};

/// What one replication measured at one endpoint, after warm-up.
struct EndpointResult {
    std::uint64_t arrivals = 0;     // frames started
    std::uint64_t completions = 0;  // frames finished successfully
    std::array<std::uint64_t, kCauses> errors{};
    Histogram latency;                              // successful frames, seconds
    std::array<double, kComponents> attribution{};  // summed over completions
    EndpointSeries series;
};

/// What one replication measured for the requests of one traffic source
/// (its client class), end to end, after warm-up.
struct SourceResult {
    std::uint64_t arrivals = 0;
    std::uint64_t completions = 0;
    std::array<std::uint64_t, kCauses> errors{};
    Histogram latency;
};

/// Per-window values of one service (time averages over the window).
struct StationSeries {
    std::vector<double> waiting;       // mean requests queued for a worker
    std::vector<double> busy_workers;  // mean workers held
    std::vector<double> busy_cores;    // mean cores computing
    std::vector<double> completions;
};

/// What one replication measured at one service, after warm-up.
struct StationResult {
    double busy_workers = 0.0;  // time-average
    double busy_cores = 0.0;
    double waiting = 0.0;  // time-average queue length
    double waiting_max = 0.0;
    std::uint64_t admitted = 0;   // took a worker
    std::uint64_t completed = 0;  // released it
    std::uint64_t rejected = 0;   // queue full
    double wait_sum = 0.0;        // seconds spent queued by the admitted
    StationSeries series;
};

/// Everything one replication produced; merged across replications into
/// the report in replication order, so thread count never changes it.
struct ReplicationResult {
    std::uint32_t replication = 0;
    bool unstable = false;
    double unstable_time = 0.0;
    std::uint64_t unstable_in_flight = 0;
    double measured = 0.0;  // seconds of measurement (duration - warm-up)
    std::uint64_t events = 0;
    std::uint64_t in_flight_at_end = 0;
    std::uint64_t peak_tasks = 0;
    std::vector<EndpointResult> endpoints;
    std::vector<StationResult> stations;
    std::vector<SourceResult> sources;
    std::vector<double> window_end;  // time at the end of each window
};

}  // namespace capsim

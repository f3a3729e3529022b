// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "analysis/bounds.hpp"
#include "analysis/demands.hpp"
#include "analysis/mva.hpp"
#include "models/compiled_model.hpp"

namespace capsim::analysis {

/// A traffic source's load. Open sources offer their rate shape's mean
/// over the measured window [warm-up, duration] (and `peak_rate`, the
/// highest instantaneous rate in it; for a trace, the busiest time-series
/// window); closed sources get their throughput from MVA.
struct SourceLoad {
    std::string name;
    SourceKind kind = SourceKind::Open;
    double rate = 0.0;  // requests per second
    double peak_rate = 0.0;
    // What its services' rate limits let through (a limit that refuses its
    // excess thins every source through it alike); the estimates are for these.
    double admitted = 0.0;
    double peak_admitted = 0.0;
    std::uint32_t users = 0;
    double think = 0.0;
    double response0 = 0.0;      // mean response time of its requests without contention
    double response = 0.0;       // of its successful requests at the offered load (NaN: none)
    std::vector<double> demand;  // per resource, per request
};

/// One replica of a service whose hash ring splits it: its share of the
/// load is the keys it owns. Comparable with the report's per_replica row.
struct ReplicaEstimate {
    std::string name;  // "feed[4]"
    double throughput = 0.0;
    double core_utilization = 0.0;
    double worker_utilization = 0.0;
};

/// Estimated steady state of one service, comparable with the report's
/// station row.
struct StationEstimate {
    double throughput = 0.0;  // worker admissions per second (forwards included)
    double core_utilization = 0.0;
    double worker_utilization = 0.0;           // with the contention estimated
    double wait = 0.0;                         // mean wait for a worker per admission, seconds
    double in_system = 0.0;                    // queued + holding a worker (Little)
    double cpu_stretch = 1.0;                  // mean CPU time / CPU work, from queueing for cores
    std::vector<ReplicaEstimate> per_replica;  // a service split by its hash ring, else empty
};

/// Estimated steady state of one endpoint. `rate` counts frames started
/// there (entries and calls, as the report counts an endpoint's throughput);
/// `executions` also counts forwards into it.
struct EndpointEstimate {
    double rate = 0.0;
    double executions = 0.0;
    double response0 = 0.0;  // one frame without contention, nested calls included
    double hold0 = 0.0;      // worker holding time without contention
    double response = 0.0;   // at the offered load, of the frames that succeed
    double hold = 0.0;
};

/// How the steady-state estimates were made.
enum class Method : std::uint8_t {
    Open,       // M/M/c per station (Jackson), worker pools as M/M/c queues
    Closed,     // exact MVA of the closed sources, open load deflating the stations
    Saturated,  // the offered load exceeds a capacity: no steady state to estimate
};

/// Everything capsim knows before simulating. Borrows from the
/// CompiledModel it was computed from, which must outlive it.
struct Analysis {
    Demands demands;
    std::vector<SourceLoad> sources;
    Bottleneck bottleneck;
    std::optional<ClosedBounds> closed;  // when there are closed sources
    std::optional<MvaResult> mva;
    std::vector<MvaStation> mva_stations;
    std::vector<std::uint32_t> mva_resource;  // per MVA station: its resource (-1: the delay)
    Method method = Method::Open;
    std::vector<StationEstimate> stations;    // per service
    std::vector<EndpointEstimate> endpoints;  // per endpoint
    std::vector<std::string> notes;           // approximations in force for this model
};

/// Demands, bounds and steady-state estimates of a compiled model, in
/// microseconds for a typical scenario. Throws ModelError when requests
/// would never finish (see build_demands).
Analysis analyze(const CompiledModel& model);

/// "open", "closed", "saturated".
const char* method_name(Method m);

/// The analysis as JSON (schema capsim.analysis/1, docs/analysis.md).
std::string to_json(const Analysis& a);

}  // namespace capsim::analysis

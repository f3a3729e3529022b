// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "models/compiled_model.hpp"

namespace capsim::analysis {

/// What a resource's capacity is made of. Cores and workers are servers,
/// a demand on them is seconds of service per request; a rate limit is
/// calls per second, a demand on it is calls per request. Either way
/// capacity / demand is the most requests per second it lets through.
/// A new kind of station (a database's cores, a pool's connections) is a
/// new enumerator here plus the lines in demands.cpp that fill its demand.
enum class ResourceKind : std::uint8_t { Cores, Workers, RateLimit };

/// One capacity-limited resource of the model.
struct Resource {
    ResourceKind kind = ResourceKind::Cores;
    std::string station;        // the service or external it belongs to
    std::uint32_t station_index = 0;  // into model.services (model.externals for a rate limit)
    std::uint32_t replicas = 1;       // the traffic is shared evenly over these
    double per_replica = 1.0;         // servers (or calls per second) of one replica

    double capacity() const { return static_cast<double>(replicas) * per_replica; }
    /// "cores", "workers", "rate_limit": the name in reports.
    const char* kind_name() const;
};

/// One execution of an endpoint on its own: what its steps ask of its
/// service, and which endpoints it sends work to (their own work is counted
/// at them). Expectations: loops count their mean number of rounds,
/// branches their weights, and every parallel arm runs to its end (the
/// engine lets arms a join no longer waits for finish).
struct EndpointProfile {
    std::string name;  // "service.endpoint"
    std::uint32_t service = 0;
    const EndpointSpec* spec = nullptr;  // in the CompiledModel analysed
    double cpu = 0.0;    // CPU seconds
    double delay = 0.0;  // delay steps and external calls, seconds
    std::vector<std::pair<std::uint32_t, double>> calls;     // endpoint, expected calls
    std::vector<std::pair<std::uint32_t, double>> forwards;  // endpoint, probability
    std::vector<std::pair<std::uint32_t, double>> external_calls;  // external, expected calls
    bool fork_join = false;         // has a parallel step
    bool holds_while_waiting = false;  // its worker is held during a delay, call or external
    double max_cpu_scv = 0.0;  // the largest squared coefficient of variation of its cpu steps
};

/// A traffic source's endpoint mix, resolved.
struct SourceMix {
    std::vector<std::pair<std::uint32_t, double>> entries;  // endpoint, probability
};

/// Where every request goes and what it asks of every resource, from the
/// traffic equations. Borrows from the CompiledModel it was built from,
/// which must outlive it.
struct Demands {
    const CompiledModel* model = nullptr;
    std::vector<Resource> resources;
    std::vector<EndpointProfile> endpoints;
    std::vector<SourceMix> sources;
    // visits[e][x]: executions of endpoint x (worker admissions: forwards
    // included) per request entering at endpoint e; frames[e][x]: frames
    // started at x (entries and calls: a forwarded frame keeps the endpoint
    // it started at, as the engine reports it).
    std::vector<std::vector<double>> visits;
    std::vector<std::vector<double>> frames;
    std::vector<std::uint32_t> cores_of;    // per service: its Cores resource
    std::vector<std::uint32_t> workers_of;  // per service: its Workers resource
    std::vector<std::string> notes;  // what the analysis leaves out for this model

    /// Demand on every resource of one request entering at `entry`, given
    /// each endpoint's worker holding time.
    std::vector<double> demand(std::uint32_t entry, const std::vector<double>& hold) const;
};

/// Per-endpoint times of one execution (nested calls and forwards
/// included), for the given contention.
struct Timing {
    std::vector<double> response;  // from arrival at its service to the end of its frame
    std::vector<double> hold;      // worker holding time at its service
};

/// Build the demands. Throws ModelError when the traffic equations have no
/// finite solution (calls or forwards that repeat with probability 1).
Demands build_demands(const CompiledModel& model);

/// Response and holding times along each endpoint's critical path: CPU
/// steps take their mean times `cpu_stretch[service]`, delays and external
/// calls their means, calls and forwards the callee's response time, a
/// loop its mean rounds times its body, a parallel step its critical arm
/// (the longest mean for join all, the k-th shortest for k of n; a mean of
/// maxima is at least the maximum of means, so this is optimistic under
/// variability), and each admission to a service waits `wait[service]`.
/// Solved by fixed-point iteration, exact in depth + 1 rounds without
/// cycles. Empty vectors mean no contention (stretch 1, no wait).
Timing critical_path(const Demands& d, const std::vector<double>& cpu_stretch = {},
                     const std::vector<double>& wait = {});

}  // namespace capsim::analysis

// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "engine/law.hpp"
#include "models/rate_shape.hpp"

namespace capsim {

/// What a scenario says, as plain data: filled by the scenario loader (or by
/// hand in tests), read by topology checks, analysis and the compiler. It
/// knows nothing of TOML or Python. Every element keeps `path`, the key
/// path the user wrote it under, which names its random stream and
/// locates run-time messages.

struct StepSpec;
using BlockSpec = std::vector<StepSpec>;

enum class StepKind : std::uint8_t { Cpu, Delay, Call, Forward, Loop, Parallel, Branch };

/// How a parallel step joins its branches: all of them, the first, or k of n.
enum class JoinKind : std::uint8_t { All, First, KOfN };

/// One step of an endpoint's program.
struct StepSpec {
    StepKind kind = StepKind::Cpu;
    std::string path;               // e.g. services.api.endpoints.get.steps[2]
    Law law;                        // cpu/delay duration, loop count
    std::string target;             // call, forward: "service.endpoint"
    std::vector<BlockSpec> blocks;  // loop: the body; parallel, branch: one per arm
    std::vector<double> weights;    // branch: one per arm, summing to 1
    JoinKind join = JoinKind::All;
    std::uint32_t join_k = 0;  // KOfN: completions needed
};

/// An endpoint: a named step program served by one service.
struct EndpointSpec {
    std::string name;
    std::string path;
    BlockSpec steps;
};

enum class CpuDiscipline : std::uint8_t { ProcessorSharing, Fcfs };
enum class QueueDiscipline : std::uint8_t { Fcfs, Lifo, Priority };
enum class BalancerKind : std::uint8_t { RoundRobin, Random, LeastOutstanding, PowerOfTwo };

/// A service: replicas x workers (concurrency slots held for a whole
/// request) x cores (CPU servers shared by the replica's workers).
struct ServiceSpec {
    static constexpr std::uint64_t kUnbounded = std::numeric_limits<std::uint64_t>::max();

    std::string name;
    std::string path;
    std::uint32_t replicas = 1;
    std::uint32_t workers = 1;
    std::uint32_t cores = 1;
    CpuDiscipline cpu = CpuDiscipline::ProcessorSharing;
    std::uint64_t queue_capacity = kUnbounded;  // per replica, waiting requests
    QueueDiscipline queue = QueueDiscipline::Fcfs;
    BalancerKind balancer = BalancerKind::RoundRobin;
    std::vector<EndpointSpec> endpoints;
};

/// One endpoint of a source's mix, "service.endpoint", with its weight.
struct MixEntry {
    std::string endpoint;
    double weight = 1.0;
};

enum class SourceKind : std::uint8_t { Open, Closed, Trace };

/// A traffic source. Open: arrivals with a rate shape; the inter-arrival
/// law keeps its form (its squared coefficient of variation) and is scaled
/// in operational time, so a shaped source is still exactly Poisson when
/// the law is exponential. Closed: `users` clients that think, send one
/// request and wait for it. Trace: arrivals at recorded timestamps.
struct SourceSpec {
    std::string name;
    std::string path;
    SourceKind kind = SourceKind::Open;
    RateShape shape;                 // Open
    Law interarrival;                // Open: unit-mean law (exp(1) for Poisson)
    std::vector<double> timestamps;  // Trace: arrival times, seconds, sorted
    std::uint32_t users = 0;         // Closed
    Law think;                       // Closed
    std::vector<MixEntry> mix;
    std::string client_class;
    std::uint8_t priority = 0;  // lower is served first under priority queues
};

enum class SloMetric : std::uint8_t { Mean, P50, P90, P95, P99, P999, Max, ErrorRate };

/// A service-level objective: `endpoint metric < threshold`.
struct SloSpec {
    std::string text;
    std::string path;
    std::string endpoint;  // "service.endpoint"
    SloMetric metric = SloMetric::P99;
    double threshold = 0.0;  // seconds, or a fraction for ErrorRate
};

/// Run control: how long, how many replications, what to measure.
struct RunSpec {
    double duration = 60.0;
    double warmup = 0.0;
    std::uint64_t seed = 1;
    std::uint32_t replications = 1;
    double window = 1.0;                    // time-series window, seconds
    std::uint64_t max_in_flight = 1000000;  // beyond this the system is declared unstable
};

/// A whole scenario.
struct Model {
    std::string name;
    RunSpec run;
    std::vector<ServiceSpec> services;
    std::vector<SourceSpec> sources;
    std::vector<SloSpec> slos;
};

}  // namespace capsim

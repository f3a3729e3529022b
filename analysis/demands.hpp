// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "models/compiled_model.hpp"

namespace capsim::analysis {

/// What a resource's capacity is made of. Cores, workers and connections
/// are servers, a demand on them is seconds of service (or holding) per
/// request; a rate limit is calls per second, a demand on it is calls per
/// request. Either way capacity / demand is the most requests per second
/// it lets through. A new kind of station is an enumerator here plus the
/// lines in demands.cpp that create it and add each step's use of it.
enum class ResourceKind : std::uint8_t {
    Cores,        // CPU servers of a service, a database or a cache
    Workers,      // a service's concurrency slots, held for a whole request
    Pool,         // a service's pooled connections to a database (per replica)
    Connections,  // a database's max_connections, used by services without a pool
    RateLimit,    // an external's calls, or a service's admissions (per key), per second
    Loops,        // an async service's event loops, held by CPU and blocking steps
    Executor,     // an async service's executor threads, held by offloaded steps
};

/// One capacity-limited resource of the model.
struct Resource {
    ResourceKind kind = ResourceKind::Cores;
    std::string station;              // service, database, cache, pool ("api->db") or external
    std::uint32_t station_index = 0;  // into the model's list of its kind (a pool: CompiledModel's)
    std::uint32_t replicas = 1;       // the traffic is shared evenly over these
    double per_replica = 1.0;         // servers (or calls per second) of one replica

    double capacity() const { return static_cast<double>(replicas) * per_replica; }
    /// "cores", "workers", "pool", "connections", "rate_limit", "loops", "executor".
    const char* kind_name() const;
};

/// One execution of an endpoint on its own: what its steps ask of the
/// resources, and which endpoints it sends work to (their own work is
/// counted at them). Expectations: loops count their mean number of rounds,
/// branches their weights, and every parallel arm runs to its end (the
/// engine lets arms a join no longer waits for finish).
struct EndpointProfile {
    std::string name;  // "service.endpoint"
    std::uint32_t service = 0;
    const EndpointSpec* spec = nullptr;  // in the CompiledModel analysed
    double cpu = 0.0;                    // CPU seconds on its service's cores
    double delay = 0.0;  // delays, external calls, round trips and connection opens, seconds
    std::vector<std::pair<std::uint32_t, double>> usage;     // resource, use (its workers excepted)
    std::vector<std::pair<std::uint32_t, double>> calls;     // endpoint, expected calls
    std::vector<std::pair<std::uint32_t, double>> forwards;  // endpoint, probability
    std::vector<std::pair<std::uint32_t, double>> messages;  // consumer, messages (also in calls)
    std::vector<std::pair<std::uint32_t, double>> lookups;   // cache, expected lookups
    bool fork_join = false;                                  // has a parallel step
    bool holds_while_waiting = false;  // its worker is held during a delay, call or data access
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
    // Per service: its replicas when a consistent-hash ring without a load
    // bound picks each request's replica by its key, else 0. Its cores and
    // workers are then a resource per replica, named as the report's
    // ("feed[4]"): replica k's at cores_of + k and workers_of + k, so a hot
    // replica is a bottleneck of its own. An endpoint's usage names the
    // first replica's cores for all of them; demand() spreads it.
    std::vector<std::uint32_t> hashed;
    // Per hashed service (empty otherwise): each replica's share of the
    // keys that spread over the whole ring (a queue's messages, a request
    // of no known source): its arcs' share of the circle.
    std::vector<std::vector<double>> arc_share;
    // Per source, per hashed service: each replica's share of the source's
    // requests, from the keys it sends (hash_share.hpp).
    std::vector<std::vector<std::vector<double>>> replica_share;
    // keyed[e][x]: the part of visits[e][x] that still carries the key of
    // the request entering at e (a queue's delivery is keyed by its message).
    std::vector<std::vector<double>> keyed;
    // Resource indices per station; kNone where there is none.
    static constexpr std::uint32_t kNone = 0xFFFFFFFFu;
    // Per database: its first server's Cores resource. Its member_count()
    // servers follow in the report's order (database_layout.hpp), each
    // named like its report member, so a hot shard is a bottleneck of its
    // own; all databases' servers are consecutive resources.
    std::vector<std::uint32_t> database_cores_of;
    // Per database, per table: each shard's share of the table's row
    // accesses (shard_share.hpp); a query that names no table spreads evenly.
    std::vector<std::vector<std::vector<double>>> shard_share;
    std::vector<std::uint32_t> connections_of;  // per database: its max_connections
    std::vector<std::uint32_t> cache_cores_of;  // per cache
    std::vector<std::uint32_t> pool_of;         // per CompiledModel pool (sized ones only)
    std::vector<std::uint32_t> rate_limit_of;   // per external (rate-limited ones only)
    // Per source: (service, the rate-limit resource its requests take there)
    // for every rate-limited service. A global limit is one resource for
    // all sources, a per-class one one per class, a per-client one one per
    // source (its clients x the rate: its traffic spreads evenly over them).
    std::vector<std::vector<std::pair<std::uint32_t, std::uint32_t>>> source_limits;
    // Per resource: a rate limit that refuses what exceeds it (an external's
    // 429s, a service's without an unbounded queue): past its capacity it
    // caps what goes through instead of building a backlog.
    std::vector<bool> sheds;
    std::vector<std::uint32_t> loops_of;     // per service (async ones only)
    std::vector<std::uint32_t> executor_of;  // per service (async, with executor)
    std::vector<double> cache_miss;          // per cache: the miss ratio assumed
    std::vector<std::string> notes;          // what the analysis leaves out for this model

    /// Demand on every resource of one request entering at `entry`, given
    /// each endpoint's worker holding time (service rate limits excepted,
    /// and a hashed service's work spread by arc share: which key a request
    /// takes depends on its source).
    std::vector<double> demand(std::uint32_t entry, const std::vector<double>& hold) const;
    /// Demand on every resource of one request of `source` (its endpoint
    /// mix), its services' rate limits and its keys' replicas included.
    std::vector<double> source_demand(std::uint32_t source, const std::vector<double>& hold) const;
    /// Admissions at each replica of hashed `service` per request of `source`.
    std::vector<double> replica_visits(std::uint32_t source, std::uint32_t service) const;
};

/// Per-endpoint times of one execution (nested calls and forwards
/// included), for the given contention.
struct Timing {
    std::vector<double> response;   // from arrival at its service to the end of its frame
    std::vector<double> hold;       // worker holding time at its service
    std::vector<double> latency;    // response of the frames that succeed (the report's latency)
    std::vector<double> succeeded;  // probability a frame succeeds (no call fails for good)
};

/// Build the demands. A cache whose hit ratio emerges from the run (LRU,
/// TTL, Zipf keys) misses at 1 - hit_ratios[c] when given (>= 0), and
/// every lookup otherwise, so the demands stay upper bounds. Throws
/// ModelError when the traffic equations have no finite solution (calls or
/// forwards that repeat with probability 1).
Demands build_demands(const CompiledModel& model, const std::vector<double>& hit_ratios = {});

/// Response and holding times along each endpoint's critical path: work
/// on cores (a service's, a database's, a cache's) takes its mean times
/// `stretch[resource]` (all of a hashed service's `stretch[cores_of]`,
/// which the caller makes its replicas' mean); delays, external calls, a
/// query's round trip and an unpooled connection's opening their means;
/// calls and forwards the callee's response time; a loop its mean rounds
/// times its body; a parallel step its critical arm (the longest mean for
/// join all, the k-th shortest for k of n; a mean of maxima is at least the
/// maximum of means, so this is optimistic under variability); and each
/// admission to a service waits `wait[service]`. Solved by fixed-point
/// iteration, exact in depth + 1 rounds without cycles. Empty vectors mean
/// no contention.
Timing critical_path(const Demands& d, const std::vector<double>& stretch = {},
                     const std::vector<double>& wait = {});

}  // namespace capsim::analysis

// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/summary.hpp"
#include "models/analytic_report.hpp"
#include "models/attribution.hpp"
#include "models/compiled_model.hpp"
#include "models/error_cause.hpp"
#include "models/replication_result.hpp"

namespace capsim {

/// Latency of one endpoint: each statistic is the mean over replications
/// with its 95% confidence half-width (Student t).
struct LatencyReport {
    Estimate mean, p50, p90, p95, p99, p999, max;
};

/// One endpoint's results, merged over replications.
struct EndpointReport {
    std::string name;
    std::string service;
    bool entry = false;                             // some source sends requests here
    Estimate arrival_rate;                          // 1/s
    Estimate throughput;                            // successful completions per second
    Estimate error_rate;                            // errors / (completions + errors)
    Estimate errors;                                // errors per second
    std::array<Estimate, kCauses> errors_by_cause;  // per second
    LatencyReport latency;
    std::array<Estimate, kComponents> attribution;       // mean seconds per request
    std::array<Estimate, kComponents> attribution_tail;  // the same, requests above the p99
    std::uint64_t completions = 0;                       // summed over replications
    Estimate retry_rate;                                 // frames started for a retry, per second
    Estimate load_multiplier;  // arrivals / first-attempt arrivals (retries at any layer)
    // Per-window means over replications.
    std::vector<double> series_arrival_rate, series_throughput, series_error_rate, series_p50,
        series_p99;
};

/// One traffic source's requests end to end (its client class), merged.
struct SourceReport {
    std::string name;
    std::string client_class;
    std::string kind;  // "open", "closed" or "trace"
    Estimate arrival_rate;
    Estimate throughput;
    Estimate error_rate;
    std::array<Estimate, kCauses> errors_by_cause;  // per second
    Estimate attempts;                              // per request, every guard's attempts summed
    LatencyReport latency;
};

/// One service's results, merged over replications.
struct StationReport {
    std::string name;
    std::uint32_t replicas = 0, workers = 0, cores = 0;
    std::string mode;         // "threads" or "async"
    std::string balancer;     // "round_robin", ..., "consistent_hash"
    std::uint32_t loops = 0;  // async: event loops per replica
    // Zero for a threads service (no loops), which the report still writes;
    // left uninitialised they were stack garbage (found by the ASan run).
    Estimate loop_utilization{0.0, 0.0, 0};  // async: loops held / (replicas x loops)
    Estimate loop_waiting{0.0, 0.0, 0};      // async: mean tasks waiting for a loop
    Estimate worker_utilization;             // busy workers / (replicas x workers)
    Estimate core_utilization;               // busy cores / (replicas x cores)
    Estimate throughput;                     // requests that released a worker, 1/s
    Estimate waiting;                        // mean requests queued for a worker
    Estimate in_system;                      // queued + holding a worker
    Estimate waiting_max;
    Estimate wait;                         // mean seconds queued, per admitted request
    Estimate rejected;                     // per second
    Estimate shed;                         // per second: waited past queue_timeout
    Estimate concurrency_limited;          // per second: refused by the adaptive limit
    Estimate concurrency_limit;            // its time-average per replica (0: none)
    Estimate rate_limited;                 // refused by its rate limit, per second
    Estimate limit_wait;                   // mean seconds queued at its rate limit
    double peak_worker_utilization = 0.0;  // highest window of the mean series
    double peak_core_utilization = 0.0;
    /// One replica of a service that has several: "api[2]".
    struct Replica {
        std::string name;
        Estimate worker_utilization;  // busy workers / workers
        Estimate core_utilization;
        Estimate throughput;  // requests that released a worker there, 1/s
        Estimate up;          // fraction of the time not crashed
    };
    std::vector<Replica> per_replica;  // empty for a single replica
    // Injected crashes and health checks.
    Estimate replicas_up;  // time-average replicas not crashed
    Estimate crashes;      // replica crashes per replication
    Estimate crashed;      // requests lost in them (queued or in flight), per second
    Estimate refused;      // sent to a crashed replica still in rotation, per second
    Estimate ejections;    // replicas taken out of rotation by the health check, per replication
    // Autoscaling: `replicas` is its max, utilisations are of the replicas it had.
    bool autoscaled = false;
    Estimate scale_outs{0.0, 0.0, 0};  // replicas started, per replication
    Estimate scale_ins{0.0, 0.0, 0};   // replicas stopped, per replication
    Estimate replicas_peak;            // most replicas up at once
    std::vector<double> series_replicas_up;
    std::vector<double> series_waiting, series_worker_utilization, series_core_utilization,
        series_loop_utilization, series_throughput;
};

/// One service's connection pool to one database, over all its replicas.
struct PoolReport {
    std::string name;  // "service->database"
    std::string service, database;
    std::uint32_t size = 0;  // per replica; 0 = no pool
    std::uint32_t replicas = 0;
    Estimate utilization;  // connections in use / (size x replicas)
    Estimate in_use;       // mean connections in use
    Estimate waiting;      // mean tasks waiting for one
    Estimate waiting_max;
    Estimate wait;      // mean seconds to acquire, per acquisition
    Estimate acquires;  // per second
    Estimate timeouts;  // per second
    Estimate refused;   // per second: too many connections
    Estimate opened;    // connections held open at the end
    double peak_utilization = 0.0;
    std::vector<double> series_utilization, series_waiting;
};

/// One database, merged over replications.
struct DatabaseReport {
    std::string name;
    std::uint32_t cores = 0, max_connections = 0;
    Estimate core_utilization;
    Estimate throughput;   // queries per second
    Estimate query_work;   // mean CPU seconds per query
    Estimate query_wait;   // mean seconds queued for cores per query
    Estimate connections;  // mean open connections
    Estimate connections_max;
    Estimate refused;        // connection attempts refused per second
    Estimate lock_waits;     // writes that waited for a row lock, per second
    Estimate lock_wait;      // mean seconds such a write waited
    Estimate lock_timeouts;  // per second
    double peak_core_utilization = 0.0;
    std::vector<std::pair<std::string, std::pair<double, double>>> tables;  // rows at 0 and end
    /// One server of a sharded or replicated database: "db.shard[2]",
    /// "db.replica[1]", "db.shard[0].replica[0]"; a plain database has one.
    struct Member {
        std::string name;
        std::string role;  // "primary" or "replica"
        Estimate core_utilization;
        Estimate throughput;  // queries per second
    };
    std::uint32_t shards = 1, replicas = 0;
    std::vector<Member> members;
    Estimate replica_reads;  // per second
    Estimate stale_reads;  // replica reads of a row whose last write it had not applied, per second
    Estimate stale_read_ratio;  // stale reads / replica reads
    std::vector<double> series_core_utilization, series_connections, series_throughput;
};

/// One cache, merged over replications.
struct CacheReport {
    std::string name;
    std::uint32_t cores = 0;
    Estimate utilization;
    Estimate gets;  // per second
    Estimate hit_ratio;
    Estimate coalesced;        // misses that waited for another request's fill, per second
    Estimate early_refreshes;  // fills started before the key expired (XFetch), per second
    Estimate evictions;        // per second
    Estimate expirations;
    Estimate stale;        // hits on a value older than its data's last write, per second
    Estimate stale_ratio;  // stale hits / gets
    std::vector<double> series_hit_ratio, series_gets;
};

/// One external dependency, merged over replications.
struct ExternalReport {
    std::string name;
    Estimate calls;  // per second
    Estimate error_rate;
    Estimate rate_limited;  // per second
    Estimate latency;       // mean seconds per call
    std::vector<double> series_calls, series_errors;
};

/// One message queue, merged over replications.
struct QueueReport {
    std::string name, consumer;
    Estimate enqueued, rejected, delivered, acked, retried, dead_lettered;  // per second
    Estimate depth, depth_max;                                              // messages waiting
    Estimate queue_wait;        // mean seconds a delivery waited in the queue
    LatencyReport job_latency;  // enqueue to ack
    std::vector<double> series_depth, series_oldest, series_acked;
};

/// One guarded step (or a source's client policy), merged over replications.
struct PolicyReport {
    std::string name;  // "caller -> target"
    std::string path;  // the guarded step's key path, or "traffic.SOURCE.ENDPOINT" for a client
    double timeout = 0.0;
    std::uint32_t attempts_max = 1;
    bool breaker = false;
    Estimate calls;              // per second
    Estimate attempts_per_call;  // the retry multiplier at this step
    std::uint32_t bulkhead = 0;  // its size per caller replica; 0 without one
    Estimate retries, budget_denied, timeouts, zombies, cancelled, short_circuited, bulkhead_full,
        fallbacks, failed;    // per second
    Estimate bulkhead_wait;   // mean seconds an attempt waited for room in the bulkhead
    Estimate zombie_seconds;  // mean time a zombie ran on after being abandoned
    Estimate opens;           // times a breaker opened, per replication
    Estimate open_fraction;   // of the time, averaged over the caller's replicas
    std::vector<double> series_open, series_attempts, series_timeouts;
};

/// Whether the system came back after a failure window (an outage, a
/// brown-out, a cache flush): entry endpoints' error ratio and p99 per
/// window against their level before the first trigger. A degradation
/// that outlives its trigger by more than the run's `recovery` time is
/// flagged: the signature of a metastable failure (a retry storm that
/// keeps the system down after the outage ended).
struct RecoveryReport {
    std::string trigger;  // e.g. "externals.payments.windows[0]"
    double start = 0.0, end = 0.0;
    double within = 0.0;              // the run's recovery time
    std::uint32_t recovered = 0;      // replications back to normal within `within`
    std::uint32_t late = 0;           // back to normal, but later than that
    std::uint32_t not_recovered = 0;  // still degraded when the run (or the next trigger) ended
    std::uint32_t inconclusive = 0;   // the run ended too soon after the trigger to tell
    Estimate recovery_time;  // seconds from the trigger's end to normal, where it came back
    double baseline_error_ratio = 0.0;  // before the first trigger (mean over replications)
    double baseline_p99 = 0.0;
    bool flagged = false;  // some replication was late or did not recover
    // A random fault: every occurrence in every replication is counted, and
    // start and end are NaN (each replication has its own).
    bool random = false;
};

/// A resource that was saturated (>= 99% busy over a whole window, averaged
/// over replications). Listed in the order saturation began: under a spike
/// the first one is usually the cause and the later ones its backpressure
/// (callers whose workers are held waiting on it).
struct Saturation {
    std::string station;
    std::string resource;  // "workers", "cores", "connections" or "servers"
    double first = 0.0;    // start of the first saturated window, s
    std::uint32_t windows = 0;
    double onset = 0.0;  // utilisation in the window before: orders ties in `first`
};

/// An SLO evaluated against the merged estimate. `confident` is false when
/// the confidence interval straddles the threshold: more replications
/// would be needed to be sure of the verdict.
struct SloVerdict {
    std::string text;
    std::string endpoint;
    std::string metric;
    double threshold = 0.0;
    Estimate value{};
    bool pass = false;
    bool confident = false;
};

/// The whole report of a run. Serialised by to_json (docs/report.md).
/// One injected fault, merged over replications.
struct FaultReport {
    std::string name;    // "faults[0]"
    std::string kind;    // "crash", "latency", "error", "partition"
    std::string target;  // the service crashed, the callee, or a partition's first side
    std::string from;    // the caller it is limited to, or the partition's other side
    bool random = false;
    Estimate occurrences;  // per replication (each replica's crash counts)
    Estimate active;       // seconds on, summed over its strands, per replication
    Estimate hits;         // calls delayed, failed or held, per second
};

struct Report {
    std::string scenario;
    std::uint64_t seed = 0;
    std::uint32_t replications = 0;
    double duration = 0.0, warmup = 0.0, window = 0.0;
    bool unstable = false;
    std::string status;  // "ok" or "unstable: ..."
    std::vector<double> window_end;
    std::vector<EndpointReport> endpoints;
    std::vector<StationReport> stations;
    std::vector<SourceReport> sources;
    std::vector<PoolReport> pools;
    std::vector<DatabaseReport> databases;
    std::vector<CacheReport> caches;
    std::vector<ExternalReport> externals;
    std::vector<QueueReport> queues;
    std::vector<PolicyReport> policies;
    std::vector<RecoveryReport> recoveries;
    std::vector<FaultReport> faults;
    std::vector<SloVerdict> slos;
    std::vector<Saturation> saturated;
    std::string busiest_station;
    std::string busiest_resource;  // "workers" or "cores"
    double busiest_utilization = 0.0;
    std::uint64_t events = 0;      // summed over replications
    std::uint64_t peak_tasks = 0;  // max over replications
    AnalyticReport analytic;       // analytic vs simulated, when the analysis ran
};

/// Merge replications (in replication order) into a report.
Report merge(const CompiledModel& model, const std::vector<ReplicationResult>& reps);

/// The report as JSON (schema capsim.report/1, docs/report.md).
std::string to_json(const Report& report);

}  // namespace capsim

// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#pragma once

#include <array>
#include <cstdint>
#include <utility>
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
    std::uint64_t arrivals = 0;        // frames started
    std::uint64_t completions = 0;     // frames finished successfully
    std::uint64_t retry_arrivals = 0;  // frames started for a retry (at any layer above)
    std::array<std::uint64_t, kCauses> errors{};
    Histogram latency;                              // successful frames, seconds
    std::array<double, kComponents> attribution{};  // summed over completions
    // Attribution summed per latency band (a band is 16 histogram buckets,
    // 1/8 of an octave, about 9% wide), so the report can split the time
    // of the requests above the p99 once the p99 is known. Allocated on
    // the first completion. A band's count is that of its buckets in
    // `latency`, so it is not kept a second time.
    std::vector<std::array<double, kComponents>> band_attribution;
    EndpointSeries series;

    static constexpr int kBandShift = 4;
    static std::uint32_t band_of(double latency) {
        return Histogram::bucket_of(latency) >> kBandShift;
    }
    static constexpr std::uint32_t kBands = (Histogram::kBucketCount >> kBandShift) + 1;
    static constexpr std::uint32_t first_bucket_of(std::uint32_t band) {
        return band << kBandShift;
    }
};

/// What one replication measured for the requests of one traffic source
/// (its client class), end to end, after warm-up.
struct SourceResult {
    std::uint64_t arrivals = 0;
    std::uint64_t completions = 0;
    std::uint64_t ended = 0;     // requests answered, either way
    std::uint64_t attempts = 0;  // attempts their guards started, at every layer
    std::array<std::uint64_t, kCauses> errors{};
    Histogram latency;
};

/// Per-window values of one service (time averages over the window).
struct StationSeries {
    std::vector<double> waiting;       // mean requests queued for a worker
    std::vector<double> busy_workers;  // mean workers held
    std::vector<double> busy_cores;    // mean cores computing
    std::vector<double> busy_loops;    // async: mean event loops held
    std::vector<double> completions;
    std::vector<double> replicas_up;  // mean replicas not crashed
};

/// What one replication measured at one service, after warm-up.
struct StationResult {
    double busy_workers = 0.0;  // time-average
    double busy_cores = 0.0;
    double waiting = 0.0;  // time-average queue length
    double waiting_max = 0.0;
    double busy_loops = 0.0;                // async: time-average event loops held
    double loop_waiting = 0.0;              // async: time-average tasks waiting for one
    std::uint64_t admitted = 0;             // took a worker
    std::uint64_t completed = 0;            // released it
    std::uint64_t rejected = 0;             // queue full
    std::uint64_t shed = 0;                 // dropped after waiting past queue_timeout
    std::uint64_t concurrency_limited = 0;  // refused by the adaptive limit
    double concurrency_limit = 0.0;         // time-average adaptive limit, per replica
    double wait_sum = 0.0;                  // seconds spent queued by the admitted
    std::uint64_t rate_limited = 0;         // refused by the service's rate limit
    std::uint64_t limit_passed = 0;         // let through by it (at once or after queueing)
    double limit_wait_sum = 0.0;            // seconds queued at it by those let through
    double replicas_up = 0.0;               // time-average replicas not crashed
    std::uint64_t crashes = 0;              // replica crashes
    std::uint64_t crashed = 0;              // requests lost in them (queued or in flight)
    std::uint64_t refused = 0;              // sent to a replica that was down
    std::uint64_t ejections = 0;            // replicas its health check took out of rotation
    std::uint64_t scale_outs = 0;           // replicas its autoscaler started
    std::uint64_t scale_ins = 0;            // replicas its autoscaler stopped
    double replicas_peak = 0.0;             // most replicas up at once
    StationSeries series;
    // Per replica, in order, when the service has several: time-average
    // busy workers and cores, and requests that released a worker.
    std::vector<double> replica_busy_workers, replica_busy_cores;
    std::vector<std::uint64_t> replica_completed;
    std::vector<double> replica_up;  // fraction of the time up
    // Per replica, busy workers and cores per window: kept only where the
    // balancer lets load follow keys (consistent hashing), so one replica
    // can saturate while the service's average hides it.
    std::vector<std::vector<double>> replica_series_workers, replica_series_cores;
};

/// One service's pool to one database, summed over the service's replicas.
struct PoolResult {
    double busy = 0.0;     // time-average connections in use
    double waiting = 0.0;  // time-average tasks waiting for one
    double waiting_max = 0.0;
    std::uint64_t acquired = 0;
    double wait_sum = 0.0;  // seconds waited by the acquired
    std::uint64_t timeouts = 0;
    std::uint64_t refused = 0;  // too many connections at the database
    std::uint64_t opened = 0;   // connections open at the end (pooled)
    std::vector<double> series_busy, series_waiting;
};

/// What one replication measured at one database.
struct DatabaseResult {
    double busy_cores = 0.0;   // time-average
    double connections = 0.0;  // time-average open connections
    double connections_max = 0.0;
    std::uint64_t queries = 0;
    double work_sum = 0.0;  // CPU seconds of the queries completed
    double wait_sum = 0.0;  // seconds they waited for cores
    std::uint64_t refused = 0;
    std::uint64_t lock_waits = 0;  // writes that found their row locked
    double lock_wait_sum = 0.0;
    std::uint64_t lock_timeouts = 0;
    std::vector<double> series_busy_cores, series_connections, series_queries;
    // Per member (shard primaries and replicas, in first_member order);
    // member_busy and member_series stay empty for a single server.
    std::vector<double> member_busy;  // time-average busy cores
    std::vector<std::uint64_t> member_queries;
    std::vector<std::vector<double>> member_series;  // busy cores per window
    std::uint64_t replica_reads = 0;                 // reads served by a replica
    std::uint64_t stale_reads = 0;  // of those, reads of a row whose last write it lacked
};

/// What one replication measured at one cache.
struct CacheResult {
    double busy = 0.0;  // time-average busy servers
    std::uint64_t gets = 0, hits = 0, misses = 0, coalesced = 0, sets = 0;
    std::uint64_t evictions = 0, expirations = 0;
    std::uint64_t stale = 0;            // hits on a value older than its data's last write
    std::uint64_t early_refreshes = 0;  // hits turned into fills before the TTL ended (XFetch)
    std::vector<double> series_hit_ratio, series_gets;
};

/// What one replication measured at one external dependency.
struct ExternalResult {
    std::uint64_t calls = 0, errors = 0, rate_limited = 0;
    double latency_sum = 0.0;
    std::vector<double> series_calls, series_errors;
};

/// What one replication measured at one message queue.
struct QueueResult {
    std::uint64_t enqueued = 0, rejected = 0, delivered = 0, acked = 0, retried = 0,
                  dead_lettered = 0;
    double depth = 0.0;  // time-average messages waiting
    double depth_max = 0.0;
    double queue_wait_sum = 0.0;  // seconds delivered messages waited in the queue
    Histogram job_latency;        // enqueue to ack, seconds
    std::vector<double> series_depth, series_oldest, series_acked;
};

/// What one replication measured at one guarded step (a call, query or
/// cache step with a policy, or a source's client policy).
struct GuardResult {
    std::uint64_t calls = 0;     // the step was reached
    std::uint64_t attempts = 0;  // attempts started (first ones and retries)
    std::uint64_t retries = 0;
    std::uint64_t budget_denied = 0;     // retries the retry budget refused
    std::uint64_t timeouts = 0;          // attempts abandoned at their timeout
    std::uint64_t zombies = 0;           // abandoned attempts that ran to their end anyway
    double zombie_seconds = 0.0;         // how long they ran after being abandoned
    std::uint64_t cancelled = 0;         // abandoned attempts whose work was dropped (deadline)
    std::uint64_t short_circuited = 0;   // refused by the open breaker
    std::uint64_t bulkhead_full = 0;     // attempts the bulkhead had no room for
    std::uint64_t bulkhead_entered = 0;  // attempts let into the bulkhead
    double bulkhead_wait_sum = 0.0;      // seconds those waited for their place
    std::uint64_t fallbacks = 0;
    std::uint64_t failed = 0;  // the step failed (no fallback, or the fallback failed)
    std::uint64_t opens = 0;   // times a breaker opened
    double open = 0.0;         // fraction of time open, averaged over the caller's replicas
    std::uint32_t breakers = 0;
    std::vector<double> series_open, series_attempts, series_timeouts;
};

/// What one replication saw of one injected fault.
struct FaultResult {
    std::uint64_t occurrences = 0;  // started (each replica's crash counts)
    double active = 0.0;            // seconds it was on, summed over its strands
    std::uint64_t hits = 0;         // calls it delayed, failed or held (after warm-up)
    // When it was on (start, end; end clipped to the run's): the triggers of
    // the recovery check, which differ between replications for a random fault.
    std::vector<std::pair<double, double>> windows;
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
    std::vector<PoolResult> pools;
    std::vector<DatabaseResult> databases;
    std::vector<CacheResult> caches;
    std::vector<ExternalResult> externals;
    std::vector<QueueResult> queues;
    std::vector<GuardResult> guards;
    std::vector<FaultResult> faults;
    std::vector<double> window_end;  // time at the end of each window
};

}  // namespace capsim

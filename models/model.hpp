// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "engine/law.hpp"
#include "models/policy.hpp"
#include "models/rate_shape.hpp"

namespace capsim {

/// What a scenario says, as plain data: filled by the scenario loader (or by
/// hand in tests), read by topology checks, analysis and the compiler. It
/// knows nothing of TOML or Python. Every element keeps `path`, the key
/// path the user wrote it under, which names its random stream and
/// locates run-time messages.

enum class StepKind : std::uint8_t {
    Cpu,
    Delay,
    Call,
    Forward,
    Loop,
    Parallel,
    Branch,
    Query,        // a database query through the service's pool to that database
    Cache,        // a cache lookup; blocks[0] is the miss path, run before the set
    Transaction,  // blocks[0] runs holding one connection to `target`
    Offload,      // blocks[0] runs on the replica's executor threads (run_in_executor)
    Enqueue,      // put a message on queue `target` and go on (fire and forget)
};

/// What a query does, which decides how its cost grows with the table:
/// a fixed cost (no table), an indexed lookup (log rows), a range read
/// (log rows + rows returned), a full scan (every row), a write (an index
/// descent plus one update per index).
enum class QueryKind : std::uint8_t { Fixed, Lookup, Range, Scan, Write };

/// How a parallel step joins its branches: all of them, the first, or k of n.
enum class JoinKind : std::uint8_t { All, First, KOfN };

/// What a cache step does when it is a write's step: nothing (a read),
/// delete the key (invalidate on write), or leave the cached value until
/// its TTL ends (the stale-read mistake).
enum class CacheWrite : std::uint8_t { None, Invalidate, Keep };

/// One step of an endpoint's program.
struct StepSpec {
    StepKind kind = StepKind::Cpu;
    std::string path;  // e.g. services.api.endpoints.get.steps[2]
    Law law;           // cpu/delay duration, loop count, query: fixed cost or range rows
    // call: "service.endpoint" or an external's name; forward: "service.endpoint";
    // query: "database.table" or "database" (fixed cost); cache: the cache;
    // transaction: the database.
    std::string target;
    std::vector<BlockSpec> blocks;  // loop: the body; parallel, branch: one per arm
    std::vector<double> weights;    // branch: one per arm, summing to 1
    JoinKind join = JoinKind::All;
    std::uint32_t join_k = 0;  // KOfN: completions needed
    QueryKind query = QueryKind::Fixed;
    bool single_flight = false;  // cache: concurrent misses of one key share one fill
    double early_refresh = 0.0;  // cache: XFetch's beta, refresh before expiry (0: never)
    bool primary = false;        // query: a read that must see the latest writes (not a replica)
    bool blocking = false;       // async service: the step holds the event loop throughout
    CacheWrite cache_write = CacheWrite::None;  // cache: this request changed the key's data
    std::optional<PolicySpec> policy;           // call, query, cache: timeout, retries, breaker
};

/// An endpoint: a named step program served by one service.
struct EndpointSpec {
    std::string name;
    std::string path;
    BlockSpec steps;
};

enum class CpuDiscipline : std::uint8_t { ProcessorSharing, Fcfs };
enum class QueueDiscipline : std::uint8_t { Fcfs, Lifo, Priority };
enum class BalancerKind : std::uint8_t {
    RoundRobin,
    Random,
    LeastOutstanding,
    PowerOfTwo,
    ConsistentHash
};

/// How a service runs its requests: a thread per request (held for the
/// whole request, I/O included), or event loops that run CPU steps one at
/// a time and are free while a request awaits I/O.
enum class ServiceMode : std::uint8_t { Threads, Async };

/// How a service replica reaches a database or cache. Pooled: up to `size`
/// connections, opened on first use and kept; a query waits for a free one
/// at most `acquire_timeout`. Not pooled (`size = 0`, the mistake): every
/// query opens its own connection, paying the store's connect cost and
/// counting against its max_connections until it closes.
struct PoolSpec {
    static constexpr double kForever = std::numeric_limits<double>::infinity();
    std::string target;  // database or cache name
    std::string path;
    std::uint32_t size = 0;  // 0 = no pool
    double acquire_timeout = 30.0;
};

/// How a service's balancer learns that a replica is down: probes every
/// `interval`, each replica on its own phase; `unhealthy` failed probes in
/// a row take it out of rotation, `healthy` passed ones put it back.
struct HealthCheckSpec {
    double interval = 5.0;
    std::uint32_t unhealthy = 2;
    std::uint32_t healthy = 1;
};

/// How a service's replica count follows its load, as Kubernetes' HPA
/// does: every `interval` the metric, averaged over the interval and the
/// ready replicas, asks for ceil(ready x metric / target) replicas (no
/// change within `tolerance` of the target); scale-in takes the highest
/// recommendation of the last `scale_in_window` (stabilisation); a new
/// replica serves after `provisioning`. `schedule` raises or lowers the
/// floor at set times (scheduled, predictive scaling).
struct AutoscaleSpec {
    enum class Metric : std::uint8_t { Cpu, Workers, InFlight, Queue, Rate };
    struct Floor {
        double at = 0.0;
        std::uint32_t min = 1;
    };
    Metric metric = Metric::Cpu;
    double target = 0.7;  // per ready replica: a fraction (cpu, workers), a count or a rate
    double interval = 15.0;
    double tolerance = 0.1;
    std::uint32_t min = 1, max = 10;
    std::uint32_t initial = 1;  // replicas at the start
    std::uint32_t max_out = 0;  // added at most per evaluation (0: no limit)
    std::uint32_t max_in = 0;   // removed at most per evaluation (0: no limit)
    double scale_in_window = 300.0;
    double scale_out_cooldown = 0.0;  // no scale-out sooner than this after the last one
    double provisioning = 30.0;       // decision to ready: scheduling, image pull, boot, readiness
    std::vector<Floor> schedule;
};

/// A replica that has just started (scaled out, or restarted after a
/// crash) runs its cpu steps `factor` times slower, the excess fading
/// linearly to none over `duration` (JIT warm-up, cold local caches).
struct ColdStartSpec {
    double duration = 0.0;
    double factor = 1.0;
};

/// Passive health checking (Envoy's outlier detection): a replica whose
/// requests fail `consecutive_errors` times in a row leaves the rotation
/// for `ejection`, unless `max_ejected` of the replicas are out already.
struct OutlierSpec {
    std::uint32_t consecutive_errors = 5;
    double ejection = 30.0;
    double max_ejected = 0.5;  // fraction of the replicas
};

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
    // Load shedding. A request that waited longer than queue_timeout is
    // dropped when a worker reaches it, never started (the client has
    // likely given up); a full queue drops its oldest request for the new
    // one instead of refusing the new one (fresh work is worth more).
    double queue_timeout = std::numeric_limits<double>::infinity();
    bool drop_oldest = false;
    BalancerKind balancer = BalancerKind::RoundRobin;
    // Consistent hashing with bounded loads (Mirrokni et al. 2018): a
    // replica takes a new request only while its outstanding requests stay
    // under hash_bound x the mean; past it the key moves on clockwise.
    // 0: unbounded (a hot key's replica takes all of it).
    double hash_bound = 0.0;
    ServiceMode mode = ServiceMode::Threads;
    std::uint32_t loops = 1;     // async: event loops per replica, each on a core of its own
    std::uint32_t executor = 0;  // async: threads per replica for offloaded blocking work
    std::vector<EndpointSpec> endpoints;
    std::vector<PoolSpec> pools;
    std::optional<RateLimitSpec> rate_limit;  // every request arriving at the service passes it
    std::optional<AdaptiveLimitSpec> adaptive_limit;  // in flight per replica, adapted to latency
    std::optional<HealthCheckSpec> health_check;      // none: a down replica stays in rotation
    std::optional<OutlierSpec> outlier_detection;     // eject replicas whose requests keep failing
    // A replica back in rotation gets a share of new requests that grows
    // linearly from 0 to its full share over this long (0: at once).
    double slow_start = 0.0;
    /// Its load follows its clients' keys: each replica is a station of
    /// its own in the engine's series and in the report.
    bool keyed() const { return balancer == BalancerKind::ConsistentHash && replicas > 1; }
    // With autoscale, `replicas` counts the slots (its max) and the
    // autoscaler's `initial` are the ones running at the start.
    std::optional<AutoscaleSpec> autoscale;
    ColdStartSpec cold_start;
};

/// A table: its size now and how fast it grows, and how many secondary
/// indexes each write must update.
struct TableSpec {
    std::string name;
    std::string path;
    double rows = 0.0;
    double growth = 0.0;  // rows per second
    std::uint32_t indexes = 0;
    double zipf = 0.0;  // popularity of the rows writes touch (0: uniform; hot rows above 1)
};

/// A database: `cores` CPU servers run query work (processor sharing, as
/// an OS schedules backend processes, or FCFS); at most `max_connections`
/// are open at once. Each query first pays a network round trip (`rtt`),
/// which holds the connection but not the database's cores: it is what
/// makes N small queries slower than one big one. A query's cost is `overhead` (parse, plan, round
/// trip) plus what its kind does to its table: `seek` per level of a
/// B-tree descent (log2 rows levels), `row` per row read, `index_write`
/// per index updated.
struct DatabaseSpec {
    std::string name;
    std::string path;
    std::uint32_t cores = 4;
    CpuDiscipline cpu = CpuDiscipline::ProcessorSharing;
    std::uint32_t max_connections = 100;
    Law connect = Law::constant(0.003);  // opening a connection
    Law rtt = Law::constant(0.0003);     // network round trip per query, holding the connection
    Law overhead = Law::exponential(100e-6);
    double seek = 5e-6;
    double row = 0.2e-6;
    double index_write = 20e-6;
    double lock_timeout = 50.0;  // a write waiting this long for a row lock fails
    std::vector<TableSpec> tables;
    // Scale-out. Each of `shards` holds the rows whose key hashes to it, on
    // `cores` of its own; each shard has `replicas` read replicas (again
    // `cores` each) that reads outside transactions go to, round robin, and
    // that see a write `replication_lag` after it: a read of that row in
    // between is stale.
    std::uint32_t shards = 1;
    std::uint32_t replicas = 0;
    Law replication_lag = Law::constant(0.01);
};

/// A cache (Redis, Memcached): `cores` servers with a per-operation
/// service time. Keys are drawn from `keys` keys with Zipf popularity
/// (exponent `zipf`; 0 is uniform); `capacity` entries with LRU eviction
/// and a `ttl` from the time a key is set, so the hit ratio emerges. With
/// `hit_ratio` set instead, each lookup hits with that probability.
struct CacheSpec {
    static constexpr double kNoTtl = std::numeric_limits<double>::infinity();
    std::string name;
    std::string path;
    std::uint32_t cores = 1;
    Law service = Law::exponential(100e-6);
    std::uint64_t capacity = 10000;
    std::uint64_t keys = 100000;
    double zipf = 1.0;
    double ttl = kNoTtl;
    double hit_ratio = -1.0;       // >= 0: fixed-hit-ratio mode
    std::vector<double> flush_at;  // times the cache is emptied (a restart, a FLUSHALL)
};

/// A message queue (RabbitMQ, SQS, a Redis list) and its consumers. A
/// message waits until one of `concurrency` delivery slots is free, then
/// runs the `consumer` endpoint as a request of its own; success acks it,
/// failure (an error, or a poison message, which always fails) retries it
/// after a backoff, up to `max_attempts`, then dead-letters it. When
/// `capacity` messages wait, an enqueue is rejected (`broker_full`) or,
/// with `block_when_full`, waits for room (backpressure).
struct QueueSpec {
    static constexpr std::uint64_t kUnbounded = std::numeric_limits<std::uint64_t>::max();
    std::string name;
    std::string path;
    std::string consumer;  // "service.endpoint"
    std::uint64_t capacity = kUnbounded;
    bool block_when_full = false;
    std::uint32_t concurrency = 0;  // 0: the consumer service's replicas x workers
    std::uint32_t max_attempts = 3;
    Law backoff = Law::exponential(1.0);  // before the first retry; x multiplier each next
    double backoff_multiplier = 2.0;
    double backoff_max = 300.0;
    double poison = 0.0;  // fraction of messages that always fail
};

/// A period in which an external dependency behaves differently: an outage
/// (errors = 1) or a brown-out (slower, some errors).
struct ExternalWindow {
    double start = 0.0;
    double end = 0.0;
    bool has_latency = false;
    Law latency;
    double errors = 0.0;
};

/// A third-party API called over the network: a latency law, a probability
/// of error, windows of other behaviour, and the provider's own rate limit
/// (a token bucket; excess calls are refused with 429).
struct ExternalSpec {
    static constexpr double kNoLimit = 0.0;
    std::string name;
    std::string path;
    Law latency = Law::exponential(0.1);
    double errors = 0.0;
    double rate_limit = kNoLimit;  // calls per second
    double burst = 0.0;            // bucket size; 0 = one second of rate_limit
    std::vector<ExternalWindow> windows;
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
    std::uint8_t priority = 0;         // lower is served first under priority queues
    std::optional<PolicySpec> client;  // the client's own timeout and retries per request
    std::uint32_t clients = 1;         // distinct clients; each request comes from one, uniformly
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

/// What an injected fault does, as chaos tools and service meshes inject them.
enum class FaultKind : std::uint8_t {
    Crash,      // replicas of a service go down (in-flight work lost) and restart
    Latency,    // calls to a service or external wait `delay` longer
    Error,      // calls to a service or external fail at once (an injected 5xx)
    Partition,  // calls between two services are dropped until it heals
};

/// A fault injected into the run: what it strikes and when, at a set
/// window or as a random process of up times and durations.
struct FaultSpec {
    FaultKind kind = FaultKind::Crash;
    std::string path;    // "faults[0]"
    std::string target;  // crash: the service; latency, error: the callee; partition: a side
    std::string from;    // latency, error: calls from this service only ("": any caller);
                         // partition: the other side
    std::uint32_t replicas = 1;     // crash: how many of its replicas, the first ones
    double start = 0.0, end = 0.0;  // a set window (when not random)
    bool random = false;
    Law every;              // random: time from one occurrence's end (or 0) to the next start
    Law lasts;              // random: how long each occurrence lasts
    Law delay;              // latency: added to each call it hits
    double fraction = 1.0;  // latency, error: the share of calls it hits
};

/// Run control: how long, how many replications, what to measure.
struct RunSpec {
    double duration = 60.0;
    double warmup = 0.0;
    std::uint64_t seed = 1;
    std::uint32_t replications = 1;
    double window = 1.0;                    // time-series window, seconds
    std::uint64_t max_in_flight = 1000000;  // beyond this the system is declared unstable
    double recovery = 30.0;  // a failure window's effects must be gone this long after it ends
};

/// A whole scenario.
struct Model {
    std::string name;
    RunSpec run;
    std::vector<ServiceSpec> services;
    std::vector<DatabaseSpec> databases;
    std::vector<CacheSpec> caches;
    std::vector<ExternalSpec> externals;
    std::vector<QueueSpec> queues;
    std::vector<SourceSpec> sources;
    std::vector<SloSpec> slos;
    std::vector<FaultSpec> faults;
};

}  // namespace capsim

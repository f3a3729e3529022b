// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#pragma once

#include <atomic>
#include <cstdint>
#include <limits>
#include <unordered_map>
#include <vector>

#include "engine/arena.hpp"
#include "engine/calendar.hpp"
#include "engine/histogram.hpp"
#include "engine/parallel_runner.hpp"
#include "engine/random.hpp"
#include "engine/sample_block.hpp"
#include "engine/zipf.hpp"
#include "models/arrival_process.hpp"
#include "models/bulkhead.hpp"
#include "models/cache_store.hpp"
#include "models/circuit_breaker.hpp"
#include "models/compiled_model.hpp"
#include "models/connection_pool.hpp"
#include "models/cpu_scheduler.hpp"
#include "models/error_cause.hpp"
#include "models/gauge.hpp"
#include "models/hash_ring.hpp"
#include "models/message_queue.hpp"
#include "models/rate_limiter.hpp"
#include "models/replication_result.hpp"
#include "models/retry_budget.hpp"
#include "models/task.hpp"
#include "models/wait_queue.hpp"

namespace capsim {

/// One replication of a compiled model: the calendar, the request and task
/// arenas, the stations' state, and the interpreter that steps tasks
/// through their programs. Runs on one thread; replications run in
/// parallel, each with its own Simulation.
class Simulation {
  public:
    Simulation(const CompiledModel& model, std::uint32_t replication);

    /// Run to the end of the scenario's duration (or until unstable).
    /// `cancel`, when set by another thread, stops the run (Interrupted).
    ReplicationResult run(const std::atomic<bool>* cancel = nullptr);

  private:
    struct Replica {
        std::uint32_t service = 0;
        std::uint32_t first_pool = 0;  // its pools, in the service's slot order
        std::uint32_t free_workers = 0;
        std::uint32_t outstanding = 0;  // queued + holding a worker
        double limit = 0.0;             // adaptive concurrency limit (0: none)
        WaitQueue queue;
        CpuScheduler cpu;
        std::uint32_t free_loops = 0;        // async
        std::uint32_t free_executor = 0;     // async
        Ring<std::uint32_t> loop_queue;      // tasks waiting for an event loop
        Ring<std::uint32_t> executor_queue;  // tasks waiting for an executor thread
        // Per-replica gauges, kept only when the service has several: the
        // service's own gauges are their sum.
        bool tracked = false;
        Gauge busy_workers;
        Gauge busy_cores;
        std::uint64_t completed = 0;  // released a worker, after warm-up
        bool up = true;               // not crashed
        bool in_rotation = true;      // the balancer sends it requests
        // Slow start: back in rotation since (never, for the first ones).
        double warm_from = -std::numeric_limits<double>::infinity();
        std::uint32_t probe_fails = 0, probe_passes = 0;  // in a row
        bool probe_out = false;                           // its health check took it out
        bool outlier_out = false;                         // outlier detection took it out
        std::uint32_t failures = 0;                       // its requests failed in a row
        bool present = true;  // provisioned (an autoscaler's slot may be empty, or booting)
        // Cold start: its cpu steps are slower until then.
        double cold_until = -std::numeric_limits<double>::infinity();
        Gauge up_time;  // 1 while up (tracked only)
    };

    struct Service {
        bool limited = false;  // has a rate limit
        std::uint32_t first_replica = 0;
        std::uint32_t replicas = 0;
        std::uint64_t queue_capacity = 0;
        double queue_timeout = 0.0;
        bool drop_oldest = false;
        const AdaptiveLimitSpec* adaptive = nullptr;
        Gauge limit;  // the replicas' adaptive limits, summed
        std::uint64_t rr = 0;
        Rng balancer_rng;
        // Offsets of the replicas in rotation; empty until one leaves it (and
        // when all have: the balancer then fails open to every one).
        std::vector<std::uint32_t> rotation;
        bool every_replica() const { return rotation.empty() || rotation.size() == replicas; }
        Gauge up;                  // replicas up
        std::uint64_t placed = 0;  // requests the balancer placed (the autoscaler's rate)
        Rng probe_rng;
        bool outliers = false;  // outlier detection watches its replicas
        bool keyed = false;     // consistent hashing: a request's client picks its replica
        double hash_bound = 0.0;
        HashRing ring;
        Gauge busy_workers;
        Gauge busy_cores;
        Gauge waiting;
        Gauge busy_loops;    // async: event loops held
        Gauge loop_waiting;  // async: tasks queued for one
        std::uint64_t window_completions = 0;
    };

    // One server of a database: a shard's primary or one of its replicas.
    struct DbMember {
        CpuScheduler cpu;
        Gauge busy_cores;
        std::uint32_t database = 0;
        bool alone = true;  // the database's only server: its gauge would repeat the database's
    };

    struct Database {
        std::uint32_t first_member = 0;  // shard k's primary is first_member + k * (1 + replicas)
        std::uint64_t rr = 0;            // the replica that serves the next read
        std::uint32_t open = 0;          // connections open now
        Gauge busy_cores;                // over all its members
        Gauge connections;
        Rng connect_rng;
        Rng rtt_rng;
        std::vector<ZipfSampler> rows;  // per table: which row a write locks
        // A locked row: its owner (a transaction id) and the writes waiting.
        struct Lock {
            std::uint32_t owner = 0;
            std::vector<PoolWaiter> waiters;  // FIFO; `wait_id` tells stale ones
        };
        std::unordered_map<std::uint64_t, Lock> locks;
        std::vector<std::pair<std::uint32_t, std::uint64_t>> held;  // (owner, row key)
        std::uint64_t window_queries = 0;
        Rng lag_rng;    // replication lag per write
        Rng shard_rng;  // the shard of a query that names no row
        // Rows written whose change a replica has not applied yet: row key ->
        // when it will have (entries past are purged each window).
        std::unordered_map<std::uint64_t, double> unreplicated;
    };

    // Tasks parked behind another task's fill of the same key (single-flight).
    struct Flight {
        std::vector<PoolWaiter> waiters;
    };

    struct Cache {
        CpuScheduler cpu;
        CacheStore store;
        ZipfSampler keys;
        Gauge busy;
        std::unordered_map<std::uint64_t, Flight> flights;
        std::uint64_t window_gets = 0, window_hits = 0;
        std::uint64_t evictions_base = 0, expirations_base = 0;  // at the end of warm-up
        std::unordered_map<std::uint64_t, double> last_write;    // per key written to
    };

    struct External {
        double tokens = 0.0;
        double refilled = 0.0;  // when `tokens` was last topped up
        std::uint64_t window_calls = 0, window_errors = 0;
    };

    struct Guard {
        explicit Guard(const RetrySpec& r) : budget(r) {}
        RetryBudget budget;
        std::uint32_t first_breaker = 0;
        std::uint32_t first_bulkhead = 0;
        Gauge open;  // breakers open
        std::uint64_t window_attempts = 0, window_timeouts = 0;
    };

    // One key of a service's rate limit, and the requests queued at it.
    struct LimitKey {
        explicit LimitKey(const RateLimitSpec& s, std::uint32_t svc) : limiter(s), service(svc) {}
        RateLimiter limiter;
        std::uint32_t service;
        Ring<std::uint32_t> waiting;
        bool wake_pending = false;
    };

    // One strand of a fault: a crash of one replica, or one latency, error
    // or partition fault. Random faults alternate up and down on its stream.
    struct FaultUnit {
        std::uint32_t fault = 0;
        std::uint32_t replica = kNone;  // crash: the replica it takes down
        bool active = false;
        Rng rng;
        std::vector<std::pair<std::uint32_t, std::uint32_t>> parked;  // partition: (task, service)
        double since = 0.0;                                           // on since
    };

    // A call held by injected latency: the task and the service it goes to
    // (a forwarded frame's endpoint is not the one it is entering).
    struct Held {
        std::uint32_t task = 0;
        std::uint32_t service = 0;
    };

    // A service's autoscaler: its metric's integrals at the last
    // evaluation, replicas on their way, and recent recommendations.
    struct Scaler {
        double busy_cores = 0.0, busy_workers = 0.0, waiting = 0.0;
        std::uint64_t placed = 0;
        std::uint32_t booting = 0;
        double last_out = -std::numeric_limits<double>::infinity();  // the last scale-out
        std::vector<std::pair<double, std::uint32_t>> recommended;   // (time, replicas)
    };

    struct EndpointLive {
        Histogram window_latency;
        std::uint64_t window_arrivals = 0;
        std::uint64_t window_completions = 0;
        std::uint64_t window_errors = 0;
    };

    // A plain endpoint's state, resolved once: what its requests touch,
    // without an index into a vector of each. The vectors pointed into are
    // sized in the constructor and never again.
    struct PlainLane {
        Service* service = nullptr;
        Replica* replica = nullptr;
        StationResult* station = nullptr;
        EndpointResult* result = nullptr;
        EndpointLive* live = nullptr;
        const Law* law = nullptr;
        Rng* rng = nullptr;
        SampleBlock* draws = nullptr;
    };

    void dispatch(const Event& e);
    void on_cpu_done(std::uint32_t task);
    void on_window();
    void on_warmup_end();
    void reserve_series(std::size_t windows);

    void start_request(std::uint32_t source, std::uint32_t user);
    std::uint32_t spawn(std::uint32_t parent);
    void wait_for(std::uint32_t task, std::uint32_t needed, std::uint32_t may_fail);
    void admit(std::uint32_t task, std::uint32_t service);
    void admit_at(std::uint32_t task, std::uint32_t service);
    void enter(std::uint32_t task, std::uint32_t service);
    void place(std::uint32_t task, std::uint32_t service);
    std::uint32_t choose_replica(std::uint32_t service, std::uint32_t task);
    std::uint32_t hashed_replica(Service& svc, std::uint32_t task);
    void grant_worker(std::uint32_t task);
    void adapt_limit(std::uint32_t replica, double latency);
    void release_worker(std::uint32_t replica);
    template <class Fail>
    void queue_for_worker(Replica& rep, Service& svc, StationResult& st, std::uint32_t request,
                          std::uint8_t priority, Fail fail);
    template <class MarkOf, class Fail>
    std::uint32_t worker_done(Replica& rep, Service& svc, StationResult& st, MarkOf mark_of,
                              Fail fail);
    void step(std::uint32_t task);
    void start_cpu(std::uint32_t task, const Instr& in);
    double duration_of(const Instr& in);
    void finish(std::uint32_t task);
    void fail(std::uint32_t task, ErrorCause cause);
    void complete(std::uint32_t task, bool ok, ErrorCause cause);
    void end_request(const Request& req, bool ok, ErrorCause cause);
    void answered(std::uint32_t source, double arrival, std::uint32_t user, std::uint16_t attempts,
                  bool ok, ErrorCause cause);
    std::array<double, kComponents>* frame_done(EndpointResult& er, EndpointLive& live,
                                                double start);
    void tell_parent(const Task& t, bool ok, ErrorCause cause);
    void drain();
    void cpu_changed(std::uint32_t replica, std::uint32_t busy_before);
    void workers_changed(Replica& rep, Service& svc, double delta);
    void cores_changed(Replica& rep, double delta);
    bool hold_loop(std::uint32_t task);
    void release_loop(std::uint32_t task);
    void offload(std::uint32_t task);
    void start_offload(std::uint32_t task);
    void release_executor(std::uint32_t task);

    // Plain stations (simulation_plain.cpp).
    void init_plain();
    void plain_start(std::uint32_t source, std::uint32_t user, std::uint32_t endpoint);
    void plain_grant(std::uint32_t job);
    void plain_done(std::uint32_t job);
    void plain_fail(std::uint32_t job, ErrorCause cause);
    void plain_end(std::uint32_t job, bool ok, ErrorCause cause);

    // Message queues (simulation_queue.cpp).
    void init_queues(std::uint32_t replication);
    void enqueue(std::uint32_t task);
    bool push_message(std::uint32_t queue, std::uint32_t message);
    void deliver(std::uint32_t queue);
    void message_done(std::uint32_t message, bool ok);
    void on_message_retry(std::uint32_t message);
    void queue_window(double width);
    void queue_results(double stop_time);

    // The data tier (simulation_data.cpp).
    void init_data_tier(std::uint32_t replication);
    std::uint32_t pool_of(const Task& t) const;
    void query_start(std::uint32_t task);
    void transaction_start(std::uint32_t task);
    void commit(std::uint32_t task);
    void acquire(std::uint32_t task, std::uint32_t pool);
    void take(std::uint32_t task, std::uint32_t pool);
    void open_connection(std::uint32_t task, std::uint32_t pool);
    void connected(std::uint32_t task);
    void release_connection(std::uint32_t pool, bool opened);
    void on_connect_done(std::uint32_t task);
    void on_pool_timeout(std::uint32_t task);
    void send_query(std::uint32_t task);
    void on_round_trip_done(std::uint32_t task);
    void submit_query(std::uint32_t task);
    void run_query(std::uint32_t task);
    void release_locks(std::uint32_t db, std::uint32_t owner);
    void on_lock_timeout(std::uint32_t task);
    void on_query_done(std::uint32_t task);
    void db_cpu_changed(std::uint32_t member, std::uint32_t busy_before);
    std::uint32_t route_query(std::uint32_t task);
    void cache_get(std::uint32_t task);
    void cache_set(std::uint32_t task);
    void cache_write(std::uint32_t task);
    void cache_submit(std::uint32_t task, std::uint32_t cache);
    void on_cache_done(std::uint32_t task);
    void cache_cpu_changed(std::uint32_t cache, std::uint32_t busy_before);
    void end_flight(std::uint32_t task, bool ok, ErrorCause cause);
    void external_call(std::uint32_t task);
    void on_external_done(std::uint32_t task);
    void release_held(std::uint32_t task);
    void data_window(double width);
    void data_warmup_end();
    void data_results(double stop_time);
    bool measuring(double since) const { return since >= warmup_; }

    // Injected faults and health checks (simulation_fault.cpp).
    void init_faults(std::uint32_t replication);
    void on_fault_start(std::uint32_t unit);
    void on_fault_end(std::uint32_t unit);
    void crash(std::uint32_t replica);
    void restart(std::uint32_t replica);
    void set_up(Replica& rep, bool up);
    void answer_early(std::uint32_t frame);
    bool intercept(std::uint32_t task, std::uint32_t service);
    void external_faults(const Task& t, std::uint32_t external, double& latency,
                         std::uint8_t& outcome);
    void on_fault_delay_done(std::uint32_t held);
    void on_probe(std::uint32_t replica);
    void refresh_rotation(std::uint32_t replica);
    void replica_failed(std::uint32_t replica);
    void on_outlier_return(std::uint32_t replica);
    void rebuild_rotation(Service& svc);
    bool warming(std::uint32_t replica);
    void fault_window(double width);
    void fault_warmup_end();
    void fault_results(double stop_time);

    // Autoscaling and cold starts (simulation_autoscale.cpp).
    void init_autoscale();
    void autoscale_warmup_end();
    void on_scale_eval(std::uint32_t service);
    void on_scale_floor(std::uint32_t service);
    void scale_to(std::uint32_t service, std::uint32_t wanted);
    void on_replica_ready(std::uint32_t replica);
    void started(Replica& rep);
    double cold_factor(const Replica& rep) const;
    std::uint32_t floor_at(const AutoscaleSpec& a) const;
    std::uint32_t present_replicas(const Service& svc) const;

    // Policies on steps and clients (simulation_policy.cpp).
    void init_policies();
    void guard_start(std::uint32_t task);
    void attempt(std::uint32_t task);
    void launch(std::uint32_t task);
    std::uint32_t bulkhead_of(const Task& t, std::uint32_t guard) const;
    void release_bulkhead(std::uint32_t task);
    void on_bulkhead_timeout(std::uint32_t task);
    void guard_done(std::uint32_t task, const Task& child, bool ok, ErrorCause cause);
    void guard_failed(std::uint32_t task, ErrorCause cause);
    void fallback_or_fail(std::uint32_t task, ErrorCause cause);
    void abandoned_done(const Task& child, bool ok, ErrorCause cause);
    void on_guard_timeout(std::uint32_t task);
    void on_retry_due(std::uint32_t task);
    void on_half_open(std::uint32_t breaker);
    void breaker_outcome(std::uint32_t task, bool failed, double elapsed);
    std::uint32_t breaker_of(const Task& t, std::uint32_t guard) const;
    bool pass_limit(std::uint32_t task, std::uint32_t service);
    void on_limit_wake(std::uint32_t key);
    void guard_window(double width);
    void guard_warmup_end();
    void guard_results(double stop_time);

    const CompiledModel& m_;
    const Program& prog_;
    Calendar cal_;
    Arena<Request> requests_;
    Arena<Task> tasks_;
    Arena<PlainJob> jobs_;          // requests at plain stations (simulation_plain.cpp)
    std::vector<PlainLane> lanes_;  // per endpoint (plain ones only)
    Arena<Components> spills_;      // attributions that outgrew their task's inline slots
    Ring<std::uint32_t> ready_;
    std::vector<Replica> replicas_;
    std::vector<Service> services_;
    std::vector<ConnectionPool> pools_;      // per replica, per pool slot
    std::vector<std::uint32_t> pool_index_;  // each one's CompiledPool
    std::vector<Database> databases_;
    std::vector<DbMember> members_;
    std::vector<Cache> caches_;
    std::vector<External> externals_;
    std::vector<MessageQueue> queues_;
    Arena<Message> messages_;
    std::vector<Guard> guards_;
    std::vector<CircuitBreaker> breakers_;
    std::vector<std::uint32_t> breaker_guard_;  // each breaker's guard
    std::vector<Bulkhead> bulkheads_;           // per guard with one, per caller replica
    std::vector<Scaler> scalers_;               // per service (used by autoscaled ones)
    std::vector<FaultUnit> fault_units_;
    std::vector<std::uint32_t> active_calls_;  // fault units hitting calls now
    Arena<Held> held_;
    std::vector<LimitKey> limit_keys_;
    std::vector<std::unordered_map<std::uint64_t, std::uint32_t>> limit_index_;  // per service
    std::vector<Rng> client_rng_;     // per source: which client sends each request
    std::uint32_t txn_serial_ = 0;    // transaction ids, the owners of row locks
    std::vector<Rng> streams_;        // one per program stream
    std::vector<SampleBlock> draws_;  // per stream: a cpu or delay step's draws, taken ahead
    std::vector<ArrivalProcess> arrivals_;
    std::vector<Rng> arrival_rng_;
    std::vector<Rng> mix_rng_;
    std::vector<Rng> think_rng_;
    std::vector<std::uint32_t> user_source_;
    std::vector<EndpointLive> live_;
    ReplicationResult out_;
    double now_ = 0.0;
    double warmup_ = 0.0;
    double end_ = 0.0;
    double window_start_ = 0.0;
    bool stop_ = false;
};

// An endpoint frame that began at `start` finished now: its window's
// latency and count and, when it is measured, its latency. Returns its
// latency band's attribution sums for the caller to add the frame's record
// to, or null when the frame is not measured.
inline std::array<double, kComponents>* Simulation::frame_done(EndpointResult& er,
                                                               EndpointLive& live, double start) {
    const double latency = now_ - start;
    live.window_latency.record(latency);
    ++live.window_completions;
    if (!measuring(start)) return nullptr;
    ++er.completions;
    er.latency.record(latency);
    // er.attribution is the sum of the bands, taken once at the end.
    if (er.band_attribution.empty()) [[unlikely]]
        er.band_attribution.assign(EndpointResult::kBands, {});
    return &er.band_attribution[EndpointResult::band_of(latency)];
}

// A request's client has its answer: the source's counts, and a closed
// user's next think. Inline: once per request, on both paths.
inline void Simulation::answered(std::uint32_t source, double arrival, std::uint32_t user,
                                 std::uint16_t attempts, bool ok, ErrorCause cause) {
    if (measuring(arrival)) {
        SourceResult& sr = out_.sources[source];
        ++sr.ended;
        sr.attempts += attempts;
        if (ok) {
            ++sr.completions;
            if (!m_.sources[source].latency_is_endpoints) sr.latency.record(now_ - arrival);
        } else {
            ++sr.errors[static_cast<std::size_t>(cause)];
        }
    }
    if (user != kNone) {
        const std::uint32_t s = user_source_[user];
        const double think = m_.model.sources[s].think.sample(think_rng_[s]);
        cal_.schedule(now_ + think, kThinkDone, user);
    }
}

// A request that found no free worker waits for one, unless the queue is
// full: then it is refused or, with drop_oldest, the request that has
// waited longest is dropped for it. `request` is a task or a plain job;
// `fail` ends one of the same kind. Shared by the generic and plain paths.
template <class Fail>
void Simulation::queue_for_worker(Replica& rep, Service& svc, StationResult& st,
                                  std::uint32_t request, std::uint8_t priority, Fail fail) {
    if (rep.queue.size() >= svc.queue_capacity) [[unlikely]] {
        if (measuring(now_)) ++st.rejected;
        if (!svc.drop_oldest || rep.queue.empty()) {
            fail(request, ErrorCause::QueueFull);
            return;
        }
        const std::uint32_t oldest = rep.queue.pop_oldest();
        svc.waiting.add(now_, -1.0);
        --rep.outstanding;
        fail(oldest, ErrorCause::QueueFull);
    }
    ++rep.outstanding;
    rep.queue.push(request, priority);
    svc.waiting.add(now_, 1.0);
}

// A worker is done with its request: the counts, then the waiting request
// it passes to, those that waited past the queue timeout shed on the way;
// kNone when none waits (the busy count is the caller's). Shared by the
// generic and plain paths.
template <class MarkOf, class Fail>
std::uint32_t Simulation::worker_done(Replica& rep, Service& svc, StationResult& st, MarkOf mark_of,
                                      Fail fail) {
    --rep.outstanding;
    if (measuring(now_)) {
        ++st.completed;
        ++rep.completed;
    }
    ++svc.window_completions;
    while (!rep.queue.empty()) {
        const std::uint32_t next = rep.queue.pop();
        svc.waiting.add(now_, -1.0);
        if (now_ - mark_of(next) > svc.queue_timeout) [[unlikely]] {
            --rep.outstanding;
            if (measuring(now_)) ++st.shed;
            fail(next, ErrorCause::Shed);
            continue;
        }
        return next;
    }
    return kNone;
}

// A cpu or delay step's next duration. The compiler gives each step a
// stream of its own, so its draws can be taken a block ahead.
inline double Simulation::duration_of(const Instr& in) {
    return draws_[in.stream].next(prog_.laws[in.law], streams_[in.stream]);
}

// On every cpu step and worker hand-off: inline, out of the .cpp files.
inline void Simulation::cores_changed(Replica& rep, double delta) {
    services_[rep.service].busy_cores.add(now_, delta);
    if (rep.tracked) rep.busy_cores.add(now_, delta);
}

inline void Simulation::workers_changed(Replica& rep, Service& svc, double delta) {
    svc.busy_workers.add(now_, delta);
    if (rep.tracked) rep.busy_workers.add(now_, delta);
}

}  // namespace capsim

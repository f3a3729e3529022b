// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#include "models/simulation.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "models/event_kind.hpp"

namespace capsim {

namespace {

bool has_parallel(const BlockSpec& steps) {
    for (const StepSpec& s : steps) {
        if (s.kind == StepKind::Parallel) return true;
        for (const BlockSpec& b : s.blocks)
            if (has_parallel(b)) return true;
    }
    return false;
}

CpuScheduler::Mode cpu_mode(const ServiceSpec& s) {
    // With no more workers than cores, and one thread of work per worker
    // (no parallel arms), no step can ever wait for a core: the cheapest
    // regime is then also the exact one.
    bool fan_out = false;
    for (const EndpointSpec& e : s.endpoints) fan_out = fan_out || has_parallel(e.steps);
    if (s.workers <= s.cores && !fan_out) return CpuScheduler::Mode::Dedicated;
    return s.cpu == CpuDiscipline::Fcfs ? CpuScheduler::Mode::Fcfs : CpuScheduler::Mode::Sharing;
}

std::uint32_t loop_count(double x) {
    if (!(x > 0.0)) return 0;
    return static_cast<std::uint32_t>(std::min(std::llround(x), 0xFFFFFFFELL));
}

}  // namespace

Simulation::Simulation(const CompiledModel& model, std::uint32_t replication)
    : m_(model), prog_(model.program) {
    const Model& md = model.model;
    const std::uint64_t seed = md.run.seed;
    warmup_ = md.run.warmup;
    end_ = md.run.duration;
    out_.replication = replication;

    for (const std::string& name : prog_.streams) streams_.emplace_back(seed, replication, name);
    draws_.resize(streams_.size());

    for (std::uint32_t s = 0; s < md.services.size(); ++s) {
        const ServiceSpec& spec = md.services[s];
        Service svc;
        svc.first_replica = static_cast<std::uint32_t>(replicas_.size());
        svc.replicas = spec.replicas;
        svc.queue_capacity = spec.queue_capacity;
        svc.queue_timeout = spec.queue_timeout;
        svc.drop_oldest = spec.drop_oldest;
        if (spec.adaptive_limit) svc.adaptive = &*spec.adaptive_limit;
        svc.balancer_rng = Rng(seed, replication, spec.path + ".balancer");
        if (spec.keyed()) {
            svc.keyed = true;
            svc.hash_bound = spec.hash_bound;
            svc.ring = HashRing(spec.replicas, name_hash(spec.path));
        }
        svc.limited = spec.rate_limit.has_value();
        svc.outliers = spec.outlier_detection.has_value();
        for (auto* g :
             {&svc.busy_workers, &svc.busy_cores, &svc.waiting, &svc.busy_loops, &svc.loop_waiting})
            g->run.reset(0.0, 0.0);
        const double initial = svc.adaptive ? svc.adaptive->initial : 0.0;
        svc.limit.run.reset(0.0, initial * spec.replicas);
        services_.push_back(svc);
        const bool plain =
            std::any_of(model.endpoints.begin(), model.endpoints.end(),
                        [&](const CompiledEndpoint& e) { return e.service == s && e.plain; });
        for (std::uint32_t r = 0; r < spec.replicas; ++r) {
            Replica rep;
            rep.service = s;
            rep.first_pool = static_cast<std::uint32_t>(pools_.size());
            for (std::uint32_t k = 0; k < model.pool_count[s]; ++k) {
                const CompiledPool& cp = model.pools[model.first_pool[s] + k];
                ConnectionPool pool;
                pool.database = cp.database;
                pool.size = cp.size;
                pool.acquire_timeout = cp.acquire_timeout;
                pools_.push_back(std::move(pool));
                pool_index_.push_back(model.first_pool[s] + k);
            }
            rep.free_workers = spec.workers;
            rep.limit = initial;
            rep.free_loops = spec.loops;
            rep.free_executor = spec.executor;
            rep.queue.configure(spec.queue, model.priority_classes);
            rep.cpu.configure(cpu_mode(spec), spec.cores,
                              static_cast<std::uint32_t>(replicas_.size()),
                              plain ? kPlainDone : kCpuDone);
            rep.tracked = spec.replicas > 1;
            rep.busy_workers.run.reset(0.0, 0.0);
            rep.busy_cores.run.reset(0.0, 0.0);
            replicas_.push_back(std::move(rep));
        }
    }

    out_.endpoints.resize(model.endpoints.size());
    live_.resize(model.endpoints.size());
    out_.stations.resize(md.services.size());
    out_.sources.resize(md.sources.size());
    init_data_tier(replication);
    init_queues(replication);
    init_policies();
    init_faults(replication);
    init_autoscale();
    init_plain();
    limit_index_.resize(md.services.size());

    for (std::uint32_t s = 0; s < md.sources.size(); ++s) {
        const SourceSpec& src = md.sources[s];
        arrivals_.emplace_back(src);
        arrival_rng_.emplace_back(seed, replication, src.path);
        mix_rng_.emplace_back(seed, replication, src.path + ".mix");
        client_rng_.emplace_back(seed, replication, src.path + ".clients");
        think_rng_.emplace_back(seed, replication, src.path + ".think");
        if (src.kind == SourceKind::Closed) {
            for (std::uint32_t u = 0; u < src.users; ++u) {
                const auto user = static_cast<std::uint32_t>(user_source_.size());
                user_source_.push_back(s);
                // Users start mid-think so they do not all fire at t = 0.
                cal_.schedule(src.think.sample(think_rng_[s]), kThinkDone, user);
            }
        } else {
            const double t = arrivals_[s].first(arrival_rng_[s]);
            if (t <= end_) cal_.schedule(t, kArrival, s);
        }
    }
    if (warmup_ > 0.0) cal_.schedule(warmup_, kWarmupEnd, 0);
    if (md.run.window > 0.0) {
        cal_.schedule(std::min(md.run.window, end_), kWindow, 0);
        // The loader allows 10^6 windows; a model built by hand may ask more.
        reserve_series(static_cast<std::size_t>(std::min(1e6, std::ceil(end_ / md.run.window))) +
                       1);
    }
}

void Simulation::reserve_series(std::size_t windows) {
    // The series grow by one value a window: reserved once, they are not
    // copied as they grow (a run is often 10^5 windows). Pages a run that
    // stops early never writes are never touched.
    out_.window_end.reserve(windows);
    for (EndpointResult& er : out_.endpoints)
        for (auto* v : {&er.series.arrivals, &er.series.completions, &er.series.errors,
                        &er.series.p50, &er.series.p99})
            v->reserve(windows);
    for (StationResult& st : out_.stations)
        for (auto* v : {&st.series.waiting, &st.series.busy_workers, &st.series.busy_cores,
                        &st.series.busy_loops, &st.series.completions})
            v->reserve(windows);
}

ReplicationResult Simulation::run(const std::atomic<bool>* cancel) {
    std::uint64_t n = 0;
    while (!cal_.empty() && !stop_) {
        // An event past the end is consumed, harmlessly: the run stops here.
        const Event e = cal_.pop();
        if (e.time > end_) break;
        now_ = e.time;
        dispatch(e);
        if (!ready_.empty()) drain();
        // Polling an atomic every event would cost more than the event.
        if ((++n & 0xFFFF) == 0) {
            out_.peak_tasks = std::max<std::uint64_t>(out_.peak_tasks, tasks_.peak());
            if (cancel && cancel->load(std::memory_order_relaxed)) throw Interrupted{};
        }
    }
    out_.peak_tasks = std::max<std::uint64_t>(out_.peak_tasks, tasks_.peak());
    const double stop_time = stop_ ? now_ : end_;
    out_.measured = std::max(0.0, stop_time - warmup_);
    out_.events = cal_.popped();
    out_.in_flight_at_end = requests_.live();
    for (EndpointResult& er : out_.endpoints)
        for (const auto& band : er.band_attribution)
            for (std::size_t c = 0; c < kComponents; ++c) er.attribution[c] += band[c];
    for (std::uint32_t s = 0; s < services_.size(); ++s) {
        Service& svc = services_[s];
        StationResult& st = out_.stations[s];
        st.busy_workers = svc.busy_workers.run.mean(stop_time);
        if (svc.adaptive) st.concurrency_limit = svc.limit.run.mean(stop_time) / svc.replicas;
        st.busy_cores = svc.busy_cores.run.mean(stop_time);
        st.waiting = svc.waiting.run.mean(stop_time);
        st.waiting_max = svc.waiting.run.max();
        st.busy_loops = svc.busy_loops.run.mean(stop_time);
        st.loop_waiting = svc.loop_waiting.run.mean(stop_time);
        st.replicas_peak = svc.up.run.max();
        for (std::uint32_t k = 0; svc.replicas > 1 && k < svc.replicas; ++k) {
            const Replica& rep = replicas_[svc.first_replica + k];
            st.replica_busy_workers.push_back(rep.busy_workers.run.mean(stop_time));
            st.replica_busy_cores.push_back(rep.busy_cores.run.mean(stop_time));
            st.replica_completed.push_back(rep.completed);
        }
    }
    data_results(stop_time);
    queue_results(stop_time);
    guard_results(stop_time);
    fault_results(stop_time);
    return std::move(out_);
}

// Forced inline into run(), its only caller: one call fewer per event
// (+2 to +9% M/M/1 requests/s in A/B runs; bench/PROFILE.md).
[[gnu::always_inline]] inline void Simulation::dispatch(const Event& e) {
    switch (e.kind()) {
        case kArrival: {
            const std::uint32_t s = e.arg;
            const double t = arrivals_[s].next(arrival_rng_[s]);
            if (t <= end_) cal_.schedule(t, kArrival, s);
            start_request(s, kNone);
            return;
        }
        case kCpuDone: {
            Replica& rep = replicas_[tasks_[e.arg].replica];
            if (rep.cpu.dedicated()) {
                rep.cpu.finish_fcfs(cal_, now_);
                cores_changed(rep, -1.0);
            } else {
                const std::uint32_t before = rep.cpu.busy();
                rep.cpu.finish_fcfs(cal_, now_);
                cpu_changed(tasks_[e.arg].replica, before);
            }
            on_cpu_done(e.arg);
            return;
        }
        case kPlainDone:
            plain_done(e.arg);
            return;
        case kPsDone: {
            const std::uint32_t before = replicas_[e.arg].cpu.busy();
            const std::uint32_t task = replicas_[e.arg].cpu.finish_sharing(cal_, now_);
            cpu_changed(e.arg, before);
            on_cpu_done(task);
            return;
        }
        case kDelayDone: {
            Task& t = tasks_[e.arg];
            t.attr.add(Component::Delay, static_cast<float>(now_ - t.mark), spills_);
            t.mark = now_;
            ++t.pc;
            step(e.arg);
            return;
        }
        case kThinkDone:
            start_request(user_source_[e.arg], e.arg);
            return;
        case kWindow:
            on_window();
            return;
        case kWarmupEnd:
            on_warmup_end();
            return;
        case kDbCpuDone: {
            const std::uint32_t m = tasks_[e.arg].member;
            const std::uint32_t before = members_[m].cpu.busy();
            members_[m].cpu.finish_fcfs(cal_, now_);
            db_cpu_changed(m, before);
            on_query_done(e.arg);
            return;
        }
        case kDbPsDone: {
            const std::uint32_t before = members_[e.arg].cpu.busy();
            const std::uint32_t task = members_[e.arg].cpu.finish_sharing(cal_, now_);
            db_cpu_changed(e.arg, before);
            on_query_done(task);
            return;
        }
        case kConnectDone:
            on_connect_done(e.arg);
            return;
        case kRoundTripDone:
            on_round_trip_done(e.arg);
            return;
        case kPoolTimeout:
            on_pool_timeout(e.arg);
            return;
        case kCacheCpuDone: {
            const std::uint32_t c = prog_.cache_ops[prog_.code[tasks_[e.arg].pc].a].cache;
            const std::uint32_t before = caches_[c].cpu.busy();
            caches_[c].cpu.finish_fcfs(cal_, now_);
            cache_cpu_changed(c, before);
            on_cache_done(e.arg);
            return;
        }
        case kCachePsDone: {
            const std::uint32_t before = caches_[e.arg].cpu.busy();
            const std::uint32_t task = caches_[e.arg].cpu.finish_sharing(cal_, now_);
            cache_cpu_changed(e.arg, before);
            on_cache_done(task);
            return;
        }
        case kExternalDone:
            on_external_done(e.arg);
            return;
        case kMessageRetry:
            on_message_retry(e.arg);
            return;
        case kLockTimeout:
            on_lock_timeout(e.arg);
            return;
        case kCacheFlush:
            caches_[e.arg].store.flush();
            return;
        case kGuardTimeout:
            on_guard_timeout(e.arg);
            return;
        case kRetryDue:
            on_retry_due(e.arg);
            return;
        case kHalfOpen:
            on_half_open(e.arg);
            return;
        case kLimitWake:
            on_limit_wake(e.arg);
            return;
        case kBulkheadTimeout:
            on_bulkhead_timeout(e.arg);
            return;
        case kFaultStart:
            on_fault_start(e.arg);
            return;
        case kFaultEnd:
            on_fault_end(e.arg);
            return;
        case kProbe:
            on_probe(e.arg);
            return;
        case kFaultDelayDone:
            on_fault_delay_done(e.arg);
            return;
        case kScaleEval:
            on_scale_eval(e.arg);
            return;
        case kScaleFloor:
            on_scale_floor(e.arg);
            return;
        case kReplicaReady:
            on_replica_ready(e.arg);
            return;
        case kOutlierReturn:
            on_outlier_return(e.arg);
            return;
        default:
            return;
    }
}

void Simulation::on_cpu_done(std::uint32_t task) {
    Task& t = tasks_[task];
    const double elapsed = now_ - t.mark;
    t.attr.add(Component::Cpu, static_cast<float>(t.work), spills_);
    t.attr.add(Component::CpuWait, static_cast<float>(cpu_wait_of(elapsed, t.work)), spills_);
    t.mark = now_;
    ++t.pc;
    // A frame whose cpu step is its last (every M/M/c) ends here.
    if (prog_.code[t.pc].op == Op::End && t.counter <= 1) {
        finish(task);
        return;
    }
    step(task);
}

void Simulation::cpu_changed(std::uint32_t replica, std::uint32_t busy_before) {
    const std::uint32_t busy = replicas_[replica].cpu.busy();
    if (busy != busy_before)
        cores_changed(replicas_[replica],
                      static_cast<double>(busy) - static_cast<double>(busy_before));
}

void Simulation::start_request(std::uint32_t source, std::uint32_t user) {
    if (requests_.live() >= m_.model.run.max_in_flight) {
        stop_ = true;
        out_.unstable = true;
        out_.unstable_time = now_;
        out_.unstable_in_flight = requests_.live();
        return;
    }
    const CompiledSource& cs = m_.sources[source];
    std::uint32_t pick = 0;
    if (cs.endpoints.size() > 1) {
        const double u = mix_rng_[source].uniform01();
        while (pick + 1 < cs.cumulative.size() && u > cs.cumulative[pick]) ++pick;
    }
    const std::uint32_t ep = cs.endpoints[pick];
    if (measuring(now_)) ++out_.sources[source].arrivals;
    if (m_.endpoints[ep].plain) {
        plain_start(source, user, ep);
        return;
    }

    const std::uint32_t r = requests_.acquire();
    Request& req = requests_[r];
    req.arrival = now_;
    req.source = static_cast<std::uint16_t>(source);
    req.user = user;
    req.priority = m_.model.sources[source].priority;
    req.client = cs.first_client;
    if (m_.model.sources[source].clients > 1)
        req.client +=
            static_cast<std::uint32_t>(client_rng_[source].below(m_.model.sources[source].clients));

    const std::uint32_t t = tasks_.acquire();
    Task& task = tasks_[t];
    task.start = now_;
    task.mark = now_;
    task.request = r;
    if (!cs.stubs.empty()) {
        // The client's own task: it runs the guarded call of the endpoint.
        task.pc = cs.stubs[pick];
        ready_.push_back(t);
        return;
    }
    task.endpoint = ep;
    task.pc = m_.endpoints[ep].entry;
    admit(t, m_.endpoints[ep].service);
}

std::uint32_t Simulation::spawn(std::uint32_t parent) {
    const std::uint32_t c = tasks_.acquire();
    Task& child = tasks_[c];
    const Task& p = tasks_[parent];
    child.start = now_;
    child.mark = now_;
    child.request = p.request;
    child.replica = p.replica;
    child.parent = parent;
    child.parent_gen = tasks_.generation(parent);
    child.parent_wait = p.wait_id;
    child.txn = p.held != kNone ? p.held : p.txn;
    child.in_loop = p.holds_loop || p.in_loop;
    child.txn_id = p.txn_id;
    child.deadline = p.deadline;
    child.retry = p.retry;
    return c;
}

void Simulation::wait_for(std::uint32_t task, std::uint32_t needed, std::uint32_t may_fail) {
    Task& t = tasks_[task];
    ++t.wait_id;
    t.pending = needed;
    t.allowed_failures = may_fail;
}

std::uint32_t Simulation::hashed_replica(Service& svc, std::uint32_t task) {
    // The key is who sent the request: a client of its source, else a
    // closed-loop user; a source with neither is a single client. A queue's
    // delivery has no sender: it lands on a random point of the ring (its
    // message's slot would do no better: slots are reused, few and skewed).
    const Request& req = requests_[tasks_[task].request];
    std::uint64_t key = req.client;
    if (req.message != kNone)
        key = svc.balancer_rng.next();
    else if (m_.model.sources[req.source].clients == 1 && req.user != kNone)
        key = HashRing::user_key(req.user);
    if (svc.hash_bound <= 0.0 && svc.every_replica())
        return svc.first_replica + svc.ring.owner(key);
    // Bounded loads: room for ceil(bound x mean) outstanding over the
    // replicas in rotation, the newcomer counted.
    double room = std::numeric_limits<double>::infinity();
    if (svc.hash_bound > 0.0) {
        std::uint64_t total = 1, in = 0;
        for (std::uint32_t k = 0; k < svc.replicas; ++k) {
            const Replica& rp = replicas_[svc.first_replica + k];
            if (!rp.in_rotation) continue;
            total += rp.outstanding;
            ++in;
        }
        room = std::ceil(svc.hash_bound * static_cast<double>(total) /
                         static_cast<double>(std::max<std::uint64_t>(1, in)));
    }
    return svc.first_replica + svc.ring.owner(key, [&](std::uint32_t r) {
        const Replica& rp = replicas_[svc.first_replica + r];
        return rp.in_rotation && static_cast<double>(rp.outstanding) + 1.0 <= room;
    });
}

std::uint32_t Simulation::choose_replica(std::uint32_t service, std::uint32_t task) {
    Service& svc = services_[service];
    if (svc.keyed) return hashed_replica(svc, task);
    // Only the replicas in rotation are candidates; when a health check has
    // taken every one out, the balancer fails open and tries them all.
    const bool all = svc.every_replica();
    const auto n = all ? svc.replicas : static_cast<std::uint32_t>(svc.rotation.size());
    auto at = [&](std::uint32_t k) { return svc.first_replica + (all ? k : svc.rotation[k]); };
    auto pick = [&]() -> std::uint32_t {
        if (n == 1) return at(0);
        switch (m_.model.services[service].balancer) {
            case BalancerKind::ConsistentHash:
            case BalancerKind::RoundRobin:
                return at(static_cast<std::uint32_t>(svc.rr++ % n));
            case BalancerKind::Random:
                return at(static_cast<std::uint32_t>(svc.balancer_rng.below(n)));
            case BalancerKind::LeastOutstanding: {
                // Scan from a rotating start so ties do not always favour replica 0.
                const auto start = static_cast<std::uint32_t>(svc.rr++ % n);
                std::uint32_t best = at(start);
                for (std::uint32_t k = 1; k < n; ++k) {
                    const std::uint32_t r = at((start + k) % n);
                    if (replicas_[r].outstanding < replicas_[best].outstanding) best = r;
                }
                return best;
            }
            case BalancerKind::PowerOfTwo: {
                const auto a = static_cast<std::uint32_t>(svc.balancer_rng.below(n));
                auto b = static_cast<std::uint32_t>(svc.balancer_rng.below(n - 1));
                if (b >= a) ++b;
                const std::uint32_t ra = at(a), rb = at(b);
                return replicas_[rb].outstanding < replicas_[ra].outstanding ? rb : ra;
            }
        }
        return at(0);
    };
    std::uint32_t r = pick();
    // Slow start: a replica back in rotation keeps a request with the
    // probability of its ramp, else the balancer picks again (a few times,
    // so the ramp holds even when most replicas are warming).
    for (int tries = 0; tries < 4 && warming(r); ++tries) r = pick();
    return r;
}

void Simulation::admit(std::uint32_t task, std::uint32_t service) {
    const std::uint32_t ep = tasks_[task].endpoint;
    if (measuring(now_)) {
        ++out_.endpoints[ep].arrivals;
        if (tasks_[task].retry) ++out_.endpoints[ep].retry_arrivals;
    }
    ++live_[ep].window_arrivals;
    admit_at(task, service);
}

void Simulation::admit_at(std::uint32_t task, std::uint32_t service) {
    if (!active_calls_.empty() && intercept(task, service)) [[unlikely]]
        return;
    enter(task, service);
}

void Simulation::enter(std::uint32_t task, std::uint32_t service) {
    if (services_[service].limited && !pass_limit(task, service)) return;
    place(task, service);
}

void Simulation::place(std::uint32_t task, std::uint32_t service) {
    Service& svc = services_[service];
    // One replica needs no balancer: skip the call.
    const std::uint32_t r = svc.replicas == 1 ? svc.first_replica : choose_replica(service, task);
    tasks_[task].replica = r;
    ++svc.placed;
    Replica& rep = replicas_[r];
    if (!rep.up) [[unlikely]] {
        // Down and still in rotation: the connection is refused at once.
        if (measuring(now_)) ++out_.stations[service].refused;
        if (svc.outliers) replica_failed(r);
        fail(task, ErrorCause::ConnectionRefused);
        return;
    }
    if (svc.adaptive && rep.outstanding >= static_cast<std::uint32_t>(rep.limit)) [[unlikely]] {
        if (measuring(now_)) ++out_.stations[service].concurrency_limited;
        fail(task, ErrorCause::ConcurrencyLimited);
        return;
    }
    if (rep.free_workers > 0) {
        --rep.free_workers;
        ++rep.outstanding;
        workers_changed(rep, svc, 1.0);
        grant_worker(task);
        return;
    }
    queue_for_worker(rep, svc, out_.stations[service], task,
                     requests_[tasks_[task].request].priority,
                     [this](std::uint32_t t, ErrorCause c) { fail(t, c); });
}

void Simulation::grant_worker(std::uint32_t task) {
    Task& t = tasks_[task];
    t.holds_worker = true;
    const double waited = now_ - t.mark;
    t.attr.add(Component::WorkerWait, static_cast<float>(waited), spills_);
    t.mark = now_;
    const std::uint32_t service = replicas_[t.replica].service;
    if (measuring(now_)) {
        StationResult& st = out_.stations[service];
        ++st.admitted;
        st.wait_sum += waited;
    }
    // A task at the ring's front would be stepped next anyway: when its
    // step is a cpu step (which never creates or frees a task, so callers'
    // references stay valid), take it now and skip the ring. Only calendar
    // ties with what the caller schedules after this can order differently.
    if (ready_.empty() && prog_.code[t.pc].op == Op::Cpu && t.deadline > now_) {
        start_cpu(task, prog_.code[t.pc]);
        return;
    }
    ready_.push_back(task);
}

void Simulation::adapt_limit(std::uint32_t replica, double latency) {
    Replica& rep = replicas_[replica];
    Service& svc = services_[rep.service];
    const AdaptiveLimitSpec* a = svc.adaptive;
    if (!a) return;
    const double next = latency <= a->target ? std::min(a->max, rep.limit + 1.0 / rep.limit)
                                             : std::max(a->min, rep.limit * a->backoff);
    svc.limit.add(now_, next - rep.limit);
    rep.limit = next;
}

void Simulation::release_worker(std::uint32_t replica) {
    Replica& rep = replicas_[replica];
    Service& svc = services_[rep.service];
    const std::uint32_t next = worker_done(
        rep, svc, out_.stations[rep.service], [this](std::uint32_t t) { return tasks_[t].mark; },
        [this](std::uint32_t t, ErrorCause c) { fail(t, c); });
    if (next != kNone) {
        // The worker passes straight to the next request: busy count unchanged.
        grant_worker(next);
        return;
    }
    ++rep.free_workers;
    workers_changed(rep, svc, -1.0);
}

void Simulation::start_cpu(std::uint32_t task, const Instr& in) {
    Task& t = tasks_[task];
    Replica& rep = replicas_[t.replica];
    double work = duration_of(in);
    if (rep.cold_until > now_) [[unlikely]]
        work *= cold_factor(rep);
    t.work = work;
    t.mark = now_;
    if (rep.cpu.dedicated()) {
        // One more core busy, always: no before/after comparison needed.
        rep.cpu.submit(cal_, now_, task, work);
        cores_changed(rep, 1.0);
        return;
    }
    const std::uint32_t before = rep.cpu.busy();
    rep.cpu.submit(cal_, now_, task, work);
    cpu_changed(t.replica, before);
}

void Simulation::drain() {
    while (!ready_.empty()) step(ready_.pop_front());
}

void Simulation::step(std::uint32_t task) {
    for (;;) {
        Task& t = tasks_[task];
        // Deadline propagation: work whose caller has given up is dropped
        // before its next step (it never starts if it waited past it).
        if (t.deadline <= now_) [[unlikely]] {
            fail(task, t.deadline == kCrashed ? ErrorCause::Crashed : ErrorCause::Cancelled);
            return;
        }
        const Instr& in = prog_.code[t.pc];
        switch (in.op) {
            case Op::Cpu:
                start_cpu(task, in);
                return;
            case Op::Delay: {
                const double d = duration_of(in);
                t.mark = now_;
                cal_.schedule(now_ + d, kDelayDone, task);
                return;
            }
            case Op::Call: {
                const std::uint32_t callee = in.a;
                wait_for(task, 1, 0);
                const std::uint32_t c = spawn(task);
                Task& child = tasks_[c];
                child.endpoint = callee;
                child.pc = m_.endpoints[callee].entry;
                admit(c, m_.endpoints[callee].service);
                return;
            }
            case Op::Forward: {
                // The frame moves on: it frees this worker and queues at the
                // target like a new arrival, but stays the same frame, so
                // its caller keeps waiting and its latency spans the chain.
                if (t.holds_worker) {
                    t.holds_worker = false;
                    release_worker(t.replica);
                }
                Task& moved = tasks_[task];
                moved.pc = m_.endpoints[in.a].entry;
                moved.mark = now_;
                admit_at(task, m_.endpoints[in.a].service);
                return;
            }
            case Op::Loop: {
                const std::uint32_t n = loop_count(prog_.laws[in.law].sample(streams_[in.stream]));
                if (n == 0) {
                    ++t.pc;
                    continue;
                }
                const std::uint32_t body = in.a;
                wait_for(task, 1, 0);
                const std::uint32_t c = spawn(task);
                Task& child = tasks_[c];
                child.pc = body;
                child.body = body;
                child.counter = n;
                ready_.push_back(c);
                return;
            }
            case Op::Parallel: {
                const std::uint32_t first = in.a, arms = in.b, need = in.c;
                wait_for(task, need, arms - need);
                for (std::uint32_t k = 0; k < arms; ++k) {
                    const std::uint32_t c = spawn(task);
                    tasks_[c].pc = prog_.arms[first + k].pc;
                    ready_.push_back(c);
                }
                return;
            }
            case Op::Branch: {
                const double u = streams_[in.stream].uniform01();
                std::uint32_t k = in.a;
                const std::uint32_t last = in.a + in.b - 1;
                while (k < last && u > prog_.arms[k].cumulative) ++k;
                t.pc = prog_.arms[k].pc;
                continue;
            }
            case Op::Jump:
                t.pc = in.a;
                continue;
            case Op::Query:
                query_start(task);
                return;
            case Op::Transaction:
                transaction_start(task);
                return;
            case Op::Commit:
                commit(task);
                continue;
            case Op::CacheGet:
                cache_get(task);
                return;
            case Op::CacheSet:
                cache_set(task);
                return;
            case Op::External:
                external_call(task);
                return;
            case Op::Hold:
                if (!hold_loop(task)) return;
                ++tasks_[task].pc;
                continue;
            case Op::Unhold:
                release_loop(task);
                ++tasks_[task].pc;
                continue;
            case Op::Offload:
                offload(task);
                return;
            case Op::Enqueue:
                enqueue(task);
                return;
            case Op::CacheWrite:
                cache_write(task);
                return;
            case Op::OffloadEnd:
                release_executor(task);
                ++tasks_[task].pc;
                continue;
            case Op::Guard:
                guard_start(task);
                return;
            case Op::End:
                if (t.counter > 1) {
                    --t.counter;
                    t.pc = t.body;
                    continue;
                }
                finish(task);
                return;
        }
    }
}

void Simulation::finish(std::uint32_t task) {
    // Its last cpu step ran out on a replica that has since crashed.
    if (tasks_[task].deadline == kCrashed) [[unlikely]] {
        fail(task, ErrorCause::Crashed);
        return;
    }
    if (tasks_[task].poisoned) {
        fail(task, ErrorCause::Poison);  // the consumer did the work, then threw
        return;
    }
    if (tasks_[task].holds_loop) release_loop(task);
    if (tasks_[task].holds_executor) release_executor(task);
    Task& t = tasks_[task];
    if (t.holds_worker) {
        const Service& svc = services_[replicas_[t.replica].service];
        if (svc.adaptive) [[unlikely]]
            adapt_limit(t.replica, now_ - t.start);
        if (svc.outliers) [[unlikely]]
            replicas_[t.replica].failures = 0;
        release_worker(t.replica);
    }
    if (t.held != kNone) release_held(task);
    if (t.endpoint != kNone) {
        auto* sums = frame_done(out_.endpoints[t.endpoint], live_[t.endpoint], t.start);
        if (sums) {
            t.attr.for_each(spills_, [&](Component c, float v) {
                (*sums)[static_cast<std::size_t>(c)] += static_cast<double>(v);
            });
        }
    }
    complete(task, true, ErrorCause::QueueFull);
}

void Simulation::fail(std::uint32_t task, ErrorCause cause) {
    if (tasks_[task].holds_loop) release_loop(task);
    if (tasks_[task].holds_executor) release_executor(task);
    if (tasks_[task].held != kNone) release_held(task);
    if (tasks_[task].leads_flight) end_flight(task, false, cause);
    Task& t = tasks_[task];
    if (t.holds_worker) {
        const Service& svc = services_[replicas_[t.replica].service];
        if (svc.adaptive) [[unlikely]]
            adapt_limit(t.replica, now_ - t.start);
        if (svc.outliers) [[unlikely]]
            replica_failed(t.replica);
        release_worker(t.replica);
    }
    if (t.endpoint != kNone) {
        ++live_[t.endpoint].window_errors;
        if (measuring(t.start))
            ++out_.endpoints[t.endpoint].errors[static_cast<std::size_t>(cause)];
    }
    complete(task, false, cause);
}

void Simulation::complete(std::uint32_t task, bool ok, ErrorCause cause) {
    // A released slot keeps its contents until the next acquire, and nothing
    // below acquires before the last read of `t`.
    tasks_.release(task);
    const Task& t = tasks_[task];
    // Its attribution's spill, if any, lives until its parent has taken it.
    const std::uint32_t spill = t.attr.spilled();
    if (t.parent == kNone) {
        const Request req = requests_[t.request];
        requests_.release(t.request);
        if (!req.answered) end_request(req, ok, cause);
    } else if (!t.detached) {
        tell_parent(t, ok, cause);
    }
    if (spill != Attribution::kNoSpill) [[unlikely]]
        spills_.release(spill);
}

void Simulation::end_request(const Request& req, bool ok, ErrorCause cause) {
    if (req.message != kNone) {
        message_done(req.message, ok);
        return;
    }
    answered(req.source, req.arrival, req.user, req.attempts, ok, cause);
}

void Simulation::tell_parent(const Task& t, bool ok, ErrorCause cause) {
    // The parent is gone or stopped waiting for this arm (a join that had
    // enough, or a timeout that abandoned this attempt).
    if (tasks_.generation(t.parent) != t.parent_gen || tasks_[t.parent].wait_id != t.parent_wait) {
        if (t.guard != kNone) abandoned_done(t, ok, cause);
        return;
    }
    Task& p = tasks_[t.parent];
    if (prog_.code[p.pc].op == Op::Guard && !p.fallback) {
        guard_done(t.parent, t, ok, cause);
        return;
    }
    if (ok) {
        if (--p.pending > 0) return;
    } else if (p.allowed_failures > 0) {
        --p.allowed_failures;
        return;
    }
    // This child unblocked its parent: its time is the parent's critical path.
    p.attr.merge(t.attr, spills_);
    p.mark = now_;
    ++p.wait_id;  // arms still running are orphaned: their results are ignored
    if (ok) {
        ++p.pc;
        ready_.push_back(t.parent);
    } else {
        fail(t.parent, cause);
    }
}

void Simulation::on_window() {
    const double w = now_ - window_start_;
    out_.window_end.push_back(now_);
    for (std::size_t e = 0; e < live_.size(); ++e) {
        EndpointLive& live = live_[e];
        EndpointSeries& s = out_.endpoints[e].series;
        s.arrivals.push_back(static_cast<double>(live.window_arrivals));
        s.completions.push_back(static_cast<double>(live.window_completions));
        s.errors.push_back(static_cast<double>(live.window_errors));
        const bool any = live.window_latency.count() > 0;
        s.p50.push_back(any ? live.window_latency.quantile(0.5) : std::nan(""));
        s.p99.push_back(any ? live.window_latency.quantile(0.99) : std::nan(""));
        live.window_latency.clear();
        live.window_arrivals = live.window_completions = live.window_errors = 0;
    }
    for (std::size_t s = 0; s < services_.size(); ++s) {
        Service& svc = services_[s];
        StationSeries& ss = out_.stations[s].series;
        ss.waiting.push_back(svc.waiting.window_mean(now_, w));
        ss.busy_workers.push_back(svc.busy_workers.window_mean(now_, w));
        ss.busy_cores.push_back(svc.busy_cores.window_mean(now_, w));
        ss.busy_loops.push_back(svc.busy_loops.window_mean(now_, w));
        svc.loop_waiting.window_mean(now_, w);
        ss.completions.push_back(static_cast<double>(svc.window_completions));
        svc.window_completions = 0;
        if (!svc.keyed) continue;
        StationResult& st = out_.stations[s];
        st.replica_series_workers.resize(svc.replicas);
        st.replica_series_cores.resize(svc.replicas);
        for (std::uint32_t k = 0; k < svc.replicas; ++k) {
            Replica& rep = replicas_[svc.first_replica + k];
            st.replica_series_workers[k].push_back(rep.busy_workers.window_mean(now_, w));
            st.replica_series_cores[k].push_back(rep.busy_cores.window_mean(now_, w));
        }
    }
    data_window(w);
    queue_window(w);
    guard_window(w);
    fault_window(w);
    window_start_ = now_;
    const double next = now_ + m_.model.run.window;
    if (now_ < end_) cal_.schedule(std::min(next, end_), kWindow, 0);
}

void Simulation::on_warmup_end() {
    autoscale_warmup_end();
    for (Service& svc : services_)
        for (Gauge* g : {&svc.waiting, &svc.busy_workers, &svc.busy_cores, &svc.busy_loops,
                         &svc.loop_waiting, &svc.limit})
            g->restart(now_);
    for (Replica& rep : replicas_) {
        rep.busy_workers.restart(now_);
        rep.busy_cores.restart(now_);
    }
    data_warmup_end();
    guard_warmup_end();
    fault_warmup_end();
    for (MessageQueue& q : queues_) q.depth.restart(now_);
}

}  // namespace capsim

// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
//
// The interpreter's data-tier steps: queries through connection pools to
// databases, transactions, cache lookups with their miss paths, and calls
// to external dependencies. The same Simulation as simulation.cpp, in a
// file of its own so each station's mechanics read in one place.
#include <algorithm>
#include <cmath>

#include "models/database_layout.hpp"
#include "models/event_kind.hpp"
#include "models/query_cost.hpp"
#include "models/simulation.hpp"

namespace capsim {

namespace {

constexpr auto idx(Component c) {
    return static_cast<std::size_t>(c);
}

CpuScheduler::Mode store_mode(CpuDiscipline d) {
    return d == CpuDiscipline::Fcfs ? CpuScheduler::Mode::Fcfs : CpuScheduler::Mode::Sharing;
}

}  // namespace

void Simulation::init_data_tier(std::uint32_t replication) {
    const Model& md = m_.model;
    const std::uint64_t seed = md.run.seed;
    databases_.resize(md.databases.size());
    for (std::uint32_t d = 0; d < md.databases.size(); ++d) {
        const DatabaseSpec& spec = md.databases[d];
        Database& db = databases_[d];
        db.first_member = static_cast<std::uint32_t>(members_.size());
        for (std::uint32_t k = 0; k < member_count(spec); ++k) {
            DbMember& mb = members_.emplace_back();
            mb.database = d;
            mb.alone = member_count(spec) == 1;
            mb.cpu.configure(store_mode(spec.cpu), spec.cores,
                             static_cast<std::uint32_t>(members_.size() - 1), kDbCpuDone,
                             kDbPsDone);
            mb.busy_cores.run.reset(0.0, 0.0);
        }
        db.lag_rng = Rng(seed, replication, spec.path + ".replication_lag");
        db.shard_rng = Rng(seed, replication, spec.path + ".shards");
        db.connect_rng = Rng(seed, replication, spec.path + ".connect");
        db.rtt_rng = Rng(seed, replication, spec.path + ".rtt");
        for (const TableSpec& t : spec.tables)
            db.rows.emplace_back(static_cast<std::uint64_t>(std::max(1.0, t.rows)), t.zipf);
        db.busy_cores.run.reset(0.0, 0.0);
        db.connections.run.reset(0.0, 0.0);
    }
    caches_.resize(md.caches.size());
    for (std::uint32_t c = 0; c < md.caches.size(); ++c) {
        const CacheSpec& spec = md.caches[c];
        Cache& cache = caches_[c];
        cache.cpu.configure(CpuScheduler::Mode::Fcfs, spec.cores, c, kCacheCpuDone, kCachePsDone);
        cache.store.configure(spec.capacity, spec.ttl);
        cache.keys = ZipfSampler(spec.keys, spec.zipf);
        cache.busy.run.reset(0.0, 0.0);
        for (double at : spec.flush_at)
            if (at <= end_) cal_.schedule(at, kCacheFlush, c);
    }
    externals_.resize(md.externals.size());
    for (std::uint32_t x = 0; x < md.externals.size(); ++x) {
        const ExternalSpec& spec = md.externals[x];
        externals_[x].tokens = spec.burst > 0.0 ? spec.burst : std::max(1.0, spec.rate_limit);
    }
    out_.pools.resize(m_.pools.size());
    out_.databases.resize(md.databases.size());
    for (std::uint32_t d = 0; d < md.databases.size(); ++d) {
        const std::size_t n = member_count(md.databases[d]);
        out_.databases[d].member_queries.assign(n, 0);
        if (n == 1) continue;  // the database's own statistics say it all
        out_.databases[d].member_busy.assign(n, 0.0);
        out_.databases[d].member_series.assign(n, {});
    }
    out_.caches.resize(md.caches.size());
    out_.externals.resize(md.externals.size());
}

// The pool a task's current query or transaction step uses.
std::uint32_t Simulation::pool_of(const Task& t) const {
    const Instr& in = prog_.code[t.pc];
    const std::uint32_t slot = in.op == Op::Query ? prog_.queries[in.a].slot : in.a;
    return replicas_[t.replica].first_pool + slot;
}

void Simulation::query_start(std::uint32_t task) {
    Task& t = tasks_[task];
    const std::uint32_t pool = pool_of(t);
    t.mark = now_;
    if (t.txn == pool) {
        send_query(task);  // inside a transaction: its connection is already ours
        return;
    }
    acquire(task, pool);
}

void Simulation::transaction_start(std::uint32_t task) {
    Task& t = tasks_[task];
    const std::uint32_t pool = pool_of(t);
    t.mark = now_;
    if (t.txn == pool) {
        connected(task);  // nested in a transaction on the same database: one connection
        return;
    }
    acquire(task, pool);
}

void Simulation::commit(std::uint32_t task) {
    Task& t = tasks_[task];
    if (t.held != kNone) release_held(task);
    ++t.pc;
}

void Simulation::release_held(std::uint32_t task) {
    Task& t = tasks_[task];
    const std::uint32_t pool = t.held;
    t.held = kNone;
    release_locks(pools_[pool].database, t.txn_id);  // commit or rollback: its row locks go
    release_connection(pool, true);
}

void Simulation::acquire(std::uint32_t task, std::uint32_t pool) {
    ConnectionPool& p = pools_[pool];
    if (p.size == 0) {
        open_connection(task, pool);
        return;
    }
    if (p.in_use < p.size) {
        take(task, pool);
        return;
    }
    Task& t = tasks_[task];
    ++t.wait_id;
    p.waiters.push_back(PoolWaiter{task, tasks_.generation(task), t.wait_id});
    ++p.waiting;
    p.queued.add(now_, 1.0);
    if (std::isfinite(p.acquire_timeout))
        t.timer = cal_.schedule_timer(now_ + p.acquire_timeout, kPoolTimeout, task);
}

// A pooled slot is ours: use its connection, or open it on first use.
void Simulation::take(std::uint32_t task, std::uint32_t pool) {
    ConnectionPool& p = pools_[pool];
    ++p.in_use;
    p.busy.add(now_, 1.0);
    Task& t = tasks_[task];
    const double waited = now_ - t.mark;
    t.attr.add(Component::PoolWait, static_cast<float>(waited), spills_);
    t.mark = now_;
    if (measuring(now_)) {
        PoolResult& pr = out_.pools[pool_index_[pool]];
        ++pr.acquired;
        pr.wait_sum += waited;
    }
    if (p.opened < p.in_use) {
        open_connection(task, pool);
        return;
    }
    connected(task);
}

void Simulation::open_connection(std::uint32_t task, std::uint32_t pool) {
    ConnectionPool& p = pools_[pool];
    const DatabaseSpec& spec = m_.model.databases[p.database];
    Database& db = databases_[p.database];
    if (db.open >= spec.max_connections) {
        if (measuring(now_)) {
            ++out_.databases[p.database].refused;
            ++out_.pools[pool_index_[pool]].refused;
        }
        if (p.size > 0) release_connection(pool, false);
        fail(task, ErrorCause::TooManyConnections);
        return;
    }
    ++db.open;
    db.connections.add(now_, 1.0);
    if (p.size > 0) ++p.opened;
    cal_.schedule(now_ + spec.connect.sample(db.connect_rng), kConnectDone, task);
}

void Simulation::on_connect_done(std::uint32_t task) {
    Task& t = tasks_[task];
    t.attr.add(Component::Connect, static_cast<float>(now_ - t.mark), spills_);
    t.mark = now_;
    connected(task);
}

// The task has a connection: run the step that wanted it.
void Simulation::connected(std::uint32_t task) {
    Task& t = tasks_[task];
    const Instr& in = prog_.code[t.pc];
    if (in.op == Op::Query) {
        send_query(task);
        return;
    }
    // A transaction: its body runs in a child that may use the connection,
    // and the Commit after this step gives it back.
    const std::uint32_t pool = pool_of(t);
    if (t.txn != pool) {
        t.held = pool;
        t.txn_id = ++txn_serial_;
    }
    const std::uint32_t body = in.b;
    wait_for(task, 1, 0);
    const std::uint32_t c = spawn(task);
    tasks_[c].pc = body;
    ready_.push_back(c);
}

// Give a connection back and hand its slot to the first waiter still
// waiting. Unpooled, the connection closes; `opened` is false when the
// open was refused, so there is nothing to close, only a slot to return.
void Simulation::release_connection(std::uint32_t pool, bool opened) {
    ConnectionPool& p = pools_[pool];
    if (p.size == 0) {
        if (!opened) return;
        Database& db = databases_[p.database];
        --db.open;
        db.connections.add(now_, -1.0);
        return;
    }
    --p.in_use;
    p.busy.add(now_, -1.0);
    while (!p.waiters.empty()) {
        const PoolWaiter w = p.waiters.pop_front();
        if (tasks_.generation(w.task) != w.generation || tasks_[w.task].wait_id != w.wait_id)
            continue;  // gave up (timeout) and was accounted for then
        --p.waiting;
        p.queued.add(now_, -1.0);
        cal_.cancel(tasks_[w.task].timer);
        take(w.task, pool);
        return;
    }
}

void Simulation::on_pool_timeout(std::uint32_t task) {
    Task& t = tasks_[task];
    const std::uint32_t pool = pool_of(t);
    ConnectionPool& p = pools_[pool];
    ++t.wait_id;  // its entry in the waiters is now stale
    t.timer = TimerHandle{};
    --p.waiting;
    p.queued.add(now_, -1.0);
    t.attr.add(Component::PoolWait, static_cast<float>(now_ - t.mark), spills_);
    t.mark = now_;
    if (measuring(now_)) ++out_.pools[pool_index_[pool]].timeouts;
    fail(task, ErrorCause::PoolTimeout);
}

void Simulation::send_query(std::uint32_t task) {
    Task& t = tasks_[task];
    const QueryOp& q = prog_.queries[prog_.code[t.pc].a];
    const double rtt = m_.model.databases[q.database].rtt.sample(databases_[q.database].rtt_rng);
    t.mark = now_;
    if (rtt > 0.0) {
        cal_.schedule(now_ + rtt, kRoundTripDone, task);
        return;
    }
    submit_query(task);
}

void Simulation::on_round_trip_done(std::uint32_t task) {
    Task& t = tasks_[task];
    t.attr.add(Component::Network, static_cast<float>(now_ - t.mark), spills_);
    t.mark = now_;
    submit_query(task);
}

// A write locks its row until its transaction ends (outside one, until it
// is done); a row another transaction holds makes it wait, holding its
// connection all the while.
void Simulation::submit_query(std::uint32_t task) {
    Task& t = tasks_[task];
    const QueryOp& q = prog_.queries[prog_.code[t.pc].a];
    if (q.kind != QueryKind::Write || q.table == QueryOp::kNoTable) {
        run_query(task);
        return;
    }
    Database& db = databases_[q.database];
    const std::uint64_t row = db.rows[q.table].sample(streams_[q.rows_stream]);
    t.key = row_key(q.table, row);
    t.lock_owner = t.txn == pool_of(t) ? t.txn_id : ++txn_serial_;
    auto [it, fresh] = db.locks.try_emplace(t.key);
    if (fresh || it->second.owner == t.lock_owner) {
        if (fresh) {
            it->second.owner = t.lock_owner;
            db.held.emplace_back(t.lock_owner, t.key);
        }
        run_query(task);
        return;
    }
    ++t.wait_id;
    t.mark = now_;
    it->second.waiters.push_back(PoolWaiter{task, tasks_.generation(task), t.wait_id});
    const double timeout = m_.model.databases[q.database].lock_timeout;
    if (std::isfinite(timeout)) t.timer = cal_.schedule_timer(now_ + timeout, kLockTimeout, task);
}

void Simulation::release_locks(std::uint32_t d, std::uint32_t owner) {
    Database& db = databases_[d];
    for (std::size_t i = 0; i < db.held.size();) {
        if (db.held[i].first != owner) {
            ++i;
            continue;
        }
        const std::uint64_t key = db.held[i].second;
        db.held[i] = db.held.back();
        db.held.pop_back();
        auto it = db.locks.find(key);
        auto& waiters = it->second.waiters;
        std::size_t k = 0;
        while (k < waiters.size() && (tasks_.generation(waiters[k].task) != waiters[k].generation ||
                                      tasks_[waiters[k].task].wait_id != waiters[k].wait_id))
            ++k;
        if (k == waiters.size()) {
            db.locks.erase(it);
            continue;
        }
        const std::uint32_t next = waiters[k].task;
        waiters.erase(waiters.begin(), waiters.begin() + static_cast<std::ptrdiff_t>(k) + 1);
        Task& n = tasks_[next];
        cal_.cancel(n.timer);
        it->second.owner = n.lock_owner;
        db.held.emplace_back(n.lock_owner, key);
        const double waited = now_ - n.mark;
        n.attr.add(Component::LockWait, static_cast<float>(waited), spills_);
        n.mark = now_;
        if (measuring(now_)) {
            ++out_.databases[d].lock_waits;
            out_.databases[d].lock_wait_sum += waited;
        }
        run_query(next);
    }
}

void Simulation::on_lock_timeout(std::uint32_t task) {
    Task& t = tasks_[task];
    const QueryOp& q = prog_.queries[prog_.code[t.pc].a];
    ++t.wait_id;  // its place among the row's waiters is stale now
    t.timer = TimerHandle{};
    t.attr.add(Component::LockWait, static_cast<float>(now_ - t.mark), spills_);
    t.mark = now_;
    if (measuring(now_)) ++out_.databases[q.database].lock_timeouts;
    const std::uint32_t pool = pool_of(t);
    if (t.txn != pool) release_connection(pool, true);  // outside a transaction: its own
    fail(task, ErrorCause::LockTimeout);
}

void Simulation::run_query(std::uint32_t task) {
    Task& t = tasks_[task];
    const QueryOp& q = prog_.queries[prog_.code[t.pc].a];
    const DatabaseSpec& spec = m_.model.databases[q.database];
    const TableSpec* table = q.table == QueryOp::kNoTable ? nullptr : &spec.tables[q.table];
    const Law& base = q.kind == QueryKind::Fixed ? prog_.laws[q.law] : spec.overhead;
    const double overhead = base.sample(streams_[q.stream]);
    const double returned =
        q.kind == QueryKind::Range ? prog_.laws[q.law].sample(streams_[q.rows_stream]) : 0.0;
    const double work = query_work(spec, table, q.kind, now_, overhead, returned);
    t.work = work;
    t.mark = now_;
    const std::uint32_t m = route_query(task);
    tasks_[task].member = m;
    const std::uint32_t before = members_[m].cpu.busy();
    members_[m].cpu.submit(cal_, now_, task, work);
    db_cpu_changed(m, before);
}

// Which server runs the query: the shard its row hashes to (a query that
// names no row: any shard), and there a replica, round robin, for a read
// outside a transaction that need not see the latest writes.
std::uint32_t Simulation::route_query(std::uint32_t task) {
    Task& t = tasks_[task];
    const QueryOp& q = prog_.queries[prog_.code[t.pc].a];
    const DatabaseSpec& spec = m_.model.databases[q.database];
    Database& db = databases_[q.database];
    if (spec.shards == 1 && spec.replicas == 0) return db.first_member;
    const bool write = q.kind == QueryKind::Write;
    const bool keyed = q.table != QueryOp::kNoTable;
    if (keyed && !write) t.key = row_key(q.table, db.rows[q.table].sample(streams_[q.rows_stream]));
    std::uint32_t shard = 0;
    if (spec.shards > 1)
        shard = keyed ? shard_of(t.key, spec.shards)
                      : static_cast<std::uint32_t>(db.shard_rng.below(spec.shards));
    const std::uint32_t primary = db.first_member + shard * (1 + spec.replicas);
    if (write || spec.replicas == 0 || q.primary || t.txn == pool_of(t)) return primary;
    const auto replica = static_cast<std::uint32_t>(db.rr++ % spec.replicas);
    if (measuring(now_)) {
        DatabaseResult& dr = out_.databases[q.database];
        ++dr.replica_reads;
        if (keyed) {
            const auto it = db.unreplicated.find(t.key);
            if (it != db.unreplicated.end() && it->second > now_) ++dr.stale_reads;
        }
    }
    return primary + 1 + replica;
}

void Simulation::db_cpu_changed(std::uint32_t member, std::uint32_t busy_before) {
    DbMember& mb = members_[member];
    const std::uint32_t busy = mb.cpu.busy();
    if (busy == busy_before) return;
    const double delta = static_cast<double>(busy) - static_cast<double>(busy_before);
    if (!mb.alone) mb.busy_cores.add(now_, delta);
    databases_[mb.database].busy_cores.add(now_, delta);
}

void Simulation::on_query_done(std::uint32_t task) {
    Task& t = tasks_[task];
    const QueryOp& q = prog_.queries[prog_.code[t.pc].a];
    const double elapsed = now_ - t.mark;
    const double waited = cpu_wait_of(elapsed, t.work);
    t.attr.add(Component::Db, static_cast<float>(t.work), spills_);
    t.attr.add(Component::DbWait, static_cast<float>(waited), spills_);
    t.mark = now_;
    ++databases_[q.database].window_queries;
    if (q.kind == QueryKind::Write && q.table != QueryOp::kNoTable &&
        m_.model.databases[q.database].replicas > 0) {
        Database& db = databases_[q.database];
        const double seen =
            now_ + m_.model.databases[q.database].replication_lag.sample(db.lag_rng);
        double& until = db.unreplicated[t.key];
        until = std::max(until, seen);
    }
    if (measuring(now_)) {
        DatabaseResult& dr = out_.databases[q.database];
        ++dr.member_queries[t.member - databases_[q.database].first_member];
        ++dr.queries;
        dr.work_sum += t.work;
        dr.wait_sum += waited;
    }
    const std::uint32_t pool = pool_of(t);
    if (t.txn != pool) {
        if (q.kind == QueryKind::Write && q.table != QueryOp::kNoTable)
            release_locks(q.database, t.lock_owner);  // autocommit
        release_connection(pool, true);
    }
    ++tasks_[task].pc;
    step(task);
}

void Simulation::cache_get(std::uint32_t task) {
    Task& t = tasks_[task];
    const CacheOp& op = prog_.cache_ops[prog_.code[t.pc].a];
    const CacheSpec& spec = m_.model.caches[op.cache];
    Rng& rng = streams_[op.stream];
    // Fixed-ratio mode needs no key: key 1 means hit, 0 miss, drawn now.
    t.key = spec.hit_ratio >= 0.0 ? (rng.uniform01() < spec.hit_ratio ? 1 : 0)
                                  : caches_[op.cache].keys.sample(rng);
    cache_submit(task, op.cache);
}

// The data behind a key changed (the request wrote it): remember when, so
// later hits on an older cached value count as stale reads; invalidate
// deletes the key (one cache operation), keep leaves it to its TTL.
void Simulation::cache_write(std::uint32_t task) {
    Task& t = tasks_[task];
    const CacheOp& op = prog_.cache_ops[prog_.code[t.pc].a];
    t.key = caches_[op.cache].keys.sample(streams_[op.stream]);
    caches_[op.cache].last_write[t.key] = now_;
    if (op.write == CacheWrite::Invalidate) {
        cache_submit(task, op.cache);
        return;
    }
    ++t.pc;
    ready_.push_back(task);
}

void Simulation::cache_set(std::uint32_t task) {
    Task& t = tasks_[task];
    t.fill = static_cast<float>(now_ - t.work);  // t.work held when the miss began
    cache_submit(task, prog_.cache_ops[prog_.code[t.pc].a].cache);
}

void Simulation::cache_submit(std::uint32_t task, std::uint32_t cache) {
    Task& t = tasks_[task];
    const CacheOp& op = prog_.cache_ops[prog_.code[t.pc].a];
    const double work = m_.model.caches[cache].service.sample(streams_[op.stream]);
    t.work = work;
    t.mark = now_;
    Cache& c = caches_[cache];
    const std::uint32_t before = c.cpu.busy();
    c.cpu.submit(cal_, now_, task, work);
    cache_cpu_changed(cache, before);
}

void Simulation::cache_cpu_changed(std::uint32_t cache, std::uint32_t busy_before) {
    const std::uint32_t busy = caches_[cache].cpu.busy();
    if (busy != busy_before)
        caches_[cache].busy.add(now_, static_cast<double>(busy) - static_cast<double>(busy_before));
}

void Simulation::on_cache_done(std::uint32_t task) {
    Task& t = tasks_[task];
    const Instr in = prog_.code[t.pc];
    const CacheOp& op = prog_.cache_ops[in.a];
    const CacheSpec& spec = m_.model.caches[op.cache];
    Cache& c = caches_[op.cache];
    t.attr.add(Component::Cache, static_cast<float>(now_ - t.mark), spills_);
    t.mark = now_;
    const bool fixed = spec.hit_ratio >= 0.0;
    CacheResult* cr = measuring(now_) ? &out_.caches[op.cache] : nullptr;
    if (in.op == Op::CacheWrite) {
        c.store.erase(t.key);
        ++tasks_[task].pc;
        step(task);
        return;
    }
    if (in.op == Op::CacheSet) {
        if (!fixed) c.store.set(t.key, now_, t.fill);
        if (cr) ++cr->sets;
        if (t.leads_flight) end_flight(task, true, ErrorCause::QueueFull);
        ++tasks_[task].pc;
        step(task);
        return;
    }
    CacheStore::Found found;
    bool hit = fixed ? t.key == 1 : c.store.get(t.key, now_, &found);
    // XFetch (Vattani et al.): refresh early with a probability that grows
    // as expiry nears, weighted by how long a fill takes, so a hot key is
    // refilled by one request before it expires instead of by a herd after.
    // While a coalesced refill is under way the others keep the live value.
    if (hit && op.early_refresh > 0.0 && found.expires < CacheStore::kNever &&
        !(op.single_flight && c.flights.count(t.key))) {
        const double u = streams_[op.stream].uniform01();  // in (0, 1): log is finite
        if (now_ - found.fill * op.early_refresh * std::log(u) >= found.expires) {
            hit = false;
            if (cr) ++cr->early_refreshes;
        }
    }
    if (hit && !fixed && cr) {
        const auto w = c.last_write.find(t.key);
        if (w != c.last_write.end() && w->second > found.set_at) ++cr->stale;
    }
    ++c.window_gets;
    if (cr) ++cr->gets;
    if (hit) {
        ++c.window_hits;
        if (cr) ++cr->hits;
        t.pc += 2;  // past the CacheSet
        step(task);
        return;
    }
    if (cr) ++cr->misses;
    if (op.single_flight && !fixed) {
        const auto it = c.flights.find(t.key);
        if (it != c.flights.end()) {
            // Someone is already fetching this key: wait for its set.
            if (cr) ++cr->coalesced;
            ++t.wait_id;
            it->second.waiters.push_back(PoolWaiter{task, tasks_.generation(task), t.wait_id});
            return;
        }
        c.flights.emplace(t.key, Flight{});
        t.leads_flight = true;
    }
    const std::uint32_t miss = in.b;
    tasks_[task].work = now_;  // the fill's start, read by cache_set
    wait_for(task, 1, 0);
    const std::uint32_t child = spawn(task);
    tasks_[child].pc = miss;
    ready_.push_back(child);
}

// The leader of a coalesced fill is done (or failed): its waiters go on
// with the value it stored (or fail with it).
void Simulation::end_flight(std::uint32_t task, bool ok, ErrorCause cause) {
    Task& t = tasks_[task];
    t.leads_flight = false;
    const CacheOp& op = prog_.cache_ops[prog_.code[t.pc].a];
    Cache& c = caches_[op.cache];
    const auto it = c.flights.find(t.key);
    if (it == c.flights.end()) return;
    const std::vector<PoolWaiter> waiters = std::move(it->second.waiters);
    c.flights.erase(it);
    for (const PoolWaiter& w : waiters) {
        if (tasks_.generation(w.task) != w.generation || tasks_[w.task].wait_id != w.wait_id)
            continue;
        Task& wt = tasks_[w.task];
        wt.attr.add(Component::Cache, static_cast<float>(now_ - wt.mark), spills_);
        wt.mark = now_;
        if (ok) {
            wt.pc += 2;
            ready_.push_back(w.task);
        } else {
            fail(w.task, cause);
        }
    }
}

void Simulation::external_call(std::uint32_t task) {
    Task& t = tasks_[task];
    const Instr& in = prog_.code[t.pc];
    const ExternalSpec& spec = m_.model.externals[in.a];
    External& x = externals_[in.a];
    const ExternalWindow* window = nullptr;
    for (const ExternalWindow& w : spec.windows)
        if (now_ >= w.start && now_ < w.end) window = &w;
    Rng& rng = streams_[in.stream];
    const Law& latency = window && window->has_latency ? window->latency : spec.latency;
    const double errors = window ? window->errors : spec.errors;
    // Both draws always happen, so an outage window or a rate limit does
    // not shift the stream for the calls after it.
    const double d = latency.sample(rng);
    const bool error = rng.uniform01() < errors;
    t.outcome = 0;
    if (spec.rate_limit > 0.0) {
        const double burst = spec.burst > 0.0 ? spec.burst : std::max(1.0, spec.rate_limit);
        x.tokens = std::min(burst, x.tokens + (now_ - x.refilled) * spec.rate_limit);
        x.refilled = now_;
        if (x.tokens >= 1.0)
            x.tokens -= 1.0;
        else
            t.outcome = static_cast<std::uint8_t>(ErrorCause::RateLimited) + 1;
    }
    if (t.outcome == 0 && error)
        t.outcome = static_cast<std::uint8_t>(ErrorCause::ExternalError) + 1;
    double wait = d;
    if (!active_calls_.empty()) [[unlikely]]
        external_faults(t, in.a, wait, t.outcome);
    t.mark = now_;
    cal_.schedule(now_ + wait, kExternalDone, task);
}

void Simulation::on_external_done(std::uint32_t task) {
    Task& t = tasks_[task];
    const std::uint32_t x = prog_.code[t.pc].a;
    const double latency = now_ - t.mark;
    t.attr.add(Component::External, static_cast<float>(latency), spills_);
    t.mark = now_;
    ++externals_[x].window_calls;
    const bool ok = t.outcome == 0;
    if (!ok) ++externals_[x].window_errors;
    if (measuring(now_)) {
        ExternalResult& xr = out_.externals[x];
        ++xr.calls;
        xr.latency_sum += latency;
        if (t.outcome == static_cast<std::uint8_t>(ErrorCause::RateLimited) + 1)
            ++xr.rate_limited;
        else if (!ok)
            ++xr.errors;
    }
    if (!ok) {
        fail(task, static_cast<ErrorCause>(t.outcome - 1));
        return;
    }
    ++t.pc;
    step(task);
}

void Simulation::data_window(double width) {
    for (std::uint32_t p = 0; p < m_.pools.size(); ++p) {
        out_.pools[p].series_busy.push_back(0.0);
        out_.pools[p].series_waiting.push_back(0.0);
    }
    for (std::uint32_t i = 0; i < pools_.size(); ++i) {
        PoolResult& pr = out_.pools[pool_index_[i]];
        pr.series_busy.back() += pools_[i].busy.window_mean(now_, width);
        pr.series_waiting.back() += pools_[i].queued.window_mean(now_, width);
    }
    for (std::uint32_t d = 0; d < databases_.size(); ++d) {
        Database& db = databases_[d];
        DatabaseResult& dr = out_.databases[d];
        dr.series_busy_cores.push_back(db.busy_cores.window_mean(now_, width));
        dr.series_connections.push_back(db.connections.window_mean(now_, width));
        dr.series_queries.push_back(static_cast<double>(db.window_queries));
        db.window_queries = 0;
        for (std::size_t k = 0; k < dr.member_series.size(); ++k)
            dr.member_series[k].push_back(
                members_[db.first_member + k].busy_cores.window_mean(now_, width));
        std::erase_if(db.unreplicated, [&](const auto& kv) { return kv.second <= now_; });
    }
    for (std::uint32_t c = 0; c < caches_.size(); ++c) {
        Cache& cache = caches_[c];
        CacheResult& cr = out_.caches[c];
        cr.series_gets.push_back(static_cast<double>(cache.window_gets));
        cr.series_hit_ratio.push_back(cache.window_gets > 0
                                          ? static_cast<double>(cache.window_hits) /
                                                static_cast<double>(cache.window_gets)
                                          : std::nan(""));
        cache.window_gets = cache.window_hits = 0;
        cache.busy.window_mean(now_, width);
    }
    for (std::uint32_t x = 0; x < externals_.size(); ++x) {
        External& ext = externals_[x];
        out_.externals[x].series_calls.push_back(static_cast<double>(ext.window_calls));
        out_.externals[x].series_errors.push_back(static_cast<double>(ext.window_errors));
        ext.window_calls = ext.window_errors = 0;
    }
}

void Simulation::data_warmup_end() {
    for (ConnectionPool& p : pools_)
        for (Gauge* g : {&p.busy, &p.queued}) g->restart(now_);
    for (Database& db : databases_)
        for (Gauge* g : {&db.busy_cores, &db.connections}) g->restart(now_);
    for (DbMember& mb : members_) mb.busy_cores.restart(now_);
    for (Cache& c : caches_) {
        c.busy.restart(now_);
        c.evictions_base = c.store.evictions();
        c.expirations_base = c.store.expirations();
    }
}

void Simulation::data_results(double stop_time) {
    for (std::uint32_t i = 0; i < pools_.size(); ++i) {
        PoolResult& pr = out_.pools[pool_index_[i]];
        pr.busy += pools_[i].busy.run.mean(stop_time);
        pr.waiting += pools_[i].queued.run.mean(stop_time);
        pr.waiting_max = std::max(pr.waiting_max, pools_[i].queued.run.max());
        pr.opened += pools_[i].opened;
    }
    for (std::uint32_t d = 0; d < databases_.size(); ++d) {
        DatabaseResult& dr = out_.databases[d];
        dr.busy_cores = databases_[d].busy_cores.run.mean(stop_time);
        dr.connections = databases_[d].connections.run.mean(stop_time);
        dr.connections_max = databases_[d].connections.run.max();
        for (std::size_t k = 0; k < dr.member_busy.size(); ++k)
            dr.member_busy[k] =
                members_[databases_[d].first_member + k].busy_cores.run.mean(stop_time);
    }
    for (std::uint32_t c = 0; c < caches_.size(); ++c) {
        CacheResult& cr = out_.caches[c];
        cr.busy = caches_[c].busy.run.mean(stop_time);
        cr.evictions = caches_[c].store.evictions() - caches_[c].evictions_base;
        cr.expirations = caches_[c].store.expirations() - caches_[c].expirations_base;
    }
}

}  // namespace capsim

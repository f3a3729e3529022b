// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#include "analysis/demands.hpp"

#include "analysis/hash_share.hpp"
#include "analysis/shard_share.hpp"
#include "models/database_layout.hpp"
#include "models/error_cause.hpp"
#include "models/query_cost.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <unordered_map>

namespace capsim::analysis {

namespace {

void add(std::vector<std::pair<std::uint32_t, double>>& v, std::uint32_t key, double w) {
    for (auto& [k, x] : v)
        if (k == key) {
            x += w;
            return;
        }
    v.emplace_back(key, w);
}

// The engine rounds each loop-count draw to the nearest integer; for a
// constant that is exact, for other laws the mean is close enough.
double mean_rounds(const Law& law) {
    if (law.deterministic()) return std::max(0.0, std::round(law.mean()));
    return std::max(0.0, law.mean());
}

constexpr std::uint32_t kNone = Demands::kNone;

std::string number_text(double x) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3g", x);
    return buf;
}

class Walker {
  public:
    // Notes on what the analysis leaves out go to `notes` (none when null).
    Walker(const CompiledModel& cm, const Demands& d, std::vector<std::string>* notes)
        : cm_(cm), index_(d), notes_(notes) {
        for (std::uint32_t x = 0; x < cm.model.externals.size(); ++x)
            externals_.emplace(cm.model.externals[x].name, x);
        for (std::uint32_t x = 0; x < cm.model.databases.size(); ++x)
            databases_.emplace(cm.model.databases[x].name, x);
        for (std::uint32_t c = 0; c < cm.model.caches.size(); ++c)
            caches_.emplace(cm.model.caches[c].name, c);
        // Tables grow linearly, so a query's mean cost over the measured
        // window is its cost at the window's middle (exactly for scans).
        mid_ = 0.5 * (cm.model.run.warmup + cm.model.run.duration);
    }

    // Expected use of one execution of `steps` reached with probability w;
    // returns the probability of running past its end (a forward ends it).
    double accumulate(const BlockSpec& steps, double w, EndpointProfile& p) {
        for (const StepSpec& s : steps) {
            // A blocking step holds the loop for its whole time, and the
            // code under it runs on the loop it already holds.
            const bool blocks = s.blocking && on_loop(p.service);
            if (blocks) add(p.usage, index_.loops_of[p.service], w * plain(s, p.service));
            off_loop_ += blocks ? 1 : 0;
            w = step(s, w, p);
            off_loop_ -= blocks ? 1 : 0;
            if (w <= 0.0) break;
        }
        return w;
    }

    // One step of `accumulate`; returns the probability of running on.
    double step(const StepSpec& s, double w, EndpointProfile& p) {
        switch (s.kind) {
            case StepKind::Cpu:
                p.cpu += w * s.law.mean();
                add(p.usage, index_.cores_of[p.service], w * s.law.mean());
                if (on_loop(p.service)) add(p.usage, index_.loops_of[p.service], w * s.law.mean());
                p.max_cpu_scv = std::max(p.max_cpu_scv, s.law.scv());
                break;
            case StepKind::Delay:
                p.delay += w * s.law.mean();
                p.holds_while_waiting = true;
                break;
            case StepKind::Call:
                p.holds_while_waiting = true;
                note_unstated_retries(s);
                if (const auto x = externals_.find(s.target); x != externals_.end()) {
                    const Attempts a = attempts(s);
                    p.delay += w * (a.attempts * cm_.model.externals[x->second].latency.mean() +
                                    a.backoff);
                    if (index_.rate_limit_of[x->second] != kNone)
                        add(p.usage, index_.rate_limit_of[x->second], w * a.attempts);
                    return after_failures(s, w, a, p);
                }
                add(p.calls, endpoint(s.target), w);
                break;
            case StepKind::Forward:
                add(p.forwards, endpoint(s.target), w);
                return 0.0;
            case StepKind::Loop:
                if (!s.blocks.empty()) accumulate(s.blocks[0], w * mean_rounds(s.law), p);
                break;
            case StepKind::Parallel:
                p.fork_join = true;
                for (const BlockSpec& arm : s.blocks) accumulate(arm, w, p);
                break;
            case StepKind::Branch: {
                double total = 0.0, on = 0.0;
                for (double x : s.weights) total += x;
                for (std::size_t k = 0; k < s.blocks.size() && k < s.weights.size(); ++k)
                    on += accumulate(s.blocks[k], w * s.weights[k] / total, p);
                w = on;
                break;
            }
            case StepKind::Query: {
                p.holds_while_waiting = true;
                note_unstated_retries(s);
                const Query q = query(s, p.service);
                for (const auto& [server, share] : q.servers)
                    add(p.usage, server, w * share * q.work);
                p.delay += w * (q.held - q.work);
                if (!in_transaction(q.database)) connection(p, q.database, w * q.held);
                note_pool_waits();
                break;
            }
            case StepKind::Cache: {
                p.holds_while_waiting = true;
                note_unstated_retries(s);
                const auto c = cache(s.target);
                const double miss = index_.cache_miss[c];
                add(p.lookups, c, w);
                const double ops = 1.0 + miss;  // a get, and a set after a miss
                const double t = ops * cm_.model.caches[c].service.mean();
                add(p.usage, index_.cache_cores_of[c], w * t);
                if (!s.blocks.empty()) accumulate(s.blocks[0], w * miss, p);
                break;
            }
            case StepKind::Enqueue:
                // Fire and forget: each message is a request of its own
                // at the consumer, off this request's critical path.
                add(p.calls, consumer(s.target), w);
                add(p.messages, consumer(s.target), w);
                note(
                    "queue consumers' delivery slots are not a resource yet: their "
                    "endpoints' demands count, their concurrency limit does not");
                break;
            case StepKind::Offload:
                if (s.blocks.empty()) break;
                if (index_.executor_of[p.service] != kNone)
                    add(p.usage, index_.executor_of[p.service], w * plain(s.blocks[0], p.service));
                ++off_loop_;
                accumulate(s.blocks[0], w, p);
                --off_loop_;
                break;
            case StepKind::Transaction: {
                p.holds_while_waiting = true;
                if (s.blocks.empty()) break;
                const std::uint32_t db = database(s.target);
                if (in_transaction(db)) {
                    accumulate(s.blocks[0], w, p);
                    break;
                }
                // The connection is held for the whole body: its time
                // without contention is what the body adds to the
                // endpoint's CPU, delays and database work.
                const double before = p.cpu + p.delay + database_work(p);
                open_.push_back(db);
                accumulate(s.blocks[0], w, p);
                open_.pop_back();
                const double body = p.cpu + p.delay + database_work(p) - before;
                connection(p, db, body + w * connect_time(p.service, db));
                p.delay += w * connect_time(p.service, db);
                note_pool_waits();
                break;
            }
        }
        return w;
    }

    // Expectations over the executions reaching a block: `time` of all,
    // `running` of those that go on past its end (E[T 1{on}]), and
    // `failed_time` of those a call failed for good (E[T 1{failed}]), so
    // the mean of the successful ones is (time - failed_time) / (1 - failed),
    // as the report measures latency. A step's outcome is taken as
    // independent of the time spent before it.
    struct Time {
        double time = 0.0;  // forwarded part included
        double hold = 0.0;  // up to the forward
        double on = 1.0;    // probability of running past the end
        double running = 0.0;
        double failed = 0.0;  // probability a call failed for good
        double failed_time = 0.0;
    };

    // Expected critical-path time of `steps` reached with probability w;
    // `stretch` is per resource (cores only), `response` per endpoint.
    Time timing(const BlockSpec& steps, double w, std::uint32_t service,
                const std::vector<double>& stretch, const std::vector<double>& response) {
        auto stretched = [&](std::uint32_t resource, double x) {
            return stretch.empty() ? x : x * stretch[resource];
        };
        Time t;
        for (const StepSpec& s : steps) {
            double dt = 0.0;
            switch (s.kind) {
                case StepKind::Cpu:
                    dt = stretched(index_.cores_of[service], s.law.mean());
                    break;
                case StepKind::Delay:
                    dt = s.law.mean();
                    break;
                case StepKind::Call:
                    if (const auto x = externals_.find(s.target); x != externals_.end()) {
                        const Attempts a = attempts(s);
                        dt = a.attempts * cm_.model.externals[x->second].latency.mean() + a.backoff;
                        if (fallback(s)) {
                            const Time f =
                                timing(s.policy->fallback, a.fail, service, stretch, response);
                            dt += f.time;
                        } else {
                            // A call that fails for good ends the frame.
                            const double fail_dt = a.fail_time;
                            t.time += w * dt;
                            t.hold += w * dt;
                            t.failed_time += a.fail * t.running + w * fail_dt;
                            t.failed += w * a.fail;
                            t.running = (1.0 - a.fail) * t.running + w * (dt - fail_dt);
                            w *= 1.0 - a.fail;
                            dt = 0.0;
                        }
                    } else {
                        dt = response[endpoint(s.target)];
                    }
                    break;
                case StepKind::Forward:
                    t.time += w * response[endpoint(s.target)];
                    t.on = 0.0;
                    t.running = 0.0;
                    return t;
                case StepKind::Loop:
                    if (!s.blocks.empty())
                        dt = mean_rounds(s.law) *
                             timing(s.blocks[0], 1.0, service, stretch, response).time;
                    break;
                case StepKind::Parallel: {
                    std::vector<double> arms;
                    for (const BlockSpec& arm : s.blocks)
                        arms.push_back(timing(arm, 1.0, service, stretch, response).time);
                    std::sort(arms.begin(), arms.end());
                    std::size_t need = arms.size();
                    if (s.join == JoinKind::First) need = 1;
                    if (s.join == JoinKind::KOfN) need = s.join_k;
                    need = std::clamp<std::size_t>(need, 1, std::max<std::size_t>(1, arms.size()));
                    if (!arms.empty()) dt = arms[need - 1];
                    break;
                }
                case StepKind::Branch: {
                    double total = 0.0, on = 0.0, running = 0.0;
                    for (double x : s.weights) total += x;
                    // The time before the branch goes with each arm's share.
                    const double before = w > 0.0 ? t.running / w : 0.0;
                    for (std::size_t k = 0; k < s.blocks.size() && k < s.weights.size(); ++k) {
                        const Time arm = timing(s.blocks[k], w * s.weights[k] / total, service,
                                                stretch, response);
                        t.time += arm.time;
                        t.hold += arm.hold;
                        t.failed += arm.failed;
                        t.failed_time += arm.failed_time + before * arm.failed;
                        running += arm.running + before * arm.on;
                        on += arm.on;
                    }
                    w = on;
                    t.running = running;
                    break;
                }
                case StepKind::Query: {
                    const Query q = query(s, service);
                    dt = q.held - q.work;
                    for (const auto& [server, share] : q.servers)
                        dt += share * stretched(server, q.work);
                    break;
                }
                case StepKind::Cache: {
                    const auto c = cache(s.target);
                    const double miss = index_.cache_miss[c];
                    dt = stretched(index_.cache_cores_of[c],
                                   (1.0 + miss) * cm_.model.caches[c].service.mean());
                    if (!s.blocks.empty())
                        dt += miss * timing(s.blocks[0], 1.0, service, stretch, response).time;
                    break;
                }
                case StepKind::Enqueue:
                    break;
                case StepKind::Offload:
                    if (!s.blocks.empty())
                        dt = timing(s.blocks[0], 1.0, service, stretch, response).time;
                    break;
                case StepKind::Transaction:
                    if (!s.blocks.empty())
                        dt = connect_time(service, database(s.target)) +
                             timing(s.blocks[0], 1.0, service, stretch, response).time;
                    break;
            }
            t.time += w * dt;
            t.hold += w * dt;
            t.running += w * dt;
            if (w <= 0.0) break;
        }
        t.on = w;
        return t;
    }

  private:
    // Does CPU work of `service` run on an event loop here (not under a
    // blocking step, which already holds it, nor on an executor thread)?
    bool on_loop(std::uint32_t service) const {
        return index_.loops_of[service] != kNone && off_loop_ == 0;
    }

    // Mean time of a step without contention, nested endpoint calls left
    // out: what a blocking step holds its loop for, or an offloaded block
    // its executor thread.
    double plain(const StepSpec& s, std::uint32_t service) const {
        switch (s.kind) {
            case StepKind::Cpu:
            case StepKind::Delay:
                return s.law.mean();
            case StepKind::Call:
                if (const auto x = externals_.find(s.target); x != externals_.end()) {
                    const Attempts a = attempts(s);
                    return a.attempts * cm_.model.externals[x->second].latency.mean() + a.backoff;
                }
                return 0.0;
            case StepKind::Query:
                return query(s, service).held;
            case StepKind::Cache: {
                const auto ci = cache(s.target);
                const CacheSpec& c = cm_.model.caches[ci];
                const double miss = index_.cache_miss[ci];
                return (1.0 + miss) * c.service.mean() +
                       (s.blocks.empty() ? 0.0 : miss * plain(s.blocks[0], service));
            }
            case StepKind::Loop:
                return s.blocks.empty() ? 0.0 : mean_rounds(s.law) * plain(s.blocks[0], service);
            case StepKind::Branch: {
                double total = 0.0, t = 0.0;
                for (double x : s.weights) total += x;
                for (std::size_t k = 0; k < s.blocks.size() && k < s.weights.size(); ++k)
                    t += s.weights[k] / total * plain(s.blocks[k], service);
                return t;
            }
            case StepKind::Parallel: {
                double t = 0.0;
                for (const BlockSpec& arm : s.blocks) t = std::max(t, plain(arm, service));
                return t;
            }
            case StepKind::Transaction:
            case StepKind::Offload:
                return s.blocks.empty() ? 0.0 : plain(s.blocks[0], service);
            case StepKind::Forward:
            case StepKind::Enqueue:
                break;
        }
        return 0.0;
    }

    double plain(const BlockSpec& steps, std::uint32_t service) const {
        double t = 0.0;
        for (const StepSpec& s : steps) t += plain(s, service);
        return t;
    }

    // What a guarded step's retries make of one execution: `attempts` in
    // expectation, `backoff` seconds waiting between them, and `fail` the
    // probability it still fails. Only the failures the model states are
    // counted: an external's `errors`, independent per attempt (timeouts,
    // 429s and rejections depend on the load). With failure probability p
    // and n attempts: 1 + p + ... + p^(n-1) attempts, p^n failing; a retry
    // budget b caps the retries at b per first attempt, and whatever stops
    // the retries, a call succeeds at most once, so it fails with
    // probability 1 - (1 - p) x attempts (Wald).
    // `fail_time` is E[time 1{fails}]: a call that fails made every attempt
    // it was allowed (with a budget, the allowed share of each retry).
    struct Attempts {
        double attempts = 1.0;
        double backoff = 0.0;
        double fail = 0.0;
        double fail_time = 0.0;
    };

    Attempts attempts(const StepSpec& s) const {
        Attempts a;
        const auto x = externals_.find(s.target);
        if (s.kind != StepKind::Call || x == externals_.end()) return a;
        const ExternalSpec& e = cm_.model.externals[x->second];
        const double p = std::clamp(e.errors, 0.0, 1.0);
        a.fail = p;
        a.fail_time = p * e.latency.mean();
        if (!s.policy || p <= 0.0) return a;
        const RetrySpec& r = s.policy->retry;
        constexpr auto kErrorBit = 1u << static_cast<unsigned>(ErrorCause::ExternalError);
        if (r.attempts <= 1 || (r.on & kErrorBit) == 0) return a;
        // Retry k (1-based) happens with probability p^k, before attempt k + 1.
        double reach = 1.0, retries = 0.0, backoff = 0.0, previous = 0.0, waits = 0.0;
        for (std::uint32_t k = 1; k < r.attempts; ++k) {
            reach *= p;
            retries += reach;
            previous = mean_backoff(r, k, previous);
            backoff += reach * previous;
            waits += previous;
        }
        const double allowed = r.budget >= 0.0 ? std::min(retries, r.budget) : retries;
        const double kept = retries > 0.0 ? allowed / retries : 0.0;
        a.attempts = 1.0 + allowed;
        a.backoff = backoff * kept;
        a.fail = std::clamp(1.0 - (1.0 - p) * a.attempts, 0.0, 1.0);
        const double tries = 1.0 + kept * double(r.attempts - 1);
        a.fail_time = a.fail * (tries * e.latency.mean() + kept * waits);
        return a;
    }

    // The mean of backoff_wait (models/backoff.hpp) for retry k, given the
    // previous wait's mean (decorrelated jitter grows from it; the mean of
    // its cap is taken as the cap of the mean).
    static double mean_backoff(const RetrySpec& r, std::uint32_t k, double previous) {
        const double w = std::min(r.cap, r.base * std::pow(r.multiplier, double(k - 1)));
        switch (r.jitter) {
            case Jitter::None:
                return w;
            case Jitter::Full:
                return w / 2.0;
            case Jitter::Equal:
                return 0.75 * w;
            case Jitter::Decorrelated: {
                const double hi = std::max(r.base, 3.0 * (previous > 0.0 ? previous : r.base));
                return std::min(r.cap, r.base + (hi - r.base) / 2.0);
            }
        }
        return w;
    }

    static bool fallback(const StepSpec& s) { return s.policy && s.policy->has_fallback; }

    // After a step that fails with probability a.fail: its fallback runs
    // then, and the frame goes on; without one, the failure ends the frame.
    double after_failures(const StepSpec& s, double w, const Attempts& a, EndpointProfile& p) {
        if (a.fail <= 0.0) return w;
        if (!fallback(s)) return w * (1.0 - a.fail);
        accumulate(s.policy->fallback, w * a.fail, p);
        return w;
    }

    // Retries of failures that depend on the load are left to the simulation.
    void note_unstated_retries(const StepSpec& s) {
        const bool external = s.kind == StepKind::Call && externals_.count(s.target) > 0;
        if (!s.policy) return;
        if ((s.policy->retry.attempts > 1 && !external) || std::isfinite(s.policy->timeout))
            note(
                "policies count only the failures the model states (an external's errors): "
                "timeouts, rejections and pool timeouts depend on the load, so neither they "
                "nor their retries are in the demands");
    }

    // A query's mean cost: `work` on the database's cores, spread over its
    // `servers` (resource, probability); `held` the connection's time with
    // it (a new connection's opening if unpooled, the round trip, the work).
    struct Query {
        std::uint32_t database = 0;
        double work = 0.0;
        double held = 0.0;
        std::vector<std::pair<std::uint32_t, double>> servers;
    };

    Query query(const StepSpec& s, std::uint32_t service) const {
        const std::size_t dot = s.target.find('.');
        Query q;
        q.database = database(s.target.substr(0, dot));
        const DatabaseSpec& db = cm_.model.databases[q.database];
        const TableSpec* table = nullptr;
        std::uint32_t table_index = 0;
        if (dot != std::string::npos)
            for (std::uint32_t k = 0; k < db.tables.size(); ++k)
                if (db.tables[k].name == s.target.substr(dot + 1)) {
                    table = &db.tables[k];
                    table_index = k;
                }
        const double overhead = s.query == QueryKind::Fixed ? s.law.mean() : db.overhead.mean();
        const double returned = s.query == QueryKind::Range ? s.law.mean() : 0.0;
        q.work = query_work(db, table, s.query, mid_, overhead, returned);
        q.held = q.work + db.rtt.mean() +
                 (in_transaction(q.database) ? 0.0 : connect_time(service, q.database));
        // As the engine routes it: to the shard that holds the row (a query
        // naming no row: any shard), there to the primary for a write, a
        // read in a transaction or one marked primary, else to a replica
        // (round robin: evenly).
        const std::uint32_t first = index_.database_cores_of[q.database];
        const std::uint32_t per_shard = 1 + db.replicas;
        const bool on_primary = s.query == QueryKind::Write || s.primary ||
                                in_transaction(q.database) || db.replicas == 0;
        for (std::uint32_t k = 0; k < db.shards; ++k) {
            const double share =
                table ? index_.shard_share[q.database][table_index][k] : 1.0 / db.shards;
            const std::uint32_t primary = first + k * per_shard;
            if (on_primary)
                q.servers.emplace_back(primary, share);
            else
                for (std::uint32_t j = 1; j < per_shard; ++j)
                    q.servers.emplace_back(primary + j, share / db.replicas);
        }
        return q;
    }

    // Opening a connection, paid by every access of a service that has no pool.
    double connect_time(std::uint32_t service, std::uint32_t db) const {
        return pool(service, db) == kNone ? cm_.model.databases[db].connect.mean() : 0.0;
    }

    // The compiled pool of `service` to `db` when it is sized, else kNone.
    std::uint32_t pool(std::uint32_t service, std::uint32_t db) const {
        for (std::uint32_t k = 0; k < cm_.pool_count[service]; ++k) {
            const std::uint32_t i = cm_.first_pool[service] + k;
            if (cm_.pools[i].database == db) return cm_.pools[i].size > 0 ? i : kNone;
        }
        return kNone;
    }

    // Connection time goes to the service's pool, or without one to the
    // database's max_connections.
    void connection(EndpointProfile& p, std::uint32_t db, double seconds) const {
        const std::uint32_t i = pool(p.service, db);
        add(p.usage, i == kNone ? index_.connections_of[db] : index_.pool_of[i], seconds);
    }

    double database_work(const EndpointProfile& p) const {
        if (index_.database_cores_of.empty()) return 0.0;
        const std::uint32_t last = static_cast<std::uint32_t>(cm_.model.databases.size() - 1);
        const std::uint32_t lo = index_.database_cores_of.front(),
                            hi = index_.database_cores_of.back() +
                                 member_count(cm_.model.databases[last]);
        double sum = 0.0;
        for (const auto& [r, x] : p.usage)
            if (r >= lo && r < hi) sum += x;
        return sum;
    }

    bool in_transaction(std::uint32_t db) const {
        return std::find(open_.begin(), open_.end(), db) != open_.end();
    }

    std::uint32_t endpoint(const std::string& name) const {
        const std::int64_t e = cm_.find_endpoint(name);
        if (e < 0) throw ModelError(name, "unknown endpoint " + name);
        return static_cast<std::uint32_t>(e);
    }

    std::uint32_t database(const std::string& name) const {
        const auto it = databases_.find(name);
        if (it == databases_.end()) throw ModelError(name, "unknown database " + name);
        return it->second;
    }

    std::uint32_t consumer(const std::string& queue) const {
        for (const QueueSpec& q : cm_.model.queues)
            if (q.name == queue) return endpoint(q.consumer);
        throw ModelError(queue, "unknown queue " + queue);
    }

    std::uint32_t cache(const std::string& name) const {
        const auto it = caches_.find(name);
        if (it == caches_.end()) throw ModelError(name, "unknown cache " + name);
        return it->second;
    }

    void note_pool_waits() {
        note(
            "waits for pooled connections are in the bounds (pool capacity) but not in the "
            "estimated response times");
    }

    void note(const std::string& text) {
        if (notes_ && std::find(notes_->begin(), notes_->end(), text) == notes_->end())
            notes_->push_back(text);
    }

    const CompiledModel& cm_;
    const Demands& index_;  // its resource indices
    std::vector<std::string>* notes_;
    std::unordered_map<std::string, std::uint32_t> externals_, databases_, caches_;
    std::vector<std::uint32_t> open_;  // databases whose transaction is open
    int off_loop_ = 0;  // > 0: inside a blocking step or an offload, off the event loop
    double mid_ = 0.0;
};

}  // namespace

const char* Resource::kind_name() const {
    switch (kind) {
        case ResourceKind::Cores:
            return "cores";
        case ResourceKind::Workers:
            return "workers";
        case ResourceKind::Pool:
            return "pool";
        case ResourceKind::Connections:
            return "connections";
        case ResourceKind::RateLimit:
            return "rate_limit";
        case ResourceKind::Loops:
            return "loops";
        case ResourceKind::Executor:
            return "executor";
    }
    return "?";
}

namespace {

// Visits of `service`'s endpoints per request of `source`.
double service_visits(const Demands& d, std::uint32_t source, std::uint32_t service) {
    double v = 0.0;
    for (const auto& [e, p] : d.sources[source].entries)
        for (std::size_t x = 0; x < d.endpoints.size(); ++x)
            if (d.endpoints[x].service == service) v += p * d.visits[e][x];
    return v;
}

// Every admission at a service (an entry, a call, a forward, a delivery)
// passes its rate limit, so a request's demand on it is its visits there;
// the key decides which sources share a capacity.
void add_service_limits(Demands& d) {
    const CompiledModel& cm = *d.model;
    const Model& m = cm.model;
    d.source_limits.assign(m.sources.size(), {});
    for (std::uint32_t svc = 0; svc < m.services.size(); ++svc) {
        if (!m.services[svc].rate_limit) continue;
        const RateLimitSpec& spec = *m.services[svc].rate_limit;
        const std::string& name = m.services[svc].name;
        auto add_resource = [&](const std::string& station, std::uint32_t keys) {
            d.resources.push_back(Resource{ResourceKind::RateLimit, station, svc, keys, spec.rate});
            d.sheds.push_back(!spec.queue || spec.queue_capacity != RateLimitSpec::kUnbounded);
            return static_cast<std::uint32_t>(d.resources.size() - 1);
        };
        std::unordered_map<std::uint32_t, std::uint32_t> by_class;
        std::uint32_t global = kNone;
        for (std::uint32_t src = 0; src < m.sources.size(); ++src) {
            if (service_visits(d, src, svc) <= 0.0) continue;
            std::uint32_t r = kNone;
            switch (spec.per) {
                case LimiterKey::Global:
                    if (global == kNone) global = add_resource(name, 1);
                    r = global;
                    break;
                case LimiterKey::Class: {
                    const auto [it, fresh] =
                        by_class.try_emplace(cm.sources[src].client_class, kNone);
                    if (fresh)
                        it->second =
                            add_resource(name + " (class " + m.sources[src].client_class + ")", 1);
                    r = it->second;
                    break;
                }
                case LimiterKey::Client:
                    r = add_resource(name + " (each client of " + m.sources[src].name + ")",
                                     std::max<std::uint32_t>(1, m.sources[src].clients));
                    break;
            }
            d.source_limits[src].emplace_back(svc, r);
        }
    }
}

bool is_hashed(const ServiceSpec& svc) {
    return svc.keyed() && svc.hash_bound <= 0.0;
}

// The keys a source's requests carry to a hash ring, drawn as
// Simulation::hashed_replica does: one of its clients uniformly, or for a
// closed source of one client the user who sent it (users are numbered
// source by source, each closed source's in turn).
struct SourceKeys {
    std::uint64_t base = 0;
    std::uint32_t first = 0;
    std::uint64_t count = 1;
};

std::vector<SourceKeys> source_keys(const CompiledModel& cm) {
    std::vector<SourceKeys> out;
    std::uint32_t users = 0;
    for (std::size_t s = 0; s < cm.model.sources.size(); ++s) {
        const SourceSpec& src = cm.model.sources[s];
        if (src.kind == SourceKind::Closed && src.clients == 1)
            out.push_back(SourceKeys{HashRing::user_key(0), users, src.users});
        else
            out.push_back(
                SourceKeys{0, cm.sources[s].first_client, std::max<std::uint64_t>(1, src.clients)});
        if (src.kind == SourceKind::Closed) users += src.users;
    }
    return out;
}

// The rings of the hashed services, and every source's share on them.
void add_rings(Demands& d) {
    const CompiledModel& cm = *d.model;
    const Model& m = cm.model;
    const std::vector<SourceKeys> keys = source_keys(cm);
    d.arc_share.assign(m.services.size(), {});
    d.replica_share.assign(m.sources.size(), std::vector<std::vector<double>>(m.services.size()));
    for (std::uint32_t svc = 0; svc < m.services.size(); ++svc) {
        if (d.hashed[svc] == 0) continue;
        const ServiceSpec& spec = m.services[svc];
        const HashRing ring(spec.replicas, name_hash(spec.path));
        d.arc_share[svc] = ring.arc_share();
        for (std::uint32_t src = 0; src < m.sources.size(); ++src)
            d.replica_share[src][svc] =
                hash_share(ring, keys[src].base, keys[src].first, keys[src].count);
    }
}

// Each replica's share of the visits x of a hashed service gets from a
// request entering at e: the keyed part by `by_key`, the rest by arcs.
std::vector<double> replica_weights(const Demands& d, std::size_t e, std::size_t x,
                                    const std::vector<double>& by_key) {
    const std::uint32_t svc = d.endpoints[x].service;
    const std::vector<double>& arcs = d.arc_share[svc];
    const double v = d.visits[e][x], keyed = d.keyed[e][x];
    std::vector<double> w(arcs.size());
    for (std::size_t k = 0; k < w.size(); ++k) w[k] = keyed * by_key[k] + (v - keyed) * arcs[k];
    return w;
}

// Demand of one request entering at `entry`; `by_key` per service gives
// the replicas its key reaches (null: a request of no known source, whose
// keys spread over the ring).
std::vector<double> entry_demand(const Demands& d, std::uint32_t entry,
                                 const std::vector<double>& hold,
                                 const std::vector<std::vector<double>>* by_key) {
    std::vector<double> out(d.resources.size(), 0.0);
    for (std::size_t x = 0; x < d.endpoints.size(); ++x) {
        const double v = d.visits[entry][x];
        if (v == 0.0) continue;
        const EndpointProfile& p = d.endpoints[x];
        const std::uint32_t svc = p.service, cores = d.cores_of[svc];
        if (d.hashed[svc] == 0) {
            for (const auto& [r, use] : p.usage) out[r] += v * use;
            out[d.workers_of[svc]] += v * hold[x];
            continue;
        }
        const std::vector<double> w =
            replica_weights(d, entry, x, by_key ? (*by_key)[svc] : d.arc_share[svc]);
        for (const auto& [r, use] : p.usage)
            if (r == cores)
                for (std::size_t k = 0; k < w.size(); ++k) out[cores + k] += w[k] * use;
            else
                out[r] += v * use;
        for (std::size_t k = 0; k < w.size(); ++k) out[d.workers_of[svc] + k] += w[k] * hold[x];
    }
    return out;
}

}  // namespace

Demands build_demands(const CompiledModel& cm, const std::vector<double>& hit_ratios) {
    const Model& m = cm.model;
    Demands d;
    d.model = &cm;
    for (std::uint32_t s = 0; s < m.services.size(); ++s) {
        const ServiceSpec& svc = m.services[s];
        d.hashed.push_back(is_hashed(svc) ? svc.replicas : 0);
        auto add_kind = [&](ResourceKind kind, std::uint32_t per_replica) {
            const auto first = static_cast<std::uint32_t>(d.resources.size());
            if (d.hashed[s] == 0)
                d.resources.push_back(
                    Resource{kind, svc.name, s, svc.replicas, double(per_replica)});
            for (std::uint32_t k = 0; k < d.hashed[s]; ++k)
                d.resources.push_back(Resource{kind, svc.name + "[" + std::to_string(k) + "]", s, 1,
                                               double(per_replica)});
            return first;
        };
        d.cores_of.push_back(add_kind(ResourceKind::Cores, svc.cores));
        d.workers_of.push_back(add_kind(ResourceKind::Workers, svc.workers));
        if (svc.keyed() && !is_hashed(svc))
            d.notes.push_back(svc.name + ": hash_bound keeps every replica within " +
                              number_text(svc.hash_bound) +
                              "x the mean, so the laws share its load evenly over its replicas");
    }
    auto resource = [&](ResourceKind kind, const std::string& station, std::uint32_t index,
                        std::uint32_t replicas, double per_replica) {
        d.resources.push_back(Resource{kind, station, index, replicas, per_replica});
        return static_cast<std::uint32_t>(d.resources.size() - 1);
    };
    for (std::uint32_t x = 0; x < m.databases.size(); ++x) {
        const DatabaseSpec& db = m.databases[x];
        d.database_cores_of.push_back(static_cast<std::uint32_t>(d.resources.size()));
        for (std::uint32_t k = 0; k < member_count(db); ++k)
            resource(ResourceKind::Cores, member_name(db, k), x, 1, db.cores);
        auto& tables = d.shard_share.emplace_back();
        for (std::uint32_t t = 0; t < db.tables.size(); ++t)
            tables.push_back(
                db.shards == 1
                    ? std::vector<double>{1.0}
                    : shard_share(t, static_cast<std::uint64_t>(std::max(1.0, db.tables[t].rows)),
                                  db.tables[t].zipf, db.shards));
    }
    for (std::uint32_t x = 0; x < m.databases.size(); ++x)
        d.connections_of.push_back(resource(ResourceKind::Connections, m.databases[x].name, x, 1,
                                            m.databases[x].max_connections));
    for (std::uint32_t x = 0; x < m.caches.size(); ++x)
        d.cache_cores_of.push_back(
            resource(ResourceKind::Cores, m.caches[x].name, x, 1, m.caches[x].cores));
    for (std::uint32_t x = 0; x < cm.pools.size(); ++x) {
        const CompiledPool& pool = cm.pools[x];
        d.pool_of.push_back(pool.size == 0
                                ? kNone
                                : resource(ResourceKind::Pool, pool.name, x,
                                           m.services[pool.service].replicas, pool.size));
    }
    for (std::uint32_t x = 0; x < m.services.size(); ++x) {
        const ServiceSpec& svc = m.services[x];
        const bool async = svc.mode == ServiceMode::Async;
        d.loops_of.push_back(
            async ? resource(ResourceKind::Loops, svc.name, x, svc.replicas, svc.loops) : kNone);
        d.executor_of.push_back(
            async && svc.executor > 0
                ? resource(ResourceKind::Executor, svc.name, x, svc.replicas, svc.executor)
                : kNone);
    }
    for (std::uint32_t x = 0; x < m.services.size(); ++x) {
        const bool pooled = std::any_of(cm.pools.begin(), cm.pools.end(), [&](const auto& p) {
            return p.service == x && p.size > 0;
        });
        if (d.hashed[x] > 0 && (pooled || d.loops_of[x] != kNone))
            d.notes.push_back(m.services[x].name +
                              ": its pools and event loops are counted as shared evenly over its "
                              "replicas; its hash ring splits its cores and workers only");
    }
    if (std::any_of(d.loops_of.begin(), d.loops_of.end(), [](auto r) { return r != kNone; }))
        d.notes.push_back(
            "waits for event loops and executor threads are in the bounds (loops, executor) but "
            "not in the estimated response times");
    for (std::uint32_t x = 0; x < m.externals.size(); ++x)
        d.rate_limit_of.push_back(m.externals[x].rate_limit > 0.0
                                      ? resource(ResourceKind::RateLimit, m.externals[x].name, x, 1,
                                                 m.externals[x].rate_limit)
                                      : kNone);
    d.sheds.assign(d.resources.size(), false);
    for (const std::uint32_t r : d.rate_limit_of)
        if (r != kNone) d.sheds[r] = true;  // a 429 at once
    if (std::any_of(m.sources.begin(), m.sources.end(), [](const SourceSpec& src) {
            return src.client && src.client->retry.attempts > 1;
        }))
        d.notes.push_back(
            "a source's own retries are not in the demands: the failures they retry depend on "
            "the load");

    for (std::uint32_t c = 0; c < m.caches.size(); ++c) {
        const CacheSpec& spec = m.caches[c];
        if (spec.hit_ratio >= 0.0) {
            d.cache_miss.push_back(1.0 - spec.hit_ratio);
        } else if (c < hit_ratios.size() && hit_ratios[c] >= 0.0) {
            d.cache_miss.push_back(1.0 - hit_ratios[c]);
        } else {
            d.cache_miss.push_back(1.0);
            d.notes.push_back("cache " + spec.name +
                              ": its hit ratio emerges from the run, so every lookup is counted "
                              "as a miss");
        }
    }

    Walker walker(cm, d, &d.notes);
    for (std::uint32_t s = 0; s < m.services.size(); ++s)
        for (const EndpointSpec& spec : m.services[s].endpoints) {
            EndpointProfile p;
            p.name = m.services[s].name + "." + spec.name;
            p.service = s;
            p.spec = &spec;
            walker.accumulate(spec.steps, 1.0, p);
            d.endpoints.push_back(std::move(p));
        }

    // Traffic equations v = b + P^T v, one right-hand side per entry
    // endpoint: with P >= 0, (I - P^T)^-1 exists and is >= 0 exactly when
    // the expected number of executions is finite (Perron-Frobenius).
    const auto n = static_cast<Eigen::Index>(d.endpoints.size());
    Eigen::MatrixXd p = Eigen::MatrixXd::Zero(n, n);
    Eigen::MatrixXd calls = Eigen::MatrixXd::Zero(n, n);
    Eigen::MatrixXd messages = Eigen::MatrixXd::Zero(n, n);
    for (Eigen::Index x = 0; x < n; ++x) {
        for (const auto& [y, w] : d.endpoints[x].calls) {
            p(x, y) += w;
            calls(x, y) += w;
        }
        for (const auto& [y, w] : d.endpoints[x].forwards) p(x, y) += w;
        for (const auto& [y, w] : d.endpoints[x].messages) messages(x, y) += w;
    }
    const Eigen::MatrixXd a = Eigen::MatrixXd::Identity(n, n) - p.transpose();
    const Eigen::FullPivLU<Eigen::MatrixXd> lu(a);
    Eigen::MatrixXd v;
    bool finite = lu.isInvertible();
    if (finite) {
        v = lu.inverse();
        finite = v.allFinite() && v.minCoeff() > -1e-9 &&
                 (a * v - Eigen::MatrixXd::Identity(n, n)).cwiseAbs().maxCoeff() < 1e-6;
    }
    if (!finite) {
        std::string where;
        for (Eigen::Index x = 0; x < n; ++x)
            if (!lu.isInvertible() || !(v(x, x) > 0.0 && std::isfinite(v(x, x))))
                where += (where.empty() ? "" : ", ") + d.endpoints[x].name;
        throw ModelError(where.empty() ? m.name : where,
                         "requests never finish: calls and forwards come back to an endpoint "
                         "with probability 1 (the traffic equations have no finite solution)");
    }
    // Frames start at the entry and at every call: f = b + C^T v.
    const Eigen::MatrixXd f = Eigen::MatrixXd::Identity(n, n) + calls.transpose() * v;
    d.visits.assign(d.endpoints.size(), std::vector<double>(d.endpoints.size(), 0.0));
    d.frames = d.visits;
    for (Eigen::Index e = 0; e < n; ++e)
        for (Eigen::Index x = 0; x < n; ++x) {
            d.visits[e][x] = std::max(0.0, v(x, e));
            d.frames[e][x] = std::max(0.0, f(x, e));
        }
    // The visits that keep the entering request's key: the same equations
    // without the hops through a queue (P - M <= P, so they are finite too).
    d.keyed = d.visits;
    const bool any_hashed = std::any_of(d.hashed.begin(), d.hashed.end(), [](auto r) { return r; });
    if (any_hashed && !messages.isZero()) {
        const Eigen::MatrixXd vk =
            (Eigen::MatrixXd::Identity(n, n) - (p - messages).transpose()).fullPivLu().inverse();
        for (Eigen::Index e = 0; e < n; ++e)
            for (Eigen::Index x = 0; x < n; ++x)
                d.keyed[e][x] = std::clamp(vk(x, e), 0.0, d.visits[e][x]);
    }

    for (const CompiledSource& src : cm.sources) {
        SourceMix mix;
        double prev = 0.0;
        for (std::size_t k = 0; k < src.endpoints.size(); ++k) {
            mix.entries.emplace_back(src.endpoints[k], src.cumulative[k] - prev);
            prev = src.cumulative[k];
        }
        d.sources.push_back(std::move(mix));
    }
    add_service_limits(d);
    add_rings(d);
    return d;
}

std::vector<double> Demands::source_demand(std::uint32_t source,
                                           const std::vector<double>& hold) const {
    std::vector<double> out(resources.size(), 0.0);
    for (const auto& [e, p] : sources[source].entries) {
        const std::vector<double> de = entry_demand(*this, e, hold, &replica_share[source]);
        for (std::size_t k = 0; k < out.size(); ++k) out[k] += p * de[k];
    }
    for (const auto& [svc, r] : source_limits[source]) out[r] += service_visits(*this, source, svc);
    return out;
}

std::vector<double> Demands::demand(std::uint32_t entry, const std::vector<double>& hold) const {
    return entry_demand(*this, entry, hold, nullptr);
}

std::vector<double> Demands::replica_visits(std::uint32_t source, std::uint32_t service) const {
    std::vector<double> out(hashed[service], 0.0);
    for (const auto& [e, p] : sources[source].entries)
        for (std::size_t x = 0; x < endpoints.size(); ++x) {
            if (endpoints[x].service != service || visits[e][x] == 0.0) continue;
            const std::vector<double> w =
                replica_weights(*this, e, x, replica_share[source][service]);
            for (std::size_t k = 0; k < out.size(); ++k) out[k] += p * w[k];
        }
    return out;
}

Timing critical_path(const Demands& d, const std::vector<double>& stretch,
                     const std::vector<double>& wait) {
    const std::size_t n = d.endpoints.size();
    Walker walker(*d.model, d, nullptr);
    Timing t;
    t.response.assign(n, 0.0);
    t.hold.assign(n, 0.0);
    t.latency.assign(n, 0.0);
    t.succeeded.assign(n, 1.0);
    // Monotone from 0 and, since the visits are finite, a contraction on
    // cycles: converges geometrically, exactly after depth + 1 rounds on a DAG.
    for (int round = 0; round < 100000; ++round) {
        double change = 0.0, scale = 0.0;
        std::vector<double> next(n);
        for (std::size_t e = 0; e < n; ++e) {
            const EndpointProfile& p = d.endpoints[e];
            const auto time = walker.timing(p.spec->steps, 1.0, p.service, stretch, t.response);
            const double queued = wait.empty() ? 0.0 : wait[p.service];
            next[e] = time.time + queued;
            t.hold[e] = time.hold;
            t.succeeded[e] = 1.0 - time.failed;
            t.latency[e] = time.failed > 0.0 && time.failed < 1.0
                               ? (time.time - time.failed_time) / (1.0 - time.failed) + queued
                               : next[e];
            change = std::max(change, std::fabs(next[e] - t.response[e]));
            scale = std::max(scale, std::fabs(next[e]));
        }
        t.response = std::move(next);
        if (change <= 1e-13 * scale || !std::isfinite(scale)) break;
    }
    return t;
}

}  // namespace capsim::analysis

// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#include "engine/json_writer.hpp"
#include "models/report.hpp"

namespace capsim {

namespace {

void put(JsonWriter& w, std::string_view key, const Estimate& e) {
    w.key(key).begin_object();
    w.key("mean").value(e.mean);
    w.key("ci").value(e.half_width);
    w.end_object();
}

void put(JsonWriter& w, std::string_view key, const LatencyReport& l) {
    w.key(key).begin_object();
    put(w, "mean", l.mean);
    put(w, "p50", l.p50);
    put(w, "p90", l.p90);
    put(w, "p95", l.p95);
    put(w, "p99", l.p99);
    put(w, "p999", l.p999);
    put(w, "max", l.max);
    w.end_object();
}

}  // namespace

std::string to_json(const Report& r) {
    JsonWriter w;
    w.begin_object();
    w.key("schema").value("capsim.report/1");
    w.key("scenario").value(r.scenario);
    w.key("status").value(r.status);
    w.key("unstable").value(r.unstable);
    w.key("run").begin_object();
    w.key("seed").value(r.seed);
    w.key("replications").value(r.replications);
    w.key("duration").value(r.duration);
    w.key("warmup").value(r.warmup);
    w.key("window").value(r.window);
    w.key("events").value(r.events);
    w.key("peak_tasks").value(r.peak_tasks);
    w.end_object();

    w.key("busiest").begin_object();
    w.key("station").value(r.busiest_station);
    w.key("resource").value(r.busiest_resource);
    w.key("utilization").value(r.busiest_utilization);
    w.end_object();

    w.key("saturated").begin_array();
    for (const Saturation& s : r.saturated) {
        w.begin_object();
        w.key("station").value(s.station);
        w.key("resource").value(s.resource);
        w.key("first").value(s.first);
        w.key("windows").value(s.windows);
        w.end_object();
    }
    w.end_array();

    w.key("slos").begin_array();
    for (const SloVerdict& v : r.slos) {
        w.begin_object();
        w.key("text").value(v.text);
        w.key("endpoint").value(v.endpoint);
        w.key("metric").value(v.metric);
        w.key("threshold").value(v.threshold);
        put(w, "value", v.value);
        w.key("pass").value(v.pass);
        w.key("confident").value(v.confident);
        w.end_object();
    }
    w.end_array();

    w.key("endpoints").begin_array();
    for (const EndpointReport& e : r.endpoints) {
        w.begin_object();
        w.key("name").value(e.name);
        w.key("service").value(e.service);
        w.key("entry").value(e.entry);
        w.key("completions").value(e.completions);
        put(w, "arrival_rate", e.arrival_rate);
        put(w, "throughput", e.throughput);
        put(w, "error_rate", e.error_rate);
        put(w, "errors", e.errors);
        w.key("errors_by_cause").begin_object();
        for (std::size_t c = 0; c < kCauses; ++c)
            put(w, cause_name(static_cast<ErrorCause>(c)), e.errors_by_cause[c]);
        w.end_object();
        put(w, "latency", e.latency);
        w.key("attribution").begin_object();
        for (std::size_t c = 0; c < kComponents; ++c)
            put(w, component_name(static_cast<Component>(c)), e.attribution[c]);
        w.end_object();
        w.key("attribution_tail").begin_object();
        for (std::size_t c = 0; c < kComponents; ++c)
            put(w, component_name(static_cast<Component>(c)), e.attribution_tail[c]);
        w.end_object();
        put(w, "retry_rate", e.retry_rate);
        put(w, "load_multiplier", e.load_multiplier);
        w.end_object();
    }
    w.end_array();

    w.key("sources").begin_array();
    for (const SourceReport& s : r.sources) {
        w.begin_object();
        w.key("name").value(s.name);
        w.key("class").value(s.client_class);
        w.key("kind").value(s.kind);
        put(w, "arrival_rate", s.arrival_rate);
        put(w, "throughput", s.throughput);
        put(w, "error_rate", s.error_rate);
        w.key("errors_by_cause").begin_object();
        for (std::size_t c = 0; c < kCauses; ++c)
            put(w, cause_name(static_cast<ErrorCause>(c)), s.errors_by_cause[c]);
        w.end_object();
        put(w, "attempts", s.attempts);
        put(w, "latency", s.latency);
        w.end_object();
    }
    w.end_array();

    w.key("stations").begin_array();
    for (const StationReport& s : r.stations) {
        w.begin_object();
        w.key("name").value(s.name);
        w.key("kind").value("service");
        w.key("mode").value(s.mode);
        w.key("balancer").value(s.balancer);
        w.key("replicas").value(s.replicas);
        w.key("workers").value(s.workers);
        w.key("cores").value(s.cores);
        w.key("loops").value(s.loops);
        put(w, "loop_utilization", s.loop_utilization);
        put(w, "loop_waiting", s.loop_waiting);
        put(w, "worker_utilization", s.worker_utilization);
        put(w, "core_utilization", s.core_utilization);
        put(w, "throughput", s.throughput);
        put(w, "waiting", s.waiting);
        put(w, "in_system", s.in_system);
        put(w, "waiting_max", s.waiting_max);
        put(w, "wait", s.wait);
        put(w, "rejected", s.rejected);
        put(w, "shed", s.shed);
        put(w, "concurrency_limited", s.concurrency_limited);
        put(w, "concurrency_limit", s.concurrency_limit);
        put(w, "rate_limited", s.rate_limited);
        put(w, "limit_wait", s.limit_wait);
        w.key("peak_worker_utilization").value(s.peak_worker_utilization);
        w.key("peak_core_utilization").value(s.peak_core_utilization);
        w.key("per_replica").begin_array();
        for (const StationReport::Replica& rr : s.per_replica) {
            w.begin_object();
            w.key("name").value(rr.name);
            put(w, "worker_utilization", rr.worker_utilization);
            put(w, "core_utilization", rr.core_utilization);
            put(w, "throughput", rr.throughput);
            put(w, "up", rr.up);
            w.end_object();
        }
        w.end_array();
        put(w, "replicas_up", s.replicas_up);
        put(w, "crashes", s.crashes);
        put(w, "crashed", s.crashed);
        put(w, "refused", s.refused);
        put(w, "ejections", s.ejections);
        w.key("autoscaled").value(s.autoscaled);
        put(w, "scale_outs", s.scale_outs);
        put(w, "scale_ins", s.scale_ins);
        put(w, "replicas_peak", s.replicas_peak);
        w.end_object();
    }
    w.end_array();

    w.key("pools").begin_array();
    for (const PoolReport& p : r.pools) {
        w.begin_object();
        w.key("name").value(p.name);
        w.key("service").value(p.service);
        w.key("database").value(p.database);
        w.key("size").value(p.size);
        w.key("replicas").value(p.replicas);
        put(w, "utilization", p.utilization);
        put(w, "in_use", p.in_use);
        put(w, "waiting", p.waiting);
        put(w, "waiting_max", p.waiting_max);
        put(w, "wait", p.wait);
        put(w, "acquires", p.acquires);
        put(w, "timeouts", p.timeouts);
        put(w, "refused", p.refused);
        put(w, "opened", p.opened);
        w.key("peak_utilization").value(p.peak_utilization);
        w.end_object();
    }
    w.end_array();

    w.key("databases").begin_array();
    for (const DatabaseReport& d : r.databases) {
        w.begin_object();
        w.key("name").value(d.name);
        w.key("cores").value(d.cores);
        w.key("max_connections").value(d.max_connections);
        put(w, "core_utilization", d.core_utilization);
        put(w, "throughput", d.throughput);
        put(w, "query_work", d.query_work);
        put(w, "query_wait", d.query_wait);
        put(w, "connections", d.connections);
        put(w, "connections_max", d.connections_max);
        put(w, "refused", d.refused);
        put(w, "lock_waits", d.lock_waits);
        put(w, "lock_wait", d.lock_wait);
        put(w, "lock_timeouts", d.lock_timeouts);
        w.key("shards").value(d.shards);
        w.key("replicas").value(d.replicas);
        put(w, "replica_reads", d.replica_reads);
        put(w, "stale_reads", d.stale_reads);
        put(w, "stale_read_ratio", d.stale_read_ratio);
        w.key("members").begin_array();
        for (const DatabaseReport::Member& mb : d.members) {
            w.begin_object();
            w.key("name").value(mb.name);
            w.key("role").value(mb.role);
            put(w, "core_utilization", mb.core_utilization);
            put(w, "throughput", mb.throughput);
            w.end_object();
        }
        w.end_array();
        w.key("peak_core_utilization").value(d.peak_core_utilization);
        w.key("tables").begin_array();
        for (const auto& [name, rows] : d.tables) {
            w.begin_object();
            w.key("name").value(name);
            w.key("rows_start").value(rows.first);
            w.key("rows_end").value(rows.second);
            w.end_object();
        }
        w.end_array();
        w.end_object();
    }
    w.end_array();

    w.key("caches").begin_array();
    for (const CacheReport& c : r.caches) {
        w.begin_object();
        w.key("name").value(c.name);
        w.key("cores").value(c.cores);
        put(w, "utilization", c.utilization);
        put(w, "gets", c.gets);
        put(w, "hit_ratio", c.hit_ratio);
        put(w, "coalesced", c.coalesced);
        put(w, "early_refreshes", c.early_refreshes);
        put(w, "evictions", c.evictions);
        put(w, "expirations", c.expirations);
        put(w, "stale", c.stale);
        put(w, "stale_ratio", c.stale_ratio);
        w.end_object();
    }
    w.end_array();

    w.key("externals").begin_array();
    for (const ExternalReport& x : r.externals) {
        w.begin_object();
        w.key("name").value(x.name);
        put(w, "calls", x.calls);
        put(w, "error_rate", x.error_rate);
        put(w, "rate_limited", x.rate_limited);
        put(w, "latency", x.latency);
        w.end_object();
    }
    w.end_array();

    w.key("policies").begin_array();
    for (const PolicyReport& p : r.policies) {
        w.begin_object();
        w.key("name").value(p.name);
        w.key("path").value(p.path);
        w.key("timeout").value(p.timeout);
        w.key("attempts_max").value(p.attempts_max);
        w.key("breaker").value(p.breaker);
        put(w, "calls", p.calls);
        put(w, "attempts_per_call", p.attempts_per_call);
        put(w, "retries", p.retries);
        put(w, "budget_denied", p.budget_denied);
        put(w, "timeouts", p.timeouts);
        put(w, "zombies", p.zombies);
        put(w, "zombie_seconds", p.zombie_seconds);
        put(w, "cancelled", p.cancelled);
        put(w, "short_circuited", p.short_circuited);
        w.key("bulkhead").value(p.bulkhead);
        put(w, "bulkhead_full", p.bulkhead_full);
        put(w, "bulkhead_wait", p.bulkhead_wait);
        put(w, "fallbacks", p.fallbacks);
        put(w, "failed", p.failed);
        put(w, "opens", p.opens);
        put(w, "open_fraction", p.open_fraction);
        w.end_object();
    }
    w.end_array();

    w.key("recoveries").begin_array();
    for (const RecoveryReport& v : r.recoveries) {
        w.begin_object();
        w.key("trigger").value(v.trigger);
        w.key("start").value(v.start);
        w.key("end").value(v.end);
        w.key("within").value(v.within);
        w.key("recovered").value(v.recovered);
        w.key("late").value(v.late);
        w.key("not_recovered").value(v.not_recovered);
        w.key("inconclusive").value(v.inconclusive);
        put(w, "recovery_time", v.recovery_time);
        w.key("baseline_error_ratio").value(v.baseline_error_ratio);
        w.key("baseline_p99").value(v.baseline_p99);
        w.key("flagged").value(v.flagged);
        w.key("random").value(v.random);
        w.end_object();
    }
    w.end_array();

    w.key("faults").begin_array();
    for (const FaultReport& f : r.faults) {
        w.begin_object();
        w.key("name").value(f.name);
        w.key("kind").value(f.kind);
        w.key("target").value(f.target);
        w.key("from").value(f.from);
        w.key("random").value(f.random);
        put(w, "occurrences", f.occurrences);
        put(w, "active", f.active);
        put(w, "hits", f.hits);
        w.end_object();
    }
    w.end_array();

    w.key("analytic");
    write_analytic(w, r.analytic);

    w.key("queues").begin_array();
    for (const QueueReport& q : r.queues) {
        w.begin_object();
        w.key("name").value(q.name);
        w.key("consumer").value(q.consumer);
        put(w, "enqueued", q.enqueued);
        put(w, "rejected", q.rejected);
        put(w, "delivered", q.delivered);
        put(w, "acked", q.acked);
        put(w, "retried", q.retried);
        put(w, "dead_lettered", q.dead_lettered);
        put(w, "depth", q.depth);
        put(w, "depth_max", q.depth_max);
        put(w, "queue_wait", q.queue_wait);
        put(w, "job_latency", q.job_latency);
        w.end_object();
    }
    w.end_array();

    w.key("timeseries").begin_object();
    w.key("window_end").numbers(r.window_end);
    w.key("endpoints").begin_object();
    for (const EndpointReport& e : r.endpoints) {
        w.key(e.name).begin_object();
        w.key("arrival_rate").numbers(e.series_arrival_rate);
        w.key("throughput").numbers(e.series_throughput);
        w.key("error_rate").numbers(e.series_error_rate);
        w.key("p50").numbers(e.series_p50);
        w.key("p99").numbers(e.series_p99);
        w.end_object();
    }
    w.end_object();
    w.key("stations").begin_object();
    for (const StationReport& s : r.stations) {
        w.key(s.name).begin_object();
        w.key("waiting").numbers(s.series_waiting);
        w.key("worker_utilization").numbers(s.series_worker_utilization);
        w.key("core_utilization").numbers(s.series_core_utilization);
        if (s.mode == "async") w.key("loop_utilization").numbers(s.series_loop_utilization);
        w.key("throughput").numbers(s.series_throughput);
        w.key("replicas_up").numbers(s.series_replicas_up);
        w.end_object();
    }
    w.end_object();
    w.key("pools").begin_object();
    for (const PoolReport& p : r.pools) {
        w.key(p.name).begin_object();
        w.key("utilization").numbers(p.series_utilization);
        w.key("waiting").numbers(p.series_waiting);
        w.end_object();
    }
    w.end_object();
    w.key("databases").begin_object();
    for (const DatabaseReport& d : r.databases) {
        w.key(d.name).begin_object();
        w.key("core_utilization").numbers(d.series_core_utilization);
        w.key("connections").numbers(d.series_connections);
        w.key("throughput").numbers(d.series_throughput);
        w.end_object();
    }
    w.end_object();
    w.key("caches").begin_object();
    for (const CacheReport& c : r.caches) {
        w.key(c.name).begin_object();
        w.key("hit_ratio").numbers(c.series_hit_ratio);
        w.key("gets").numbers(c.series_gets);
        w.end_object();
    }
    w.end_object();
    w.key("queues").begin_object();
    for (const QueueReport& q : r.queues) {
        w.key(q.name).begin_object();
        w.key("depth").numbers(q.series_depth);
        w.key("oldest_age").numbers(q.series_oldest);
        w.key("acked").numbers(q.series_acked);
        w.end_object();
    }
    w.end_object();
    w.key("externals").begin_object();
    for (const ExternalReport& x : r.externals) {
        w.key(x.name).begin_object();
        w.key("calls").numbers(x.series_calls);
        w.key("errors").numbers(x.series_errors);
        w.end_object();
    }
    w.end_object();
    w.key("policies").begin_object();
    for (const PolicyReport& p : r.policies) {
        w.key(p.path).begin_object();
        w.key("breaker_open").numbers(p.series_open);
        w.key("attempts").numbers(p.series_attempts);
        w.key("timeouts").numbers(p.series_timeouts);
        w.end_object();
    }
    w.end_object();
    w.end_object();

    w.end_object();
    std::string out = w.str();
    out += '\n';
    return out;
}

}  // namespace capsim

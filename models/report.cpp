// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#include "models/report.hpp"
#include "models/database_layout.hpp"
#include "models/report_merge.hpp"
#include "models/report_resilience.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <sstream>

namespace capsim {

namespace {

using namespace report_merge;
// A window counts as saturated at 99% busy: exactly 100% is rare with
// time averages over windows that straddle the moment a queue forms.
constexpr double kSaturated = 0.99;

const char* metric_name(SloMetric m) {
    switch (m) {
        case SloMetric::Mean:
            return "mean";
        case SloMetric::P50:
            return "p50";
        case SloMetric::P90:
            return "p90";
        case SloMetric::P95:
            return "p95";
        case SloMetric::P99:
            return "p99";
        case SloMetric::P999:
            return "p99.9";
        case SloMetric::Max:
            return "max";
        case SloMetric::ErrorRate:
            return "error_rate";
    }
    return "?";
}

const Estimate& slo_value(const EndpointReport& e, SloMetric m) {
    switch (m) {
        case SloMetric::Mean:
            return e.latency.mean;
        case SloMetric::P50:
            return e.latency.p50;
        case SloMetric::P90:
            return e.latency.p90;
        case SloMetric::P95:
            return e.latency.p95;
        case SloMetric::P99:
            return e.latency.p99;
        case SloMetric::P999:
            return e.latency.p999;
        case SloMetric::Max:
            return e.latency.max;
        case SloMetric::ErrorRate:
            break;
    }
    return e.error_rate;
}

template <class F>
LatencyReport latency_over(const std::vector<ReplicationResult>& reps, F&& hist) {
    auto stat = [&](auto&& f) {
        return over(reps, [&](const ReplicationResult& r) {
            const Histogram& h = hist(r);
            return h.count() ? f(h) : kNaN;
        });
    };
    auto q = [&](double p) { return stat([p](const Histogram& h) { return h.quantile(p); }); };
    LatencyReport l;
    l.mean = stat([](const Histogram& h) { return h.mean(); });
    l.p50 = q(0.50);
    l.p90 = q(0.90);
    l.p95 = q(0.95);
    l.p99 = q(0.99);
    l.p999 = q(0.999);
    l.max = stat([](const Histogram& h) { return h.max(); });
    return l;
}

double peak(const std::vector<double>& series) {
    double p = 0.0;
    for (double u : series)
        if (u > p) p = u;
    return p;
}

// Note a resource's saturated windows (its utilisation series) and whether
// it is the busiest so far.
void track(Report& rep, const std::string& station, const char* resource,
           const std::vector<double>& series, double utilization) {
    Saturation sat{station, resource, 0.0, 0, 0.0};
    for (std::size_t w = 0; w < series.size(); ++w) {
        if (!(series[w] >= kSaturated)) continue;
        if (sat.windows++ == 0) {
            sat.first = w == 0 ? 0.0 : rep.window_end[w - 1];
            // Busy over more of the window: it saturated earlier in it.
            sat.onset = w == 0 ? 1.0 : series[w - 1];
        }
    }
    if (sat.windows > 0) rep.saturated.push_back(sat);
    if (utilization > rep.busiest_utilization || rep.busiest_station.empty()) {
        rep.busiest_utilization = utilization;
        rep.busiest_station = station;
        rep.busiest_resource = resource;
    }
}

// Mean attribution of the requests slower than the replication's p99: the
// latency bands from the p99's band up (a band is ~9% wide, so "above the
// p99" includes the p99's own band).
double tail_component(const EndpointResult& e, std::size_t c) {
    if (e.band_attribution.empty() || e.latency.count() == 0)
        return std::numeric_limits<double>::quiet_NaN();
    const std::uint32_t from = EndpointResult::band_of(e.latency.quantile(0.99));
    double sum = 0.0;
    for (std::uint32_t b = from; b < e.band_attribution.size(); ++b)
        sum += e.band_attribution[b][c];
    const auto n = static_cast<double>(e.latency.count_from(EndpointResult::first_bucket_of(from)));
    return n > 0.0 ? sum / n : std::numeric_limits<double>::quiet_NaN();
}

const char* balancer_name(BalancerKind k) {
    switch (k) {
        case BalancerKind::RoundRobin:
            return "round_robin";
        case BalancerKind::Random:
            return "random";
        case BalancerKind::LeastOutstanding:
            return "least_outstanding";
        case BalancerKind::PowerOfTwo:
            return "power_of_two";
        case BalancerKind::ConsistentHash:
            return "consistent_hash";
    }
    return "round_robin";
}

const char* source_kind(SourceKind k) {
    switch (k) {
        case SourceKind::Open:
            return "open";
        case SourceKind::Closed:
            return "closed";
        case SourceKind::Trace:
            return "trace";
    }
    return "?";
}

void merge_data_tier(const CompiledModel& cm, const std::vector<ReplicationResult>& reps,
                     std::size_t windows, Report& rep) {
    const Model& m = cm.model;
    auto series = [&](auto pick) { return mean_series(reps, windows, pick); };
    for (std::size_t p = 0; p < cm.pools.size(); ++p) {
        const CompiledPool& cp = cm.pools[p];
        PoolReport pr;
        pr.name = cp.name;
        pr.service = m.services[cp.service].name;
        pr.database = m.databases[cp.database].name;
        pr.size = cp.size;
        pr.replicas = m.services[cp.service].replicas;
        const double slots = double(pr.size) * pr.replicas;
        auto pool = [p](const ReplicationResult& r) -> const PoolResult& { return r.pools[p]; };
        pr.in_use = over(reps, [&](auto& r) { return pool(r).busy; });
        pr.utilization = over(reps, [&](auto& r) { return ratio(pool(r).busy, slots); });
        pr.waiting = over(reps, [&](auto& r) { return pool(r).waiting; });
        pr.waiting_max = over(reps, [&](auto& r) { return pool(r).waiting_max; });
        pr.wait =
            over(reps, [&](auto& r) { return ratio(pool(r).wait_sum, double(pool(r).acquired)); });
        pr.acquires = over(reps, [&](auto& r) { return per_second(double(pool(r).acquired), r); });
        pr.timeouts = over(reps, [&](auto& r) { return per_second(double(pool(r).timeouts), r); });
        pr.refused = over(reps, [&](auto& r) { return per_second(double(pool(r).refused), r); });
        pr.opened = over(reps, [&](auto& r) { return double(pool(r).opened); });
        pr.series_utilization =
            series([&](auto& r, std::size_t w) { return ratio(pool(r).series_busy[w], slots); });
        pr.series_waiting =
            series([&](auto& r, std::size_t w) { return pool(r).series_waiting[w]; });
        pr.peak_utilization = peak(pr.series_utilization);
        if (pr.size > 0)
            track(rep, pr.name, "connections", pr.series_utilization, pr.utilization.mean);
        rep.pools.push_back(std::move(pr));
    }
    for (std::size_t d = 0; d < m.databases.size(); ++d) {
        const DatabaseSpec& spec = m.databases[d];
        DatabaseReport dr;
        dr.name = spec.name;
        dr.cores = spec.cores;
        dr.max_connections = spec.max_connections;
        auto db = [d](const ReplicationResult& r) -> const DatabaseResult& {
            return r.databases[d];
        };
        const std::uint32_t per_shard = 1 + spec.replicas;
        const double cores = double(spec.cores) * member_count(spec);
        dr.core_utilization = over(reps, [&](auto& r) { return db(r).busy_cores / cores; });
        dr.shards = spec.shards;
        dr.replicas = spec.replicas;
        dr.replica_reads =
            over(reps, [&](auto& r) { return per_second(double(db(r).replica_reads), r); });
        dr.stale_reads =
            over(reps, [&](auto& r) { return per_second(double(db(r).stale_reads), r); });
        dr.stale_read_ratio = over(reps, [&](auto& r) {
            return ratio(double(db(r).stale_reads), double(db(r).replica_reads));
        });
        const std::uint32_t n_members = member_count(spec);
        for (std::uint32_t k = 0; n_members > 1 && k < n_members; ++k) {
            DatabaseReport::Member mb;
            mb.name = member_name(spec, k);
            mb.role = k % per_shard == 0 ? "primary" : "replica";
            const double c = spec.cores;
            mb.core_utilization = over(reps, [&](auto& r) { return db(r).member_busy[k] / c; });
            mb.throughput =
                over(reps, [&](auto& r) { return per_second(double(db(r).member_queries[k]), r); });
            // A hot shard saturates while the average hides it: each server
            // is a station of its own for the bottleneck.
            const auto s =
                series([&](auto& r, std::size_t w) { return db(r).member_series[k][w] / c; });
            track(rep, mb.name, "cores", s, mb.core_utilization.mean);
            dr.members.push_back(std::move(mb));
        }
        dr.throughput = over(reps, [&](auto& r) { return per_second(double(db(r).queries), r); });
        dr.query_work =
            over(reps, [&](auto& r) { return ratio(db(r).work_sum, double(db(r).queries)); });
        dr.query_wait =
            over(reps, [&](auto& r) { return ratio(db(r).wait_sum, double(db(r).queries)); });
        dr.connections = over(reps, [&](auto& r) { return db(r).connections; });
        dr.connections_max = over(reps, [&](auto& r) { return db(r).connections_max; });
        dr.refused = over(reps, [&](auto& r) { return per_second(double(db(r).refused), r); });
        dr.lock_waits =
            over(reps, [&](auto& r) { return per_second(double(db(r).lock_waits), r); });
        dr.lock_wait = over(
            reps, [&](auto& r) { return ratio(db(r).lock_wait_sum, double(db(r).lock_waits)); });
        dr.lock_timeouts =
            over(reps, [&](auto& r) { return per_second(double(db(r).lock_timeouts), r); });
        for (const TableSpec& t : spec.tables)
            dr.tables.push_back(
                {t.name, {t.rows, std::max(0.0, t.rows + t.growth * m.run.duration)}});
        dr.series_core_utilization =
            series([&](auto& r, std::size_t w) { return db(r).series_busy_cores[w] / cores; });
        dr.series_connections =
            series([&](auto& r, std::size_t w) { return db(r).series_connections[w]; });
        dr.series_throughput = series([&](auto& r, std::size_t w) {
            return ratio(db(r).series_queries[w], window_width(r, w));
        });
        dr.peak_core_utilization = peak(dr.series_core_utilization);
        if (dr.members.empty())
            track(rep, dr.name, "cores", dr.series_core_utilization, dr.core_utilization.mean);
        rep.databases.push_back(std::move(dr));
    }
    for (std::size_t c = 0; c < m.caches.size(); ++c) {
        CacheReport cr;
        cr.name = m.caches[c].name;
        cr.cores = m.caches[c].cores;
        auto ca = [c](const ReplicationResult& r) -> const CacheResult& { return r.caches[c]; };
        cr.utilization = over(reps, [&](auto& r) { return ca(r).busy / double(cr.cores); });
        cr.gets = over(reps, [&](auto& r) { return per_second(double(ca(r).gets), r); });
        cr.hit_ratio =
            over(reps, [&](auto& r) { return ratio(double(ca(r).hits), double(ca(r).gets)); });
        cr.coalesced = over(reps, [&](auto& r) { return per_second(double(ca(r).coalesced), r); });
        cr.early_refreshes =
            over(reps, [&](auto& r) { return per_second(double(ca(r).early_refreshes), r); });
        cr.evictions = over(reps, [&](auto& r) { return per_second(double(ca(r).evictions), r); });
        cr.expirations =
            over(reps, [&](auto& r) { return per_second(double(ca(r).expirations), r); });
        cr.stale = over(reps, [&](auto& r) { return per_second(double(ca(r).stale), r); });
        cr.stale_ratio =
            over(reps, [&](auto& r) { return ratio(double(ca(r).stale), double(ca(r).gets)); });
        cr.series_hit_ratio =
            series([&](auto& r, std::size_t w) { return ca(r).series_hit_ratio[w]; });
        cr.series_gets = series([&](auto& r, std::size_t w) {
            return ratio(ca(r).series_gets[w], window_width(r, w));
        });
        rep.caches.push_back(std::move(cr));
    }
    for (std::size_t q = 0; q < m.queues.size(); ++q) {
        QueueReport qr;
        qr.name = m.queues[q].name;
        qr.consumer = m.queues[q].consumer;
        auto qu = [q](const ReplicationResult& r) -> const QueueResult& { return r.queues[q]; };
        auto rate = [&](auto field) {
            return over(reps, [&](auto& r) { return per_second(double(field(qu(r))), r); });
        };
        qr.enqueued = rate([](const QueueResult& x) { return x.enqueued; });
        qr.rejected = rate([](const QueueResult& x) { return x.rejected; });
        qr.delivered = rate([](const QueueResult& x) { return x.delivered; });
        qr.acked = rate([](const QueueResult& x) { return x.acked; });
        qr.retried = rate([](const QueueResult& x) { return x.retried; });
        qr.dead_lettered = rate([](const QueueResult& x) { return x.dead_lettered; });
        qr.depth = over(reps, [&](auto& r) { return qu(r).depth; });
        qr.depth_max = over(reps, [&](auto& r) { return qu(r).depth_max; });
        qr.queue_wait = over(
            reps, [&](auto& r) { return ratio(qu(r).queue_wait_sum, double(qu(r).delivered)); });
        qr.job_latency =
            latency_over(reps, [&](auto& r) -> const Histogram& { return qu(r).job_latency; });
        qr.series_depth = series([&](auto& r, std::size_t w) { return qu(r).series_depth[w]; });
        qr.series_oldest = series([&](auto& r, std::size_t w) { return qu(r).series_oldest[w]; });
        qr.series_acked = series([&](auto& r, std::size_t w) {
            return ratio(qu(r).series_acked[w], window_width(r, w));
        });
        rep.queues.push_back(std::move(qr));
    }
    for (std::size_t x = 0; x < m.externals.size(); ++x) {
        ExternalReport xr;
        xr.name = m.externals[x].name;
        auto ex = [x](const ReplicationResult& r) -> const ExternalResult& {
            return r.externals[x];
        };
        xr.calls = over(reps, [&](auto& r) { return per_second(double(ex(r).calls), r); });
        xr.error_rate = over(reps, [&](auto& r) {
            return ratio(double(ex(r).errors + ex(r).rate_limited), double(ex(r).calls));
        });
        xr.rate_limited =
            over(reps, [&](auto& r) { return per_second(double(ex(r).rate_limited), r); });
        xr.latency =
            over(reps, [&](auto& r) { return ratio(ex(r).latency_sum, double(ex(r).calls)); });
        xr.series_calls = series([&](auto& r, std::size_t w) {
            return ratio(ex(r).series_calls[w], window_width(r, w));
        });
        xr.series_errors = series([&](auto& r, std::size_t w) {
            return ratio(ex(r).series_errors[w], window_width(r, w));
        });
        rep.externals.push_back(std::move(xr));
    }
}

}  // namespace

Report merge(const CompiledModel& cm, const std::vector<ReplicationResult>& reps) {
    const Model& m = cm.model;
    Report rep;
    rep.scenario = m.name;
    rep.seed = m.run.seed;
    rep.replications = static_cast<std::uint32_t>(reps.size());
    rep.duration = m.run.duration;
    rep.warmup = m.run.warmup;
    rep.window = m.run.window;
    rep.status = "ok";

    std::size_t windows = 0;
    for (const ReplicationResult& r : reps) {
        rep.events += r.events;
        rep.peak_tasks = std::max(rep.peak_tasks, r.peak_tasks);
        if (r.window_end.size() > windows) {
            windows = r.window_end.size();
            rep.window_end = r.window_end;
        }
        if (r.unstable && !rep.unstable) {
            rep.unstable = true;
            std::ostringstream s;
            s << "unstable: in-flight requests passed " << r.unstable_in_flight
              << " at t=" << r.unstable_time << "s in replication " << r.replication
              << " (offered load exceeds capacity; see the busiest station)";
            rep.status = s.str();
        }
    }

    std::vector<bool> entry(cm.endpoints.size(), false);
    for (const CompiledSource& s : cm.sources)
        for (std::uint32_t e : s.endpoints) entry[e] = true;

    for (std::size_t e = 0; e < cm.endpoints.size(); ++e) {
        EndpointReport er;
        er.name = cm.endpoints[e].name;
        er.service = m.services[cm.endpoints[e].service].name;
        er.entry = entry[e];
        auto ep = [e](const ReplicationResult& r) -> const EndpointResult& {
            return r.endpoints[e];
        };
        auto errors = [&](const ReplicationResult& r) { return total(ep(r).errors); };
        er.arrival_rate =
            over(reps, [&](auto& r) { return per_second(double(ep(r).arrivals), r); });
        er.throughput =
            over(reps, [&](auto& r) { return per_second(double(ep(r).completions), r); });
        er.errors = over(reps, [&](auto& r) { return per_second(errors(r), r); });
        er.error_rate = over(reps, [&](auto& r) {
            return ratio(errors(r), errors(r) + static_cast<double>(ep(r).completions));
        });
        for (std::size_t c = 0; c < kCauses; ++c)
            er.errors_by_cause[c] =
                over(reps, [&](auto& r) { return per_second(double(ep(r).errors[c]), r); });
        er.latency = latency_over(reps, [&](auto& r) -> const Histogram& { return ep(r).latency; });
        for (std::size_t c = 0; c < kComponents; ++c)
            er.attribution[c] = over(reps, [&](auto& r) {
                return ratio(ep(r).attribution[c], double(ep(r).completions));
            });
        for (std::size_t c = 0; c < kComponents; ++c)
            er.attribution_tail[c] = over(reps, [&](auto& r) { return tail_component(ep(r), c); });
        for (const ReplicationResult& r : reps) er.completions += ep(r).completions;
        er.retry_rate =
            over(reps, [&](auto& r) { return per_second(double(ep(r).retry_arrivals), r); });
        er.load_multiplier = over(reps, [&](auto& r) {
            return ratio(double(ep(r).arrivals), double(ep(r).arrivals - ep(r).retry_arrivals));
        });

        auto series = [&](auto pick) { return mean_series(reps, windows, pick); };
        er.series_arrival_rate = series([&](auto& r, std::size_t w) {
            return ratio(ep(r).series.arrivals[w], window_width(r, w));
        });
        er.series_throughput = series([&](auto& r, std::size_t w) {
            return ratio(ep(r).series.completions[w], window_width(r, w));
        });
        er.series_error_rate = series([&](auto& r, std::size_t w) {
            const auto& s = ep(r).series;
            return ratio(s.errors[w], s.errors[w] + s.completions[w]);
        });
        er.series_p50 = series([&](auto& r, std::size_t w) { return ep(r).series.p50[w]; });
        er.series_p99 = series([&](auto& r, std::size_t w) { return ep(r).series.p99[w]; });
        rep.endpoints.push_back(std::move(er));
    }

    for (std::size_t s = 0; s < m.sources.size(); ++s) {
        SourceReport sr;
        sr.name = m.sources[s].name;
        sr.client_class = m.sources[s].client_class;
        sr.kind = source_kind(m.sources[s].kind);
        auto src = [s](const ReplicationResult& r) -> const SourceResult& { return r.sources[s]; };
        auto errors = [&](const ReplicationResult& r) { return total(src(r).errors); };
        sr.arrival_rate =
            over(reps, [&](auto& r) { return per_second(double(src(r).arrivals), r); });
        sr.throughput =
            over(reps, [&](auto& r) { return per_second(double(src(r).completions), r); });
        sr.error_rate = over(reps, [&](auto& r) {
            return ratio(errors(r), errors(r) + static_cast<double>(src(r).completions));
        });
        for (std::size_t c = 0; c < kCauses; ++c)
            sr.errors_by_cause[c] =
                over(reps, [&](auto& r) { return per_second(double(src(r).errors[c]), r); });
        sr.attempts = over(
            reps, [&](auto& r) { return ratio(double(src(r).attempts), double(src(r).ended)); });
        const CompiledSource& cs = cm.sources[s];
        const std::uint32_t only = cs.endpoints.front();
        sr.latency = latency_over(reps, [&](auto& r) -> const Histogram& {
            return cs.latency_is_endpoints ? r.endpoints[only].latency : src(r).latency;
        });
        rep.sources.push_back(std::move(sr));
    }

    for (std::size_t s = 0; s < m.services.size(); ++s) {
        const ServiceSpec& spec = m.services[s];
        StationReport sr;
        sr.name = spec.name;
        sr.replicas = spec.replicas;
        sr.workers = spec.workers;
        sr.cores = spec.cores;
        auto st = [s](const ReplicationResult& r) -> const StationResult& { return r.stations[s]; };
        // An autoscaled service is as busy as the replicas it had: its
        // capacity is the time-average of the ones up, window by window.
        const bool scaled = spec.autoscale.has_value();
        auto fleet = [&](const ReplicationResult& r) {
            return scaled ? st(r).replicas_up : double(spec.replicas);
        };
        auto fleet_in = [&](const ReplicationResult& r, std::size_t w) {
            return scaled ? st(r).series.replicas_up[w] : double(spec.replicas);
        };
        const bool async = spec.mode == ServiceMode::Async;
        sr.mode = async ? "async" : "threads";
        sr.balancer = balancer_name(spec.balancer);
        sr.loops = async ? spec.loops : 0;
        sr.autoscaled = scaled;
        sr.worker_utilization =
            over(reps, [&](auto& r) { return ratio(st(r).busy_workers, fleet(r) * spec.workers); });
        sr.core_utilization =
            over(reps, [&](auto& r) { return ratio(st(r).busy_cores, fleet(r) * spec.cores); });
        sr.scale_outs = over(reps, [&](auto& r) { return double(st(r).scale_outs); });
        sr.scale_ins = over(reps, [&](auto& r) { return double(st(r).scale_ins); });
        sr.replicas_peak = over(reps, [&](auto& r) { return st(r).replicas_peak; });
        sr.throughput = over(reps, [&](auto& r) { return per_second(double(st(r).completed), r); });
        sr.waiting = over(reps, [&](auto& r) { return st(r).waiting; });
        sr.in_system = over(reps, [&](auto& r) { return st(r).waiting + st(r).busy_workers; });
        sr.waiting_max = over(reps, [&](auto& r) { return st(r).waiting_max; });
        sr.wait =
            over(reps, [&](auto& r) { return ratio(st(r).wait_sum, double(st(r).admitted)); });
        sr.rejected = over(reps, [&](auto& r) { return per_second(double(st(r).rejected), r); });
        sr.shed = over(reps, [&](auto& r) { return per_second(double(st(r).shed), r); });
        sr.concurrency_limited =
            over(reps, [&](auto& r) { return per_second(double(st(r).concurrency_limited), r); });
        sr.concurrency_limit = over(reps, [&](auto& r) { return st(r).concurrency_limit; });
        sr.rate_limited =
            over(reps, [&](auto& r) { return per_second(double(st(r).rate_limited), r); });
        sr.limit_wait = over(
            reps, [&](auto& r) { return ratio(st(r).limit_wait_sum, double(st(r).limit_passed)); });
        auto series = [&](auto pick) { return mean_series(reps, windows, pick); };
        sr.series_waiting = series([&](auto& r, std::size_t w) { return st(r).series.waiting[w]; });
        sr.series_worker_utilization = series([&](auto& r, std::size_t w) {
            return ratio(st(r).series.busy_workers[w], fleet_in(r, w) * spec.workers);
        });
        sr.series_core_utilization = series([&](auto& r, std::size_t w) {
            return ratio(st(r).series.busy_cores[w], fleet_in(r, w) * spec.cores);
        });
        sr.series_throughput = series([&](auto& r, std::size_t w) {
            return ratio(st(r).series.completions[w], window_width(r, w));
        });
        sr.peak_worker_utilization = peak(sr.series_worker_utilization);
        sr.peak_core_utilization = peak(sr.series_core_utilization);
        // Load that follows keys can saturate one replica while the mean
        // hides it: each replica is then a station of its own, as a
        // database's shards are. Even balancers keep the service whole.
        const bool keyed = spec.keyed();
        for (std::uint32_t k = 0; spec.replicas > 1 && k < spec.replicas; ++k) {
            StationReport::Replica rr;
            rr.name = sr.name + "[" + std::to_string(k) + "]";
            const double w = spec.workers, c = spec.cores;
            rr.worker_utilization =
                over(reps, [&](auto& r) { return st(r).replica_busy_workers[k] / w; });
            rr.core_utilization =
                over(reps, [&](auto& r) { return st(r).replica_busy_cores[k] / c; });
            rr.throughput = over(
                reps, [&](auto& r) { return per_second(double(st(r).replica_completed[k]), r); });
            rr.up = over(reps, [&](auto& r) { return st(r).replica_up[k]; });
            if (keyed) {
                track(rep, rr.name, "workers", series([&](auto& r, std::size_t i) {
                          return st(r).replica_series_workers[k][i] / w;
                      }),
                      rr.worker_utilization.mean);
                track(rep, rr.name, "cores", series([&](auto& r, std::size_t i) {
                          return st(r).replica_series_cores[k][i] / c;
                      }),
                      rr.core_utilization.mean);
            }
            sr.per_replica.push_back(std::move(rr));
        }
        sr.replicas_up = over(reps, [&](auto& r) { return st(r).replicas_up; });
        sr.crashes = over(reps, [&](auto& r) { return double(st(r).crashes); });
        sr.crashed = over(reps, [&](auto& r) { return per_second(double(st(r).crashed), r); });
        sr.refused = over(reps, [&](auto& r) { return per_second(double(st(r).refused), r); });
        sr.ejections = over(reps, [&](auto& r) { return double(st(r).ejections); });
        sr.series_replicas_up =
            series([&](auto& r, std::size_t w) { return st(r).series.replicas_up[w]; });
        if (!keyed) {
            track(rep, sr.name, "workers", sr.series_worker_utilization,
                  sr.worker_utilization.mean);
            track(rep, sr.name, "cores", sr.series_core_utilization, sr.core_utilization.mean);
        }
        if (async) {
            sr.loop_utilization =
                over(reps, [&](auto& r) { return ratio(st(r).busy_loops, fleet(r) * spec.loops); });
            sr.loop_waiting = over(reps, [&](auto& r) { return st(r).loop_waiting; });
            sr.series_loop_utilization = series([&](auto& r, std::size_t w) {
                return ratio(st(r).series.busy_loops[w], fleet_in(r, w) * spec.loops);
            });
            track(rep, sr.name, "event loops", sr.series_loop_utilization,
                  sr.loop_utilization.mean);
        }
        rep.stations.push_back(std::move(sr));
    }

    merge_data_tier(cm, reps, windows, rep);
    merge_policies(cm, reps, windows, rep);
    merge_faults(cm, reps, rep);
    check_recovery(cm, reps, rep);

    std::stable_sort(rep.saturated.begin(), rep.saturated.end(),
                     [](const Saturation& a, const Saturation& b) {
                         return a.first < b.first || (a.first == b.first && a.onset > b.onset);
                     });

    for (std::size_t i = 0; i < m.slos.size(); ++i) {
        const SloSpec& spec = m.slos[i];
        SloVerdict v;
        v.text = spec.text;
        v.endpoint = spec.endpoint;
        v.metric = metric_name(spec.metric);
        v.threshold = spec.threshold;
        v.value = slo_value(rep.endpoints[cm.slos[i].endpoint], spec.metric);
        v.pass = v.value.mean < spec.threshold;
        const double lo = v.value.mean - v.value.half_width, hi = v.value.mean + v.value.half_width;
        v.confident =
            std::isfinite(v.value.half_width) && (hi < spec.threshold || lo >= spec.threshold);
        rep.slos.push_back(std::move(v));
    }
    return rep;
}

}  // namespace capsim

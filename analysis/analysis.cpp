// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#include "analysis/analysis.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>

#include "analysis/cache_hit_ratio.hpp"
#include "analysis/queueing.hpp"
#include "models/rate_shape.hpp"

namespace capsim::analysis {

namespace {

std::string ratio_text(double r) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3g", r);
    return buf;
}

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// The rate a source offers on average over the measured window, which is
// what the report's arrival rates measure.
double window_rate(const SourceSpec& s, double from, double to) {
    const double span = to - from;
    if (s.kind == SourceKind::Trace) {
        const auto n = std::count_if(s.timestamps.begin(), s.timestamps.end(),
                                     [&](double t) { return t >= from && t <= to; });
        return span > 0.0 ? static_cast<double>(n) / span : 0.0;
    }
    if (s.shape.kind == RateShape::Kind::Mmpp || span <= 0.0) return s.shape.mean_rate(to);
    const Intensity in(s.shape);
    return (in.cumulative(to) - in.cumulative(from)) / span;
}

// The highest instantaneous rate in the window (a trace: its busiest
// time-series window).
double peak_rate(const SourceSpec& s, double from, double to, double window) {
    if (s.kind == SourceKind::Trace) {
        const double w = window > 0.0 ? window : std::max(to - from, 1e-9);
        double best = 0.0;
        std::size_t lo = 0;
        for (std::size_t hi = 0; hi < s.timestamps.size(); ++hi) {
            while (s.timestamps[hi] - s.timestamps[lo] >= w) ++lo;
            if (s.timestamps[hi] >= from && s.timestamps[hi] <= to)
                best = std::max(best, static_cast<double>(hi - lo + 1) / w);
        }
        return best;
    }
    const RateShape& r = s.shape;
    switch (r.kind) {
        case RateShape::Kind::Sinusoid:
            return r.mean + std::fabs(r.amplitude);
        case RateShape::Kind::Mmpp:
            return std::max(r.mmpp_rate[0], r.mmpp_rate[1]);
        case RateShape::Kind::Piecewise:
            break;
    }
    // Piecewise-linear: the maximum is at a knot or at an end of the window.
    double best = std::max(r.at(from), r.at(to));
    for (std::size_t i = 0; i < r.t.size(); ++i)
        if (r.period > 0.0 || (r.t[i] >= from && r.t[i] <= to)) best = std::max(best, r.rate[i]);
    return best;
}

class Analyzer {
  public:
    explicit Analyzer(const CompiledModel& cm) : cm_(cm), m_(cm.model) {}

    Analysis run() {
        a_.demands = build_demands(cm_);
        zero_ = critical_path(a_.demands);
        sources();
        estimate_caches();
        a_.notes = a_.demands.notes;
        closed();
        split();
        load();
        if (a_.method != Method::Saturated) {
            if (a_.mva)
                closed_estimates();
            else
                open_estimates();
        }
        finish();
        return std::move(a_);
    }

  private:
    const Demands& d() const { return a_.demands; }
    std::size_t resources() const { return d().resources.size(); }

    void sources() {
        const double from = m_.run.warmup, to = m_.run.duration;
        for (std::size_t s = 0; s < m_.sources.size(); ++s) {
            const SourceSpec& spec = m_.sources[s];
            SourceLoad l;
            l.name = spec.name;
            l.kind = spec.kind;
            l.demand = d().source_demand(static_cast<std::uint32_t>(s), zero_.hold);
            for (const auto& [e, p] : d().sources[s].entries) l.response0 += p * zero_.response[e];
            if (spec.kind == SourceKind::Closed) {
                l.users = spec.users;
                l.think = spec.think.mean();
                l.rate = l.peak_rate = kNaN;
            } else {
                l.rate = window_rate(spec, from, to);
                l.peak_rate = peak_rate(spec, from, to, m_.run.window);
            }
            l.admitted = l.rate;
            l.peak_admitted = l.peak_rate;
            a_.sources.push_back(std::move(l));
        }
        admit();
    }

    // A service's rate limit that refuses its excess passes at most its
    // capacity: every open source through it is thinned alike (Poisson
    // arrivals find the bucket as a time average does), and what it
    // refuses does no work anywhere -- exact for a limit at the service a
    // source enters; a limit deeper in leaves out the callers' work
    // before their refused call.
    void admit() {
        is_limit_.assign(resources(), false);
        for (const auto& limits : d().source_limits)
            for (const auto& [svc, r] : limits) is_limit_[r] = true;
        std::vector<double> mean(resources(), 0.0), peak(resources(), 0.0);
        for (const SourceLoad& s : a_.sources) {
            if (s.kind == SourceKind::Closed) continue;
            for (std::size_t k = 0; k < resources(); ++k) {
                mean[k] += s.rate * s.demand[k];
                peak[k] += s.peak_rate * s.demand[k];
            }
        }
        for (std::size_t s = 0; s < a_.sources.size(); ++s) {
            SourceLoad& l = a_.sources[s];
            if (l.kind == SourceKind::Closed) continue;
            double f = 1.0, f_peak = 1.0;
            for (const auto& [svc, r] : d().source_limits[s]) {
                if (!d().sheds[r]) continue;
                const double cap = d().resources[r].capacity();
                if (mean[r] > cap) f = std::min(f, cap / mean[r]);
                if (peak[r] > cap) f_peak = std::min(f_peak, cap / peak[r]);
            }
            l.admitted = l.rate * f;
            l.peak_admitted = l.peak_rate * f_peak;
        }
    }

    // Caches whose hit ratio emerges from the run: estimated from their
    // lookup rate at the open sources' load, then the demands rebuilt with
    // it. A miss path may reach another cache, whose lookup rate then
    // depends on the first's hit ratio: a few rounds settle it.
    void estimate_caches() {
        const auto& caches = m_.caches;
        if (std::none_of(caches.begin(), caches.end(),
                         [](const CacheSpec& c) { return c.hit_ratio < 0.0; }))
            return;
        std::vector<double> hits(caches.size(), -1.0), lookups;
        for (int round = 0; round < 4; ++round) {
            lookups.assign(caches.size(), 0.0);
            for (std::size_t s = 0; s < a_.sources.size(); ++s) {
                const double rate = a_.sources[s].admitted;
                if (!std::isfinite(rate)) continue;  // closed: its rate comes later, from MVA
                for (const auto& [e, p] : d().sources[s].entries)
                    for (std::size_t x = 0; x < d().endpoints.size(); ++x)
                        for (const auto& [c, n] : d().endpoints[x].lookups)
                            lookups[c] += rate * p * d().visits[e][x] * n;
            }
            std::vector<double> next(caches.size(), -1.0);
            for (std::size_t c = 0; c < caches.size(); ++c)
                if (caches[c].hit_ratio < 0.0 && lookups[c] > 0.0)
                    next[c] = cache_hit_ratio(caches[c], lookups[c]);
            if (next == hits) break;
            hits = next;
            a_.demands = build_demands(cm_, hits);
            zero_ = critical_path(a_.demands);
            a_.sources.clear();
            sources();
        }
        for (std::size_t c = 0; c < caches.size(); ++c)
            if (hits[c] >= 0.0)
                a_.demands.notes.push_back(
                    "cache " + caches[c].name + ": hit ratio " + ratio_text(100.0 * hits[c]) +
                    "% estimated at " + ratio_text(lookups[c]) +
                    " lookups/s (Che's approximation for LRU, lambda*TTL/(1 + lambda*TTL) for "
                    "a TTL); flushes and stampedes are not in it");
    }

    // Busy servers per resource from the open sources: what the rate
    // limits admit, and at the limits what they are offered.
    std::vector<double> open_load(bool peak) const {
        std::vector<double> load(resources(), 0.0);
        for (const SourceLoad& s : a_.sources) {
            if (s.kind == SourceKind::Closed) continue;
            const double offered = peak ? s.peak_rate : s.rate;
            const double admitted = peak ? s.peak_admitted : s.admitted;
            for (std::size_t k = 0; k < resources(); ++k)
                load[k] += (is_limit_[k] ? offered : admitted) * s.demand[k];
        }
        return load;
    }

    // The closed sources as one class: their users together, demands and
    // think times weighted by users.
    void closed() {
        std::uint32_t users = 0;
        for (const SourceLoad& s : a_.sources)
            if (s.kind == SourceKind::Closed) users += s.users;
        if (users == 0) return;
        closed_demand_.assign(resources(), 0.0);
        double think = 0.0, r0 = 0.0;
        for (const SourceLoad& s : a_.sources) {
            if (s.kind != SourceKind::Closed) continue;
            const double w = static_cast<double>(s.users) / users;
            for (std::size_t k = 0; k < resources(); ++k) closed_demand_[k] += w * s.demand[k];
            think += w * s.think;
            r0 += w * s.response0;
        }
        std::size_t closed_sources = 0;
        for (const SourceLoad& s : a_.sources) closed_sources += s.kind == SourceKind::Closed;
        if (closed_sources > 1)
            a_.notes.push_back(
                "several closed sources are solved as one class (their users pooled, demands and "
                "think times weighted by users)");

        const std::vector<double> open = open_load(false);
        // The capacity the open load leaves, and the bottleneck law on it.
        double x_cap = kInf;
        std::uint32_t capped_by = 0;
        for (std::size_t k = 0; k < resources(); ++k) {
            const double left = d().resources[k].capacity() - open[k];
            if (closed_demand_[k] <= 0.0) continue;
            const double x = left > 0.0 ? left / closed_demand_[k] : 0.0;
            if (x < x_cap) {
                x_cap = x;
                capped_by = static_cast<std::uint32_t>(k);
            }
        }
        if (!(x_cap > 0.0)) {
            a_.method = Method::Saturated;
            return;
        }
        // Queueing stations: every set of cores, one per replica; a
        // service's with as many servers as can compute at once (a worker
        // computes on one core at a time). The open load's share of each
        // server is taken away.
        double queueing = 0.0;
        for (std::size_t k = 0; k < resources(); ++k) {
            const Resource& r = d().resources[k];
            if (r.kind != ResourceKind::Cores || closed_demand_[k] <= 0.0) continue;
            const double u_open = open[k] / r.capacity();
            auto servers = static_cast<std::uint32_t>(r.per_replica);
            if (is_service_cores(k))
                servers = std::min(servers, m_.services[r.station_index].workers);
            a_.mva_stations.push_back(
                MvaStation{closed_demand_[k] / (1.0 - u_open), servers, r.replicas});
            a_.mva_resource.push_back(static_cast<std::uint32_t>(k));
            queueing += closed_demand_[k];
        }
        // The rest of the no-contention response (delays, external calls,
        // less what parallel arms overlap) is a delay centre.
        const double delay = std::max(0.0, r0 - queueing);
        a_.mva_stations.push_back(MvaStation{delay, 0, 1});
        a_.mva_resource.push_back(kNoResource);
        a_.closed = closed_bounds(users, think, r0, x_cap, a_.mva_stations);
        a_.mva = mva(a_.mva_stations, think, users);
        a_.method = Method::Closed;
        closed_x_ = a_.mva->throughput;
        if (closed_x_ > x_cap) {
            // MVA knows the cores only; workers and rate limits cap it too.
            closed_x_ = x_cap;
            a_.notes.push_back("closed throughput capped by " + d().resources[capped_by].station +
                               " " + d().resources[capped_by].kind_name() +
                               " (a resource MVA does not model)");
        }
        for (SourceLoad& s : a_.sources)
            if (s.kind == SourceKind::Closed)
                s.rate = s.peak_rate = s.admitted = s.peak_admitted =
                    closed_x_ * static_cast<double>(s.users) / users;
    }

    // Each hashed service's admissions per replica, as shares, at the rates
    // the sources send (closed ones at their MVA throughput).
    void split() {
        split_.assign(m_.services.size(), {});
        for (std::uint32_t s = 0; s < m_.services.size(); ++s) {
            const std::uint32_t n = d().hashed[s];
            if (n == 0) continue;
            std::vector<double> share(n, 0.0);
            double total = 0.0;
            for (std::uint32_t src = 0; src < a_.sources.size(); ++src) {
                const double rate = a_.sources[src].admitted;
                if (!std::isfinite(rate)) continue;
                const std::vector<double> v = d().replica_visits(src, s);
                for (std::uint32_t k = 0; k < n; ++k) {
                    share[k] += rate * v[k];
                    total += rate * v[k];
                }
            }
            for (double& f : share) f = total > 0.0 ? f / total : 1.0 / n;
            split_[s] = std::move(share);
        }
    }

    void load() {
        std::vector<double> mean = open_load(false), peak = open_load(true);
        double offered = 0.0, peak_offered = 0.0;
        for (const SourceLoad& s : a_.sources) {
            if (s.kind == SourceKind::Closed) continue;
            offered += s.rate;
            peak_offered += s.peak_rate;
        }
        if (!closed_demand_.empty() && std::isfinite(closed_x_)) {
            for (std::size_t k = 0; k < resources(); ++k) {
                mean[k] += closed_x_ * closed_demand_[k];
                peak[k] += closed_x_ * closed_demand_[k];
            }
            offered += closed_x_;
            peak_offered += closed_x_;
        }
        a_.bottleneck = bottleneck_law(d().resources, mean, peak, offered, peak_offered);
        // A closed workload saturates its bottleneck by design: at X = X_max
        // it is full, not overloaded.
        const double limit = a_.mva ? 1.0 + 1e-9 : 1.0;
        for (std::size_t k = 0; k < resources(); ++k) {
            const ResourceLoad& l = a_.bottleneck.loads[k];
            if (d().sheds[k]) {
                // Refused at once: a cap on what passes, not a backlog.
                if (l.utilization > 1.0)
                    a_.notes.push_back(
                        d().resources[k].station + " rate_limit refuses " +
                        ratio_text(100.0 * (1.0 - 1.0 / l.utilization)) + "% of the " +
                        ratio_text(l.utilization * d().resources[k].capacity()) +
                        (is_limit_[k]
                             ? " requests/s offered to it: the estimates are for what passes"
                             : " calls/s made to it (429s)"));
                continue;
            }
            if (!(l.utilization < limit)) a_.method = Method::Saturated;
        }
        if (a_.method == Method::Saturated)
            a_.notes.push_back(
                "the offered load exceeds a capacity: queues grow without bound, so there are "
                "no steady-state estimates");
    }

    // Executions and frames per second of every endpoint at the offered load.
    void rates() {
        a_.endpoints.assign(d().endpoints.size(), EndpointEstimate{});
        for (std::size_t s = 0; s < a_.sources.size(); ++s) {
            const double rate = a_.sources[s].admitted;
            if (!std::isfinite(rate)) continue;
            for (const auto& [e, p] : d().sources[s].entries)
                for (std::size_t x = 0; x < d().endpoints.size(); ++x) {
                    a_.endpoints[x].executions += rate * p * d().visits[e][x];
                    a_.endpoints[x].rate += rate * p * d().frames[e][x];
                }
        }
    }

    // Per service: admissions per second, and per admission the mean
    // holding time and CPU work.
    struct Admissions {
        double rate = 0.0;
        double hold = 0.0;
        double cpu = 0.0;
    };

    std::vector<Admissions> admissions(const std::vector<double>& hold) const {
        std::vector<Admissions> out(m_.services.size());
        for (std::size_t x = 0; x < d().endpoints.size(); ++x) {
            Admissions& a = out[d().endpoints[x].service];
            const double n = a_.endpoints[x].executions;
            a.rate += n;
            a.hold += n * hold[x];
            a.cpu += n * d().endpoints[x].cpu;
        }
        for (Admissions& a : out)
            if (a.rate > 0.0) {
                a.hold /= a.rate;
                a.cpu /= a.rate;
            }
        return out;
    }

    // Replica k of hashed service s: its admissions per second and holding
    // time. The critical path stretches the service's CPU by the mean over
    // its replicas; a replica's own stretch moves its holding time by the
    // difference (to first order: all of an admission's CPU is held).
    std::pair<double, double> replica_load(std::uint32_t s, std::uint32_t k,
                                           const Admissions& a) const {
        const std::uint32_t cores = d().cores_of[s];
        const double shift = path_.empty() ? 0.0 : (stretch_[cores + k] - path_[cores]) * a.cpu;
        return {a.rate * split_[s][k], std::max(0.0, a.hold + shift)};
    }

    // The stretch the critical path takes: a resource's own, and for a
    // hashed service (whose endpoints' CPU names its first replica) the mean
    // of its replicas' weighted by the work `work[resource]` each does.
    std::vector<double> path_stretch(const std::vector<double>& work) const {
        std::vector<double> out = stretch_;
        for (std::uint32_t s = 0; s < m_.services.size(); ++s) {
            const std::uint32_t first = d().cores_of[s];
            double sum = 0.0, total = 0.0;
            for (std::uint32_t k = 0; k < d().hashed[s]; ++k) {
                sum += work[first + k] * stretch_[first + k];
                total += work[first + k];
            }
            if (total > 0.0) out[first] = sum / total;
        }
        return out;
    }

    bool is_service_cores(std::size_t k) const {
        const Resource& r = d().resources[k];
        if (r.kind != ResourceKind::Cores || r.station_index >= d().cores_of.size()) return false;
        const std::uint32_t first = d().cores_of[r.station_index];
        return k >= first && k < first + std::max<std::uint32_t>(1, d().hashed[r.station_index]);
    }

    // Open network: each replica's cores an M/M/c processor-sharing
    // station (a service's when its workers can outnumber its cores), each
    // replica's workers an M/M/c queue whose service time is the holding
    // time. The two are coupled through the holding times (nested calls
    // wait downstream), so they are iterated to a fixed point.
    void open_estimates() {
        rates();
        const std::size_t n_services = m_.services.size();
        stretch_.assign(resources(), 1.0);
        for (std::size_t k = 0; k < resources(); ++k) {
            const Resource& r = d().resources[k];
            if (r.kind != ResourceKind::Cores) continue;
            if (is_service_cores(k) && m_.services[r.station_index].workers <= r.per_replica)
                continue;  // a worker never waits for a core
            const auto c = static_cast<std::uint32_t>(r.per_replica);
            stretch_[k] = mmc_stretch(c, a_.bottleneck.loads[k].utilization * r.per_replica);
        }
        std::vector<double> busy(resources(), 0.0);
        for (std::size_t k = 0; k < resources(); ++k)
            busy[k] = a_.bottleneck.loads[k].utilization * d().resources[k].capacity();
        path_ = path_stretch(busy);
        wait_.assign(n_services, 0.0);
        for (int round = 0; round < 1000; ++round) {
            timing_ = critical_path(d(), path_, wait_);
            const std::vector<Admissions> adm = admissions(timing_.hold);
            double change = 0.0;
            for (std::uint32_t s = 0; s < n_services; ++s) {
                const ServiceSpec& svc = m_.services[s];
                const Admissions& a = adm[s];
                double w = 0.0;
                if (a.rate > 0.0 && d().hashed[s] == 0) {
                    w = mmc_wait(svc.workers, a.rate / svc.replicas * a.hold, a.hold);
                } else if (a.rate > 0.0) {
                    // Each replica its own M/M/c, fed its keys' thinned stream.
                    for (std::uint32_t k = 0; k < d().hashed[s]; ++k) {
                        const auto [rate, hold] = replica_load(s, k, a);
                        if (rate > 0.0)
                            w += split_[s][k] * mmc_wait(svc.workers, rate * hold, hold);
                    }
                }
                change = std::max(change, std::fabs(w - wait_[s]));
                wait_[s] = w;
            }
            if (!std::isfinite(change)) {
                a_.method = Method::Saturated;
                a_.notes.push_back(
                    "workers saturate once the time requests spend queueing downstream is "
                    "counted: no steady-state estimates");
                return;
            }
            if (change <= 1e-12) break;
        }
        timing_ = critical_path(d(), path_, wait_);
    }

    // Closed network: MVA's residence times give each service's CPU
    // stretch. Where workers do not outnumber cores the MVA station is the
    // worker pool, so its queueing is reported as the wait for a worker.
    void closed_estimates() {
        rates();
        const std::size_t n_services = m_.services.size();
        stretch_.assign(resources(), 1.0);
        wait_.assign(n_services, 0.0);
        std::vector<double> queue_time(n_services, 0.0);
        for (std::size_t i = 0; i < a_.mva_stations.size(); ++i) {
            const std::uint32_t k = a_.mva_resource[i];
            if (k == kNoResource) continue;
            const Resource& r = d().resources[k];
            const double demand = closed_demand_[k];
            if (is_service_cores(k) && m_.services[r.station_index].workers <= r.per_replica)
                queue_time[r.station_index] += a_.mva->residence[i] - demand;
            else
                stretch_[k] = a_.mva->residence[i] / demand;
        }
        path_ = path_stretch(closed_demand_);
        const std::vector<Admissions> adm = admissions(zero_.hold);
        const double x = closed_x_;
        for (std::size_t s = 0; s < n_services; ++s)
            if (adm[s].rate > 0.0 && x > 0.0) wait_[s] = queue_time[s] * x / adm[s].rate;
        timing_ = critical_path(d(), path_, wait_);
    }

    void finish() {
        const std::size_t n_services = m_.services.size();
        if (a_.endpoints.empty()) rates();
        const bool estimated = a_.method != Method::Saturated;
        for (std::size_t x = 0; x < d().endpoints.size(); ++x) {
            EndpointEstimate& e = a_.endpoints[x];
            e.response0 = zero_.response[x];
            e.hold0 = zero_.hold[x];
            e.response = estimated ? timing_.latency[x] : kNaN;
            e.hold = estimated ? timing_.hold[x] : kNaN;
        }
        for (std::size_t s = 0; s < a_.sources.size(); ++s) {
            SourceLoad& l = a_.sources[s];
            // Over its successful requests, as the report's latency.
            l.response = kNaN;
            if (!estimated) continue;
            double sum = 0.0, ok = 0.0;
            for (const auto& [e, p] : d().sources[s].entries) {
                sum += p * timing_.succeeded[e] * a_.endpoints[e].response;
                ok += p * timing_.succeeded[e];
            }
            l.response = ok > 0.0 ? sum / ok : 0.0;
        }
        a_.stations.assign(n_services, StationEstimate{});
        const std::vector<Admissions> adm =
            admissions(estimated ? timing_.hold : std::vector<double>(d().endpoints.size(), 0.0));
        for (std::uint32_t s = 0; s < n_services; ++s) {
            StationEstimate& st = a_.stations[s];
            const ServiceSpec& svc = m_.services[s];
            const std::uint32_t cores = d().cores_of[s];
            st.throughput = adm[s].rate;
            st.cpu_stretch = estimated ? path_[cores] : kNaN;
            st.wait = estimated ? wait_[s] : kNaN;
            // A hashed service's replicas each hold their own share; the
            // service's utilisations are their means, as the report's.
            const std::uint32_t n = std::max<std::uint32_t>(1, d().hashed[s]);
            const double workers =
                static_cast<double>(d().hashed[s] > 0 ? 1 : svc.replicas) * svc.workers;
            double busy = 0.0, worker_sum = 0.0;
            for (std::uint32_t k = 0; k < n; ++k) {
                const auto [rate, hold] = d().hashed[s] > 0 ? replica_load(s, k, adm[s])
                                                            : std::pair{adm[s].rate, adm[s].hold};
                const std::string name =
                    d().hashed[s] > 0 ? svc.name + "[" + std::to_string(k) + "]" : svc.name;
                const double held = rate * hold;
                busy += held;
                // The product-form estimate holds workers for the mean response of
                // what they wait on but never queues for the workers themselves, so
                // a pool it keeps busier than it is large is saturated in fact.
                if (estimated && held > workers)
                    a_.notes.push_back(name + " workers: the estimate needs " +
                                       ratio_text(held / workers) +
                                       "x the workers there are, so they are saturated and its "
                                       "waits are underestimated (shown at 100%)");
                const double used = estimated ? std::min(1.0, held / workers) : kNaN;
                const double core = a_.bottleneck.loads[cores + k].utilization;
                worker_sum += used;
                st.core_utilization += core / n;
                if (d().hashed[s] > 0) st.per_replica.push_back({name, rate, core, used});
            }
            st.worker_utilization = worker_sum / n;
            st.in_system = estimated ? busy + st.throughput * st.wait : kNaN;
        }
    }

    static constexpr std::uint32_t kNoResource = 0xFFFFFFFFu;

    const CompiledModel& cm_;
    const Model& m_;
    Analysis a_;
    Timing zero_;    // without contention
    Timing timing_;  // at the offered load
    std::vector<double> closed_demand_;
    std::vector<bool> is_limit_;  // per resource: a service's rate limit
    double closed_x_ = kNaN;
    std::vector<double> stretch_, wait_;
    std::vector<double> path_;                // the stretch the critical path takes
    std::vector<std::vector<double>> split_;  // per hashed service: each replica's admissions
};

}  // namespace

const char* method_name(Method m) {
    switch (m) {
        case Method::Open:
            return "open";
        case Method::Closed:
            return "closed";
        case Method::Saturated:
            return "saturated";
    }
    return "?";
}

Analysis analyze(const CompiledModel& model) {
    return Analyzer(model).run();
}

}  // namespace capsim::analysis

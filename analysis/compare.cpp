// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#include "analysis/compare.hpp"

#include <algorithm>
#include <cmath>
#include <set>
#include <stdexcept>

#include "engine/student_t.hpp"

namespace capsim::analysis {

namespace {

// The 99.9% half-width from the reported 95% one. From 2 replications it
// is 50 times the 95% one (Student's t with 1 degree of freedom): wide
// enough to call anything "agree", so a verdict needs 3 or more.
double ci999(const Estimate& e) {
    if (e.n < 3 || !std::isfinite(e.half_width)) return std::nan("");
    const double df = static_cast<double>(e.n - 1);
    return e.half_width * student_t_quantile(0.9995, df) / student_t_quantile(0.975, df);
}

bool has_policy(const std::vector<StepSpec>& steps) {
    return std::any_of(steps.begin(), steps.end(), [](const StepSpec& s) {
        if (s.policy) return true;
        return std::any_of(s.blocks.begin(), s.blocks.end(),
                           [](const auto& b) { return has_policy(b); });
    });
}

bool has_policy(const ServiceSpec& svc) {
    return std::any_of(svc.endpoints.begin(), svc.endpoints.end(),
                       [](const EndpointSpec& e) { return has_policy(e.steps); });
}

// Why the product-form estimates may miss, station by station: what the
// formulas assume (Poisson arrivals, exponential or PS service, infinite
// queues, one resource held at a time) against what this model does.
class Reasons {
  public:
    Reasons(const Analysis& a, const Report& report) : a_(a) {
        const Model& m = a.demands.model->model;
        bool bursts = false;
        for (const SourceSpec& s : m.sources) {
            if (s.kind == SourceKind::Trace) bursts = true;
            if (s.kind != SourceKind::Open) continue;
            const RateShape& r = s.shape;
            const bool constant = r.kind == RateShape::Kind::Piecewise &&
                                  std::all_of(r.rate.begin(), r.rate.end(),
                                              [&](double x) { return x == r.rate.front(); });
            if (!constant || std::fabs(s.interarrival.scv() - 1.0) > 0.05) bursts = true;
        }
        per_service_.resize(m.services.size());
        for (std::size_t s = 0; s < m.services.size(); ++s) {
            auto& out = per_service_[s];
            if (bursts) out.insert("bursts");
            const ServiceSpec& svc = m.services[s];
            if (s < report.stations.size() && report.stations[s].rejected.mean > 0.0)
                out.insert("finite buffers");
            // A hash ring without a load bound is modelled replica by
            // replica: each is fed its keys' thinned (still Poisson) stream.
            if (svc.replicas > 1 && svc.balancer != BalancerKind::Random &&
                a.demands.hashed[s] == 0)
                out.insert("load balancing");
            if (svc.mode == ServiceMode::Async) out.insert("event loops");
            if (svc.autoscale) out.insert("autoscaling");
        }
        for (const EndpointProfile& p : a.demands.endpoints) {
            auto& out = per_service_[p.service];
            if (p.max_cpu_scv > 1.5) out.insert("heavy-tailed service");
            if (p.max_cpu_scv < 0.5 && p.cpu > 0.0) out.insert("low-variance service");
            if (p.holds_while_waiting) out.insert("nested holding");
            if (p.fork_join) out.insert("fork-join");
        }
        if (!a.demands.notes.empty())
            for (auto& out : per_service_) out.insert("data tier not modelled");
        // The formulas see a dependency's mean latency; an outage or a
        // brown-out holds callers far longer while it lasts, and the policies
        // that answer it (timeouts, retries, breakers) add or cut work.
        const bool windows = std::any_of(m.externals.begin(), m.externals.end(),
                                         [](const ExternalSpec& x) { return !x.windows.empty(); });
        const bool policies =
            std::any_of(m.sources.begin(), m.sources.end(),
                        [](const SourceSpec& x) { return x.client.has_value(); }) ||
            std::any_of(m.services.begin(), m.services.end(), [](const ServiceSpec& svc) {
                return svc.rate_limit.has_value() || has_policy(svc);
            });
        for (auto& out : per_service_) {
            if (windows) out.insert("dependency failure window");
            if (policies) out.insert("resilience policies");
            if (!m.faults.empty()) out.insert("injected faults");
        }
        // Estimates are for the mean load; a peak past capacity builds a
        // backlog that the mean says nothing about -- unless the resource is
        // a rate limit that refuses its excess. Such a limit, once it
        // refuses, passes a stream far more regular than Poisson (about one
        // request per token), so queues behind it are shorter than M/M/c says.
        for (std::size_t k = 0; k < a.bottleneck.loads.size(); ++k) {
            const ResourceLoad& l = a.bottleneck.loads[k];
            if (l.peak_utilization >= 1.0 && !a.demands.sheds[k])
                for (auto& out : per_service_) out.insert("overload at peak");
            if (l.utilization >= 1.0 && a.demands.sheds[k])
                for (auto& out : per_service_) out.insert("smoothed by a rate limit");
        }
    }

    std::vector<std::string> station(std::size_t s) const {
        return {per_service_[s].begin(), per_service_[s].end()};
    }

    // Everything an endpoint's frames touch.
    std::vector<std::string> endpoint(std::size_t e) const {
        std::set<std::string> out;
        const auto& visits = a_.demands.visits[e];
        for (std::size_t x = 0; x < visits.size(); ++x)
            if (visits[x] > 0.0) {
                const auto& r = per_service_[a_.demands.endpoints[x].service];
                out.insert(r.begin(), r.end());
            }
        return {out.begin(), out.end()};
    }

  private:
    const Analysis& a_;
    std::vector<std::set<std::string>> per_service_;
};

constexpr double kResolution = 1e-6;

AnalyticRow row(const char* kind, const std::string& name, const char* quantity, double analytic,
                const Estimate& simulated, std::vector<std::string> reasons) {
    AnalyticRow r;
    r.kind = kind;
    r.name = name;
    r.quantity = quantity;
    r.analytic = analytic;
    r.simulated = simulated;
    // A quantity the simulation measured as exactly constant (a wait that
    // never happened) has a CI of 0; 1e-6 (a microsecond, a millionth of a
    // server) keeps an analytic 1e-65 from "disagreeing" with it.
    r.tolerance = std::max(ci999(simulated), kResolution);
    if (!std::isfinite(r.tolerance)) {
        r.verdict = "no ci";
    } else if (std::fabs(simulated.mean - analytic) <= r.tolerance) {
        r.verdict = "agree";
    } else {
        r.verdict = "disagree";
        r.reasons = std::move(reasons);
    }
    return r;
}

}  // namespace

AnalyticReport compare(const Analysis& a, const Report& report) {
    AnalyticReport out;
    out.present = true;
    out.method = method_name(a.method);
    out.offered = a.bottleneck.offered;
    out.x_max = a.bottleneck.x_max;
    out.headroom = a.bottleneck.headroom;
    if (!a.bottleneck.order.empty()) {
        const Resource& r = a.demands.resources[a.bottleneck.order.front()];
        out.bottleneck_station = r.station;
        out.bottleneck_resource = r.kind_name();
    }
    out.notes = a.notes;
    if (a.method == Method::Saturated) return out;
    const Reasons why(a, report);
    for (std::size_t s = 0; s < a.stations.size() && s < report.stations.size(); ++s) {
        const StationEstimate& e = a.stations[s];
        const StationReport& r = report.stations[s];
        const auto reasons = why.station(s);
        out.rows.push_back(
            row("station", r.name, "throughput", e.throughput, r.throughput, reasons));
        out.rows.push_back(row("station", r.name, "core_utilization", e.core_utilization,
                               r.core_utilization, reasons));
        out.rows.push_back(row("station", r.name, "worker_utilization", e.worker_utilization,
                               r.worker_utilization, reasons));
        out.rows.push_back(row("station", r.name, "in_system", e.in_system, r.in_system, reasons));
        out.rows.push_back(row("station", r.name, "wait", e.wait, r.wait, reasons));
        for (std::size_t k = 0; k < e.per_replica.size() && k < r.per_replica.size(); ++k) {
            const ReplicaEstimate& er = e.per_replica[k];
            const StationReport::Replica& rr = r.per_replica[k];
            out.rows.push_back(
                row("station", rr.name, "throughput", er.throughput, rr.throughput, reasons));
            out.rows.push_back(row("station", rr.name, "core_utilization", er.core_utilization,
                                   rr.core_utilization, reasons));
            out.rows.push_back(row("station", rr.name, "worker_utilization", er.worker_utilization,
                                   rr.worker_utilization, reasons));
        }
    }
    for (std::size_t x = 0; x < a.endpoints.size() && x < report.endpoints.size(); ++x) {
        const EndpointEstimate& e = a.endpoints[x];
        const EndpointReport& r = report.endpoints[x];
        if (!(e.rate > 0.0)) continue;
        const auto reasons = why.endpoint(x);
        out.rows.push_back(row("endpoint", r.name, "throughput", e.rate, r.throughput, reasons));
        out.rows.push_back(
            row("endpoint", r.name, "latency_mean", e.response, r.latency.mean, reasons));
    }
    return out;
}

void attach(Report& report, const CompiledModel& model) {
    try {
        report.analytic = compare(analyze(model), report);
    } catch (const std::exception& e) {  // the analysis must never cost the user their run
        report.analytic = AnalyticReport{};
        report.analytic.present = true;
        report.analytic.method = "none";
        report.analytic.notes.push_back(e.what());
    }
}

}  // namespace capsim::analysis

// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#include "analysis/demands.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
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

class Walker {
  public:
    // Notes on what the analysis leaves out go to `notes` (none when null).
    Walker(const CompiledModel& cm, std::vector<std::string>* notes) : cm_(cm), notes_(notes) {
        for (std::uint32_t x = 0; x < cm.model.externals.size(); ++x)
            externals_.emplace(cm.model.externals[x].name, x);
    }

    // Expected use of one execution of `steps` reached with probability w;
    // returns the probability of running past its end (a forward ends it).
    double accumulate(const BlockSpec& steps, double w, EndpointProfile& p) {
        for (const StepSpec& s : steps) {
            switch (s.kind) {
                case StepKind::Cpu:
                    p.cpu += w * s.law.mean();
                    p.max_cpu_scv = std::max(p.max_cpu_scv, s.law.scv());
                    break;
                case StepKind::Delay:
                    p.delay += w * s.law.mean();
                    p.holds_while_waiting = true;
                    break;
                case StepKind::Call:
                    p.holds_while_waiting = true;
                    if (const auto x = externals_.find(s.target); x != externals_.end()) {
                        add(p.external_calls, x->second, w);
                        p.delay += w * cm_.model.externals[x->second].latency.mean();
                    } else {
                        add(p.calls, endpoint(s.target), w);
                    }
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
                case StepKind::Query:
                    data_tier(s);
                    break;
                case StepKind::Cache:
                    data_tier(s);
                    if (!s.blocks.empty()) accumulate(s.blocks[0], w * miss_ratio(s), p);
                    break;
                case StepKind::Transaction:
                    data_tier(s);
                    if (!s.blocks.empty()) accumulate(s.blocks[0], w, p);
                    break;
            }
            if (w <= 0.0) break;
        }
        return w;
    }

    struct Time {
        double time = 0.0;  // expected, forwarded part included
        double hold = 0.0;  // expected, up to the forward
        double on = 1.0;    // probability of running past the end
    };

    // Expected critical-path time of `steps` reached with probability w.
    Time timing(const BlockSpec& steps, double w, std::uint32_t service,
                const std::vector<double>& stretch, const std::vector<double>& response) {
        Time t;
        for (const StepSpec& s : steps) {
            double dt = 0.0;
            switch (s.kind) {
                case StepKind::Cpu:
                    dt = s.law.mean() * (stretch.empty() ? 1.0 : stretch[service]);
                    break;
                case StepKind::Delay:
                    dt = s.law.mean();
                    break;
                case StepKind::Call:
                    if (const auto x = externals_.find(s.target); x != externals_.end())
                        dt = cm_.model.externals[x->second].latency.mean();
                    else
                        dt = response[endpoint(s.target)];
                    break;
                case StepKind::Forward:
                    t.time += w * response[endpoint(s.target)];
                    t.on = 0.0;
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
                    double total = 0.0, on = 0.0;
                    for (double x : s.weights) total += x;
                    for (std::size_t k = 0; k < s.blocks.size() && k < s.weights.size(); ++k) {
                        const Time arm = timing(s.blocks[k], w * s.weights[k] / total, service,
                                                stretch, response);
                        t.time += arm.time;
                        t.hold += arm.hold;
                        on += arm.on;
                    }
                    w = on;
                    break;
                }
                case StepKind::Query:
                    break;
                case StepKind::Cache:
                    if (!s.blocks.empty())
                        dt = miss_ratio(s) *
                             timing(s.blocks[0], 1.0, service, stretch, response).time;
                    break;
                case StepKind::Transaction:
                    if (!s.blocks.empty())
                        dt = timing(s.blocks[0], 1.0, service, stretch, response).time;
                    break;
            }
            t.time += w * dt;
            t.hold += w * dt;
            if (w <= 0.0) break;
        }
        t.on = w;
        return t;
    }

  private:
    std::uint32_t endpoint(const std::string& name) const {
        const std::int64_t e = cm_.find_endpoint(name);
        if (e < 0) throw ModelError(name, "unknown endpoint " + name);
        return static_cast<std::uint32_t>(e);
    }

    // A cache with a fixed hit ratio misses at its complement; an emergent
    // hit ratio is unknown before simulating, so every lookup is taken to
    // miss: the bound stays a bound.
    double miss_ratio(const StepSpec& s) const {
        for (const CacheSpec& c : cm_.model.caches)
            if (c.name == s.target && c.hit_ratio >= 0.0) return 1.0 - c.hit_ratio;
        return 1.0;
    }

    void data_tier(const StepSpec&) {
        if (notes_ && !noted_)
            notes_->push_back(
                "databases, caches and connection pools are not in the analytic model yet: "
                "their demands are left out of the bounds");
        noted_ = true;
    }

    const CompiledModel& cm_;
    std::vector<std::string>* notes_;
    std::unordered_map<std::string, std::uint32_t> externals_;
    bool noted_ = false;
};

}  // namespace

const char* Resource::kind_name() const {
    switch (kind) {
        case ResourceKind::Cores:
            return "cores";
        case ResourceKind::Workers:
            return "workers";
        case ResourceKind::RateLimit:
            return "rate_limit";
    }
    return "?";
}

Demands build_demands(const CompiledModel& cm) {
    const Model& m = cm.model;
    Demands d;
    d.model = &cm;
    for (std::uint32_t s = 0; s < m.services.size(); ++s) {
        const ServiceSpec& svc = m.services[s];
        d.cores_of.push_back(static_cast<std::uint32_t>(d.resources.size()));
        d.resources.push_back(Resource{ResourceKind::Cores, svc.name, s, svc.replicas,
                                       static_cast<double>(svc.cores)});
        d.workers_of.push_back(static_cast<std::uint32_t>(d.resources.size()));
        d.resources.push_back(Resource{ResourceKind::Workers, svc.name, s, svc.replicas,
                                       static_cast<double>(svc.workers)});
    }
    for (std::uint32_t x = 0; x < m.externals.size(); ++x)
        if (m.externals[x].rate_limit > 0.0)
            d.resources.push_back(
                Resource{ResourceKind::RateLimit, m.externals[x].name, x, 1, m.externals[x].rate_limit});

    Walker walker(cm, &d.notes);
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
    for (Eigen::Index x = 0; x < n; ++x) {
        for (const auto& [y, w] : d.endpoints[x].calls) {
            p(x, y) += w;
            calls(x, y) += w;
        }
        for (const auto& [y, w] : d.endpoints[x].forwards) p(x, y) += w;
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

    for (const CompiledSource& src : cm.sources) {
        SourceMix mix;
        double prev = 0.0;
        for (std::size_t k = 0; k < src.endpoints.size(); ++k) {
            mix.entries.emplace_back(src.endpoints[k], src.cumulative[k] - prev);
            prev = src.cumulative[k];
        }
        d.sources.push_back(std::move(mix));
    }
    return d;
}

std::vector<double> Demands::demand(std::uint32_t entry, const std::vector<double>& hold) const {
    std::vector<double> out(resources.size(), 0.0);
    std::vector<double> by_external(model->model.externals.size(), 0.0);
    for (std::size_t x = 0; x < endpoints.size(); ++x) {
        const double v = visits[entry][x];
        if (v == 0.0) continue;
        const EndpointProfile& p = endpoints[x];
        out[cores_of[p.service]] += v * p.cpu;
        out[workers_of[p.service]] += v * hold[x];
        for (const auto& [ext, calls] : p.external_calls) by_external[ext] += v * calls;
    }
    for (std::size_t r = 0; r < resources.size(); ++r)
        if (resources[r].kind == ResourceKind::RateLimit)
            out[r] = by_external[resources[r].station_index];
    return out;
}

Timing critical_path(const Demands& d, const std::vector<double>& cpu_stretch,
                     const std::vector<double>& wait) {
    const std::size_t n = d.endpoints.size();
    Walker walker(*d.model, nullptr);
    Timing t;
    t.response.assign(n, 0.0);
    t.hold.assign(n, 0.0);
    // Monotone from 0 and, since the visits are finite, a contraction on
    // cycles: converges geometrically, exactly after depth + 1 rounds on a DAG.
    for (int round = 0; round < 100000; ++round) {
        double change = 0.0, scale = 0.0;
        std::vector<double> next(n);
        for (std::size_t e = 0; e < n; ++e) {
            const EndpointProfile& p = d.endpoints[e];
            const auto time = walker.timing(p.spec->steps, 1.0, p.service, cpu_stretch, t.response);
            next[e] = time.time + (wait.empty() ? 0.0 : wait[p.service]);
            t.hold[e] = time.hold;
            change = std::max(change, std::fabs(next[e] - t.response[e]));
            scale = std::max(scale, std::fabs(next[e]));
        }
        t.response = std::move(next);
        if (change <= 1e-13 * scale || !std::isfinite(scale)) break;
    }
    return t;
}

}  // namespace capsim::analysis

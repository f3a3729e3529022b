// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#include "topology/topology.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace capsim::topology {

std::string_view kind_name(NodeKind kind) {
    switch (kind) {
        case NodeKind::Source:
            return "source";
        case NodeKind::Service:
            return "service";
        case NodeKind::Endpoint:
            return "endpoint";
        case NodeKind::Pool:
            return "pool";
        case NodeKind::Database:
            return "database";
        case NodeKind::Cache:
            return "cache";
        case NodeKind::External:
            return "external";
        case NodeKind::Queue:
            return "queue";
    }
    return "node";
}

double largest_count(const Law& law) {
    switch (law.kind) {
        case LawKind::Const:
            return std::max(0.0, std::round(law.p[0]));
        case LawKind::Uniform:
            return std::max(0.0, std::round(law.p[1]));
        case LawKind::BoundedPareto:
            return std::max(0.0, std::round(law.p[2]));
        case LawKind::Empirical:
            return law.values.empty() ? 0.0 : std::max(0.0, std::round(law.values.back()));
        case LawKind::Mixture: {
            double most = 0.0;
            for (const Law& part : law.parts) most = std::max(most, largest_count(part));
            return most;
        }
        default:
            return law.deterministic() ? std::max(0.0, std::round(law.mean()))
                                       : std::numeric_limits<double>::infinity();
    }
}

Topology::Topology(const Model& model) : model_(model) {
    for (std::size_t i = 0; i < model.services.size(); ++i) {
        const ServiceSpec& s = model.services[i];
        const Vertex sv = add({NodeKind::Service, s.name, s.path, i});
        for (std::size_t k = 0; k < s.endpoints.size(); ++k) {
            const EndpointSpec& e = s.endpoints[k];
            add({NodeKind::Endpoint, s.name + "." + e.name, e.path, k, sv});
        }
    }
    for (std::size_t i = 0; i < model.databases.size(); ++i)
        add({NodeKind::Database, model.databases[i].name, model.databases[i].path, i});
    for (std::size_t i = 0; i < model.caches.size(); ++i)
        add({NodeKind::Cache, model.caches[i].name, model.caches[i].path, i});
    for (std::size_t i = 0; i < model.externals.size(); ++i)
        add({NodeKind::External, model.externals[i].name, model.externals[i].path, i});
    // A queue delivers to its consumer as a source does: an entry, not a
    // call (the producer never waits for it, so it closes no call cycle).
    for (std::size_t i = 0; i < model.queues.size(); ++i) {
        const QueueSpec& q = model.queues[i];
        const Vertex qv = add({NodeKind::Queue, q.name, q.path, i});
        if (const auto ep = find(NodeKind::Endpoint, q.consumer))
            add_edge(qv, *ep, EdgeKind::Entry, q.path + ".consumer", 1.0, 1.0);
        else
            unresolved_.push_back({q.path + ".consumer", q.consumer, "endpoint"});
    }
    // Pools after the stores they lead to, so their edges can be added now.
    for (std::size_t i = 0; i < model.services.size(); ++i) {
        const ServiceSpec& s = model.services[i];
        const Vertex sv = *find(NodeKind::Service, s.name);
        for (std::size_t k = 0; k < s.pools.size(); ++k) {
            const PoolSpec& p = s.pools[k];
            const Vertex pv = add({NodeKind::Pool, s.name + "/" + p.target, p.path, k, sv});
            std::optional<Vertex> store = find(NodeKind::Database, p.target);
            if (!store) store = find(NodeKind::Cache, p.target);
            if (store)
                add_edge(pv, *store, EdgeKind::Use, p.path, 1.0, 1.0);
            else
                unresolved_.push_back({p.path, p.target, "database or cache"});
        }
    }
    for (const ServiceSpec& s : model.services)
        for (const EndpointSpec& e : s.endpoints)
            add_steps(*find(NodeKind::Endpoint, s.name + "." + e.name), s, e.steps, 1.0, 1.0);
    for (std::size_t i = 0; i < model.sources.size(); ++i) {
        const SourceSpec& src = model.sources[i];
        const Vertex sv = add({NodeKind::Source, src.name, src.path, i});
        double total = 0.0;
        for (const MixEntry& m : src.mix) total += m.weight;
        for (const MixEntry& m : src.mix) {
            const std::string path = src.mix.size() == 1 ? src.path + ".endpoint"
                                                         : src.path + ".mix.\"" + m.endpoint + "\"";
            if (const auto ep = find(NodeKind::Endpoint, m.endpoint))
                add_edge(sv, *ep, EdgeKind::Entry, path, total > 0.0 ? m.weight / total : 0.0, 1.0);
            else
                unresolved_.push_back({path, m.endpoint, "endpoint"});
        }
    }
}

std::optional<Vertex> Topology::find(NodeKind kind, std::string_view name) const {
    const auto it = index_.find({kind, std::string(name)});
    if (it == index_.end()) return std::nullopt;
    return it->second;
}

const ServiceSpec& Topology::service_of(Vertex v) const {
    const Node& n = g_[v];
    return model_.services.at(g_[n.kind == NodeKind::Service ? v : n.owner].index);
}

const EndpointSpec& Topology::endpoint(Vertex v) const {
    if (g_[v].kind != NodeKind::Endpoint) throw std::logic_error("not an endpoint vertex");
    return service_of(v).endpoints.at(g_[v].index);
}

Vertex Topology::add(Node n) {
    const auto key = std::make_pair(n.kind, n.name);
    const Vertex v = boost::add_vertex(std::move(n), g_);
    index_.emplace(key, v);
    return v;
}

void Topology::add_edge(Vertex from, Vertex to, EdgeKind kind, const std::string& path,
                        double probability, double copies) {
    // parallel = N repeats one block N times, each copy with the same paths:
    // one edge that counts them reads better than N identical ones.
    for (auto [it, end] = boost::out_edges(from, g_); it != end; ++it) {
        Edge& e = g_[*it];
        if (boost::target(*it, g_) == to && e.kind == kind && e.path == path) {
            e.copies += copies;
            return;
        }
    }
    boost::add_edge(from, to, Edge{kind, path, probability, copies}, g_);
}

void Topology::add_steps(Vertex from, const ServiceSpec& svc, const BlockSpec& block,
                         double probability, double copies) {
    for (const StepSpec& s : block) {
        switch (s.kind) {
            case StepKind::Cpu:
            case StepKind::Delay:
                break;
            case StepKind::Enqueue:
                if (const auto q = find(NodeKind::Queue, s.target))
                    add_edge(from, *q, EdgeKind::Use, s.path, probability, copies);
                else
                    unresolved_.push_back({s.path, s.target, "queue"});
                break;
            case StepKind::Call:
            case StepKind::Forward: {
                const EdgeKind kind = s.kind == StepKind::Call ? EdgeKind::Call : EdgeKind::Forward;
                if (const auto ep = find(NodeKind::Endpoint, s.target))
                    add_edge(from, *ep, kind, s.path, probability, copies);
                else if (const auto ext = find(NodeKind::External, s.target);
                         ext && kind == EdgeKind::Call)
                    add_edge(from, *ext, EdgeKind::Use, s.path, probability, copies);
                else
                    unresolved_.push_back({s.path, s.target, "endpoint"});
                break;
            }
            case StepKind::Query:
            case StepKind::Transaction:
            case StepKind::Cache: {
                const bool cache = s.kind == StepKind::Cache;
                const std::string store = cache ? s.target : s.target.substr(0, s.target.find('.'));
                const auto sv = find(cache ? NodeKind::Cache : NodeKind::Database, store);
                if (!sv) {
                    unresolved_.push_back({s.path, s.target, cache ? "cache" : "database"});
                } else {
                    // Through the service's pool to that store, when it has one.
                    std::optional<Vertex> via;
                    for (std::size_t k = 0; k < svc.pools.size() && !via; ++k)
                        if (svc.pools[k].target == store)
                            via = find(NodeKind::Pool, svc.name + "/" + store);
                    add_edge(from, via ? *via : *sv, EdgeKind::Use, s.path, probability, copies);
                }
                for (const BlockSpec& b : s.blocks) add_steps(from, svc, b, probability, copies);
                break;
            }
            case StepKind::Loop:
                for (const BlockSpec& b : s.blocks)
                    add_steps(from, svc, b, probability, copies * largest_count(s.law));
                break;
            case StepKind::Parallel:
            case StepKind::Offload:
                for (const BlockSpec& b : s.blocks) add_steps(from, svc, b, probability, copies);
                break;
            case StepKind::Branch: {
                double total = 0.0;
                for (double w : s.weights) total += w;
                for (std::size_t i = 0; i < s.blocks.size(); ++i) {
                    const double w =
                        total > 0.0 && i < s.weights.size() ? s.weights[i] / total : 0.0;
                    add_steps(from, svc, s.blocks[i], probability * w, copies);
                }
                break;
            }
        }
    }
}

}  // namespace capsim::topology

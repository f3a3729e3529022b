// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#include "topology/metrics.hpp"

#include <algorithm>
#include <limits>

#include <boost/graph/filtered_graph.hpp>
#include <boost/graph/strong_components.hpp>
#include <boost/graph/topological_sort.hpp>

namespace capsim::topology {

namespace {

constexpr double kUnbounded = std::numeric_limits<double>::infinity();

/// Calls and forwards between endpoints that are not on a cycle: the
/// acyclic part of the call graph, in which every endpoint's numbers follow
/// from those of the endpoints it reaches.
struct Acyclic {
    const Graph* g = nullptr;
    const std::vector<std::size_t>* comp = nullptr;
    bool operator()(const Graph::edge_descriptor& d) const {
        const EdgeKind k = (*g)[d].kind;
        return (k == EdgeKind::Call || k == EdgeKind::Forward) &&
               (*comp)[boost::source(d, *g)] != (*comp)[boost::target(d, *g)];
    }
};

struct AllCallsAndForwards {
    const Graph* g = nullptr;
    bool operator()(const Graph::edge_descriptor& d) const {
        const EdgeKind k = (*g)[d].kind;
        return k == EdgeKind::Call || k == EdgeKind::Forward;
    }
};

struct Numbers {
    double depth = 0.0;
    double fan_out = 0.0;
};

class Measure {
  public:
    explicit Measure(const Topology& t) : t_(t), g_(t.graph()), done_(boost::num_vertices(g_)) {}

    std::vector<EndpointMetrics> run() {
        const std::size_t n = boost::num_vertices(g_);
        std::vector<std::size_t> comp(n);
        const auto index = boost::get(boost::vertex_index, g_);
        boost::strong_components(
            boost::filtered_graph<Graph, AllCallsAndForwards>(g_, AllCallsAndForwards{&g_}),
            boost::make_iterator_property_map(comp.begin(), index));
        std::vector<std::size_t> members(n, 0);
        for (std::size_t c : comp) ++members[c];
        cyclic_.assign(n, false);
        for (auto [it, end] = boost::edges(g_); it != end; ++it) {
            const EdgeKind k = g_[*it].kind;
            const Vertex u = boost::source(*it, g_);
            if ((k == EdgeKind::Call || k == EdgeKind::Forward) &&
                (u == boost::target(*it, g_) || members[comp[u]] > 1))
                cyclic_[u] = true;
        }
        // topological_sort lists a vertex after everything it reaches:
        // callees are measured before their callers.
        std::vector<Vertex> order;
        boost::filtered_graph<Graph, Acyclic> acyclic(g_, Acyclic{&g_, &comp});
        boost::topological_sort(acyclic, std::back_inserter(order));
        for (Vertex v : order)
            if (g_[v].kind == NodeKind::Endpoint) measure(v);

        std::vector<EndpointMetrics> out;
        for (auto [it, end] = boost::vertices(g_); it != end; ++it) {
            if (g_[*it].kind != NodeKind::Endpoint) continue;
            EndpointMetrics m;
            m.endpoint = g_[*it].name;
            m.path = g_[*it].path;
            for (auto [e, eend] = boost::in_edges(*it, g_); e != eend; ++e)
                m.entry = m.entry || g_[*e].kind == EdgeKind::Entry;
            m.depth = done_[*it].depth;
            m.fan_out = done_[*it].fan_out;
            out.push_back(std::move(m));
        }
        return out;
    }

  private:
    void measure(Vertex v) {
        if (cyclic_[v]) {
            done_[v] = {kUnbounded, kUnbounded};
            return;
        }
        done_[v] = block(t_.endpoint(v).steps);
    }

    Numbers block(const BlockSpec& steps) const {
        Numbers out;
        for (const StepSpec& s : steps) {
            const Numbers n = step(s);
            out.depth = std::max(out.depth, n.depth);
            out.fan_out += n.fan_out;
        }
        return out;
    }

    Numbers step(const StepSpec& s) const {
        switch (s.kind) {
            case StepKind::Cpu:
            case StepKind::Delay:
            case StepKind::Enqueue:  // fire and forget: the consumer is not on this path
                return {};
            case StepKind::Call:
            case StepKind::Forward: {
                const auto ep = t_.find(NodeKind::Endpoint, s.target);
                if (!ep) return {1.0, 1.0};  // an external: one hop, one request
                const Numbers& callee = done_[*ep];
                return {callee.depth + (s.kind == StepKind::Call ? 1.0 : 0.0),
                        1.0 + callee.fan_out};
            }
            case StepKind::Query:
            case StepKind::Cache:
            case StepKind::Transaction: {
                // The lookup or query itself is one hop; a miss path or a
                // transaction's body runs beside it at the caller's level.
                Numbers out{s.kind == StepKind::Transaction ? 0.0 : 1.0,
                            s.kind == StepKind::Transaction ? 0.0 : 1.0};
                for (const BlockSpec& b : s.blocks) {
                    const Numbers inner = block(b);
                    out.depth = std::max(out.depth, inner.depth);
                    out.fan_out += inner.fan_out;
                }
                return out;
            }
            case StepKind::Loop: {
                Numbers body = s.blocks.empty() ? Numbers{} : block(s.blocks.front());
                const double times = largest_count(s.law);
                body.fan_out = body.fan_out > 0.0 ? body.fan_out * times : 0.0;
                if (times == 0.0) body.depth = 0.0;
                return body;
            }
            case StepKind::Offload:  // the same work, on another thread of the replica
            case StepKind::Parallel:
            case StepKind::Branch: {
                Numbers out;
                for (const BlockSpec& b : s.blocks) {
                    const Numbers arm = block(b);
                    out.depth = std::max(out.depth, arm.depth);
                    out.fan_out = s.kind == StepKind::Parallel ? out.fan_out + arm.fan_out
                                                               : std::max(out.fan_out, arm.fan_out);
                }
                return out;
            }
        }
        return {};
    }

    const Topology& t_;
    const Graph& g_;
    std::vector<Numbers> done_;
    std::vector<bool> cyclic_;
};

}  // namespace

std::vector<EndpointMetrics> endpoint_metrics(const Topology& topology) {
    return Measure(topology).run();
}

}  // namespace capsim::topology

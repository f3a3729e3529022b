// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#include "topology/checks.hpp"

#include <cmath>
#include <optional>
#include <set>
#include <sstream>

#include <boost/graph/breadth_first_search.hpp>
#include <boost/graph/filtered_graph.hpp>
#include <boost/graph/strong_components.hpp>

namespace capsim::topology {

namespace {

using EdgeDesc = Graph::edge_descriptor;

// An edge that can carry a request: a zero-weight branch arm, a zero-weight
// mix entry or a loop of 0 never does.
bool live(const Edge& e) {
    return e.probability > 0.0 && e.copies > 0.0;
}

/// Which edges a search follows.
enum class Follow : std::uint8_t { Everything, CallsAndForwards, Forwards };

struct EdgeFilter {
    const Graph* g = nullptr;
    Follow follow = Follow::Everything;
    bool operator()(const EdgeDesc& d) const {
        const Edge& e = (*g)[d];
        if (!live(e)) return false;
        switch (follow) {
            case Follow::Everything:
                return true;
            case Follow::CallsAndForwards:
                return e.kind == EdgeKind::Call || e.kind == EdgeKind::Forward;
            case Follow::Forwards:
                return e.kind == EdgeKind::Forward;
        }
        return false;
    }
};

using Filtered = boost::filtered_graph<Graph, EdgeFilter>;

/// The strongly connected component of each vertex over the edges `follow`
/// accepts: an edge lies on a cycle exactly when both its ends share one.
std::vector<std::size_t> components(const Graph& g, Follow follow) {
    const Filtered fg(g, EdgeFilter{&g, follow});
    std::vector<std::size_t> comp(boost::num_vertices(g));
    boost::strong_components(
        fg, boost::make_iterator_property_map(comp.begin(), boost::get(boost::vertex_index, g)));
    return comp;
}

/// Breadth-first search from a set of vertices: the edge each vertex was
/// first reached by, so shortest paths can be read back.
class Search {
  public:
    Search(const Graph& g, Follow follow, const std::vector<Vertex>& from)
        : g_(g), reached_(boost::num_vertices(g), false), by_(boost::num_vertices(g)) {
        const Filtered fg(g, EdgeFilter{&g, follow});
        std::vector<boost::default_color_type> colors(boost::num_vertices(g), boost::white_color);
        const auto color =
            boost::make_iterator_property_map(colors.begin(), boost::get(boost::vertex_index, g));
        boost::queue<Vertex> queue;
        Recorder rec{this};
        for (Vertex v : from) {
            if (reached_[v]) continue;
            reached_[v] = true;
            boost::breadth_first_visit(fg, v, queue, rec, color);
        }
    }

    bool reached(Vertex v) const { return reached_[v]; }
    /// What the search cost: its vertex arrays and the edges it examined.
    std::size_t work() const { return reached_.size() + work_; }

    /// The edges from the search's start to `to`, which must be reached.
    std::vector<EdgeDesc> path_to(Vertex to) const {
        std::vector<EdgeDesc> out;
        for (Vertex v = to; by_[v]; v = boost::source(*by_[v], g_))
            out.insert(out.begin(), *by_[v]);
        return out;
    }

  private:
    struct Recorder : boost::default_bfs_visitor {
        Search* s;
        explicit Recorder(Search* self) : s(self) {}
        template <class G>
        void examine_edge(const EdgeDesc&, const G&) const {
            ++s->work_;
        }
        template <class G>
        void tree_edge(const EdgeDesc& e, const G&) const {
            const Vertex t = boost::target(e, s->g_);
            s->reached_[t] = true;
            s->by_[t] = e;
        }
    };

    const Graph& g_;
    std::vector<bool> reached_;
    std::vector<std::optional<EdgeDesc>> by_;
    std::size_t work_ = 0;
};

const char* kCallArrow = " → ";
const char* kForwardArrow = " ⇒ ";

// "a.x → b.y ⇒ a.x": the names along a chain of edges.
std::string spell(const Graph& g, const std::vector<EdgeDesc>& chain) {
    std::string out = g[boost::source(chain.front(), g)].name;
    for (const EdgeDesc& e : chain) {
        out += g[e].kind == EdgeKind::Forward ? kForwardArrow : kCallArrow;
        out += g[boost::target(e, g)].name;
    }
    return out;
}

bool has_forward(const Graph& g, const std::vector<EdgeDesc>& chain) {
    for (const EdgeDesc& e : chain)
        if (g[e].kind == EdgeKind::Forward) return true;
    return false;
}

std::string key_path(const Edge& e) {
    return e.path + (e.kind == EdgeKind::Forward ? ".forward" : ".call");
}

std::string number(double x) {
    std::ostringstream out;
    out.precision(3);
    out << x;
    return out.str();
}

class Checker {
  public:
    explicit Checker(const Topology& t) : t_(t), g_(t.graph()) {}

    std::vector<Finding> run() {
        for (const Unresolved& u : t_.unresolved())
            add(Finding::Severity::Error, u.path, "unknown " + u.what + " \"" + u.target + "\"",
                "the name of a " + u.what + " defined in the scenario");
        call_cycles();
        forward_cycles();
        unreached();
        return std::move(out_);
    }

  private:
    void add(Finding::Severity severity, std::string path, std::string message,
             std::string expected = {}) {
        // Several steps can spell the same chain (two calls to one endpoint):
        // one report of it is enough.
        if (!seen_.insert(message).second) return;
        out_.push_back({severity, std::move(path), std::move(message), std::move(expected)});
    }

    std::vector<EdgeDesc> edges_of(EdgeKind kind) const {
        std::vector<EdgeDesc> out;
        for (auto [it, end] = boost::edges(g_); it != end; ++it)
            if (g_[*it].kind == kind && live(g_[*it])) out.push_back(*it);
        return out;
    }

    // A cycle is the same whichever of its edges it is found from.
    bool first_time(const std::vector<EdgeDesc>& chain) {
        std::set<std::string> edges;
        for (const EdgeDesc& e : chain) edges.insert(key_path(g_[e]));
        std::string key;
        for (const std::string& k : edges) key += k + "\n";
        return cycles_.insert(key).second;
    }

    void call_cycles() {
        const std::vector<std::size_t> comp = components(g_, Follow::CallsAndForwards);
        std::size_t reported = 0;
        for (const EdgeDesc& e : edges_of(EdgeKind::Call)) {
            const Vertex u = boost::source(e, g_);
            const Vertex v = boost::target(e, g_);
            const bool on_cycle = comp[u] == comp[v];
            if (!on_cycle && reentry_work_ > kReentryBudget) continue;
            if (on_cycle && reported >= kMaxCycles) continue;
            const Search from_callee(g_, Follow::CallsAndForwards, {v});
            std::vector<EdgeDesc> chain{e};
            if (!on_cycle) {
                reentry_work_ += from_callee.work();
                reentry(e, from_callee, chain);
                continue;
            }
            for (const EdgeDesc& p : from_callee.path_to(u)) chain.push_back(p);
            if (!first_time(chain)) continue;
            ++reported;
            std::string msg = (u == v ? g_[u].name + " calls itself: " : "call cycle ") +
                              spell(g_, chain) +
                              ": every request on it holds a worker while it waits for the next, "
                              "so none ever finishes (in a real system, a deadlock whatever the "
                              "number of workers)";
            if (has_forward(g_, chain)) msg += "; ⇒ is a forward";
            add(Finding::Severity::Error, key_path(g_[e]), std::move(msg),
                "calls that never lead back to an endpoint waiting for them");
        }
    }

    // The chain from a call back into the caller's own service (not to the
    // caller itself: that is a cycle).
    void reentry(const EdgeDesc& e, const Search& from_callee, std::vector<EdgeDesc> chain) {
        const Vertex u = boost::source(e, g_);
        const Vertex owner = g_[u].owner;
        for (auto [it, end] = boost::vertices(g_); it != end; ++it) {
            const Vertex w = *it;
            if (w == u || g_[w].kind != NodeKind::Endpoint || g_[w].owner != owner ||
                !from_callee.reached(w))
                continue;
            for (const EdgeDesc& p : from_callee.path_to(w)) chain.push_back(p);
            const ServiceSpec& s = t_.service_of(u);
            const double slots = double(s.replicas) * double(s.workers);
            const std::string head = "call chain " + spell(g_, chain) + " comes back to service " +
                                     s.name + " while " + g_[u].name + " holds one of its workers";
            if (slots <= 1.0)
                add(Finding::Severity::Error, key_path(g_[e]),
                    head + "; " + s.name +
                        " has a single worker in all, so the first such request deadlocks",
                    "workers >= 2 on " + s.name + ", or a chain that does not return to it");
            else
                add(Finding::Severity::Warning, key_path(g_[e]),
                    head + ": once all " + number(slots) + " workers of " + s.name +
                        " wait on this chain, it deadlocks");
            return;
        }
    }

    void forward_cycles() {
        const std::vector<std::size_t> comp = components(g_, Follow::Forwards);
        std::size_t reported = 0;
        for (const EdgeDesc& e : edges_of(EdgeKind::Forward)) {
            const Vertex u = boost::source(e, g_);
            if (comp[u] != comp[boost::target(e, g_)] || reported >= kMaxCycles) continue;
            const Search from_target(g_, Follow::Forwards, {boost::target(e, g_)});
            std::vector<EdgeDesc> chain{e};
            for (const EdgeDesc& p : from_target.path_to(u)) chain.push_back(p);
            if (!first_time(chain)) continue;
            ++reported;
            double stay = 1.0;
            for (const EdgeDesc& c : chain) stay *= g_[c].probability;
            const std::string cycle = spell(g_, chain);
            if (stay >= 1.0 - 1e-12)
                add(Finding::Severity::Error, key_path(g_[e]),
                    "forward cycle " + cycle +
                        ": every hand-off on it is unconditional, so a request that enters "
                        "never finishes",
                    "a branch arm that leaves the cycle");
            else
                add(Finding::Severity::Warning, key_path(g_[e]),
                    "requests can go round the forward cycle " + cycle +
                        ": each round goes on with probability " + number(stay) + " (" +
                        number(1.0 / (1.0 - stay)) + " rounds on average)");
        }
    }

    void unreached() {
        std::vector<Vertex> sources;
        for (auto [it, end] = boost::vertices(g_); it != end; ++it)
            if (g_[*it].kind == NodeKind::Source) sources.push_back(*it);
        // Without traffic everything would be "unreached"; the loader says
        // what is missing instead.
        if (sources.empty()) return;
        const Search from_sources(g_, Follow::Everything, sources);
        std::vector<bool> service_used(boost::num_vertices(g_), false);
        for (auto [it, end] = boost::vertices(g_); it != end; ++it)
            if (g_[*it].kind == NodeKind::Endpoint && from_sources.reached(*it))
                service_used[g_[*it].owner] = true;
        for (auto [it, end] = boost::vertices(g_); it != end; ++it) {
            const Node& n = g_[*it];
            switch (n.kind) {
                case NodeKind::Service:
                    if (!service_used[*it])
                        add(Finding::Severity::Warning, n.path,
                            "service " + n.name +
                                " is never used: no traffic source reaches any of its endpoints");
                    break;
                case NodeKind::Endpoint:
                    if (service_used[n.owner] && !from_sources.reached(*it))
                        add(Finding::Severity::Warning, n.path,
                            "no traffic source reaches endpoint " + n.name +
                                ": no source sends to it and no reached endpoint calls it");
                    break;
                case NodeKind::Database:
                case NodeKind::Cache:
                case NodeKind::External:
                case NodeKind::Queue:
                    if (!from_sources.reached(*it))
                        add(Finding::Severity::Warning, n.path,
                            std::string(kind_name(n.kind)) + " " + n.name +
                                " is never used: no step that traffic reaches uses it");
                    break;
                case NodeKind::Source:
                case NodeKind::Pool:
                    break;
            }
        }
    }

    const Topology& t_;
    const Graph& g_;
    // Each cycle costs a search; past this many the user has enough to fix.
    static constexpr std::size_t kMaxCycles = 20;
    // Re-entry costs a search per call; a generated scenario with a hundred
    // thousand chained services would take minutes, so the (advisory) check
    // stops after this much work (see Search::work).
    static constexpr std::size_t kReentryBudget = 20'000'000;

    std::vector<Finding> out_;
    std::set<std::string> seen_;
    std::set<std::string> cycles_;
    std::size_t reentry_work_ = 0;
};

}  // namespace

std::vector<Finding> check(const Topology& topology) {
    return Checker(topology).run();
}

}  // namespace capsim::topology

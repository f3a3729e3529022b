// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/graph/adjacency_list.hpp>

#include "models/model.hpp"

namespace capsim::topology {

/// What a vertex stands for. A new station type is a new value here, a row
/// in kNodeKinds (topology.cpp) and the few lines of Topology's constructor
/// that add its vertices and resolve step targets to it; checks, metrics
/// and DOT work from the graph and need nothing more.
enum class NodeKind : std::uint8_t {
    Source,
    Service,
    Endpoint,
    Pool,
    Database,
    Cache,
    External,
    Queue,
};

/// The word for a node kind in messages and DOT identifiers ("database").
std::string_view kind_name(NodeKind kind);

/// A vertex: one element of the model, named as users write it ("api",
/// "api.checkout", "orders") and located by its key path.
struct Node {
    NodeKind kind = NodeKind::Service;
    std::string name;
    std::string path;
    std::size_t index = 0;  // into the model's vector for this kind (endpoints: within the service)
    std::size_t owner =
        std::numeric_limits<std::size_t>::max();  // endpoints, pools: the service's vertex
};

/// How a request moves along an edge. Entry: a source sends it to an
/// endpoint. Call: a synchronous call; the caller keeps its worker until the
/// callee answers. Forward: a hand-off; the caller's worker is released and
/// the request carries on at the target. Use: a step that waits on a store
/// or an external dependency (query, cache lookup, transaction, a call to an
/// external), or a pool's connections to its database.
enum class EdgeKind : std::uint8_t { Entry, Call, Forward, Use };

/// An edge: one step (or source entry) of the model, located by its key path.
/// Steps repeated by `parallel = N` become one edge counting the copies.
struct Edge {
    EdgeKind kind = EdgeKind::Call;
    std::string path;          // the step's key path (a source: its endpoint or mix entry)
    double probability = 1.0;  // chance one request at the tail takes the step (branch weights)
    double copies = 1.0;       // most times one request takes it: loops at their largest count
};

using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS, Node, Edge>;
using Vertex = Graph::vertex_descriptor;

/// A step whose target names nothing in the model (the loader reports these
/// first; the topology keeps them so a hand-built Model is checked too).
struct Unresolved {
    std::string path;    // the step's key path
    std::string target;  // as written
    std::string what;    // what it should name: "endpoint", "database", ...
};

/// The graph of a scenario: traffic sources, services and their endpoints,
/// pools, databases, caches and externals as vertices; entries, calls,
/// forwards and uses as edges, in model order (so everything derived from
/// it is deterministic). Built from the plain-data Model, which it keeps a
/// reference to: the Model must outlive it.
class Topology {
  public:
    explicit Topology(const Model& model);

    const Model& model() const { return model_; }
    const Graph& graph() const { return g_; }
    const std::vector<Unresolved>& unresolved() const { return unresolved_; }
    /// The vertex of a node by kind and name, if there is one.
    std::optional<Vertex> find(NodeKind kind, std::string_view name) const;
    /// The service that serves an endpoint or owns a pool.
    const ServiceSpec& service_of(Vertex v) const;
    /// The endpoint's step program.
    const EndpointSpec& endpoint(Vertex v) const;

  private:
    Vertex add(Node n);
    void add_steps(Vertex from, const ServiceSpec& svc, const BlockSpec& block, double probability,
                   double copies);
    void add_edge(Vertex from, Vertex to, EdgeKind kind, const std::string& path,
                  double probability, double copies);

    const Model& model_;
    Graph g_;
    std::vector<Unresolved> unresolved_;
    std::map<std::pair<NodeKind, std::string>, Vertex> index_;
};

/// The largest value a count law can draw, rounded as loops round it;
/// +inf for laws without an upper bound (exp, normal, ...).
double largest_count(const Law& law);

}  // namespace capsim::topology

// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#include "topology/dot.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>
#include <tuple>
#include <utility>
#include <vector>

namespace capsim::topology {

namespace {

// A DOT double-quoted string: quotes and backslashes escaped, so any name a
// TOML key can hold stays one token.
std::string quoted(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out += c;
    }
    return out + "\"";
}

std::string id(const Node& n) {
    return quoted(std::string(kind_name(n.kind)) + ":" + n.name);
}

std::string num(double x) {
    std::ostringstream out;
    out.precision(4);
    out << x;
    return out.str();
}

std::string capacity(const ServiceSpec& s) {
    return std::to_string(s.replicas) + "×" + std::to_string(s.workers) + "w×" +
           std::to_string(s.cores) + "c";
}

std::string source_label(const Model& m, const SourceSpec& s) {
    switch (s.kind) {
        case SourceKind::Open: {
            // A shaped rate is shown by its mean over the run.
            const bool constant =
                s.shape.kind == RateShape::Kind::Piecewise && s.shape.rate.size() == 1;
            return s.name + "\n" + (constant ? "" : "mean ") +
                   num(s.shape.mean_rate(m.run.duration)) + "/s";
        }
        case SourceKind::Closed:
            return s.name + "\n" + std::to_string(s.users) + " users";
        case SourceKind::Trace:
            return s.name + "\ntrace, " + std::to_string(s.timestamps.size()) + " arrivals";
    }
    return s.name;
}

/// How each kind of vertex is drawn and labelled.
std::string attributes(const Topology& t, const Node& n) {
    const Model& m = t.model();
    switch (n.kind) {
        case NodeKind::Source:
            return "shape=cds, style=filled, fillcolor=\"#fdf1d8\", label=" +
                   quoted(source_label(m, m.sources[n.index]));
        case NodeKind::Service:
            return {};
        case NodeKind::Endpoint:
            return "shape=box, style=\"rounded,filled\", fillcolor=white, label=" +
                   quoted(n.name.substr(n.name.find('.') + 1));
        case NodeKind::Pool: {
            const ServiceSpec& s = m.services[t.graph()[n.owner].index];
            const PoolSpec& p = s.pools[n.index];
            return "shape=parallelogram, style=filled, fillcolor=\"#e8f4ea\", label=" +
                   quoted(p.size == 0 ? "no pool → " + p.target
                                      : "pool " + std::to_string(p.size) + " → " + p.target);
        }
        case NodeKind::Database: {
            const DatabaseSpec& d = m.databases[n.index];
            return "shape=cylinder, style=filled, fillcolor=\"#e6eefb\", label=" +
                   quoted(d.name + "\n" + std::to_string(d.cores) + "c, " +
                          std::to_string(d.max_connections) + " conns");
        }
        case NodeKind::Cache: {
            const CacheSpec& c = m.caches[n.index];
            return "shape=cylinder, style=filled, fillcolor=\"#fbe9e6\", label=" +
                   quoted(c.name + "\n" + std::to_string(c.cores) + "c, " +
                          std::to_string(c.capacity) + " entries");
        }
        case NodeKind::External:
            return "shape=component, style=filled, fillcolor=\"#eeeeee\", label=" + quoted(n.name);
        case NodeKind::Queue: {
            const QueueSpec& q = m.queues[n.index];
            const std::string cap =
                q.capacity == QueueSpec::kUnbounded ? "unbounded" : std::to_string(q.capacity);
            return "shape=cds, style=filled, fillcolor=\"#f3e8fb\", label=" +
                   quoted(q.name + "\n" + cap + ", " + std::to_string(q.max_attempts) +
                          " attempts");
        }
    }
    return {};
}

std::string edge_attributes(const Edge& e) {
    std::string style;
    switch (e.kind) {
        case EdgeKind::Entry:
            style = "color=\"#b07d10\"";
            break;
        case EdgeKind::Call:
            break;
        case EdgeKind::Forward:
            style = "style=dashed";
            break;
        case EdgeKind::Use:
            style = "style=dotted";
            break;
    }
    std::string label;
    if (std::isinf(e.copies))
        label = "×∞";
    else if (e.copies != 1.0)
        label = "×" + num(e.copies);
    if (e.probability < 1.0)
        label += (label.empty() ? "" : " ") + std::string("p=") + num(e.probability);
    if (!label.empty())
        style += (style.empty() ? "" : ", ") + std::string("label=") + quoted(label);
    return style;
}

}  // namespace

std::string to_dot(const Topology& t) {
    const Graph& g = t.graph();
    std::ostringstream out;
    out << "digraph " << quoted(t.model().name) << " {\n"
        << "  graph [rankdir=LR, fontname=\"Helvetica\", fontsize=11, nodesep=0.25, "
           "ranksep=0.6];\n"
        << "  node [fontname=\"Helvetica\", fontsize=10];\n"
        << "  edge [fontname=\"Helvetica\", fontsize=9];\n";
    // Endpoints and pools sit inside their service's box.
    std::map<Vertex, std::vector<Vertex>> members;
    for (auto [it, end] = boost::vertices(g); it != end; ++it)
        if (g[*it].kind == NodeKind::Endpoint || g[*it].kind == NodeKind::Pool)
            members[g[*it].owner].push_back(*it);
    std::size_t cluster = 0;
    for (auto [it, end] = boost::vertices(g); it != end; ++it) {
        const Node& n = g[*it];
        if (n.kind == NodeKind::Service) {
            const ServiceSpec& s = t.model().services[n.index];
            out << "  subgraph cluster_" << cluster++ << " {\n"
                << "    label=" << quoted(n.name + "  " + capacity(s))
                << "; style=\"rounded,filled\"; fillcolor=\"#eef3fb\"; color=\"#7f9cc9\";\n";
            for (Vertex v : members[*it])
                out << "    " << id(g[v]) << " [" << attributes(t, g[v]) << "];\n";
            out << "  }\n";
        } else if (n.kind != NodeKind::Endpoint && n.kind != NodeKind::Pool) {
            out << "  " << id(n) << " [" << attributes(t, n) << "];\n";
        }
    }
    // Several steps from one endpoint to one station draw as one arrow
    // counting them all; a lone step keeps its branch probability.
    std::vector<std::pair<std::tuple<Vertex, Vertex, EdgeKind>, Edge>> arrows;
    for (auto [it, end] = boost::edges(g); it != end; ++it) {
        const auto key = std::make_tuple(boost::source(*it, g), boost::target(*it, g), g[*it].kind);
        auto same = std::find_if(arrows.begin(), arrows.end(),
                                 [&](const auto& a) { return a.first == key; });
        if (same == arrows.end()) {
            arrows.emplace_back(key, g[*it]);
        } else {
            same->second.copies += g[*it].copies;
            same->second.probability = 1.0;
        }
    }
    for (const auto& [key, e] : arrows) {
        out << "  " << id(g[std::get<0>(key)]) << " -> " << id(g[std::get<1>(key)]);
        const std::string attrs = edge_attributes(e);
        if (!attrs.empty()) out << " [" << attrs << "]";
        out << ";\n";
    }
    out << "}\n";
    return out.str();
}

}  // namespace capsim::topology

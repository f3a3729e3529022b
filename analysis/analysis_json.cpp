// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#include "analysis/analysis.hpp"
#include "engine/json_writer.hpp"

namespace capsim::analysis {

namespace {

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

void resource(JsonWriter& w, const Analysis& a, std::uint32_t k) {
    const Resource& r = a.demands.resources[k];
    const ResourceLoad& l = a.bottleneck.loads[k];
    w.begin_object();
    w.key("station").value(r.station);
    w.key("resource").value(r.kind_name());
    w.key("replicas").value(r.replicas);
    w.key("per_replica").value(r.per_replica);
    w.key("capacity").value(r.capacity());
    w.key("demand").value(l.demand);
    w.key("x_max").value(l.x_max);
    w.key("utilization").value(l.utilization);
    w.key("peak_utilization").value(l.peak_utilization);
    w.key("sheds").value(static_cast<bool>(a.demands.sheds[k]));
    w.end_object();
}

void closed(JsonWriter& w, const ClosedBounds& c) {
    w.begin_object();
    w.key("users").value(c.users);
    w.key("think").value(c.think);
    w.key("response0").value(c.response0);
    w.key("x_max").value(c.x_max);
    w.key("n_star").value(c.n_star);
    w.key("throughput").begin_object();
    w.key("lower").value(c.x_lower);
    w.key("upper").value(c.x_upper);
    w.key("balanced_lower").value(c.bjb_x_lower);
    w.key("balanced_upper").value(c.bjb_x_upper);
    w.end_object();
    w.key("response").begin_object();
    w.key("lower").value(c.r_lower);
    w.key("upper").value(c.r_upper);
    w.key("balanced_lower").value(c.bjb_r_lower);
    w.key("balanced_upper").value(c.bjb_r_upper);
    w.end_object();
    w.key("balanced_exact").value(c.balanced_exact);
    w.end_object();
}

}  // namespace

std::string to_json(const Analysis& a) {
    const Model& m = a.demands.model->model;
    const Bottleneck& b = a.bottleneck;
    JsonWriter w;
    w.begin_object();
    w.key("schema").value("capsim.analysis/1");
    w.key("scenario").value(m.name);
    w.key("run").begin_object();
    w.key("duration").value(m.run.duration);
    w.key("warmup").value(m.run.warmup);
    w.key("replications").value(m.run.replications);
    w.key("seed").value(m.run.seed);
    w.end_object();
    w.key("method").value(method_name(a.method));
    w.key("offered").value(b.offered);
    w.key("peak_offered").value(b.peak_offered);
    w.key("x_max").value(b.x_max);
    w.key("headroom").value(b.headroom);
    w.key("bottleneck");
    if (b.order.empty()) {
        w.null();
    } else {
        const Resource& r = a.demands.resources[b.order.front()];
        w.begin_object();
        w.key("station").value(r.station);
        w.key("resource").value(r.kind_name());
        w.end_object();
    }
    w.key("saturation_order").begin_array();
    for (std::uint32_t k : b.order) resource(w, a, k);
    w.end_array();
    w.key("resources").begin_array();
    for (std::uint32_t k = 0; k < a.demands.resources.size(); ++k) resource(w, a, k);
    w.end_array();

    w.key("sources").begin_array();
    for (std::size_t k = 0; k < a.sources.size(); ++k) {
        const SourceLoad& s = a.sources[k];
        w.begin_object();
        w.key("name").value(s.name);
        w.key("kind").value(source_kind(s.kind));
        w.key("rate").value(s.rate);
        w.key("peak_rate").value(s.peak_rate);
        w.key("admitted").value(s.admitted);
        if (s.kind == SourceKind::Closed) {
            w.key("users").value(s.users);
            w.key("think").value(s.think);
        }
        w.key("response0").value(s.response0);
        w.key("response").value(s.response);
        w.key("mix").begin_array();
        for (const auto& [e, p] : a.demands.sources[k].entries) {
            w.begin_object();
            w.key("endpoint").value(a.demands.endpoints[e].name);
            w.key("weight").value(p);
            w.end_object();
        }
        w.end_array();
        w.end_object();
    }
    w.end_array();

    w.key("closed");
    if (a.closed)
        closed(w, *a.closed);
    else
        w.null();
    w.key("mva");
    if (a.mva) {
        w.begin_object();
        w.key("throughput").value(a.mva->throughput);
        w.key("response").value(a.mva->response);
        w.key("stations").begin_array();
        for (std::size_t i = 0; i < a.mva_stations.size(); ++i) {
            const MvaStation& s = a.mva_stations[i];
            w.begin_object();
            if (a.mva_resource[i] < a.demands.resources.size()) {
                w.key("station").value(a.demands.resources[a.mva_resource[i]].station);
                w.key("servers").value(s.servers);
                w.key("copies").value(s.copies);
            } else {
                w.key("station").value("(delay)");
                w.key("servers").null();
                w.key("copies").value(1);
            }
            w.key("demand").value(s.demand);
            w.key("residence").value(a.mva->residence[i]);
            w.key("queue").value(a.mva->queue[i]);
            w.key("utilization").value(a.mva->utilization[i]);
            w.end_object();
        }
        w.end_array();
        w.end_object();
    } else {
        w.null();
    }

    w.key("stations").begin_array();
    for (std::size_t s = 0; s < a.stations.size(); ++s) {
        const StationEstimate& st = a.stations[s];
        w.begin_object();
        w.key("name").value(m.services[s].name);
        w.key("throughput").value(st.throughput);
        w.key("core_utilization").value(st.core_utilization);
        w.key("worker_utilization").value(st.worker_utilization);
        w.key("wait").value(st.wait);
        w.key("in_system").value(st.in_system);
        w.key("cpu_stretch").value(st.cpu_stretch);
        if (!st.per_replica.empty()) {
            w.key("per_replica").begin_array();
            for (const ReplicaEstimate& r : st.per_replica) {
                w.begin_object();
                w.key("name").value(r.name);
                w.key("throughput").value(r.throughput);
                w.key("core_utilization").value(r.core_utilization);
                w.key("worker_utilization").value(r.worker_utilization);
                w.end_object();
            }
            w.end_array();
        }
        w.end_object();
    }
    w.end_array();

    w.key("endpoints").begin_array();
    for (std::size_t x = 0; x < a.endpoints.size(); ++x) {
        const EndpointEstimate& e = a.endpoints[x];
        const EndpointProfile& p = a.demands.endpoints[x];
        w.begin_object();
        w.key("name").value(p.name);
        w.key("service").value(m.services[p.service].name);
        w.key("rate").value(e.rate);
        w.key("executions").value(e.executions);
        w.key("cpu").value(p.cpu);
        w.key("delay").value(p.delay);
        w.key("response0").value(e.response0);
        w.key("hold0").value(e.hold0);
        w.key("response").value(e.response);
        w.key("hold").value(e.hold);
        w.end_object();
    }
    w.end_array();

    w.key("slos").begin_array();
    for (const SloSpec& slo : m.slos) w.value(slo.text);
    w.end_array();
    w.key("notes").begin_array();
    for (const std::string& n : a.notes) w.value(n);
    w.end_array();
    w.end_object();
    std::string out = w.str();
    out += '\n';
    return out;
}

}  // namespace capsim::analysis

// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#include "models/analytic_report.hpp"

namespace capsim {

void write_analytic(JsonWriter& w, const AnalyticReport& a) {
    if (!a.present) {
        w.null();
        return;
    }
    w.begin_object();
    w.key("method").value(a.method);
    w.key("offered").value(a.offered);
    w.key("x_max").value(a.x_max);
    w.key("headroom").value(a.headroom);
    w.key("bottleneck").begin_object();
    w.key("station").value(a.bottleneck_station);
    w.key("resource").value(a.bottleneck_resource);
    w.end_object();
    w.key("comparison").begin_array();
    for (const AnalyticRow& r : a.rows) {
        w.begin_object();
        w.key("kind").value(r.kind);
        w.key("name").value(r.name);
        w.key("quantity").value(r.quantity);
        w.key("analytic").value(r.analytic);
        w.key("simulated").begin_object();
        w.key("mean").value(r.simulated.mean);
        w.key("ci").value(r.simulated.half_width);
        w.end_object();
        w.key("tolerance").value(r.tolerance);
        w.key("verdict").value(r.verdict);
        w.key("reasons").begin_array();
        for (const std::string& s : r.reasons) w.value(s);
        w.end_array();
        w.end_object();
    }
    w.end_array();
    w.key("notes").begin_array();
    for (const std::string& n : a.notes) w.value(n);
    w.end_array();
    w.end_object();
}

}  // namespace capsim

// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
//
// A service's autoscale and cold_start tables.
#include "scenario/loader_parts.hpp"

namespace capsim::scenario {

namespace {

using Words = std::vector<std::string>;

const Words kAutoscaleKeys = {
    "metric",  "target", "interval",        "tolerance",    "min",      "max",
    "max_out", "max_in", "scale_in_window", "provisioning", "schedule", "scale_out_cooldown"};

using Metric = AutoscaleSpec::Metric;

bool positive_duration(TableReader& rd, const toml::table& t, const std::string& path,
                       const char* key, double& out) {
    if (!t.get(key)) return true;
    const auto d = rd.duration(t, path, key);
    if (!d) return false;
    if (!(*d > 0.0)) {
        rd.error(t.get(key), TableReader::join(path, key), std::string(key) + " must be above 0",
                 "\"15s\"");
        return false;
    }
    out = *d;
    return true;
}

bool load_schedule(TableReader& rd, const toml::node& n, const std::string& path,
                   AutoscaleSpec& a) {
    const auto* arr = n.as_array();
    if (!arr) {
        rd.error(&n, path, "expected an array of floors",
                 "schedule = [ { at = \"9m\", min = 12 }, { at = \"40m\", min = 2 } ]");
        return false;
    }
    bool ok = true;
    for (std::size_t i = 0; i < arr->size(); ++i) {
        const std::string fp = TableReader::index(path, i);
        const auto* ft = (*arr)[i].as_table();
        if (!ft) {
            rd.error(&(*arr)[i], fp, "expected a table", "{ at = \"9m\", min = 12 }");
            ok = false;
            continue;
        }
        rd.check_keys(*ft, fp, {"at", "min"});
        const auto at = rd.duration(*ft, fp, "at");
        const auto min = rd.integer(*ft, fp, "min", 0, 100000);
        if (!at || !min) {
            if (!ft->get("at") || !ft->get("min"))
                rd.error(ft, fp, "a floor needs its time and its replicas",
                         "{ at = \"9m\", min = 12 }");
            ok = false;
            continue;
        }
        if (!a.schedule.empty() && *at <= a.schedule.back().at) {
            rd.error(ft->get("at"), fp + ".at", "floors must be in time order", "a later `at`");
            ok = false;
            continue;
        }
        a.schedule.push_back({*at, static_cast<std::uint32_t>(*min)});
    }
    return ok;
}

}  // namespace

std::optional<AutoscaleSpec> load_autoscale(TableReader& rd, const toml::table& t,
                                            const std::string& path) {
    rd.check_keys(t, path, kAutoscaleKeys);
    AutoscaleSpec a;
    bool ok = true;
    if (auto m = rd.choice<Metric>(t, path, "metric",
                                   {{"cpu", Metric::Cpu},
                                    {"workers", Metric::Workers},
                                    {"in_flight", Metric::InFlight},
                                    {"queue", Metric::Queue},
                                    {"rate", Metric::Rate}}))
        a.metric = *m;
    else if (t.get("metric"))
        ok = false;
    if (const toml::node* n = t.get("target")) {
        // A rate target is written as a rate ("50/s"); the others as numbers.
        std::optional<double> v;
        if (a.metric == Metric::Rate)
            v = rd.rate_of(*n, path + ".target");
        else if (a.metric == Metric::Cpu || a.metric == Metric::Workers)
            v = rd.fraction(t, path, "target");
        else
            v = rd.number(t, path, "target", 0.0, 1e9);
        if (!v) {
            ok = false;
        } else if (!(*v > 0.0)) {
            rd.error(n, path + ".target", "a target must be above 0", "target = 0.6");
            ok = false;
        } else {
            a.target = *v;
        }
    } else {
        rd.error(&t, path + ".target", "an autoscaler needs its target",
                 "target = 0.6 (cpu, workers), 20 (in_flight, queue) or \"50/s\" (rate)");
        ok = false;
    }
    if (auto v = rd.integer(t, path, "min", 1, 100000)) a.min = static_cast<std::uint32_t>(*v);
    if (!t.get("max")) {
        rd.error(&t, path + ".max", "an autoscaler needs its max replicas", "max = 20");
        ok = false;
    } else if (auto v = rd.integer(t, path, "max", 1, 100000)) {
        a.max = static_cast<std::uint32_t>(*v);
    } else {
        ok = false;
    }
    if (ok && a.min > a.max) {
        rd.error(t.get("min"), path + ".min", "min is above max", "min <= max");
        ok = false;
    }
    if (auto v = rd.integer(t, path, "max_out", 0, 100000)) a.max_out = std::uint32_t(*v);
    if (auto v = rd.integer(t, path, "max_in", 0, 100000)) a.max_in = std::uint32_t(*v);
    if (auto v = rd.fraction(t, path, "tolerance")) a.tolerance = *v;
    ok = positive_duration(rd, t, path, "interval", a.interval) && ok;
    ok = positive_duration(rd, t, path, "provisioning", a.provisioning) && ok;
    ok = positive_duration(rd, t, path, "scale_in_window", a.scale_in_window) && ok;
    ok = positive_duration(rd, t, path, "scale_out_cooldown", a.scale_out_cooldown) && ok;
    if (const toml::node* s = t.get("schedule"))
        ok = load_schedule(rd, *s, path + ".schedule", a) && ok;
    for (const AutoscaleSpec::Floor& f : a.schedule)
        if (f.min > a.max) {
            rd.error(t.get("schedule"), path + ".schedule", "a scheduled floor is above max",
                     "min <= " + std::to_string(a.max));
            ok = false;
        }
    if (!ok) return std::nullopt;
    return a;
}

std::optional<ColdStartSpec> load_cold_start(TableReader& rd, const toml::table& t,
                                             const std::string& path) {
    rd.check_keys(t, path, {"duration", "factor"});
    ColdStartSpec c;
    if (!t.get("duration") || !t.get("factor")) {
        rd.error(&t, path, "a cold start needs its duration and its factor",
                 "cold_start = { duration = \"60s\", factor = 2 }");
        return std::nullopt;
    }
    bool ok = positive_duration(rd, t, path, "duration", c.duration);
    if (auto f = rd.number(t, path, "factor", 1.0, 1000.0))
        c.factor = *f;
    else
        ok = false;
    if (!ok) return std::nullopt;
    return c;
}

}  // namespace capsim::scenario

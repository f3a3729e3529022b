// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#include <algorithm>
#include <cmath>
#include <fstream>

#include "scenario/csv_column.hpp"
#include "scenario/loader_parts.hpp"

namespace capsim::scenario {

namespace {

using Words = std::vector<std::string>;

const Words kSourceKeys = {
    "rate",   "interarrival", "shape",   "users", "think",   "mix",      "endpoint",
    "class",  "priority",     "timeout", "retry", "breaker", "fallback", "propagate_deadline",
    "clients"};
const Words kShapeKinds = {"constant", "ramp", "step", "spike", "diurnal", "bursty", "trace"};

class TrafficLoader {
  public:
    TrafficLoader(TableReader& rd, Model& m, std::vector<Reference>& refs)
        : rd_(rd), m_(m), refs_(refs) {}

    void load(const toml::table& root) {
        const toml::node* traffic = root.get("traffic");
        if (!traffic) {
            rd_.error(nullptr, "traffic", "a scenario needs at least one traffic source",
                      "a [traffic.NAME] table with a rate and an endpoint");
            return;
        }
        const auto* t = traffic->as_table();
        if (!t || t->empty()) {
            rd_.error(traffic, "traffic", "a scenario needs at least one traffic source",
                      "a [traffic.NAME] table with a rate and an endpoint");
            return;
        }
        // A request keeps its source in 16 bits (see models/task.hpp).
        if (t->size() > 65535) {
            rd_.error(traffic, "traffic", "more than 65,535 traffic sources",
                      "fewer sources; a source's clients can stand for many callers");
            return;
        }
        for (const auto& [k, v] : *t) source(std::string(k.str()), v);
    }

  private:
    void source(const std::string& name, const toml::node& node) {
        SourceSpec s;
        s.name = name;
        s.path = "traffic." + name;
        const std::string& p = s.path;
        const auto* t = node.as_table();
        if (!t) {
            rd_.error(&node, p, "expected a table, found " + TableReader::type_name(node),
                      "a [" + p + "] table");
            return;
        }
        rd_.check_keys(*t, p, kSourceKeys);
        mix(*t, s);
        load_policy(rd_, *t, p, nullptr, s.client);
        if (auto v = rd_.integer(*t, p, "clients", 1, 1000000000)) s.clients = std::uint32_t(*v);
        if (auto c = rd_.string(*t, p, "class"))
            s.client_class = *c;
        else
            s.client_class = name;
        if (auto v = rd_.integer(*t, p, "priority", 0, 255))
            s.priority = static_cast<std::uint8_t>(*v);

        const bool closed = t->contains("users");
        const int given = int(t->contains("rate")) + int(t->contains("shape")) + int(closed);
        // interarrival alone is a renewal source at rate 1/mean.
        const bool renewal = given == 0 && t->contains("interarrival");
        if (given != 1 && !renewal) {
            rd_.error(&node, p,
                      given == 0 ? "a source needs a rate, a shape or users"
                                 : "give only one of rate, shape and users",
                      "rate = \"200/s\", or shape = { kind = \"spike\", ... }, or users = 50 "
                      "with think = \"exp(1s)\"");
            return;
        }
        if (closed) {
            s.kind = SourceKind::Closed;
            if (auto v = rd_.integer(*t, p, "users", 1, 10000000)) s.users = std::uint32_t(*v);
            if (auto law = rd_.law(*t, p, "think", Dimension::Time))
                s.think = std::move(*law);
            else if (!t->contains("think"))
                rd_.error(&node, p + ".think", "closed-loop users need a think time",
                          "think = \"exp(1s)\"");
            if (t->contains("interarrival"))
                rd_.error(t->get("interarrival"), p + ".interarrival",
                          "closed-loop users have a think time, not an inter-arrival law");
            m_.sources.push_back(std::move(s));
            return;
        }
        if (t->contains("think"))
            rd_.error(t->get("think"), p + ".think", "think is for closed-loop users (users = N)",
                      "users = 50 with think = \"exp(1s)\", or no think for an open source");
        s.interarrival = Law::exponential(1.0);
        s.interarrival.text = "poisson";
        if (auto law = rd_.law(*t, p, "interarrival", Dimension::Time)) {
            s.interarrival = std::move(*law);
            if (!(s.interarrival.mean() > 0.0)) {
                rd_.error(t->get("interarrival"), p + ".interarrival",
                          "the inter-arrival law needs a mean > 0");
                return;
            }
            if (!t->contains("shape")) s.shape = RateShape::constant(1.0 / s.interarrival.mean());
        }
        if (const toml::node* r = t->get("rate")) {
            if (t->contains("interarrival")) {
                rd_.error(r, p + ".rate",
                          "give either rate (Poisson arrivals) or interarrival (a renewal "
                          "process with that law), not both",
                          "rate = \"200/s\" or interarrival = \"gamma(shape=2, mean=5ms)\"");
                return;
            }
            if (auto v = rd_.rate_of(*r, p + ".rate")) s.shape = RateShape::constant(*v);
        }
        if (const toml::node* sh = t->get("shape")) shape(*sh, p + ".shape", s);
        m_.sources.push_back(std::move(s));
    }

    void mix(const toml::table& t, SourceSpec& s) {
        const std::string& p = s.path;
        const toml::node* ep = t.get("endpoint");
        const toml::node* mx = t.get("mix");
        if (bool(ep) == bool(mx)) {
            rd_.error(&t, p, ep ? "give endpoint or mix, not both" : "a source needs an endpoint",
                      "endpoint = \"api.checkout\", or mix = { \"api.checkout\" = 0.2, "
                      "\"api.browse\" = 0.8 }");
            return;
        }
        if (ep) {
            if (auto name = rd_.string(t, p, "endpoint")) {
                s.mix.push_back(MixEntry{*name, 1.0});
                refs_.push_back(Reference{ep, p + ".endpoint", *name});
            }
            return;
        }
        const auto* mt = mx->as_table();
        if (!mt || mt->empty()) {
            rd_.error(mx, p + ".mix", "expected a table of endpoint weights",
                      "mix = { \"api.checkout\" = 0.2, \"api.browse\" = 0.8 }");
            return;
        }
        double total = 0.0;
        for (const auto& [k, v] : *mt) {
            const std::string name(k.str());
            const std::string kp = TableReader::join(p + ".mix", name);
            const double w = v.value<double>().value_or(-1.0);
            if (!v.is_number() || !(w >= 0.0) || !std::isfinite(w)) {
                rd_.error(&v, kp, "a mix weight must be a number >= 0", "a weight such as 0.2");
                continue;
            }
            total += w;
            s.mix.push_back(MixEntry{name, w});
            refs_.push_back(Reference{&v, kp, name});
        }
        if (!s.mix.empty() && !(total > 0.0))
            rd_.error(mx, p + ".mix", "mix weights sum to 0", "positive weights");
    }

    // Knots of a piecewise-linear rate; errors if times go backwards.
    static void knot(RateShape& s, double time, double rate) {
        s.t.push_back(time);
        s.rate.push_back(rate);
    }

    void shape(const toml::node& node, const std::string& p, SourceSpec& src) {
        const auto* t = node.as_table();
        if (!t) {
            rd_.error(&node, p, "expected a shape table",
                      "{ kind = \"spike\", base = \"100/s\", ... }");
            return;
        }
        const auto kind = rd_.string(*t, p, "kind");
        if (!kind) {
            if (!t->contains("kind"))
                rd_.error(&node, p + ".kind", "a shape needs a kind",
                          TableReader::one_of(kShapeKinds));
            return;
        }
        RateShape s;
        s.t.clear();
        s.rate.clear();
        auto need_rate = [&](const char* key) -> double {
            if (!t->contains(key)) {
                rd_.error(&node, TableReader::join(p, key),
                          std::string("a ") + *kind + " shape needs " + key,
                          "a rate such as \"100/s\"");
                return 0.0;
            }
            return rd_.rate(*t, p, key).value_or(0.0);
        };
        auto need_time = [&](const char* key, std::optional<double> fallback) -> double {
            if (!t->contains(key)) {
                if (fallback) return *fallback;
                rd_.error(&node, TableReader::join(p, key),
                          std::string("a ") + *kind + " shape needs " + key,
                          "a duration such as \"30s\"");
                return 0.0;
            }
            return rd_.duration(*t, p, key).value_or(0.0);
        };
        if (*kind == "constant") {
            rd_.check_keys(*t, p, {"kind", "rate"});
            knot(s, 0.0, need_rate("rate"));
        } else if (*kind == "ramp") {
            rd_.check_keys(*t, p, {"kind", "from", "to", "start", "duration"});
            const double from = need_rate("from"), to = need_rate("to");
            const double start = need_time("start", 0.0), len = need_time("duration", std::nullopt);
            knot(s, start, from);
            knot(s, start + len, to);
        } else if (*kind == "spike") {
            rd_.check_keys(*t, p, {"kind", "base", "peak", "start", "rise", "hold", "decay"});
            const double base = need_rate("base"), peak = need_rate("peak");
            const double start = need_time("start", std::nullopt), rise = need_time("rise", 0.0);
            const double hold = need_time("hold", std::nullopt), decay = need_time("decay", 0.0);
            knot(s, start, base);
            knot(s, start + rise, peak);
            knot(s, start + rise + hold, peak);
            knot(s, start + rise + hold + decay, base);
        } else if (*kind == "step") {
            rd_.check_keys(*t, p, {"kind", "steps"});
            steps(*t, p, s);
        } else if (*kind == "diurnal") {
            diurnal(*t, p, s);
        } else if (*kind == "bursty") {
            rd_.check_keys(*t, p, {"kind", "base", "burst", "base_duration", "burst_duration"});
            s.kind = RateShape::Kind::Mmpp;
            s.mmpp_rate[0] = need_rate("base");
            s.mmpp_rate[1] = need_rate("burst");
            s.mmpp_sojourn[0] = need_time("base_duration", std::nullopt);
            s.mmpp_sojourn[1] = need_time("burst_duration", std::nullopt);
            for (double d : s.mmpp_sojourn)
                if (!(d > 0.0))
                    rd_.error(&node, p, "bursty state durations must be > 0",
                              "durations such as \"30s\"");
            if (!src.interarrival.text.empty() && src.interarrival.text != "poisson")
                rd_.error(&node, p, "a bursty (MMPP) source is Poisson within each state",
                          "no interarrival key next to a bursty shape");
        } else if (*kind == "trace") {
            trace(*t, p, s, src);
        } else {
            rd_.error(t->get("kind"), p + ".kind", "unknown shape \"" + *kind + "\"",
                      TableReader::one_of(kShapeKinds), TableReader::suggest(*kind, kShapeKinds));
            return;
        }
        if (s.kind == RateShape::Kind::Piecewise) {
            if (s.t.empty()) return;
            for (std::size_t i = 1; i < s.t.size(); ++i)
                if (s.t[i] < s.t[i - 1]) {
                    rd_.error(&node, p, "the shape's times go backwards", "increasing times");
                    return;
                }
        }
        src.shape = std::move(s);
    }

    void steps(const toml::table& t, const std::string& p, RateShape& s) {
        const toml::node* n = t.get("steps");
        const auto* a = n ? n->as_array() : nullptr;
        if (!a || a->empty()) {
            rd_.error(n ? n : &t, p + ".steps", "a step shape needs a list of steps",
                      "steps = [ { at = \"0s\", rate = \"100/s\" }, { at = \"60s\", rate = "
                      "\"300/s\" } ]");
            return;
        }
        double prev = 0.0;
        double prev_at = 0.0;
        for (std::size_t i = 0; i < a->size(); ++i) {
            const std::string sp = TableReader::index(p + ".steps", i);
            const auto* st = (*a)[i].as_table();
            if (!st) {
                rd_.error(&(*a)[i], sp, "expected { at = ..., rate = ... }");
                continue;
            }
            rd_.check_keys(*st, sp, {"at", "rate"});
            for (const char* key : {"at", "rate"})
                if (!st->contains(key))
                    rd_.error(st, TableReader::join(sp, key), std::string("a step needs ") + key,
                              "{ at = \"60s\", rate = \"300/s\" }");
            const double at = rd_.duration(*st, sp, "at").value_or(prev_at);
            const double r = rd_.rate(*st, sp, "rate").value_or(prev);
            prev_at = at;
            // A jump: the old rate holds until `at`, then the new one.
            if (i > 0) knot(s, at, prev);
            knot(s, at, r);
            prev = r;
        }
    }

    void diurnal(const toml::table& t, const std::string& p, RateShape& s) {
        rd_.check_keys(t, p, {"kind", "mean", "amplitude", "peak", "period", "hourly"});
        const double period = rd_.duration(t, p, "period").value_or(86400.0);
        if (!(period > 0.0)) {
            rd_.error(t.get("period"), p + ".period", "period must be > 0");
            return;
        }
        if (const toml::node* h = t.get("hourly")) {
            const auto* a = h->as_array();
            if (!a || a->size() < 2) {
                rd_.error(h, p + ".hourly", "expected a list of rates, one per hour",
                          "hourly = [\"50/s\", \"40/s\", ...] (24 values for a 24h period)");
                return;
            }
            s.period = period;
            const double step = period / static_cast<double>(a->size());
            for (std::size_t i = 0; i < a->size(); ++i)
                knot(s, step * static_cast<double>(i),
                     rd_.rate_of((*a)[i], TableReader::index(p + ".hourly", i)).value_or(0.0));
            knot(s, period, s.rate.front());  // wrap smoothly into the next day
            return;
        }
        s.kind = RateShape::Kind::Sinusoid;
        s.period = period;
        s.mean = rd_.rate(t, p, "mean").value_or(0.0);
        s.amplitude = rd_.rate(t, p, "amplitude").value_or(0.0);
        s.peak = rd_.duration(t, p, "peak").value_or(period * 14.0 / 24.0);
        if (!t.contains("mean"))
            rd_.error(&t, p + ".mean", "a diurnal shape needs mean (or hourly)",
                      "mean = \"200/s\"");
        if (s.amplitude > s.mean)
            rd_.error(t.get("amplitude"), p + ".amplitude",
                      "amplitude larger than the mean would make the rate negative",
                      "an amplitude <= mean");
    }

    void trace(const toml::table& t, const std::string& p, RateShape& s, SourceSpec& src) {
        rd_.check_keys(t, p, {"kind", "file", "format", "interval", "unit"});
        const auto file = rd_.string(t, p, "file");
        if (!file) {
            if (!t.contains("file"))
                rd_.error(&t, p + ".file", "a trace needs a file", "file = \"trace.csv\"");
            return;
        }
        const auto format =
            rd_.choice<int>(t, p, "format", {{"timestamps", 0}, {"rates", 1}}).value_or(0);
        const double unit =
            rd_.choice<double>(t, p, "unit",
                               {{"s", 1.0}, {"ms", 1e-3}, {"us", 1e-6}, {"min", 60.0}})
                .value_or(1.0);
        std::vector<double> values;
        std::string problem;
        const auto path = rd_.context_of(*t.get("file")).base_dir / *file;
        if (!read_csv_column(path, values, problem)) {
            rd_.error(t.get("file"), p + ".file", problem, "a CSV file with one number per line");
            return;
        }
        if (format == 0) {
            for (double& v : values) v *= unit;
            if (!std::is_sorted(values.begin(), values.end()) || values.front() < 0.0) {
                rd_.error(t.get("file"), p + ".file", "trace timestamps must be >= 0 and sorted",
                          "increasing timestamps");
                return;
            }
            src.kind = SourceKind::Trace;
            src.timestamps = std::move(values);
            knot(s, 0.0, 0.0);
            return;
        }
        const double interval = rd_.duration(t, p, "interval").value_or(0.0);
        if (!(interval > 0.0)) {
            rd_.error(t.get("interval") ? t.get("interval") : &t, p + ".interval",
                      "a rate trace needs the interval each value covers", "interval = \"1s\"");
            return;
        }
        for (std::size_t i = 0; i < values.size(); ++i) {
            if (values[i] < 0.0) {
                rd_.error(t.get("file"), p + ".file",
                          "line " + std::to_string(i + 1) + ": a negative rate");
                return;
            }
            const double at = interval * static_cast<double>(i);
            // Each line counts the requests of one interval.
            if (i > 0) knot(s, at, values[i - 1] / interval);
            knot(s, at, values[i] / interval);
        }
        knot(s, interval * static_cast<double>(values.size()), values.back() / interval);
        knot(s, interval * static_cast<double>(values.size()), 0.0);
    }

    TableReader& rd_;
    Model& m_;
    std::vector<Reference>& refs_;
};

}  // namespace

void load_traffic(TableReader& rd, const toml::table& root, Model& model,
                  std::vector<Reference>& refs) {
    TrafficLoader(rd, model, refs).load(root);
}

}  // namespace capsim::scenario

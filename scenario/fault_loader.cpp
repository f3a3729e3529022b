// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
//
// [[faults]]: replica crashes, latency and error injection, partitions.
#include <algorithm>

#include "scenario/loader_parts.hpp"

namespace capsim::scenario {

namespace {

using Words = std::vector<std::string>;

const Words kFaultKeys = {"kind",  "service", "replicas", "to",       "from",  "between",
                          "start", "end",     "every",    "duration", "delay", "fraction"};

const std::vector<std::pair<std::string, FaultKind>> kKinds = {{"crash", FaultKind::Crash},
                                                               {"latency", FaultKind::Latency},
                                                               {"error", FaultKind::Error},
                                                               {"partition", FaultKind::Partition}};

// The keys each kind reads besides the timing ones; any other is a mistake.
const Words& keys_of(FaultKind k) {
    static const Words crash = {"service", "replicas"};
    static const Words call = {"to", "from", "fraction", "delay"};
    static const Words error = {"to", "from", "fraction"};
    static const Words partition = {"between"};
    switch (k) {
        case FaultKind::Crash:
            return crash;
        case FaultKind::Latency:
            return call;
        case FaultKind::Error:
            return error;
        case FaultKind::Partition:
            return partition;
    }
    return crash;
}

const char* kind_word(FaultKind k) {
    for (const auto& [w, kind] : kKinds)
        if (kind == k) return w.c_str();
    return "crash";
}

class FaultReader {
  public:
    FaultReader(TableReader& rd, Model& m) : rd_(rd), m_(m) {
        for (const ServiceSpec& s : m.services) services_.push_back(s.name);
        callees_ = services_;
        for (const ExternalSpec& x : m.externals) callees_.push_back(x.name);
    }

    void read(const toml::table& t, const std::string& p) {
        rd_.check_keys(t, p, kFaultKeys);
        FaultSpec f;
        f.path = p;
        if (!t.get("kind")) {
            rd_.error(&t, p + ".kind", "a fault needs its kind",
                      "kind = \"crash\", \"latency\", \"error\" or \"partition\"");
            return;
        }
        const auto kind = rd_.choice<FaultKind>(t, p, "kind", kKinds);
        if (!kind) return;
        f.kind = *kind;
        bool ok = true;
        for (const std::string key :
             {"service", "replicas", "to", "from", "fraction", "delay", "between"}) {
            const Words& mine = keys_of(f.kind);
            if (t.get(key) && std::find(mine.begin(), mine.end(), key) == mine.end()) {
                rd_.error(t.get(key), TableReader::join(p, key),
                          key + " does not apply to a " + kind_word(f.kind) + " fault",
                          "for kind = \"" + std::string(kind_word(f.kind)) +
                              "\": " + TableReader::one_of(mine));
                ok = false;
            }
        }
        ok = timing(t, p, f) && ok;
        switch (f.kind) {
            case FaultKind::Crash:
                ok = crash(t, p, f) && ok;
                break;
            case FaultKind::Latency:
            case FaultKind::Error:
                ok = call(t, p, f) && ok;
                break;
            case FaultKind::Partition:
                ok = partition(t, p, f) && ok;
                break;
        }
        if (ok) m_.faults.push_back(std::move(f));
    }

  private:
    // A set window (start, end) or a random process (every, duration).
    bool timing(const toml::table& t, const std::string& p, FaultSpec& f) {
        const bool set = t.get("start") || t.get("end");
        const bool random = t.get("every") || t.get("duration");
        if (set == random) {
            rd_.error(&t, p,
                      set ? "a fault is either at set times or random, not both"
                          : "a fault needs its timing",
                      "start = \"60s\" and end = \"90s\", or every = \"exp(10m)\" and duration "
                      "= \"exp(30s)\"");
            return false;
        }
        if (set) {
            if (!t.get("start") || !t.get("end")) {
                rd_.error(&t, p, "a fault at set times needs a start and an end",
                          "start = \"60s\", end = \"90s\"");
                return false;
            }
            const auto start = rd_.duration(t, p, "start");
            const auto end = rd_.duration(t, p, "end");
            if (!start || !end) return false;
            if (!(*end > *start)) {
                rd_.error(t.get("end"), p + ".end", "a fault must end after it starts",
                          "end > start");
                return false;
            }
            f.start = *start;
            f.end = *end;
            return true;
        }
        if (!t.get("every") || !t.get("duration")) {
            rd_.error(&t, p, "a random fault needs both every and duration",
                      "every = \"exp(10m)\" (time up between occurrences), duration = "
                      "\"exp(30s)\" (how long each lasts)");
            return false;
        }
        auto every = rd_.law(t, p, "every", Dimension::Time);
        auto lasts = rd_.law(t, p, "duration", Dimension::Time);
        if (!every || !lasts) return false;
        if (!(every->mean() > 0.0) || !(lasts->mean() > 0.0)) {
            rd_.error(t.get(every->mean() > 0.0 ? "duration" : "every"),
                      p + (every->mean() > 0.0 ? ".duration" : ".every"),
                      "a random fault's times must have a mean above 0", "\"exp(10m)\"");
            return false;
        }
        f.random = true;
        f.every = std::move(*every);
        f.lasts = std::move(*lasts);
        return true;
    }

    bool crash(const toml::table& t, const std::string& p, FaultSpec& f) {
        const ServiceSpec* svc = service(t, p, "service", f.target);
        if (!svc) return false;
        if (auto v = rd_.integer(t, p, "replicas", 1, 100000)) {
            if (*v > svc->replicas) {
                rd_.error(t.get("replicas"), p + ".replicas",
                          "more replicas than " + svc->name + " has (" +
                              std::to_string(svc->replicas) + ")",
                          "1 ... " + std::to_string(svc->replicas));
                return false;
            }
            f.replicas = static_cast<std::uint32_t>(*v);
        } else if (t.get("replicas")) {
            return false;
        }
        return true;
    }

    bool call(const toml::table& t, const std::string& p, FaultSpec& f) {
        bool ok = name(t, p, "to", callees_, "service or external", f.target);
        if (t.get("from")) ok = name(t, p, "from", services_, "service", f.from) && ok;
        if (auto v = rd_.fraction(t, p, "fraction"))
            f.fraction = *v;
        else if (t.get("fraction"))
            ok = false;
        if (f.kind == FaultKind::Latency) {
            if (!t.get("delay")) {
                rd_.error(&t, p + ".delay", "a latency fault needs its delay",
                          "delay = \"200ms\" or a law such as \"exp(200ms)\"");
                return false;
            }
            auto d = rd_.law(t, p, "delay", Dimension::Time);
            if (!d) return false;
            f.delay = std::move(*d);
        }
        return ok;
    }

    bool partition(const toml::table& t, const std::string& p, FaultSpec& f) {
        const toml::node* n = t.get("between");
        const toml::array* arr = n ? n->as_array() : nullptr;
        if (!arr || arr->size() != 2 || !(*arr)[0].as_string() || !(*arr)[1].as_string()) {
            rd_.error(n ? n : &t, p + ".between", "a partition is between two services",
                      "between = [\"api\", \"payments\"]");
            return false;
        }
        std::string side[2];
        for (std::size_t i = 0; i < 2; ++i) {
            side[i] = (*arr)[i].as_string()->get();
            if (std::find(services_.begin(), services_.end(), side[i]) == services_.end()) {
                rd_.error(&(*arr)[i], TableReader::index(p + ".between", i),
                          "unknown service \"" + side[i] + "\"", "a service",
                          TableReader::suggest(side[i], services_));
                return false;
            }
        }
        if (side[0] == side[1]) {
            rd_.error(&(*arr)[1], TableReader::index(p + ".between", 1),
                      "a partition needs two different services", "between = [\"api\", \"db\"]");
            return false;
        }
        f.target = side[0];
        f.from = side[1];
        return true;
    }

    const ServiceSpec* service(const toml::table& t, const std::string& p, const char* key,
                               std::string& out) {
        if (!name(t, p, key, services_, "service", out)) return nullptr;
        for (const ServiceSpec& s : m_.services)
            if (s.name == out) return &s;
        return nullptr;
    }

    bool name(const toml::table& t, const std::string& p, const char* key, const Words& known,
              const char* what, std::string& out) {
        if (!t.get(key)) {
            rd_.error(&t, TableReader::join(p, key),
                      std::string("this fault needs ") + key + " (a " + what + ")",
                      std::string(key) + " = \"" + (known.empty() ? "api" : known.front()) + "\"");
            return false;
        }
        auto s = rd_.string(t, p, key);
        if (!s) return false;
        if (std::find(known.begin(), known.end(), *s) == known.end()) {
            rd_.error(t.get(key), TableReader::join(p, key),
                      "unknown " + std::string(what) + " \"" + *s + "\"",
                      TableReader::one_of(known), TableReader::suggest(*s, known));
            return false;
        }
        out = *s;
        return true;
    }

    TableReader& rd_;
    Model& m_;
    Words services_, callees_;
};

}  // namespace

void load_faults(TableReader& rd, const toml::table& root, Model& m) {
    const toml::node* n = root.get("faults");
    if (!n) return;
    const auto* arr = n->as_array();
    if (!arr) {
        rd.error(n, "faults", "expected [[faults]] tables",
                 "[[faults]] with kind = \"crash\", service = \"api\", start = \"60s\", end = "
                 "\"90s\"");
        return;
    }
    FaultReader reader(rd, m);
    for (std::size_t i = 0; i < arr->size(); ++i) {
        const std::string p = TableReader::index("faults", i);
        const auto* t = (*arr)[i].as_table();
        if (!t) {
            rd.error(&(*arr)[i], p, "expected a table",
                     "{ kind = \"crash\", service = \"api\", start = \"60s\", end = \"90s\" }");
            continue;
        }
        reader.read(*t, p);
    }
}

}  // namespace capsim::scenario

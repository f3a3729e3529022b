// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#include "scenario/overrides.hpp"

#include <optional>
#include <variant>

#include "scenario/key_path.hpp"

namespace capsim::scenario {

namespace {

// The value as TOML, or as a plain string when it is not TOML. Either way
// it is parsed with the override itself as its source name, which is how
// diagnostics about it name the override instead of a line of the file.
toml::table parse_value(const std::string& text, const std::string& origin) {
    toml::parse_result r = toml::parse("v = " + text, origin);
    if (r && r.table().contains("v")) return std::move(r).table();
    std::string quoted = "v = \"";
    for (char c : text) {
        if (c == '"' || c == '\\') quoted += '\\';
        if (c == '\n') {
            quoted += "\\n";
            continue;
        }
        quoted += c;
    }
    quoted += '"';
    toml::parse_result s = toml::parse(quoted, origin);
    if (s) return std::move(s).table();
    toml::table t;
    t.insert("v", text);
    return t;
}

}  // namespace

void apply_overrides(TableReader& rd, toml::table& root,
                     const std::vector<std::string>& overrides) {
    const char* expected = "key.path=value, e.g. services.api.replicas=8";
    for (const std::string& o : overrides) {
        Diagnostic d;
        d.file = "--set " + o;
        const std::size_t eq = o.find('=');
        if (eq == std::string::npos) {
            d.message = "an override needs '='";
            d.expected = expected;
            rd.diagnostics().push_back(d);
            continue;
        }
        const std::string path = o.substr(0, eq);
        d.path = path;
        const auto segs = split_key_path(path);
        if (!segs || !std::holds_alternative<std::string>(segs->front())) {
            d.message = "malformed key path \"" + path + "\"";
            d.expected = expected;
            rd.diagnostics().push_back(d);
            continue;
        }
        toml::table value = parse_value(o.substr(eq + 1), d.file);
        toml::node* cur = &root;
        bool ok = true;
        for (std::size_t k = 0; k + 1 < segs->size() && ok; ++k) {
            const KeySegment& s = (*segs)[k];
            if (const auto* key = std::get_if<std::string>(&s)) {
                auto* t = cur->as_table();
                if (!t) {
                    ok = false;
                    break;
                }
                if (!t->contains(*key)) {
                    if (std::holds_alternative<std::size_t>((*segs)[k + 1])) {
                        ok = false;
                        break;
                    }
                    t->insert(*key, toml::table{});
                }
                cur = t->get(*key);
            } else {
                auto* a = cur->as_array();
                const std::size_t idx = std::get<std::size_t>(s);
                if (!a || idx >= a->size()) {
                    ok = false;
                    break;
                }
                cur = a->get(idx);
            }
        }
        if (ok) {
            const KeySegment& last = segs->back();
            toml::node* v = value.get("v");
            if (const auto* key = std::get_if<std::string>(&last)) {
                if (auto* t = cur->as_table())
                    t->insert_or_assign(*key, std::move(*v));
                else
                    ok = false;
            } else {
                auto* a = cur->as_array();
                const std::size_t idx = std::get<std::size_t>(last);
                if (a && idx < a->size())
                    a->replace(a->begin() + static_cast<std::ptrdiff_t>(idx), std::move(*v));
                else
                    ok = false;
            }
        }
        if (!ok) {
            d.message = "cannot set \"" + path +
                        "\": a part of the path is not a table, or an index is out of range";
            d.expected = expected;
            rd.diagnostics().push_back(d);
        }
    }
}

}  // namespace capsim::scenario

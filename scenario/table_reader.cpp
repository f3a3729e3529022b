// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#include "scenario/table_reader.hpp"

#include <algorithm>

#include <cmath>
#include <cstdlib>
#include <limits>
#include <sstream>

#include "scenario/did_you_mean.hpp"

namespace capsim::scenario {

namespace {

std::string shown(const toml::node& n) {
    if (const auto* s = n.as_string()) return "\"" + s->get() + "\"";
    if (const auto* i = n.as_integer()) return std::to_string(i->get());
    if (const auto* f = n.as_floating_point()) {
        std::ostringstream out;
        out << f->get();  // 0.3, not 0.300000
        return out.str();
    }
    if (const auto* b = n.as_boolean()) return b->get() ? "true" : "false";
    return {};
}

}  // namespace

std::string TableReader::join(const std::string& path, std::string_view key) {
    std::string k(key);
    // Keys with dots (endpoint names in a mix) are quoted, as TOML writes them.
    if (k.find('.') != std::string::npos || k.empty()) k = "\"" + k + "\"";
    return path.empty() ? k : path + "." + k;
}

std::string TableReader::index(const std::string& path, std::size_t i) {
    return path + "[" + std::to_string(i) + "]";
}

std::string TableReader::one_of(const std::vector<std::string>& words) {
    std::string out = "one of ";
    for (std::size_t i = 0; i < words.size(); ++i) {
        if (i) out += i + 1 == words.size() ? " or " : ", ";
        out += "\"" + words[i] + "\"";
    }
    return out;
}

std::string TableReader::suggest(std::string_view word, const std::vector<std::string>& words) {
    return did_you_mean(word, words);
}

std::string TableReader::type_name(const toml::node& n) {
    switch (n.type()) {
        case toml::node_type::string:
            return "a string";
        case toml::node_type::integer:
            return "an integer";
        case toml::node_type::floating_point:
            return "a number";
        case toml::node_type::boolean:
            return "a boolean";
        case toml::node_type::table:
            return "a table";
        case toml::node_type::array:
            return "an array";
        default:
            return "a date/time";
    }
}

Diagnostic TableReader::at(const toml::node* n, const std::string& path) const {
    Diagnostic d;
    d.file = file_;
    d.path = path;
    if (n) {
        const auto& src = n->source();
        d.line = static_cast<std::uint32_t>(src.begin.line);
        d.column = static_cast<std::uint32_t>(src.begin.column);
        d.snippet = shown(*n);
        // A node names the file it was read from: a base scenario
        // (`extends`) or the override it came from. A value from --set was
        // parsed on its own (overrides.cpp names its source after the
        // override): name the override, not a file line.
        if (src.path && !src.path->empty()) d.file = *src.path;
        if (src.path && src.path->rfind("--set ", 0) == 0) {
            d.line = 0;
            d.column = 0;
        }
    }
    return d;
}

void TableReader::error(const toml::node* n, const std::string& path, std::string message,
                        std::string expected, std::string suggestion) {
    Diagnostic d = at(n, path);
    d.message = std::move(message);
    d.expected = std::move(expected);
    d.suggestion = std::move(suggestion);
    diags_.push_back(std::move(d));
}

void TableReader::warning(const toml::node* n, const std::string& path, std::string message) {
    Diagnostic d = at(n, path);
    d.severity = Diagnostic::Severity::Warning;
    d.message = std::move(message);
    diags_.push_back(std::move(d));
}

// TOML++ keeps a string's region (quotes included) but not its delimiter,
// so the delimiter is inferred: on one line, a value of n bytes spanning w
// columns has (w - n) / 2 quote characters a side, 1 or 3 (escapes widen the
// span; the guess of 1 is then off by the escapes before the offset). A
// multi-line string that spans more lines than its newlines dropped the
// newline right after its opening delimiter; its later lines start at
// column 1.
void TableReader::place_in_string(const toml::node& n, std::size_t offset, Diagnostic& d) {
    const auto* str = n.as_string();
    const auto& src = n.source();
    if (!str) {
        d.column += static_cast<std::uint32_t>(offset + 1);
        return;
    }
    const std::string& v = str->get();
    offset = std::min(offset, v.size());
    if (src.begin.line == src.end.line) {
        const std::size_t width = src.end.column - src.begin.column;
        const std::size_t quotes = width == v.size() + 6 ? 3 : 1;
        d.column += static_cast<std::uint32_t>(quotes + offset);
        return;
    }
    const auto newlines = static_cast<std::size_t>(std::count(v.begin(), v.end(), '\n'));
    const bool dropped_first = src.end.line - src.begin.line > newlines;
    const auto before = static_cast<std::size_t>(
        std::count(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(offset), '\n'));
    d.line = static_cast<std::uint32_t>(src.begin.line + (dropped_first ? 1 : 0) + before);
    if (before == 0 && !dropped_first) {
        d.column += static_cast<std::uint32_t>(3 + offset);
        return;
    }
    const std::size_t line_start = before == 0 ? 0 : v.rfind('\n', offset - 1) + 1;
    d.column = static_cast<std::uint32_t>(1 + offset - line_start);
}

void TableReader::value_error(const toml::node* n, const std::string& path, const ValueError& e) {
    Diagnostic d = at(n, path);
    if (d.line > 0 && n) place_in_string(*n, e.offset, d);
    d.message = e.what();
    d.expected = e.expected;
    d.suggestion = e.suggestion;
    diags_.push_back(std::move(d));
}

void TableReader::check_keys(const toml::table& t, const std::string& path,
                             const std::vector<std::string>& allowed) {
    for (const auto& [k, v] : t) {
        const std::string key(k.str());
        bool ok = false;
        for (const std::string& a : allowed) ok = ok || a == key;
        if (ok) continue;
        Diagnostic d = at(&v, join(path, key));
        if (d.line > 0 && k.source().begin.line > 0) {
            d.line = static_cast<std::uint32_t>(k.source().begin.line);
            d.column = static_cast<std::uint32_t>(k.source().begin.column);
        }
        d.snippet = key;
        d.message = "unknown key \"" + key + "\"" + (path.empty() ? "" : " in " + path);
        d.expected = one_of(allowed);
        d.suggestion = suggest(key, allowed);
        diags_.push_back(std::move(d));
    }
}

LawContext TableReader::context_of(const toml::node& n) const {
    const auto& src = n.source().path;
    if (!src || *src == file_ || src->rfind("--set ", 0) == 0) return ctx_;
    LawContext ctx = ctx_;
    ctx.base_dir = std::filesystem::path(*src).parent_path();
    return ctx;
}

std::optional<double> TableReader::duration_of(const toml::node& n, const std::string& path) {
    if (const auto* s = n.as_string()) {
        try {
            return parse_duration(s->get());
        } catch (const ValueError& e) {
            value_error(&n, path, e);
            return std::nullopt;
        }
    }
    if (n.is_number()) {
        error(&n, path, "a duration needs a unit", "a duration such as \"250ms\" or \"1.5s\"",
              shown(n).empty() ? "" : shown(n) + "s");
        return std::nullopt;
    }
    error(&n, path, "expected a duration, found " + type_name(n),
          "a duration such as \"250ms\" or \"1.5s\"");
    return std::nullopt;
}

std::optional<double> TableReader::rate_of(const toml::node& n, const std::string& path) {
    if (const auto* s = n.as_string()) {
        try {
            return parse_rate(s->get());
        } catch (const ValueError& e) {
            value_error(&n, path, e);
            return std::nullopt;
        }
    }
    if (n.is_number()) {
        error(&n, path, "a rate needs a unit", "a rate such as \"200/s\" or \"5k/s\"",
              shown(n) + "/s");
        return std::nullopt;
    }
    error(&n, path, "expected a rate, found " + type_name(n),
          "a rate such as \"200/s\" or \"5k/s\"");
    return std::nullopt;
}

std::optional<Law> TableReader::law_of(const toml::node& n, const std::string& path,
                                       Dimension dim) {
    const char* expected = dim == Dimension::Time
                               ? "a duration or a law such as \"5ms\" or \"exp(5ms)\""
                               : "a number or a law such as 10 or \"uniform(1, 20)\"";
    if (const auto* s = n.as_string()) {
        try {
            return parse_law(s->get(), dim, context_of(n));
        } catch (const ValueError& e) {
            value_error(&n, path, e);
            return std::nullopt;
        }
    }
    if (n.is_number()) {
        const double v = n.value<double>().value_or(std::nan(""));
        if (dim == Dimension::Time) {
            // Think times are seconds; service times and delays milliseconds.
            const bool think = path.size() >= 6 && path.compare(path.size() - 6, 6, ".think") == 0;
            error(&n, path, "a duration needs a unit", expected, shown(n) + (think ? "s" : "ms"));
            return std::nullopt;
        }
        if (!std::isfinite(v) || v < 0.0) {
            error(&n, path, "a count must be a finite number >= 0", expected);
            return std::nullopt;
        }
        Law l = Law::constant(v, Dimension::Count);
        l.text = shown(n);
        return l;
    }
    error(&n, path, std::string("expected ") + expected + ", found " + type_name(n), expected);
    return std::nullopt;
}

std::optional<double> TableReader::duration(const toml::table& t, const std::string& path,
                                            std::string_view key) {
    const toml::node* n = t.get(key);
    return n ? duration_of(*n, join(path, key)) : std::nullopt;
}

std::optional<double> TableReader::rate(const toml::table& t, const std::string& path,
                                        std::string_view key) {
    const toml::node* n = t.get(key);
    return n ? rate_of(*n, join(path, key)) : std::nullopt;
}

std::optional<Law> TableReader::law(const toml::table& t, const std::string& path,
                                    std::string_view key, Dimension dim) {
    const toml::node* n = t.get(key);
    return n ? law_of(*n, join(path, key), dim) : std::nullopt;
}

std::optional<std::int64_t> TableReader::integer(const toml::table& t, const std::string& path,
                                                 std::string_view key, std::int64_t min,
                                                 std::int64_t max) {
    const toml::node* n = t.get(key);
    if (!n) return std::nullopt;
    const std::string where = join(path, key);
    const std::string range =
        "an integer from " + std::to_string(min) + " to " + std::to_string(max);
    const auto* i = n->as_integer();
    if (!i) {
        error(n, where, "expected an integer, found " + type_name(*n), range);
        return std::nullopt;
    }
    if (i->get() < min || i->get() > max) {
        error(n, where, "value out of range", range);
        return std::nullopt;
    }
    return i->get();
}

std::optional<double> TableReader::number(const toml::table& t, const std::string& path,
                                          std::string_view key, double min, double max) {
    const toml::node* n = t.get(key);
    if (!n) return std::nullopt;
    const std::string where = join(path, key);
    std::ostringstream range;
    range << "a number from " << min << " to " << max;
    if (!n->is_number()) {
        error(n, where, "expected a number, found " + type_name(*n), range.str());
        return std::nullopt;
    }
    const double v = n->value<double>().value_or(std::nan(""));
    if (!(v >= min && v <= max)) {
        error(n, where, "value out of range", range.str());
        return std::nullopt;
    }
    return v;
}

std::optional<double> TableReader::fraction(const toml::table& t, const std::string& path,
                                            std::string_view key) {
    const toml::node* n = t.get(key);
    if (!n) return std::nullopt;
    const std::string where = join(path, key);
    const char* expected = "a fraction such as 0.001 or \"0.1%\"";
    double v = std::nan("");
    if (n->is_number()) {
        v = n->value<double>().value_or(std::nan(""));
    } else if (const auto* s = n->as_string()) {
        const std::string& text = s->get();
        char* end = nullptr;
        const double x = std::strtod(text.c_str(), &end);
        if (end != text.c_str() && std::string_view(end) == "%")
            v = x / 100.0;
        else if (end != text.c_str() && *end == '\0')
            v = x;
    }
    if (!(v >= 0.0 && v <= 1.0)) {
        error(n, where, "expected a fraction between 0 and 1", expected);
        return std::nullopt;
    }
    return v;
}

std::optional<std::string> TableReader::string(const toml::table& t, const std::string& path,
                                               std::string_view key) {
    const toml::node* n = t.get(key);
    if (!n) return std::nullopt;
    if (const auto* s = n->as_string()) return s->get();
    error(n, join(path, key), "expected a string, found " + type_name(*n), "a string");
    return std::nullopt;
}

}  // namespace capsim::scenario

// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#include "scenario/value_parser.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <optional>
#include <system_error>
#include <utility>
#include <vector>

#include "scenario/did_you_mean.hpp"

namespace capsim::scenario {

namespace {

// Beyond this a value is a mistake (a pasted file, a runaway generator), and
// the bound keeps every error path's work small.
constexpr std::size_t kMaxLength = 4096;
// mix(...) inside mix(...): real scenarios nest two or three deep; the bound
// keeps recursion shallow whatever the input.
constexpr int kMaxDepth = 32;

struct Unit {
    std::string_view name;
    double seconds;
};

constexpr Unit kTimeUnits[] = {
    {"ns", 1e-9},
    {"us", 1e-6},
    {"\xC2\xB5s", 1e-6} /* µs, micro sign */,
    {"\xCE\xBCs", 1e-6} /* μs, Greek mu */,
    {"ms", 1e-3},
    {"s", 1.0},
    {"sec", 1.0},
    {"m", 60.0},
    {"min", 60.0},
    {"h", 3600.0},
};

constexpr Unit kRateUnits[] = {
    {"s", 1.0}, {"sec", 1.0}, {"min", 60.0}, {"m", 60.0}, {"h", 3600.0},
};

const std::vector<std::string>& time_unit_names() {
    static const std::vector<std::string> names = {"ns", "us", "ms", "s", "sec", "m", "min", "h"};
    return names;
}

const std::vector<std::string>& rate_unit_names() {
    static const std::vector<std::string> names = {"s", "sec", "min", "m", "h"};
    return names;
}

const std::vector<std::string>& multiplier_names() {
    static const std::vector<std::string> names = {"k", "M"};
    return names;
}

std::optional<double> time_unit(std::string_view name) {
    for (const Unit& u : kTimeUnits)
        if (u.name == name) return u.seconds;
    return std::nullopt;
}

std::optional<double> rate_unit(std::string_view name) {
    for (const Unit& u : kRateUnits)
        if (u.name == name) return u.seconds;
    return std::nullopt;
}

std::optional<double> multiplier(std::string_view name) {
    if (name.empty()) return 1.0;
    if (name == "k") return 1e3;
    if (name == "M") return 1e6;
    return std::nullopt;
}

/// The canonical name of a law family, with the aliases people type.
struct LawName {
    std::string_view name;
    std::string_view canonical;
};

constexpr LawName kLawNames[] = {
    {"const", "const"},         {"constant", "const"},  {"exp", "exp"},
    {"exponential", "exp"},     {"uniform", "uniform"}, {"normal", "normal"},
    {"lognormal", "lognormal"}, {"gamma", "gamma"},     {"erlang", "erlang"},
    {"weibull", "weibull"},     {"pareto", "pareto"},   {"hyperexp", "hyperexp"},
    {"empirical", "empirical"}, {"mix", "mix"},         {"mixture", "mix"},
};

const std::vector<std::string>& law_names_and_aliases() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> v;
        for (const LawName& n : kLawNames) v.emplace_back(n.name);
        return v;
    }();
    return names;
}

std::string_view canonical_law(std::string_view name) {
    for (const LawName& n : kLawNames)
        if (n.name == name) return n.canonical;
    return {};
}

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
bool is_alpha(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_ident_start(char c) {
    return is_alpha(c) || c == '_';
}
bool is_ident(char c) {
    return is_ident_start(c) || is_digit(c);
}
// Unit words: letters, plus any non-ASCII byte so that "µs" is one word.
bool is_unit_byte(char c) {
    return is_alpha(c) || static_cast<unsigned char>(c) >= 0x80;
}
bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

bool equal_ignoring_case(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
        if (x != y) return false;
    }
    return true;
}

bool is_non_finite_word(std::string_view w) {
    return equal_ignoring_case(w, "inf") || equal_ignoring_case(w, "infinity") ||
           equal_ignoring_case(w, "nan");
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

std::string quoted(std::string_view s) {
    return "'" + std::string(s) + "'";
}

std::string join(const std::vector<std::string>& v) {
    std::string out;
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (i) out += ", ";
        out += v[i];
    }
    return out;
}

std::string format_number(double v, int digits = 10) {
    char buf[64];
    const auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::general, digits);
    return std::string(buf, r.ptr);
}

// A duration in the unit people would read it in, for messages.
std::string format_seconds(double v, int digits = 10) {
    const double a = std::fabs(v);
    if (a == 0.0) return "0";
    if (a >= 1.0) return format_number(v, digits) + "s";
    if (a >= 1e-3) return format_number(v * 1e3, digits) + "ms";
    if (a >= 1e-6) return format_number(v * 1e6, digits) + "us";
    return format_number(v * 1e9, digits) + "ns";
}

/// v rounded down to `digits` significant digits (v > 0).
double round_down(double v, int digits) {
    const double unit = std::pow(10.0, std::floor(std::log10(v)) - (digits - 1));
    return std::floor(v / unit) * unit;
}

/// Bytes of the UTF-8 character at s[i] (1 for ASCII or malformed input).
std::size_t char_length(std::string_view s, std::size_t i) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    return std::min(n, s.size() - i);
}

/// A number as written, with the word glued to it ("5ms": 5 and "ms").
struct Quantity {
    double value = 0.0;
    std::string_view suffix;
    std::size_t pos = 0;         // first character of the number
    std::size_t len = 0;         // number and suffix
    std::size_t suffix_pos = 0;  // first character of the suffix
};

/// Scans [+-]digits[.digits][e[+-]digits] at s[i]; returns the end or npos.
std::size_t scan_number(std::string_view s, std::size_t i) {
    std::size_t j = i;
    if (j < s.size() && (s[j] == '+' || s[j] == '-')) ++j;
    std::size_t digits = 0;
    while (j < s.size() && is_digit(s[j])) ++j, ++digits;
    if (j < s.size() && s[j] == '.') {
        ++j;
        while (j < s.size() && is_digit(s[j])) ++j, ++digits;
    }
    if (digits == 0) return std::string_view::npos;
    if (j < s.size() && (s[j] == 'e' || s[j] == 'E')) {
        std::size_t k = j + 1;
        if (k < s.size() && (s[k] == '+' || s[k] == '-')) ++k;
        if (k < s.size() && is_digit(s[k])) {
            while (k < s.size() && is_digit(s[k])) ++k;
            j = k;
        }
    }
    return j;
}

/// The value of a literal scan_number accepted; nullopt when out of range.
std::optional<double> convert_number(std::string_view lit) {
    if (!lit.empty() && lit.front() == '+') lit.remove_prefix(1);  // from_chars takes no '+'
    double v = 0.0;
    const auto r = std::from_chars(lit.data(), lit.data() + lit.size(), v);
    if (r.ec != std::errc() || r.ptr != lit.data() + lit.size() || !std::isfinite(v))
        return std::nullopt;
    return v;
}

/// One argument inside a law's parentheses.
struct Arg {
    enum class Type { Quantity, Word, Text, Weighted };
    Type type = Type::Quantity;
    std::string_view key;  // empty when positional
    std::size_t key_pos = 0;
    Quantity q;             // Quantity; Weighted: the weight
    std::string_view word;  // Word, Text
    std::size_t word_pos = 0;
    Law law;              // Weighted: the part
    std::size_t pos = 0;  // whole argument
    std::size_t len = 0;
};

/// The arguments of one call, by parameter name.
struct Bound {
    std::vector<std::pair<std::string_view, const Arg*>> args;
    const Arg* get(std::string_view name) const {
        for (const auto& [k, a] : args)
            if (k == name) return a;
        return nullptr;
    }
};

struct LawSpec {
    std::string_view name;
    std::vector<std::string> params;
    std::size_t positional;    // how many of params may be given without a name
    std::string_view example;  // Time form
};

const std::vector<LawSpec>& law_specs() {
    static const std::vector<LawSpec> specs = {
        {"const", {"value"}, 1, "const(2ms)"},
        {"exp", {"mean"}, 1, "exp(5ms)"},
        {"uniform", {"low", "high"}, 2, "uniform(1ms, 3ms)"},
        {"normal", {"mean", "sd"}, 2, "normal(mean=10ms, sd=2ms)"},
        {"lognormal", {"mean", "sd", "p99", "mu", "sigma"}, 0, "lognormal(mean=8ms, p99=80ms)"},
        {"gamma", {"shape", "mean", "scale"}, 0, "gamma(shape=2, mean=10ms)"},
        {"erlang", {"k", "mean", "scale"}, 0, "erlang(k=3, mean=9ms)"},
        {"weibull", {"shape", "scale", "mean"}, 0, "weibull(shape=1.5, scale=10ms)"},
        {"pareto", {"alpha", "low", "high"}, 0, "pareto(alpha=1.5, low=1ms, high=1s)"},
        {"hyperexp", {"mean", "scv"}, 0, "hyperexp(mean=10ms, scv=4)"},
        {"empirical", {"file", "unit"}, 1, "empirical(samples.csv, unit=ms)"},
        {"mix", {}, 0, "mix(0.9: exp(5ms), 0.1: exp(50ms))"},
    };
    return specs;
}

const LawSpec& spec_of(std::string_view canonical) {
    for (const LawSpec& s : law_specs())
        if (s.name == canonical) return s;
    return law_specs().front();  // unreachable: canonical names all have specs
}

class Parser {
  public:
    Parser(std::string_view text, Dimension dim, const LawContext* ctx)
        : s_(text), dim_(dim), ctx_(ctx) {}

    [[noreturn]] void fail(std::string message, std::size_t pos, std::size_t len,
                           std::string expected = {}, std::string suggestion = {}) const {
        pos = std::min(pos, s_.size());
        len = std::min(len, s_.size() - pos);
        throw ValueError(std::move(message), pos, len, std::move(expected), std::move(suggestion));
    }

    void check_length() const {
        if (s_.size() > kMaxLength)
            fail("value is too long (" + std::to_string(s_.size()) + " characters; the limit is " +
                     std::to_string(kMaxLength) + ")",
                 0, s_.size(), "a value of at most 4096 characters");
    }

    void skip_ws() {
        while (i_ < s_.size() && is_space(s_[i_])) ++i_;
    }
    bool at_end() const { return i_ >= s_.size(); }
    char peek(std::size_t ahead = 0) const {
        return i_ + ahead < s_.size() ? s_[i_ + ahead] : '\0';
    }
    std::size_t pos() const { return i_; }

    bool starts_number() const { return scan_number(s_, i_) != std::string_view::npos; }

    std::string_view ident() {
        const std::size_t start = i_;
        while (i_ < s_.size() && is_ident(s_[i_])) ++i_;
        return s_.substr(start, i_ - start);
    }

    std::string_view unit_word() {
        const std::size_t start = i_;
        while (i_ < s_.size() && is_unit_byte(s_[i_])) ++i_;
        return s_.substr(start, i_ - start);
    }

    std::string dim_expected() const {
        return dim_ == Dimension::Time ? "a duration with a unit such as 5ms"
                                       : "a plain number such as 10";
    }

    /// What is at the cursor, quoted, for "unexpected ..." messages.
    std::string here() const {
        if (at_end()) return "the end of the text";
        return quoted(s_.substr(i_, char_length(s_, i_)));
    }

    [[noreturn]] void fail_not_a_number(std::string expected) {
        skip_ws();
        if (is_ident_start(peek())) {
            const std::size_t start = i_;
            const std::string_view w = ident();
            if (is_non_finite_word(w))
                fail(quoted(w) + " is not allowed: values must be finite numbers", start, w.size(),
                     std::move(expected));
            fail("expected a number, found " + quoted(w), start, w.size(), std::move(expected));
        }
        if (at_end())
            fail("expected a number, found the end of the text", i_, 0, std::move(expected));
        fail("expected a number, found " + here(), i_, char_length(s_, i_), std::move(expected));
    }

    /// A number and the unit or multiplier written right after it ("5ms",
    /// "5 ms", "5k").
    Quantity number(const std::string& expected) {
        skip_ws();
        const std::size_t end = scan_number(s_, i_);
        if (end == std::string_view::npos) fail_not_a_number(expected);
        Quantity q;
        q.pos = i_;
        const std::string_view lit = s_.substr(i_, end - i_);
        const auto v = convert_number(lit);
        if (!v) fail(quoted(lit) + " is out of range", i_, lit.size(), "a finite number");
        q.value = *v + 0.0;  // -0 reads as 0 in every message
        i_ = end;
        std::size_t j = i_;
        while (j < s_.size() && (s_[j] == ' ' || s_[j] == '\t')) ++j;
        if (j < s_.size() && is_unit_byte(s_[j])) {
            i_ = j;
            q.suffix_pos = i_;
            q.suffix = unit_word();
        } else {
            q.suffix_pos = end;
        }
        q.len = i_ - q.pos;
        return q;
    }

    std::string_view text_of(const Quantity& q) const { return s_.substr(q.pos, q.len); }

    /// Seconds; every nonzero duration needs its unit.
    double duration(const Quantity& q) {
        double factor = 1.0;
        if (q.suffix.empty()) {
            if (q.value != 0.0)
                fail("expected a duration with a unit such as 5ms, found " + quoted(text_of(q)),
                     q.pos, q.len, "a duration with a unit such as 5ms");
        } else if (const auto f = time_unit(q.suffix)) {
            factor = *f;
        } else if (multiplier(q.suffix)) {
            fail(quoted(q.suffix) + " is not a time unit", q.suffix_pos, q.suffix.size(),
                 "a time unit: ns, us, ms, s, m (minutes), min, h");
        } else {
            fail("unknown time unit " + quoted(q.suffix), q.suffix_pos, q.suffix.size(),
                 "a time unit: ns, us, ms, s, m (minutes), min, h",
                 did_you_mean(q.suffix, time_unit_names()));
        }
        if (q.value < 0.0)
            fail("a duration cannot be negative: " + quoted(text_of(q)), q.pos, q.len,
                 "a duration of 0 or more");
        const double v = q.value * factor;
        if (!std::isfinite(v))
            fail(quoted(text_of(q)) + " is out of range", q.pos, q.len, "a finite duration");
        return v;
    }

    /// A dimensionless number: no unit, k and M allowed.
    double plain(const Quantity& q, std::string_view what) {
        const auto m = multiplier(q.suffix);
        if (!m) {
            if (time_unit(q.suffix))
                fail(std::string(what) +
                         " is a plain number and takes no unit: " + quoted(text_of(q)),
                     q.suffix_pos, q.suffix.size(), "a plain number such as 2 or 0.5");
            fail("unknown suffix " + quoted(q.suffix) + " on a number", q.suffix_pos,
                 q.suffix.size(), "a plain number, optionally with k (thousands) or M (millions)",
                 did_you_mean(q.suffix, multiplier_names()));
        }
        const double v = q.value * *m;
        if (!std::isfinite(v))
            fail(quoted(text_of(q)) + " is out of range", q.pos, q.len, "a finite number");
        return v;
    }

    /// A count (Dimension::Count): a plain number that may not carry a unit.
    double count(const Quantity& q) {
        if (time_unit(q.suffix))
            fail("a count takes no unit: " + quoted(text_of(q)), q.suffix_pos, q.suffix.size(),
                 "a plain number such as 10");
        return plain(q, "a count");
    }

    /// A value in the law's own dimension, never negative.
    double value(const Quantity& q, std::string_view what) {
        if (dim_ == Dimension::Time) return duration(q);
        const double v = count(q);
        if (v < 0.0)
            fail(std::string(what) + " cannot be negative: " + quoted(text_of(q)), q.pos, q.len,
                 "a number of 0 or more");
        return v;
    }

    std::string format_value(double v, int digits = 10) const {
        return dim_ == Dimension::Time ? format_seconds(v, digits) : format_number(v, digits);
    }

    // ---- laws --------------------------------------------------------------

    Law law(int depth) {
        skip_ws();
        const std::size_t start = i_;
        const std::string expected = dim_ == Dimension::Time
                                         ? "a law such as exp(5ms), or a duration such as 5ms"
                                         : "a law such as exp(10), or a number such as 10";
        if (depth > kMaxDepth)
            fail("laws are nested too deeply (more than " + std::to_string(kMaxDepth) + " levels)",
                 start, 1, expected);
        if (at_end()) fail("expected a law, found the end of the text", start, 0, expected);
        Law result;
        if (starts_number()) {
            const Quantity q = number(expected);
            result = Law::constant(value(q, "a constant"), dim_);
        } else if (is_ident_start(peek())) {
            const std::string_view name = ident();
            const std::string_view canonical = canonical_law(name);
            if (canonical.empty()) {
                if (is_non_finite_word(name))
                    fail(quoted(name) + " is not allowed: values must be finite numbers", start,
                         name.size(), expected);
                fail("unknown law " + quoted(name), start, name.size(),
                     "a law: " + join(law_names()), did_you_mean(name, law_names_and_aliases()));
            }
            skip_ws();
            if (peek() != '(')
                fail("expected '(' after " + quoted(name) + ", found " + here(), i_,
                     at_end() ? 0 : char_length(s_, i_),
                     "'(' as in " + std::string(spec_of(canonical).example));
            result = call(canonical, start, depth);
            // e.g. lognormal(mu=1000, sigma=1): valid parameters, samples that
            // overflow; a simulation cannot use them.
            if (!std::isfinite(result.mean()))
                fail("this law's mean is too large to represent", start, i_ - start,
                     "parameters giving a finite mean");
        } else {
            fail("expected a law, found " + here(), start, char_length(s_, start), expected);
        }
        result.text = std::string(s_.substr(start, i_ - start));
        return result;
    }

    /// Reads "(arg, arg, ...)"; the cursor is on '('.
    std::vector<Arg> args(std::string_view law_name, int depth) {
        const std::size_t open = i_;
        ++i_;
        std::vector<Arg> out;
        skip_ws();
        if (peek() == ')') {
            ++i_;
            return out;
        }
        for (;;) {
            skip_ws();
            if (at_end()) fail("'(' is never closed", open, 1, "')'");
            out.push_back(arg(law_name, out.empty(), depth));
            skip_ws();
            if (peek() == ',') {
                ++i_;
                continue;
            }
            if (peek() == ')') {
                ++i_;
                return out;
            }
            if (at_end()) fail("'(' is never closed", open, 1, "')'");
            fail("expected ',' or ')', found " + here(), i_, char_length(s_, i_), "',' or ')'");
        }
    }

    /// A file name: quoted, or everything up to ',' or ')'.
    void raw_text(Arg& a) {
        a.type = Arg::Type::Text;
        const char q = peek();
        if (q == '"' || q == '\'') {
            const std::size_t open = i_;
            const std::size_t close = s_.find(q, i_ + 1);
            if (close == std::string_view::npos)
                fail("the quote is never closed", open, 1, std::string("a closing ") + q);
            a.word_pos = open + 1;
            a.word = s_.substr(open + 1, close - open - 1);
            i_ = close + 1;
        } else {
            const std::size_t start = i_;
            while (i_ < s_.size() && s_[i_] != ',' && s_[i_] != ')') ++i_;
            a.word_pos = start;
            a.word = trim(s_.substr(start, i_ - start));
            if (!a.word.empty()) i_ = start + a.word.size();
        }
        if (a.word.empty())
            fail("expected a file name", a.word_pos, 0, "a file name such as samples.csv");
    }

    /// True when the cursor is on "name =".
    bool named_next() const {
        std::size_t j = i_;
        if (j >= s_.size() || !is_ident_start(s_[j])) return false;
        while (j < s_.size() && is_ident(s_[j])) ++j;
        while (j < s_.size() && is_space(s_[j])) ++j;
        return j < s_.size() && s_[j] == '=';
    }

    Arg arg(std::string_view law_name, bool first, int depth) {
        Arg a;
        a.pos = i_;
        const bool empirical = law_name == "empirical";
        const char c = peek();
        if (empirical && first && !named_next()) {
            // A file name is taken as written ("1.csv", "../data/x.csv").
            raw_text(a);
        } else if (is_ident_start(c)) {
            const std::size_t save = i_;
            const std::string_view key = ident();
            skip_ws();
            if (peek() == '=') {
                ++i_;
                skip_ws();
                a.key = key;
                a.key_pos = save;
                if (empirical && key == "file") {
                    raw_text(a);
                } else if (starts_number()) {
                    a.q = number("a value for " + std::string(key));
                } else if (is_unit_byte(peek())) {
                    a.type = Arg::Type::Word;
                    a.word_pos = i_;
                    a.word = unit_word();
                    skip_ws();
                    if (peek() == '(')
                        fail("a law cannot be the value of " + std::string(key) + "=", a.word_pos,
                             a.word.size(), "a number");
                } else {
                    fail_not_a_number("a value after " + std::string(key) + "=");
                }
            } else {
                i_ = save;
                if (canonical_law(key).size() && (law_name == "mix" || law_name == "hyperexp")) {
                    fail("expected a weight before the law, as in 0.5: " + std::string(key) +
                             "(...)",
                         save, key.size(), "weight: law, e.g. 0.9: exp(5ms)");
                } else if (is_non_finite_word(key)) {
                    fail(quoted(key) + " is not allowed: values must be finite numbers", save,
                         key.size(), "a finite number");
                } else {
                    fail("expected a value or name=value, found " + quoted(key), save, key.size(),
                         "name=value such as " + std::string(spec_of(law_name).example));
                }
            }
        } else if (starts_number()) {
            a.q = number(dim_expected());
            skip_ws();
            if (peek() == ':') {
                if (law_name != "mix" && law_name != "hyperexp")
                    fail("'weight: law' parts belong in mix(...) or hyperexp(...)", i_, 1,
                         "',' or ')'");
                ++i_;
                a.type = Arg::Type::Weighted;
                a.law = law(depth + 1);
            }
        } else if (c == ',' || c == ')') {
            fail("expected an argument, found " + here(), i_, 1, "an argument before " + here());
        } else {
            fail("unexpected " + here(), i_, char_length(s_, i_),
                 "an argument such as " + std::string(spec_of(law_name).example));
        }
        a.len = i_ - a.pos;
        return a;
    }

    /// Matches arguments to the law's parameters, by name or by position.
    Bound bind(const LawSpec& spec, const std::vector<Arg>& list) {
        Bound b;
        std::size_t next_positional = 0;
        bool named_seen = false;
        for (const Arg& a : list) {
            if (a.type == Arg::Type::Weighted)
                fail("'weight: law' parts belong in mix(...) or hyperexp(...)", a.pos, a.len,
                     "name=value such as " + std::string(spec.example));
            std::string_view name;
            if (a.key.empty()) {
                if (named_seen)
                    fail("an unnamed argument cannot follow a named one", a.pos, a.len,
                         "name=value");
                if (next_positional >= spec.positional) {
                    if (spec.positional == 0)
                        fail(std::string(spec.name) + " takes named parameters (" +
                                 join(spec.params) + "), as in " + std::string(spec.example),
                             a.pos, a.len, "name=value, one of " + join(spec.params));
                    fail(std::string(spec.name) + " takes at most " +
                             std::to_string(spec.positional) + " unnamed argument" +
                             (spec.positional > 1 ? "s" : ""),
                         a.pos, a.len, "',' or ')'");
                }
                name = spec.params[next_positional++];
            } else {
                named_seen = true;
                const auto it = std::find(spec.params.begin(), spec.params.end(), a.key);
                if (it == spec.params.end())
                    fail("unknown parameter " + quoted(a.key) + " for " + std::string(spec.name),
                         a.key_pos, a.key.size(), "one of " + join(spec.params),
                         did_you_mean(a.key, spec.params));
                name = *it;
            }
            if (b.get(name))
                fail(quoted(name) + " is given twice", a.pos, a.len, "each parameter once");
            b.args.emplace_back(name, &a);
        }
        return b;
    }

    const Quantity& quantity(const Arg* a, std::string_view name) {
        if (a->type != Arg::Type::Quantity && is_non_finite_word(a->word))
            fail(quoted(a->word) + " is not allowed: values must be finite numbers", a->word_pos,
                 a->word.size(), "a finite number");
        if (a->type != Arg::Type::Quantity)
            fail("expected a number for " + std::string(name) + ", found " + quoted(a->word),
                 a->word_pos, a->word.size(), name == "file" ? "a file name" : "a number");
        return a->q;
    }

    const Arg* require(const Bound& b, std::string_view name, const LawSpec& spec,
                       std::size_t call_pos) {
        const Arg* a = b.get(name);
        if (!a)
            fail(std::string(spec.name) + " needs " + std::string(name) + "=..., as in " +
                     std::string(spec.example),
                 call_pos, i_ - call_pos, std::string(name) + "=...");
        return a;
    }

    double positive_value(const Arg* a, std::string_view name) {
        const Quantity& q = quantity(a, name);
        const double v = value(q, name);
        if (!(v > 0.0))
            fail(std::string(name) + " must be positive, found " + quoted(text_of(q)), q.pos, q.len,
                 "a value above 0");
        return v;
    }

    double positive_plain(const Arg* a, std::string_view name) {
        const Quantity& q = quantity(a, name);
        const double v = plain(q, name);
        if (!(v > 0.0))
            fail(std::string(name) + " must be positive, found " + quoted(text_of(q)), q.pos, q.len,
                 "a number above 0");
        return v;
    }

    /// Exactly one of two alternatives ("mean" or "scale").
    const Arg* one_of(const Bound& b, std::string_view x, std::string_view y, const LawSpec& spec,
                      std::size_t call_pos) {
        const Arg* ax = b.get(x);
        const Arg* ay = b.get(y);
        if (ax && ay)
            fail("give " + std::string(x) + " or " + std::string(y) + ", not both", ay->pos,
                 ay->len, "only one of " + std::string(x) + ", " + std::string(y));
        if (!ax && !ay)
            fail(std::string(spec.name) + " needs " + std::string(x) + "=... or " + std::string(y) +
                     "=..., as in " + std::string(spec.example),
                 call_pos, i_ - call_pos, std::string(x) + "=... or " + std::string(y) + "=...");
        return ax ? ax : ay;
    }

    Law call(std::string_view name, std::size_t start, int depth) {
        const LawSpec& spec = spec_of(name);
        const std::vector<Arg> list = args(name, depth);
        if (name == "mix") return mix(list, start);
        if (name == "hyperexp" && !list.empty() && list.front().type == Arg::Type::Weighted)
            return hyperexp_phases(list, start);
        const Bound b = bind(spec, list);
        const Dimension d = dim_;

        if (name == "const")
            return Law::constant(
                value(quantity(require(b, "value", spec, start), "value"), "value"), d);
        if (name == "exp")
            return Law::exponential(
                value(quantity(require(b, "mean", spec, start), "mean"), "mean"), d);
        if (name == "uniform") {
            const Arg* lo = require(b, "low", spec, start);
            const Arg* hi = require(b, "high", spec, start);
            const double low = value(quantity(lo, "low"), "low");
            const double high = value(quantity(hi, "high"), "high");
            if (!(low < high))
                fail("uniform needs low < high, found low=" + std::string(text_of(lo->q)) +
                         " and high=" + std::string(text_of(hi->q)),
                     start, i_ - start, "low below high, as in uniform(1ms, 3ms)");
            return Law::uniform(low, high, d);
        }
        if (name == "normal") {
            const double mean = value(quantity(require(b, "mean", spec, start), "mean"), "mean");
            const double sd = value(quantity(require(b, "sd", spec, start), "sd"), "sd");
            return Law::normal(mean, sd, d);
        }
        if (name == "lognormal") return lognormal(b, spec, start);
        if (name == "gamma" || name == "erlang") {
            double shape = 0.0;
            if (name == "gamma") {
                shape = positive_plain(require(b, "shape", spec, start), "shape");
            } else {
                const Arg* ka = require(b, "k", spec, start);
                shape = positive_plain(ka, "k");
                if (shape != std::floor(shape))
                    fail("erlang's k must be a whole number, found " + quoted(text_of(ka->q)),
                         ka->q.pos, ka->q.len, "a whole number such as 3; gamma takes any shape");
            }
            const Arg* which = one_of(b, "mean", "scale", spec, start);
            const double v = positive_value(which, which == b.get("mean") ? "mean" : "scale");
            return Law::gamma(shape, which == b.get("mean") ? v / shape : v, d);
        }
        if (name == "weibull") {
            const double shape = positive_plain(require(b, "shape", spec, start), "shape");
            const Arg* which = one_of(b, "scale", "mean", spec, start);
            const bool by_mean = which == b.get("mean");
            const double v = positive_value(which, by_mean ? "mean" : "scale");
            double scale = v;
            if (by_mean) {
                scale = v / std::tgamma(1.0 + 1.0 / shape);
                if (!(scale > 0.0) || !std::isfinite(scale))
                    fail("weibull shape is too small to set by mean; give scale instead", start,
                         i_ - start, "scale=...");
            }
            return Law::weibull(shape, scale, d);
        }
        if (name == "pareto") {
            const double alpha = positive_plain(require(b, "alpha", spec, start), "alpha");
            const Arg* lo = require(b, "low", spec, start);
            const Arg* hi = require(b, "high", spec, start);
            const double low = positive_value(lo, "low");
            const double high = positive_value(hi, "high");
            if (!(low < high))
                fail("pareto needs low < high, found low=" + std::string(text_of(lo->q)) +
                         " and high=" + std::string(text_of(hi->q)),
                     start, i_ - start, "low below high, as in " + std::string(spec.example));
            return Law::bounded_pareto(alpha, low, high, d);
        }
        if (name == "hyperexp") {
            const double mean = positive_value(require(b, "mean", spec, start), "mean");
            const Arg* sa = require(b, "scv", spec, start);
            const double scv = plain(quantity(sa, "scv"), "scv");
            if (!(scv >= 1.0))
                fail("hyperexp needs scv >= 1, found " + quoted(text_of(sa->q)) +
                         "; for scv below 1 use gamma(shape=1/scv, mean=...)",
                     sa->q.pos, sa->q.len, "a number of 1 or more");
            Law l = Law::hyperexp(mean, scv, d);
            // The phases get readable texts, for reports that list parts.
            for (Law& part : l.parts) part.text = "exp(" + format_value(part.p[0]) + ")";
            return l;
        }
        return empirical(b, spec, start);  // the only family left
    }

    Law lognormal(const Bound& b, const LawSpec& spec, std::size_t start) {
        const Arg* mean = b.get("mean");
        const Arg* sd = b.get("sd");
        const Arg* p99 = b.get("p99");
        const Arg* mu = b.get("mu");
        const Arg* sigma = b.get("sigma");
        const std::string forms = "mean and sd, mean and p99, or mu and sigma";
        if ((mu || sigma) && (mean || sd || p99)) {
            const Arg* extra = mu ? mu : sigma;
            fail("lognormal takes " + forms + "; mu and sigma do not combine with the others",
                 extra->pos, extra->len, forms);
        }
        if (mu || sigma) {
            if (!mu || !sigma) fail("lognormal needs both mu and sigma", start, i_ - start, forms);
            const double m = plain(quantity(mu, "mu"), "mu");
            const Quantity& sq = quantity(sigma, "sigma");
            const double s = plain(sq, "sigma");
            if (s < 0.0)
                fail("sigma cannot be negative, found " + quoted(text_of(sq)), sq.pos, sq.len,
                     "a number of 0 or more");
            return Law::lognormal(m, s, dim_);
        }
        if (!mean)
            fail("lognormal needs " + forms + ", as in " + std::string(spec.example), start,
                 i_ - start, forms);
        if (sd && p99) fail("give sd or p99, not both", p99->pos, p99->len, forms);
        if (!sd && !p99)
            fail("lognormal needs sd or p99 next to mean, as in " + std::string(spec.example),
                 start, i_ - start, forms);
        const double m = positive_value(mean, "mean");
        if (sd) return Law::lognormal_mean_sd(m, value(quantity(sd, "sd"), "sd"), dim_);
        const Quantity& pq = quantity(p99, "p99");
        const double p = value(pq, "p99");
        const double max_ratio = lognormal_max_p99_ratio();
        if (!(p > m) || p / m > max_ratio)
            // The printed bound is rounded down so that it is itself accepted.
            fail(
                "a lognormal's p99 must be above its mean and at most about 14.97 times it: "
                "with mean=" +
                    std::string(text_of(mean->q)) + ", p99 must be above " + format_value(m, 4) +
                    " and at most " + format_value(round_down(m * max_ratio, 4), 4) + "; found " +
                    quoted(text_of(pq)),
                pq.pos, pq.len,
                "p99 above the mean and at most 14.97 times it (for heavier tails use "
                "pareto(...) or mix(...))");
        return Law::lognormal_mean_p99(m, p, dim_);
    }

    Law mix(const std::vector<Arg>& list, std::size_t start) {
        if (list.empty())
            fail("mix needs at least one 'weight: law' part", start, i_ - start,
                 "weight: law, as in mix(0.9: exp(5ms), 0.1: exp(50ms))");
        std::vector<double> w;
        std::vector<Law> parts;
        weighted(list, "mix", w, parts);
        return finish_mixture(w, std::move(parts), start);
    }

    Law hyperexp_phases(const std::vector<Arg>& list, std::size_t start) {
        std::vector<double> w;
        std::vector<Law> parts;
        weighted(list, "hyperexp", w, parts);
        for (std::size_t i = 0; i < parts.size(); ++i) {
            if (parts[i].kind != LawKind::Exp) {
                const Arg& a = list[i];
                const std::size_t at = a.q.pos + a.q.len;
                fail("hyperexp phases must be exp(...) laws; use mix(...) for other laws", at,
                     a.pos + a.len - at, "weight: exp(mean), as in 0.9: exp(1ms)");
            }
        }
        return finish_mixture(w, std::move(parts), start);
    }

    void weighted(const std::vector<Arg>& list, std::string_view name, std::vector<double>& w,
                  std::vector<Law>& parts) {
        for (const Arg& a : list) {
            if (a.type != Arg::Type::Weighted)
                fail(std::string(name) + " parts are written 'weight: law', as in 0.9: exp(5ms)",
                     a.pos, a.len, "weight: law");
            const double x = plain(a.q, "a weight");
            if (x < 0.0 || x > 1.0)
                fail("a weight must be between 0 and 1, found " + quoted(text_of(a.q)), a.q.pos,
                     a.q.len, "a probability such as 0.9");
            w.push_back(x);
            parts.push_back(a.law);
        }
    }

    Law finish_mixture(const std::vector<double>& w, std::vector<Law> parts, std::size_t start) {
        double total = 0.0;
        for (double x : w) total += x;
        if (std::fabs(total - 1.0) > 1e-9)
            fail("the weights sum to " + format_number(total) + ", not 1", start, i_ - start,
                 "weights that sum to 1");
        Law l = Law::mixture(w, std::move(parts));
        l.dimension = dim_;
        return l;
    }

    Law empirical(const Bound& b, const LawSpec& spec, std::size_t start) {
        const Arg* file = require(b, "file", spec, start);
        double factor = 1.0;
        if (const Arg* unit = b.get("unit")) {
            if (dim_ != Dimension::Time)
                fail("unit= applies to durations only; these samples are plain numbers", unit->pos,
                     unit->len, "no unit");
            if (unit->type != Arg::Type::Word)
                fail("expected a time unit for unit=, such as ms", unit->pos, unit->len,
                     "a time unit: ns, us, ms, s, m (minutes), min, h");
            const auto f = time_unit(unit->word);
            if (!f)
                fail("unknown time unit " + quoted(unit->word), unit->word_pos, unit->word.size(),
                     "a time unit: ns, us, ms, s, m (minutes), min, h",
                     did_you_mean(unit->word, time_unit_names()));
            factor = *f;
        }
        if (file->type != Arg::Type::Text)
            fail("expected a file name", file->pos, file->len, "a file name such as samples.csv");
        return Law::empirical(read_samples(file->word, file->word_pos, factor), dim_);
    }

    std::vector<double> read_samples(std::string_view name, std::size_t at, double factor) {
        namespace fs = std::filesystem;
        const fs::path rel{std::string(name)};
        const fs::path path = ctx_ && !ctx_->base_dir.empty() ? ctx_->base_dir / rel : rel;
        const std::string shown = quoted(name);
        std::error_code ec;
        if (fs::is_directory(path, ec))
            fail("the empirical sample file " + shown + " is a directory", at, name.size(),
                 "a CSV file with one number per line");
        // A device or a pipe (/dev/zero) would be read until memory runs out.
        if (fs::exists(path, ec) && !fs::is_regular_file(path, ec))
            fail("the empirical sample file " + shown + " is not a regular file", at, name.size(),
                 "a CSV file with one number per line");
        std::ifstream in(path, std::ios::binary);
        if (!in)
            fail("cannot open the empirical sample file " + shown + " (looked for " +
                     path.string() + ")",
                 at, name.size(), "an existing CSV file, relative to the scenario file");
        std::vector<double> out;
        std::string line;
        std::size_t line_no = 0;
        bool first_row = true;
        while (std::getline(in, line)) {
            ++line_no;
            std::string_view cell = trim(line);
            if (cell.empty() || cell.front() == '#') continue;
            cell = trim(cell.substr(0, cell.find_first_of(",;\t")));
            if (cell.size() >= 2 && cell.front() == '"' && cell.back() == '"')
                cell = trim(cell.substr(1, cell.size() - 2));
            const bool header_allowed = first_row;
            first_row = false;
            const std::size_t end = scan_number(cell, 0);
            std::optional<double> v;
            if (end == cell.size()) v = convert_number(cell);
            if (!v) {
                if (header_allowed) continue;  // a column title such as "latency_ms"
                fail(std::string(name) + ":" + std::to_string(line_no) + ": " +
                         quoted(cell.substr(0, 40)) + " is not a number",
                     at, name.size(), "one finite number per line (first column)");
            }
            if (*v < 0.0)
                fail(std::string(name) + ":" + std::to_string(line_no) + ": " + quoted(cell) +
                         " is negative",
                     at, name.size(), "samples of 0 or more");
            out.push_back(*v * factor + 0.0);
        }
        if (out.empty())
            fail("the empirical sample file " + shown + " has no samples", at, name.size(),
                 "one number per line");
        return out;
    }

    // ---- single values -----------------------------------------------------

    void expect_end(const std::string& what) {
        skip_ws();
        if (!at_end()) {
            const std::string_view rest = s_.substr(i_);
            fail("unexpected " + quoted(rest.substr(0, 40)) + " after " + what, i_, rest.size(),
                 "the end of the value");
        }
    }

    [[noreturn]] void fail_law_not_allowed(const std::string& expected) {
        skip_ws();
        const std::size_t start = i_;
        if (is_ident_start(peek())) {
            const std::string_view w = ident();
            skip_ws();
            if (!canonical_law(w).empty() && peek() == '(')
                fail("a single value is expected here, not a law", start, w.size(), expected);
        }
        i_ = start;
        fail_not_a_number(expected);
    }

    double duration_value() {
        const std::string expected = "a duration such as 250ms or 1.5s";
        skip_ws();
        if (at_end()) fail("expected a duration, found the end of the text", i_, 0, expected);
        if (!starts_number()) fail_law_not_allowed(expected);
        const double v = duration(number(expected));
        expect_end("the duration");
        return v;
    }

    double rate_value() {
        const std::string expected = "a rate such as 200/s, 5k/s or 12/min";
        skip_ws();
        if (at_end()) fail("expected a rate, found the end of the text", i_, 0, expected);
        if (!starts_number()) fail_law_not_allowed(expected);
        const Quantity q = number(expected);
        const auto m = multiplier(q.suffix);
        if (!m) {
            if (time_unit(q.suffix))
                fail(quoted(text_of(q)) + " is a duration, not a rate", q.pos, q.len, expected);
            fail("unknown suffix " + quoted(q.suffix) + " on a rate", q.suffix_pos, q.suffix.size(),
                 "k (thousands) or M (millions), then /s, /min or /h",
                 did_you_mean(q.suffix, multiplier_names()));
        }
        if (q.value < 0.0)
            fail("a rate cannot be negative: " + quoted(text_of(q)), q.pos, q.len,
                 "a rate of 0 or more");
        const double count = q.value * *m;
        skip_ws();
        if (at_end()) {
            if (count == 0.0) return 0.0;
            fail(quoted(text_of(q)) + " has no time unit", q.pos, q.len, expected,
                 std::string(text_of(q)) + "/s");
        }
        if (peek() != '/')
            fail("expected '/' and a time unit after " + quoted(text_of(q)) + ", found " + here(),
                 i_, char_length(s_, i_), expected);
        ++i_;
        skip_ws();
        const std::size_t upos = i_;
        const std::string_view unit = unit_word();
        if (unit.empty())
            fail("expected a time unit after '/', found " + here(), upos,
                 at_end() ? 0 : char_length(s_, upos), "s, sec, min, m or h");
        const auto per = rate_unit(unit);
        if (!per)
            fail("unknown time unit " + quoted(unit) + " in a rate", upos, unit.size(),
                 "s, sec, min, m or h", did_you_mean(unit, rate_unit_names()));
        expect_end("the rate");
        const double r = count / *per;
        if (!std::isfinite(r))
            fail(quoted(s_) + " is out of range", q.pos, i_ - q.pos, "a finite rate");
        return r;
    }

  private:
    std::string_view s_;
    std::size_t i_ = 0;
    Dimension dim_;
    const LawContext* ctx_;
};

}  // namespace

double parse_duration(std::string_view text) {
    Parser p(text, Dimension::Time, nullptr);
    p.check_length();
    return p.duration_value();
}

double parse_rate(std::string_view text) {
    Parser p(text, Dimension::Count, nullptr);
    p.check_length();
    return p.rate_value();
}

Law parse_law(std::string_view text, Dimension dim, const LawContext& ctx) {
    Parser p(text, dim, &ctx);
    p.check_length();
    Law law = p.law(0);
    p.expect_end("the law");
    law.text = std::string(trim(text));
    return law;
}

const std::vector<std::string>& law_names() {
    static const std::vector<std::string> names = {
        "const",  "exp",     "uniform", "normal",   "lognormal", "gamma",
        "erlang", "weibull", "pareto",  "hyperexp", "empirical", "mix",
    };
    return names;
}

}  // namespace capsim::scenario

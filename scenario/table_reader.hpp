// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/law.hpp"
#include "scenario/diagnostic.hpp"
#include "scenario/toml.hpp"
#include "scenario/value_parser.hpp"

namespace capsim::scenario {

/// Reads typed values out of TOML tables and records a diagnostic, located
/// at file:line:column and key path, for anything missing, mistyped,
/// misspelt or out of range. It never throws and never stops at the first
/// problem: the loader calls on, and every problem is reported in one pass.
class TableReader {
  public:
    TableReader(std::string file, LawContext ctx) : file_(std::move(file)), ctx_(std::move(ctx)) {}

    std::vector<Diagnostic>& diagnostics() { return diags_; }
    const LawContext& context() const { return ctx_; }
    /// The context for a value: relative files named in a base scenario
    /// (`extends`) resolve beside that base, not beside the file extending it.
    LawContext context_of(const toml::node& n) const;

    void error(const toml::node* at, const std::string& path, std::string message,
               std::string expected = {}, std::string suggestion = {});
    void warning(const toml::node* at, const std::string& path, std::string message);
    /// An error inside a string value, at its characters [offset, offset+length).
    void value_error(const toml::node* at, const std::string& path, const ValueError& e);

    /// Report keys of `t` that are not in `allowed`, with a did-you-mean.
    void check_keys(const toml::table& t, const std::string& path,
                    const std::vector<std::string>& allowed);

    std::optional<double> duration(const toml::table& t, const std::string& path,
                                   std::string_view key);
    std::optional<double> rate(const toml::table& t, const std::string& path, std::string_view key);
    std::optional<Law> law(const toml::table& t, const std::string& path, std::string_view key,
                           Dimension dim);
    std::optional<std::int64_t> integer(const toml::table& t, const std::string& path,
                                        std::string_view key, std::int64_t min, std::int64_t max);
    std::optional<double> number(const toml::table& t, const std::string& path,
                                 std::string_view key, double min, double max);
    /// A fraction: 0.001 or "0.1%".
    std::optional<double> fraction(const toml::table& t, const std::string& path,
                                   std::string_view key);
    std::optional<std::string> string(const toml::table& t, const std::string& path,
                                      std::string_view key);

    /// One of a fixed set of words, with a did-you-mean when misspelt.
    template <class E>
    std::optional<E> choice(const toml::table& t, const std::string& path, std::string_view key,
                            const std::vector<std::pair<std::string, E>>& options) {
        const toml::node* n = t.get(key);
        if (!n) return std::nullopt;
        std::vector<std::string> words;
        for (const auto& o : options) words.push_back(o.first);
        const auto* s = n->as_string();
        if (!s) {
            error(n, join(path, key), "expected a string", one_of(words));
            return std::nullopt;
        }
        for (const auto& o : options)
            if (o.first == s->get()) return o.second;
        error(n, join(path, key), "unknown value \"" + s->get() + "\"", one_of(words),
              suggest(s->get(), words));
        return std::nullopt;
    }

    /// Node-level readers, for array elements and values found by hand.
    std::optional<double> duration_of(const toml::node& n, const std::string& path);
    std::optional<double> rate_of(const toml::node& n, const std::string& path);
    std::optional<Law> law_of(const toml::node& n, const std::string& path, Dimension dim);

    static std::string join(const std::string& path, std::string_view key);
    static std::string index(const std::string& path, std::size_t i);
    static std::string one_of(const std::vector<std::string>& words);
    static std::string suggest(std::string_view word, const std::vector<std::string>& words);
    static std::string type_name(const toml::node& n);

  private:
    Diagnostic at(const toml::node* n, const std::string& path) const;
    static void place_in_string(const toml::node& n, std::size_t offset, Diagnostic& d);
    std::string file_;
    LawContext ctx_;
    std::vector<Diagnostic> diags_;
};

}  // namespace capsim::scenario

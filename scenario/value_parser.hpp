// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/law.hpp"

namespace capsim::scenario {

/// A value the user wrote that does not parse. `offset`/`length` locate the
/// offending characters inside the text given to the parser (0-based), so
/// the loader can turn them into a file:line:column.
struct ValueError : std::runtime_error {
    ValueError(std::string message, std::size_t offset_, std::size_t length_,
               std::string expected_ = {}, std::string suggestion_ = {})
        : std::runtime_error(std::move(message)),
          offset(offset_),
          length(length_),
          expected(std::move(expected_)),
          suggestion(std::move(suggestion_)) {}
    std::size_t offset;
    std::size_t length;
    std::string expected;    // e.g. "a duration such as 250ms or 1.5s"
    std::string suggestion;  // did-you-mean, e.g. "ms" or "lognormal"; empty if none
};

/// "250ms", "1.5s", "2m", "1h", "100us", "20ns", "0" -> seconds.
double parse_duration(std::string_view text);

/// "200/s", "5k/s", "12/min", "3/h", "1.5M/s", "0/s" -> events per second.
double parse_rate(std::string_view text);

/// Where laws that read files (empirical) look for them.
struct LawContext {
    std::filesystem::path base_dir;  // directory of the scenario file
};

/// A law as people write it. With dim == Time: "exp(5ms)", "const(2ms)",
/// "5ms" (same as const), "uniform(1ms, 3ms)", "normal(mean=10ms, sd=2ms)",
/// "lognormal(mean=8ms, sd=4ms)", "lognormal(mean=8ms, p99=80ms)",
/// "lognormal(mu=-5, sigma=0.5)" (of the underlying normal, in seconds),
/// "gamma(shape=2, mean=10ms)", "erlang(k=3, mean=9ms)",
/// "weibull(shape=1.5, scale=10ms)", "pareto(alpha=1.5, low=1ms, high=1s)",
/// "hyperexp(mean=10ms, scv=4)", "hyperexp(0.9: exp(1ms), 0.1: exp(50ms))",
/// "empirical(samples.csv)", "empirical(samples.csv, unit=ms)",
/// "mix(0.9: exp(5ms), 0.1: lognormal(mean=50ms, sd=20ms))".
/// With dim == Count the same laws without units: "10", "uniform(1, 20)",
/// "exp(10)", "lognormal(mean=10, sd=5)".
/// Also accepted: gamma/erlang with scale= instead of mean=, weibull with
/// mean= instead of scale=, empirical(file=...), and the aliases constant,
/// exponential and mixture. docs/laws.md is the full reference. Throws
/// ValueError for anything else; never for valid input; never anything but
/// ValueError (std::bad_alloc aside).
Law parse_law(std::string_view text, Dimension dim, const LawContext& ctx = {});

/// The names of every law family, for did-you-mean and the docs.
const std::vector<std::string>& law_names();

}  // namespace capsim::scenario

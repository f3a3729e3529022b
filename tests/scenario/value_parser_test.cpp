// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "engine/law.hpp"
#include "engine/random.hpp"
#include "scenario/did_you_mean.hpp"
#include "scenario/value_parser.hpp"

namespace {

using capsim::Dimension;
using capsim::Law;
using capsim::LawKind;
using capsim::scenario::LawContext;
using capsim::scenario::parse_duration;
using capsim::scenario::parse_law;
using capsim::scenario::parse_rate;
using capsim::scenario::ValueError;

Law time_law(const std::string& text) {
    return parse_law(text, Dimension::Time);
}
Law count_law(const std::string& text) {
    return parse_law(text, Dimension::Count);
}

/// The error parse_law throws for `text`; fails the test if it parses.
template <typename F>
ValueError error_of(F&& parse) {
    try {
        parse();
    } catch (const ValueError& e) {
        return e;
    }
    FAIL("expected a ValueError");
    return ValueError("", 0, 0);
}

ValueError law_error(const std::string& text, Dimension dim = Dimension::Time,
                     const LawContext& ctx = {}) {
    return error_of([&] { (void)parse_law(text, dim, ctx); });
}

/// A scratch directory under the system temp dir, removed at the end.
struct TempDir {
    std::filesystem::path path;
    TempDir() {
        const auto stamp = std::chrono::steady_clock::now().time_since_epoch().count();
        path = std::filesystem::temp_directory_path() /
               ("capsim_value_parser_test_" + std::to_string(stamp));
        std::filesystem::create_directories(path);
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    void write(const std::string& name, const std::string& content) const {
        std::ofstream(path / name, std::ios::binary) << content;
    }
};

}  // namespace

// ---- durations -------------------------------------------------------------

TEST_CASE("parse_duration: every unit converts to seconds", "[value_parser]") {
    CHECK(parse_duration("250ms") == Approx(0.25));
    CHECK(parse_duration("1.5s") == 1.5);
    CHECK(parse_duration("2m") == 120.0);
    CHECK(parse_duration("2min") == 120.0);
    CHECK(parse_duration("1h") == 3600.0);
    CHECK(parse_duration("100us") == Approx(1e-4));
    CHECK(parse_duration("100\xC2\xB5s") == Approx(1e-4));  // µs
    CHECK(parse_duration("20ns") == Approx(2e-8));
    CHECK(parse_duration("3sec") == 3.0);
    CHECK(parse_duration("1e-3s") == Approx(1e-3));
    CHECK(parse_duration(" 20 ms ") == Approx(0.02));
    CHECK(parse_duration(".5s") == 0.5);
}

TEST_CASE("parse_duration: a bare 0 needs no unit", "[value_parser]") {
    CHECK(parse_duration("0") == 0.0);
    CHECK(parse_duration("0.0") == 0.0);
    CHECK(parse_duration("0ms") == 0.0);
}

TEST_CASE("parse_duration: a misspelt unit is located and gets a suggestion", "[value_parser]") {
    const ValueError e = error_of([] { (void)parse_duration("5mss"); });
    CHECK(e.offset == 1);
    CHECK(e.length == 3);
    CHECK(e.suggestion == "ms");
    CHECK_FALSE(e.expected.empty());
    CHECK(error_of([] { (void)parse_duration("5MS"); }).suggestion == "ms");
    CHECK(error_of([] { (void)parse_duration("5hr"); }).suggestion == "h");
}

TEST_CASE("parse_duration: negative, NaN, infinite, unitless and junk are rejected",
          "[value_parser]") {
    const ValueError neg = error_of([] { (void)parse_duration("-5ms"); });
    CHECK(neg.offset == 0);
    CHECK(neg.length == 4);
    const ValueError unitless = error_of([] { (void)parse_duration("5"); });
    CHECK(unitless.expected == "a duration with a unit such as 5ms");
    CHECK(unitless.offset == 0);
    CHECK(unitless.length == 1);
    CHECK_THROWS_AS(parse_duration("nan"), ValueError);
    CHECK_THROWS_AS(parse_duration("inf"), ValueError);
    CHECK_THROWS_AS(parse_duration("infs"), ValueError);
    CHECK_THROWS_AS(parse_duration("1e999s"), ValueError);
    CHECK_THROWS_AS(parse_duration("1e308h"), ValueError);  // finite number, infinite seconds
    CHECK_THROWS_AS(parse_duration(""), ValueError);
    CHECK_THROWS_AS(parse_duration("ms"), ValueError);
    CHECK_THROWS_AS(parse_duration("exp(5ms)"), ValueError);
    const ValueError junk = error_of([] { (void)parse_duration("5ms x"); });
    CHECK(junk.offset == 4);
    CHECK(junk.length == 1);
}

// ---- rates -----------------------------------------------------------------

TEST_CASE("parse_rate: counts per unit of time convert to events per second", "[value_parser]") {
    CHECK(parse_rate("200/s") == 200.0);
    CHECK(parse_rate("5k/s") == 5000.0);
    CHECK(parse_rate("12/min") == Approx(0.2));
    CHECK(parse_rate("12/m") == Approx(0.2));
    CHECK(parse_rate("3/h") == Approx(3.0 / 3600.0));
    CHECK(parse_rate("1.5M/s") == 1.5e6);
    CHECK(parse_rate("10/sec") == 10.0);
    CHECK(parse_rate("0/s") == 0.0);
    CHECK(parse_rate("0") == 0.0);
    CHECK(parse_rate(" 200 / s ") == 200.0);
}

TEST_CASE("parse_rate: missing or unknown units and negative rates are rejected",
          "[value_parser]") {
    const ValueError no_unit = error_of([] { (void)parse_rate("200"); });
    CHECK(no_unit.offset == 0);
    CHECK(no_unit.length == 3);
    CHECK(no_unit.suggestion == "200/s");
    const ValueError bad_unit = error_of([] { (void)parse_rate("200/secs"); });
    CHECK(bad_unit.offset == 4);
    CHECK(bad_unit.length == 4);
    CHECK(bad_unit.suggestion == "sec");
    const ValueError bad_mult = error_of([] { (void)parse_rate("5K/s"); });
    CHECK(bad_mult.offset == 1);
    CHECK(bad_mult.suggestion == "k");
    CHECK_THROWS_AS(parse_rate("-1/s"), ValueError);
    CHECK_THROWS_AS(parse_rate("200ms"), ValueError);
    CHECK_THROWS_AS(parse_rate("200/"), ValueError);
    CHECK_THROWS_AS(parse_rate("/s"), ValueError);
    CHECK_THROWS_AS(parse_rate("200/s/s"), ValueError);
    CHECK_THROWS_AS(parse_rate("nan/s"), ValueError);
}

// ---- laws: every form of the reference ---------------------------------------

TEST_CASE("parse_law: exp(5ms) is an exponential of mean 5ms", "[value_parser]") {
    const Law l = time_law("exp(5ms)");
    CHECK(l.kind == LawKind::Exp);
    CHECK(l.p[0] == Approx(0.005));
    CHECK(l.dimension == Dimension::Time);
    CHECK(l.text == "exp(5ms)");
    CHECK(time_law("exp(mean=5ms)").p[0] == Approx(0.005));
    CHECK(time_law("exponential(5ms)").kind == LawKind::Exp);
    CHECK(time_law("exp( 5 ms )").p[0] == Approx(0.005));
}

TEST_CASE("parse_law: const(2ms) and a bare duration are constants", "[value_parser]") {
    for (const char* text : {"const(2ms)", "2ms", "const(value=2ms)", "  2ms  "}) {
        const Law l = time_law(text);
        CHECK(l.kind == LawKind::Const);
        CHECK(l.p[0] == Approx(0.002));
    }
    CHECK(time_law("  2ms  ").text == "2ms");
    CHECK(time_law("0").p[0] == 0.0);
}

TEST_CASE("parse_law: uniform(1ms, 3ms) by position or by name", "[value_parser]") {
    for (const char* text : {"uniform(1ms, 3ms)", "uniform(low=1ms, high=3ms)",
                             "uniform(high=3ms, low=1ms)", "uniform(1ms, high=3ms)"}) {
        const Law l = time_law(text);
        CHECK(l.kind == LawKind::Uniform);
        CHECK(l.p[0] == Approx(0.001));
        CHECK(l.p[1] == Approx(0.003));
    }
}

TEST_CASE("parse_law: normal(mean=10ms, sd=2ms)", "[value_parser]") {
    const Law l = time_law("normal(mean=10ms, sd=2ms)");
    CHECK(l.kind == LawKind::Normal);
    CHECK(l.p[0] == Approx(0.010));
    CHECK(l.p[1] == Approx(0.002));
    CHECK(time_law("normal(10ms, 2ms)").p[1] == Approx(0.002));
}

TEST_CASE("parse_law: lognormal by mean and sd, mean and p99, or mu and sigma", "[value_parser]") {
    const Law a = time_law("lognormal(mean=8ms, sd=4ms)");
    CHECK(a.kind == LawKind::Lognormal);
    CHECK(a.mean() == Approx(0.008).epsilon(1e-12));
    CHECK(std::sqrt(a.variance()) == Approx(0.004).epsilon(1e-12));

    const Law b = time_law("lognormal(mean=8ms, p99=80ms)");
    CHECK(b.mean() == Approx(0.008).epsilon(1e-12));
    CHECK(std::exp(b.p[0] + b.p[1] * capsim::normal_quantile(0.99)) ==
          Approx(0.080).epsilon(1e-12));

    const Law c = time_law("lognormal(mu=-5, sigma=0.5)");
    CHECK(c.p[0] == -5.0);
    CHECK(c.p[1] == 0.5);
}

TEST_CASE("parse_law: gamma, erlang and weibull", "[value_parser]") {
    const Law g = time_law("gamma(shape=2, mean=10ms)");
    CHECK(g.kind == LawKind::Gamma);
    CHECK(g.p[0] == 2.0);
    CHECK(g.mean() == Approx(0.010));
    CHECK(time_law("gamma(shape=2, scale=5ms)").mean() == Approx(0.010));

    const Law e = time_law("erlang(k=3, mean=9ms)");
    CHECK(e.kind == LawKind::Gamma);
    CHECK(e.p[0] == 3.0);
    CHECK(e.p[1] == Approx(0.003));

    const Law w = time_law("weibull(shape=1.5, scale=10ms)");
    CHECK(w.kind == LawKind::Weibull);
    CHECK(w.p[0] == 1.5);
    CHECK(w.p[1] == Approx(0.010));
    CHECK(time_law("weibull(shape=1.5, mean=10ms)").mean() == Approx(0.010).epsilon(1e-12));
}

TEST_CASE("parse_law: pareto(alpha=1.5, low=1ms, high=1s) is a bounded Pareto", "[value_parser]") {
    const Law l = time_law("pareto(alpha=1.5, low=1ms, high=1s)");
    CHECK(l.kind == LawKind::BoundedPareto);
    CHECK(l.p[0] == 1.5);
    CHECK(l.p[1] == Approx(0.001));
    CHECK(l.p[2] == 1.0);
}

TEST_CASE("parse_law: hyperexp by mean and scv, or by explicit phases", "[value_parser]") {
    const Law a = time_law("hyperexp(mean=10ms, scv=4)");
    CHECK(a.kind == LawKind::Mixture);
    CHECK(a.parts.size() == 2);
    CHECK(a.mean() == Approx(0.010).epsilon(1e-12));
    CHECK(a.scv() == Approx(4.0).epsilon(1e-12));

    const Law b = time_law("hyperexp(0.9: exp(1ms), 0.1: exp(50ms))");
    CHECK(b.kind == LawKind::Mixture);
    REQUIRE(b.parts.size() == 2);
    CHECK(b.parts[1].p[0] == Approx(0.050));
    CHECK(b.parts[1].text == "exp(50ms)");
    CHECK(b.weights[0] == Approx(0.9));
    CHECK(b.weights[1] == 1.0);
    CHECK(b.mean() == Approx(0.9 * 0.001 + 0.1 * 0.050));
}

TEST_CASE("parse_law: mix of laws with weights", "[value_parser]") {
    const Law l = time_law("mix(0.9: exp(5ms), 0.1: lognormal(mean=50ms, sd=20ms))");
    CHECK(l.kind == LawKind::Mixture);
    REQUIRE(l.parts.size() == 2);
    CHECK(l.parts[0].kind == LawKind::Exp);
    CHECK(l.parts[1].kind == LawKind::Lognormal);
    CHECK(l.weights == std::vector<double>{0.9, 1.0});
    CHECK(l.mean() == Approx(0.9 * 0.005 + 0.1 * 0.050));
    // Nesting, and weights that only sum to 1 up to rounding.
    const Law n = time_law("mix(0.1: 1ms, 0.2: 2ms, 0.7: mix(0.5: exp(1ms), 0.5: 3ms))");
    CHECK(n.parts.size() == 3);
    CHECK(n.parts[2].kind == LawKind::Mixture);
}

TEST_CASE("parse_law: count laws take plain numbers", "[value_parser]") {
    CHECK(count_law("10").p[0] == 10.0);
    CHECK(count_law("5k").p[0] == 5000.0);
    CHECK(count_law("uniform(1, 20)").p[1] == 20.0);
    CHECK(count_law("exp(10)").p[0] == 10.0);
    CHECK(count_law("lognormal(mean=10, sd=5)").mean() == Approx(10.0).epsilon(1e-12));
    CHECK(count_law("erlang(k=2, mean=6)").p[1] == 3.0);
    CHECK(count_law("exp(10)").dimension == Dimension::Count);
    const ValueError e = law_error("5ms", Dimension::Count);
    CHECK(e.offset == 1);
    CHECK(e.length == 2);
}

TEST_CASE("parse_law: law_names lists every family", "[value_parser]") {
    const auto& names = capsim::scenario::law_names();
    CHECK(names.size() == 12);
    for (const char* n : {"const", "exp", "uniform", "normal", "lognormal", "gamma", "erlang",
                          "weibull", "pareto", "hyperexp", "empirical", "mix"})
        CHECK(std::find(names.begin(), names.end(), n) != names.end());
}

// ---- empirical ----------------------------------------------------------------

TEST_CASE("parse_law: empirical reads one number per line relative to the scenario",
          "[value_parser]") {
    TempDir dir;
    dir.write("samples.csv", "latency,host\n# measured 2024-05-01\n\n12,a\n3.5,b\r\n8\n  1e1 \n");
    const LawContext ctx{dir.path};
    const Law s = parse_law("empirical(samples.csv)", Dimension::Time, ctx);
    CHECK(s.kind == LawKind::Empirical);
    CHECK(s.values == std::vector<double>{3.5, 8.0, 10.0, 12.0});

    const Law ms = parse_law("empirical(samples.csv, unit=ms)", Dimension::Time, ctx);
    REQUIRE(ms.values.size() == 4);
    CHECK(ms.values[0] == Approx(0.0035));
    CHECK(ms.mean() == Approx((3.5 + 8 + 10 + 12) / 4.0 * 1e-3));

    CHECK(parse_law("empirical(file=samples.csv)", Dimension::Count, ctx).values.size() == 4);
    CHECK(parse_law("empirical('samples.csv')", Dimension::Count, ctx).values.size() == 4);
}

TEST_CASE("parse_law: empirical file errors name the file and the line", "[value_parser]") {
    TempDir dir;
    const LawContext ctx{dir.path};
    dir.write("empty.csv", "value\n# nothing yet\n\n");
    dir.write("bad.csv", "value\n1\n2\nthree\n");
    dir.write("neg.csv", "1\n-2\n");

    const ValueError missing = law_error("empirical(nope.csv)", Dimension::Time, ctx);
    CHECK(missing.offset == 10);
    CHECK(missing.length == 8);
    CHECK(std::string(missing.what()).find("nope.csv") != std::string::npos);

    const ValueError empty = law_error("empirical(empty.csv)", Dimension::Time, ctx);
    CHECK(std::string(empty.what()).find("no samples") != std::string::npos);

    const ValueError bad = law_error("empirical(bad.csv)", Dimension::Time, ctx);
    CHECK(std::string(bad.what()).find("bad.csv:4") != std::string::npos);
    CHECK(std::string(bad.what()).find("three") != std::string::npos);
    CHECK(bad.offset == 10);

    CHECK_THROWS_AS(parse_law("empirical(neg.csv)", Dimension::Time, ctx), ValueError);
    CHECK(law_error("empirical(bad.csv, unit=mss)", Dimension::Time, ctx).suggestion == "ms");
    CHECK_THROWS_AS(parse_law("empirical(empty.csv, unit=ms)", Dimension::Count, ctx), ValueError);
    CHECK_THROWS_AS(parse_law("empirical()", Dimension::Time, ctx), ValueError);
}

// ---- errors ---------------------------------------------------------------------

TEST_CASE("parse_law: a misspelt law name suggests the right one", "[value_parser]") {
    const ValueError e = law_error("lognormall(mean=8ms, sd=1ms)");
    CHECK(e.offset == 0);
    CHECK(e.length == 10);
    CHECK(e.suggestion == "lognormal");
    CHECK(law_error("expo(5ms)").suggestion == "exp");
    CHECK(law_error("unifrom(1ms, 2ms)").suggestion == "uniform");
    CHECK(law_error("weibul(shape=1, scale=1ms)").suggestion == "weibull");
    CHECK(law_error("banana(1ms)").suggestion.empty());
}

TEST_CASE("parse_law: a misspelt parameter name suggests the right one", "[value_parser]") {
    const ValueError e = law_error("normal(mean=10ms, sdd=2ms)");
    CHECK(e.offset == 18);
    CHECK(e.length == 3);
    CHECK(e.suggestion == "sd");
    CHECK(law_error("pareto(alpah=1.5, low=1ms, high=1s)").suggestion == "alpha");
    CHECK(law_error("gamma(shpe=2, mean=1ms)").suggestion == "shape");
}

TEST_CASE("parse_law: a misspelt unit inside a law suggests the right one", "[value_parser]") {
    const ValueError e = law_error("exp(5mss)");
    CHECK(e.offset == 5);
    CHECK(e.length == 3);
    CHECK(e.suggestion == "ms");
}

TEST_CASE("parse_law: a time law without a unit says a unit is expected", "[value_parser]") {
    const ValueError e = law_error("exp(5)");
    CHECK(e.offset == 4);
    CHECK(e.length == 1);
    CHECK(e.expected == "a duration with a unit such as 5ms");
    CHECK(std::string(e.what()).find("5ms") != std::string::npos);
    CHECK_THROWS_AS(time_law("5"), ValueError);
    CHECK_THROWS_AS(time_law("exp(5k)"), ValueError);
}

TEST_CASE("parse_law: uniform with low >= high is rejected", "[value_parser]") {
    const ValueError e = law_error("uniform(3ms, 1ms)");
    CHECK(e.offset == 0);
    CHECK(e.length == 17);
    CHECK_THROWS_AS(time_law("uniform(1ms, 1ms)"), ValueError);
    CHECK_THROWS_AS(time_law("pareto(alpha=1, low=1s, high=1ms)"), ValueError);
}

TEST_CASE("parse_law: out-of-domain parameters are rejected", "[value_parser]") {
    for (const char* text : {
             "exp(-5ms)", "normal(mean=-1ms, sd=1ms)", "normal(mean=1ms, sd=-1ms)",
             "lognormal(mean=0, sd=1ms)", "lognormal(mean=8ms, sd=-1ms)",
             "lognormal(mu=-5, sigma=-0.5)", "gamma(shape=0, mean=1ms)",
             "gamma(shape=-1, mean=1ms)", "erlang(k=2.5, mean=1ms)", "erlang(k=0, mean=1ms)",
             "weibull(shape=0, scale=1ms)", "pareto(alpha=0, low=1ms, high=1s)",
             "pareto(alpha=1, low=0, high=1s)", "hyperexp(mean=10ms, scv=0.5)",
             "hyperexp(0.5: const(1ms), 0.5: exp(1ms))", "mix(1.5: exp(1ms), -0.5: exp(2ms))",
             "gamma(shape=2ms, mean=1ms)",
             "lognormal(mu=1000, sigma=1)",  // valid parameters, mean overflows
         }) {
        INFO(text);
        CHECK_THROWS_AS(time_law(text), ValueError);
    }
}

TEST_CASE("parse_law: a lognormal p99 outside its possible range gives the allowed range",
          "[value_parser]") {
    const ValueError high = law_error("lognormal(mean=8ms, p99=200ms)");
    CHECK(high.offset == 24);
    CHECK(high.length == 5);
    const std::string msg = high.what();
    CHECK(msg.find("above 8ms") != std::string::npos);
    CHECK(msg.find("at most 119.7ms") != std::string::npos);
    CHECK_THROWS_AS(time_law("lognormal(mean=8ms, p99=8ms)"), ValueError);
    CHECK_THROWS_AS(time_law("lognormal(mean=8ms, p99=4ms)"), ValueError);
    CHECK_NOTHROW(time_law("lognormal(mean=8ms, p99=119.7ms)"));
}

TEST_CASE("parse_law: mix weights must sum to 1 and the message gives the sum", "[value_parser]") {
    const ValueError e = law_error("mix(0.9: exp(5ms), 0.05: exp(1ms))");
    CHECK(std::string(e.what()).find("0.95") != std::string::npos);
    CHECK(e.offset == 0);
    CHECK(e.length == 34);
    CHECK_NOTHROW(time_law("mix(0.1: 1ms, 0.2: 2ms, 0.7: 3ms)"));  // 1 up to rounding
    CHECK_THROWS_AS(time_law("mix()"), ValueError);
    CHECK_THROWS_AS(time_law("mix(exp(1ms))"), ValueError);
    CHECK_THROWS_AS(time_law("mix(mean=1ms)"), ValueError);
}

TEST_CASE("parse_law: unknown, duplicate, missing and misplaced parameters are rejected",
          "[value_parser]") {
    CHECK_THROWS_AS(time_law("exp(mean=5ms, mean=6ms)"), ValueError);
    CHECK_THROWS_AS(time_law("exp(rate=5ms)"), ValueError);
    CHECK_THROWS_AS(time_law("normal(mean=10ms)"), ValueError);
    CHECK_THROWS_AS(time_law("uniform(low=1ms, 3ms)"), ValueError);
    CHECK_THROWS_AS(time_law("uniform(1ms, 2ms, 3ms)"), ValueError);
    CHECK_THROWS_AS(time_law("lognormal(8ms, 1ms)"), ValueError);
    CHECK_THROWS_AS(time_law("lognormal(mean=8ms)"), ValueError);
    CHECK_THROWS_AS(time_law("lognormal(mean=8ms, sd=1ms, p99=20ms)"), ValueError);
    CHECK_THROWS_AS(time_law("lognormal(mean=8ms, mu=1, sigma=1)"), ValueError);
    CHECK_THROWS_AS(time_law("gamma(shape=2)"), ValueError);
    CHECK_THROWS_AS(time_law("gamma(shape=2, mean=1ms, scale=1ms)"), ValueError);
    CHECK_THROWS_AS(time_law("exp(0.5: exp(1ms))"), ValueError);
    CHECK_THROWS_AS(time_law("exp(mean=exp(1ms))"), ValueError);
    const ValueError missing = law_error("normal(mean=10ms)");
    CHECK(missing.offset == 0);
    CHECK(missing.length == 17);
    CHECK(missing.expected == "sd=...");
}

TEST_CASE("parse_law: trailing junk and unbalanced parentheses are located", "[value_parser]") {
    const ValueError junk = law_error("exp(5ms) x");
    CHECK(junk.offset == 9);
    CHECK(junk.length == 1);
    const ValueError extra = law_error("exp(5ms))");
    CHECK(extra.offset == 8);
    CHECK(extra.length == 1);
    const ValueError open = law_error("exp(5ms");
    CHECK(open.offset == 3);
    CHECK(open.length == 1);
    CHECK(open.expected == "')'");
    const ValueError nested = law_error("mix(0.5: exp(1ms), 0.5: exp(2ms)");
    CHECK(nested.offset == 3);
}

TEST_CASE("parse_law: absurdly long or deeply nested input is rejected", "[value_parser]") {
    const ValueError e = law_error(std::string(5000, ' ') + "1ms");
    CHECK(e.offset == 0);
    std::string deep;
    for (int i = 0; i < 40; ++i) deep += "mix(1: ";
    deep += "1ms";
    for (int i = 0; i < 40; ++i) deep += ")";
    CHECK_THROWS_AS(time_law(deep), ValueError);
    std::string ok;
    for (int i = 0; i < 10; ++i) ok += "mix(1: ";
    ok += "1ms";
    for (int i = 0; i < 10; ++i) ok += ")";
    CHECK(time_law(ok).mean() == Approx(0.001));
}

TEST_CASE("parse_law: no input crashes and every error points inside the text", "[value_parser]") {
    const std::vector<std::string> nasty = {
        "",
        " ",
        "(",
        ")",
        "()",
        ",",
        ":",
        "=",
        "exp",
        "exp(",
        "exp)",
        "exp()",
        "exp(,)",
        "exp(5ms,)",
        "exp(=5ms)",
        "exp(mean=)",
        "exp(mean",
        "mix(",
        "mix(0.5",
        "mix(0.5:",
        "mix(0.5: )",
        "mix(:exp(1ms))",
        "1e",
        "1e+",
        "-",
        "+",
        ".",
        "-.",
        "1..2ms",
        "0x10ms",
        "\xC2\xB5s",
        "5\xC2",
        "5\xFF\xFE",
        "empirical(",
        "empirical(\"x",
        "empirical('')",
        "hyperexp(",
        "hyperexp(0.5: exp(1ms)",
        "nan",
        "-inf",
        "exp(inf)",
        "exp(1e400ms)",
        std::string("exp(5\0ms)", 9),
        "uniform(1ms 2ms)",
        "lognormal(mean=8ms p99=80ms)",
    };
    for (const std::string& text : nasty) {
        INFO("input: " << text);
        for (Dimension d : {Dimension::Time, Dimension::Count}) {
            try {
                (void)parse_law(text, d);
            } catch (const ValueError& e) {
                CHECK(e.offset <= text.size());
                CHECK(e.offset + e.length <= text.size());
                CHECK(std::string(e.what()).size() > 0);
            }
        }
        try {
            (void)parse_duration(text);
        } catch (const ValueError& e) {
            CHECK(e.offset + e.length <= text.size());
        }
        try {
            (void)parse_rate(text);
        } catch (const ValueError& e) {
            CHECK(e.offset + e.length <= text.size());
        }
    }

    // Random strings over the parser's own alphabet: only ValueError escapes.
    const std::string alphabet = "()=,:/. 0123456789eEkMmsunhx+-_'\"#mixepcondlrawgfb\xC2\xB5";
    capsim::Rng rng(2024, 0, "fuzz");
    std::size_t parsed = 0;
    for (int i = 0; i < 20'000; ++i) {
        std::string text;
        const auto len = rng.below(24);
        for (std::uint64_t k = 0; k < len; ++k) text += alphabet[rng.below(alphabet.size())];
        try {
            (void)parse_law(text, i % 2 ? Dimension::Time : Dimension::Count);
            ++parsed;
        } catch (const ValueError& e) {
            REQUIRE(e.offset + e.length <= text.size());
        }
    }
    CHECK(parsed < 20'000);
}

// ---- did you mean ------------------------------------------------------------

TEST_CASE("did_you_mean: Damerau-Levenshtein distance counts transpositions as one edit",
          "[value_parser]") {
    using capsim::scenario::edit_distance;
    CHECK(edit_distance("", "") == 0);
    CHECK(edit_distance("abc", "") == 3);
    CHECK(edit_distance("", "abc") == 3);
    CHECK(edit_distance("kitten", "sitting") == 3);
    CHECK(edit_distance("unifrom", "uniform") == 1);
    CHECK(edit_distance("ca", "abc") == 3);  // optimal string alignment
    CHECK(edit_distance("lognormall", "lognormal") == 1);
}

TEST_CASE(
    "did_you_mean: suggests within max(1, len/3) edits, knows other tools' words, else nothing",
    "[value_parser]") {
    using capsim::scenario::did_you_mean;
    const std::vector<std::string> units = {"ns", "us", "ms", "s", "m", "min", "h"};
    CHECK(did_you_mean("mss", units) == "ms");
    CHECK(did_you_mean("MS", units) == "ms");
    CHECK(did_you_mean("mn", units) == "ms");  // ties go to the earlier candidate
    CHECK(did_you_mean("fortnights", units).empty());
    CHECK(did_you_mean("Hours", units) == "h");  // other tools' words for ours
    CHECK(did_you_mean("fifo", {"ps", "fcfs"}) == "fcfs");
    CHECK(did_you_mean("fifo", {"priority"}).empty());  // a synonym must be in scope
    CHECK(did_you_mean("", units).empty());
    const std::vector<std::string> names = {"timeout", "retries", "replicas"};
    CHECK(did_you_mean("replcas", names) == "replicas");
    CHECK(did_you_mean("retires", names) == "retries");
    CHECK(did_you_mean("zzz", names).empty());
    CHECK(did_you_mean("x", {}).empty());
}

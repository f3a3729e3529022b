// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#include "engine/json_writer.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <regex>
#include <string>

#include "engine/random.hpp"

using capsim::JsonWriter;

namespace {

std::string number(double v) {
    JsonWriter w(0);
    w.value(v);
    return w.str();
}

bool same_bits(double a, double b) {
    return std::memcmp(&a, &b, sizeof a) == 0;
}

// RFC 8259's number grammar.
const std::regex& json_number() {
    static const std::regex re(R"(-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?)");
    return re;
}

// The shortest "%.*g" text that parses back to v: fewest digits, and
// printf's own choice of fixed or exponent form for them.
std::string shortest_printf(double v) {
    char buf[64];
    for (int precision = 1; precision <= 17; ++precision) {
        std::snprintf(buf, sizeof buf, "%.*g", precision, v);
        if (std::strtod(buf, nullptr) == v) break;
    }
    return buf;
}

}  // namespace

TEST_CASE("json: empty object and empty array are written {} and []", "[unit]") {
    CHECK(JsonWriter().begin_object().end_object().str() == "{}");
    CHECK(JsonWriter().begin_array().end_array().str() == "[]");
    CHECK(JsonWriter(0).begin_object().end_object().str() == "{}");
    JsonWriter w;
    w.begin_object().key("o").begin_object().end_object().key("a").begin_array().end_array();
    w.end_object();
    CHECK(w.str() == "{\n  \"o\": {},\n  \"a\": []\n}");
}

TEST_CASE("json: nesting indents by level and separates members with commas", "[unit]") {
    JsonWriter w;
    w.begin_object();
    w.key("a").value(1);
    w.key("b").begin_array().value(true).null().begin_object().key("x").value("y").end_object();
    w.end_array();
    w.key("c").begin_object().key("d").value(false).end_object();
    w.end_object();
    CHECK(w.str() ==
          "{\n"
          "  \"a\": 1,\n"
          "  \"b\": [\n"
          "    true,\n"
          "    null,\n"
          "    {\n"
          "      \"x\": \"y\"\n"
          "    }\n"
          "  ],\n"
          "  \"c\": {\n"
          "    \"d\": false\n"
          "  }\n"
          "}");
}

TEST_CASE("json: indent 0 writes the same document on one line", "[unit]") {
    JsonWriter w(0);
    w.begin_object().key("a").value(1).key("b").begin_array().value(2).value(3).end_array();
    w.key("c").begin_object().end_object().end_object();
    CHECK(w.str() == R"({"a":1,"b":[2,3],"c":{}})");
}

TEST_CASE("json: integers, booleans and null", "[unit]") {
    JsonWriter w(0);
    w.begin_array();
    w.value(std::numeric_limits<std::uint64_t>::max());
    w.value(std::numeric_limits<std::int64_t>::min());
    w.value(std::uint32_t{7}).value(-3).value(true).value(false).null();
    w.end_array();
    CHECK(w.str() == "[18446744073709551615,-9223372036854775808,7,-3,true,false,null]");
}

TEST_CASE("json: strings escape quotes, backslashes and control characters", "[unit]") {
    JsonWriter w(0);
    w.begin_object();
    w.key("q\"k").value("say \"hi\"");
    w.key("path").value("C:\\temp\\x");
    w.key("ws").value("a\nb\tc\rd");
    w.key("ctl").value(std::string_view("\x01\x1f\x7f\0", 4));
    w.key("utf8").value("caf\xc3\xa9");  // passes through untouched
    w.end_object();
    CHECK(w.str() ==
          "{\"q\\\"k\":\"say \\\"hi\\\"\","
          "\"path\":\"C:\\\\temp\\\\x\","
          "\"ws\":\"a\\nb\\tc\\rd\","
          "\"ctl\":\"\\u0001\\u001f\x7f\\u0000\","
          "\"utf8\":\"caf\xc3\xa9\"}");
}

TEST_CASE("json: NaN and infinities are written null", "[unit]") {
    // JSON has no NaN or infinity; null keeps the document parseable.
    CHECK(number(std::numeric_limits<double>::quiet_NaN()) == "null");
    CHECK(number(std::numeric_limits<double>::infinity()) == "null");
    CHECK(number(-std::numeric_limits<double>::infinity()) == "null");
}

TEST_CASE("json: negative zero is written 0", "[unit]") {
    // Reports are compared as text: -0 and 0 must not differ.
    CHECK(number(-0.0) == "0");
    CHECK(number(0.0) == "0");
}

TEST_CASE("json: doubles are written in their shortest round-trip form", "[unit]") {
    CHECK(number(1.0) == "1");
    CHECK(number(0.1) == "0.1");
    CHECK(number(-2.5) == "-2.5");
    CHECK(number(0.3) == "0.3");
    CHECK(number(0.1 + 0.2) == "0.30000000000000004");
    CHECK(number(1e300) == "1e+300");
    CHECK(number(5e-324) == "5e-324");

    // Random bit patterns cover every exponent: each finite value must be
    // valid JSON, parse back (strtod) to the very same double, and be no
    // longer than the fewest-digits printf text. (Shortest means fewest
    // characters: 2^57.6 comes out as all 18 digits of the integer, which is
    // shorter than 17 digits with an exponent.)
    capsim::Rng rng(3, 0, "json-test");
    int checked = 0, bad = 0;
    std::string first_bad;
    while (checked < 20'000) {
        const std::uint64_t bits = rng.next();
        double v;
        std::memcpy(&v, &bits, sizeof v);
        if (!std::isfinite(v)) continue;
        ++checked;
        const std::string s = number(v);
        const bool ok = std::regex_match(s, json_number()) &&
                        same_bits(std::strtod(s.c_str(), nullptr), v == 0.0 ? 0.0 : v) &&
                        s.size() <= shortest_printf(v).size();
        if (!ok && bad++ == 0) first_bad = s + " (printf: " + shortest_printf(v) + ")";
    }
    INFO("first bad number: " << first_bad);
    CHECK(bad == 0);
}

TEST_CASE("json: numbers() writes an array of numbers on one line", "[unit]") {
    JsonWriter w;
    w.begin_object();
    w.key("xs").numbers({1.0, 2.5, std::nan(""), -0.0});
    w.key("none").numbers({});
    w.end_object();
    CHECK(w.str() == "{\n  \"xs\": [1, 2.5, null, 0],\n  \"none\": []\n}");

    JsonWriter compact(0);
    compact.begin_array().numbers({1.0, 2.0}).numbers({3.0}).end_array();
    CHECK(compact.str() == "[[1,2],[3]]");
}

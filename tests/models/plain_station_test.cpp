// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
//
// Plain stations (CompiledEndpoint::plain): which endpoints the compiler
// marks, and that serving them without the interpreter changes nothing —
// every report is the same, bit for bit, with the marks cleared.
#include <catch2/catch.hpp>

#include <string>

#include "models/report.hpp"
#include "models/run.hpp"
#include "theory_support.hpp"

namespace {

using namespace capsim;
using theory::compile_text;

bool plain(const CompiledModel& m, const std::string& endpoint) {
    const std::int64_t e = m.find_endpoint(endpoint);
    REQUIRE(e >= 0);
    return m.endpoints[static_cast<std::size_t>(e)].plain;
}

// The report of the model as compiled, and of the same model forced onto
// the generic path.
std::pair<std::string, std::string> both_ways(const std::string& toml) {
    CompiledModel m = compile_text(toml, "plain.toml");
    const std::string as_compiled = to_json(run(m));
    for (CompiledEndpoint& e : m.endpoints) e.plain = false;
    return {as_compiled, to_json(run(m))};
}

const char* kRun = R"T(
[run]
duration = "400s"
warmup = "20s"
replications = 3
seed = 11
window = "2s"
)T";

}  // namespace

TEST_CASE("plain stations: one cpu step on dedicated cores, reached only by sources", "[plain]") {
    const CompiledModel m = compile_text(std::string(kRun) + R"T(
[services.mm1]
[services.mm1.endpoints.work]
steps = [ { cpu = "exp(10ms)" } ]
[services.shared]
workers = 4
cores = 2
[services.shared.endpoints.work]
steps = [ { cpu = "exp(10ms)" } ]
[services.two]
replicas = 2
[services.two.endpoints.work]
steps = [ { cpu = "exp(10ms)" } ]
[services.sleeper]
[services.sleeper.endpoints.work]
steps = [ { cpu = "exp(1ms)" }, { delay = "5ms" } ]
[services.front]
[services.front.endpoints.work]
steps = [ { call = "back.work" } ]
[services.back]
[services.back.endpoints.work]
steps = [ { cpu = "exp(1ms)" } ]
[services.guarded]
[services.guarded.endpoints.work]
steps = [ { cpu = "exp(1ms)" } ]
[traffic.a]
rate = "10/s"
mix = { "mm1.work" = 1, "shared.work" = 1, "two.work" = 1, "sleeper.work" = 1, "front.work" = 1 }
[traffic.b]
rate = "10/s"
endpoint = "guarded.work"
timeout = "1s"
)T",
                                         "marks.toml");
    CHECK(plain(m, "mm1.work"));
    CHECK_FALSE(plain(m, "shared.work"));   // more workers than cores: steps wait for a core
    CHECK_FALSE(plain(m, "two.work"));      // a balancer
    CHECK_FALSE(plain(m, "sleeper.work"));  // more than one step
    CHECK_FALSE(plain(m, "front.work"));
    CHECK_FALSE(plain(m, "back.work"));     // called by another service
    CHECK_FALSE(plain(m, "guarded.work"));  // its source's client policy wraps each request
}

TEST_CASE("plain stations: the same report bit for bit as the generic path", "[plain]") {
    SECTION("M/M/1 and M/M/8 under a spike, beside a generic service in the same mix") {
        const auto [fast, generic] = both_ways(std::string(kRun) + R"T(
[services.one]
[services.one.endpoints.work]
steps = [ { cpu = "exp(10ms)" } ]
[services.eight]
workers = 8
cores = 8
[services.eight.endpoints.a]
steps = [ { cpu = "lognormal(mean=20ms, sd=30ms)" } ]
[services.eight.endpoints.b]
steps = [ { cpu = "5ms" } ]
[services.mixed]
workers = 2
[services.mixed.endpoints.work]
steps = [ { cpu = "exp(2ms)" }, { delay = "exp(3ms)" } ]
[traffic.spiky]
shape = { kind = "spike", base = "60/s", peak = "300/s", start = "100s", rise = "10s", hold = "30s", decay = "20s" }
mix = { "one.work" = 1, "eight.a" = 2, "eight.b" = 1, "mixed.work" = 1 }
)T");
        REQUIRE(fast.find("\"completions\"") != std::string::npos);
        CHECK(fast == generic);
    }
    SECTION("bounded queues that reject, drop the oldest and shed; priority classes") {
        const auto [fast, generic] = both_ways(std::string(kRun) + R"T(
[services.full]
queue = 3
[services.full.endpoints.work]
steps = [ { cpu = "exp(12ms)" } ]
[services.dropping]
workers = 2
cores = 2
queue = 4
when_full = "drop_oldest"
[services.dropping.endpoints.work]
steps = [ { cpu = "exp(25ms)" } ]
[services.shedding]
queue_timeout = "30ms"
queue_discipline = "priority"
[services.shedding.endpoints.work]
steps = [ { cpu = "exp(11ms)" } ]
[traffic.low]
rate = "70/s"
mix = { "full.work" = 1, "dropping.work" = 1, "shedding.work" = 1 }
[traffic.high]
rate = "20/s"
priority = 1
endpoint = "shedding.work"
)T");
        CHECK(fast.find("\"queue_full\"") != std::string::npos);
        CHECK(fast == generic);
    }
    SECTION("closed-loop users with think time") {
        const auto [fast, generic] = both_ways(std::string(kRun) + R"T(
[services.db]
workers = 3
cores = 3
[services.db.endpoints.q]
steps = [ { cpu = "exp(30ms)" } ]
[traffic.users]
users = 20
think = "exp(200ms)"
endpoint = "db.q"
)T");
        CHECK(fast == generic);
    }
}

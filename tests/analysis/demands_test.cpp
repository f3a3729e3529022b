// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#include <catch2/catch.hpp>

#include <string>

#include "../models/theory_support.hpp"
#include "analysis/demands.hpp"

using namespace capsim;
using namespace capsim::analysis;
using capsim::theory::compile_text;

namespace {

std::uint32_t service(const CompiledModel& cm, const std::string& name) {
    for (std::uint32_t s = 0; s < cm.model.services.size(); ++s)
        if (cm.model.services[s].name == name) return s;
    FAIL("no service " << name);
    return 0;
}

std::uint32_t ep(const CompiledModel& cm, const std::string& name) {
    const auto e = cm.find_endpoint(name);
    REQUIRE(e >= 0);
    return static_cast<std::uint32_t>(e);
}

const char* kTree = R"T(
[run]
duration = "10s"
[services.front]
replicas = 2
workers = 8
cores = 2
[services.front.endpoints.get]
steps = [
  { cpu = "1ms" },
  { loop = 3, steps = [ { call = "back.item" } ] },
  { branch = [ { weight = 1, steps = [ { call = "back.slow" } ] }, { weight = 3, steps = [] } ] },
  { parallel = [ [ { cpu = "exp(2ms)" } ], [ { delay = "10ms" } ] ], join = "all" },
]
[services.back]
workers = 4
cores = 1
[services.back.endpoints.item]
steps = [ { cpu = "2ms" } ]
[services.back.endpoints.slow]
steps = [ { cpu = "5ms" }, { delay = "20ms" } ]
[traffic.users]
rate = "10/s"
endpoint = "front.get"
)T";

}  // namespace

TEST_CASE("demands: visits through loops, branches and calls; demands = visits x service",
          "[analysis][demands]") {
    const CompiledModel cm = compile_text(kTree, "tree.toml");
    const Demands d = build_demands(cm);
    const auto get = ep(cm, "front.get"), item = ep(cm, "back.item"), slow = ep(cm, "back.slow");
    CHECK(d.visits[get][get] == Approx(1.0));
    CHECK(d.visits[get][item] == Approx(3.0));
    CHECK(d.visits[get][slow] == Approx(0.25));
    CHECK(d.frames[get][item] == Approx(3.0));
    CHECK(d.endpoints[get].cpu == Approx(0.003));  // both parallel arms' work counts
    CHECK(d.endpoints[get].fork_join);

    const Timing t = critical_path(d);
    // 1 + 3 x 2 + 0.25 x (5 + 20) + max(2, 10) ms, all of it holding the worker.
    CHECK(t.response[get] == Approx(0.02325));
    CHECK(t.hold[get] == Approx(0.02325));
    CHECK(t.response[slow] == Approx(0.025));

    const std::vector<double> dem = d.demand(get, t.hold);
    const auto& rs = d.resources;
    const auto front = service(cm, "front"), back = service(cm, "back");
    CHECK(rs[d.cores_of[front]].capacity() == 4.0);
    CHECK(rs[d.workers_of[front]].capacity() == 16.0);
    CHECK(dem[d.cores_of[front]] == Approx(0.003));
    CHECK(dem[d.cores_of[back]] == Approx(3 * 0.002 + 0.25 * 0.005));
    CHECK(dem[d.workers_of[front]] == Approx(0.02325));
    CHECK(dem[d.workers_of[back]] == Approx(3 * 0.002 + 0.25 * 0.025));
}

TEST_CASE("demands: the traffic equations of a network with feedback (forwards)",
          "[analysis][demands]") {
    const CompiledModel cm = compile_text(R"T(
[services.a]
[services.a.endpoints.work]
steps = [ { cpu = "exp(10ms)" },
          { branch = [ { weight = 0.3, steps = [ { forward = "a.work" } ] },
                       { weight = 0.7, steps = [ { forward = "b.work" } ] } ] } ]
[services.b]
[services.b.endpoints.work]
steps = [ { cpu = "exp(14ms)" },
          { branch = [ { weight = 0.2, steps = [ { forward = "a.work" } ] },
                       { weight = 0.8, steps = [] } ] } ]
[traffic.clients]
rate = "40/s"
endpoint = "a.work"
)T",
                                          "jackson.toml");
    const Demands d = build_demands(cm);
    const auto a = ep(cm, "a.work"), b = ep(cm, "b.work");
    // v_a = 1 + 0.3 v_a + 0.2 v_b, v_b = 0.7 v_a.
    CHECK(d.visits[a][a] == Approx(1.0 / 0.56));
    CHECK(d.visits[a][b] == Approx(0.7 / 0.56));
    // A forwarded frame stays the frame that entered at a.
    CHECK(d.frames[a][a] == Approx(1.0));
    CHECK(d.frames[a][b] == Approx(0.0));
    const Timing t = critical_path(d);
    // R_a = 10 + 0.3 R_a + 0.7 R_b, R_b = 14 + 0.2 R_a (ms); the worker
    // is released at each forward.
    CHECK(t.response[b] == Approx(0.014 + 0.2 * t.response[a]));
    CHECK(t.response[a] == Approx(0.010 + 0.3 * t.response[a] + 0.7 * t.response[b]));
    CHECK(t.hold[a] == Approx(0.010));
    CHECK(t.hold[b] == Approx(0.014));
}

TEST_CASE("demands: join first and k of n take the k-th shortest arm", "[analysis][demands]") {
    const CompiledModel cm = compile_text(R"T(
[services.fan]
workers = 100
cores = 100
[services.fan.endpoints.first]
steps = [ { parallel = [ [ { delay = "30ms" } ], [ { delay = "10ms" } ], [ { delay = "20ms" } ] ],
            join = "first" } ]
[services.fan.endpoints.two]
steps = [ { parallel = [ [ { delay = "30ms" } ], [ { delay = "10ms" } ], [ { delay = "20ms" } ] ],
            join = 2 } ]
[traffic.x]
rate = "1/s"
endpoint = "fan.first"
)T",
                                          "fan.toml");
    const Timing t = critical_path(build_demands(cm));
    CHECK(t.response[ep(cm, "fan.first")] == Approx(0.010));
    CHECK(t.response[ep(cm, "fan.two")] == Approx(0.020));
}

TEST_CASE("demands: calls that come back with probability 1 have no finite solution",
          "[analysis][demands]") {
    Model m;
    m.name = "loop";
    ServiceSpec s;
    s.name = "a";
    s.path = "services.a";
    EndpointSpec x{"x", "services.a.endpoints.x", {}}, y{"y", "services.a.endpoints.y", {}};
    StepSpec to_y, to_x;
    to_y.kind = to_x.kind = StepKind::Forward;
    to_y.target = "a.y";
    to_x.target = "a.x";
    x.steps.push_back(to_y);
    y.steps.push_back(to_x);
    s.endpoints = {x, y};
    m.services.push_back(s);
    SourceSpec src;
    src.name = "c";
    src.shape = RateShape::constant(1.0);
    src.interarrival = Law::exponential(1.0);
    src.mix = {{"a.x", 1.0}};
    m.sources.push_back(src);
    const CompiledModel cm = compile(m);
    CHECK_THROWS_AS(build_demands(cm), ModelError);
    CHECK_THROWS_WITH(build_demands(cm), Catch::Contains("never finish"));
}

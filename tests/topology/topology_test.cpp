// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
//
// The topology of a scenario: call cycles refused with the cycle spelled
// out and located at the call that starts it, forwards that circle, unused
// stations, call depth and fan-out, and the DOT picture.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "scenario/loader.hpp"
#include "topology/checks.hpp"
#include "topology/dot.hpp"
#include "topology/metrics.hpp"
#include "topology/topology.hpp"

namespace {

using capsim::Model;
using capsim::scenario::Diagnostic;
using capsim::scenario::format_all;
using capsim::scenario::load_string;
using capsim::scenario::LoadResult;
namespace topo = capsim::topology;

LoadResult load(const std::string& text) {
    return load_string(text, "t.toml");
}

std::vector<Diagnostic> of(const LoadResult& r, Diagnostic::Severity severity) {
    std::vector<Diagnostic> out;
    for (const Diagnostic& d : r.diagnostics)
        if (d.severity == severity) out.push_back(d);
    return out;
}

std::vector<Diagnostic> errors(const LoadResult& r) {
    return of(r, Diagnostic::Severity::Error);
}
std::vector<Diagnostic> warnings(const LoadResult& r) {
    return of(r, Diagnostic::Severity::Warning);
}

Model good(const std::string& text) {
    const LoadResult r = load(text);
    INFO(format_all(r.diagnostics));
    REQUIRE(r.ok());
    return *r.model;
}

const topo::EndpointMetrics& row(const std::vector<topo::EndpointMetrics>& rows,
                                 const std::string& name) {
    for (const auto& r : rows)
        if (r.endpoint == name) return r;
    FAIL("no endpoint " << name);
    return rows.front();
}

const char* const kTwoServiceCycle = R"toml(
[services.a.endpoints.x]
steps = [ { cpu = "1ms" }, { call = "b.y" } ]

[services.b.endpoints.y]
steps = [ { call = "a.x" } ]

[traffic.web]
rate = "10/s"
endpoint = "a.x"
)toml";

}  // namespace

TEST_CASE("topology: a cycle of calls is refused, spelled out, at the call that starts it",
          "[topology]") {
    const LoadResult r = load(kTwoServiceCycle);
    REQUIRE_FALSE(r.ok());
    const auto e = errors(r);
    INFO(format_all(r.diagnostics));
    REQUIRE(e.size() == 1);
    CHECK(e[0].file == "t.toml");
    CHECK(e[0].line == 3);
    CHECK(e[0].column == 37);
    CHECK(e[0].path == "services.a.endpoints.x.steps[1].call");
    CHECK(e[0].message.find("call cycle a.x → b.y → a.x") == 0);
    CHECK(e[0].message.find("deadlock") != std::string::npos);
}

TEST_CASE("topology: an endpoint that calls itself is a cycle, branch or not", "[topology]") {
    const LoadResult r = load(R"toml(
[services.a.endpoints.x]
steps = [ { branch = [ { weight = 0.9, steps = [] },
                       { weight = 0.1, steps = [ { call = "a.x" } ] } ] } ]
[traffic.web]
rate = "10/s"
endpoint = "a.x"
)toml");
    const auto e = errors(r);
    REQUIRE(e.size() == 1);
    CHECK(e[0].path == "services.a.endpoints.x.steps[0].branch[1].steps[0].call");
    CHECK(e[0].line == 4);
    CHECK(e[0].message.find("a.x calls itself: a.x → a.x") == 0);
}

TEST_CASE("topology: a forward on a call cycle does not break it", "[topology]") {
    const LoadResult r = load(R"toml(
[services.a.endpoints.x]
steps = [ { call = "b.y" } ]
[services.b.endpoints.y]
steps = [ { forward = "a.x" } ]
[traffic.web]
rate = "10/s"
endpoint = "a.x"
)toml");
    const auto e = errors(r);
    REQUIRE(e.size() == 1);
    CHECK(e[0].message.find("call cycle a.x → b.y ⇒ a.x") == 0);
    CHECK(e[0].message.find("⇒ is a forward") != std::string::npos);
}

TEST_CASE("topology: each cycle is reported once, however many of its calls there are",
          "[topology]") {
    const LoadResult r = load(R"toml(
[services.a.endpoints.x]
steps = [ { call = "b.y" }, { call = "c.z" } ]
[services.b.endpoints.y]
steps = [ { call = "a.x" } ]
[services.c.endpoints.z]
steps = [ { call = "c.z" } ]
[traffic.web]
rate = "10/s"
endpoint = "a.x"
)toml");
    const auto e = errors(r);
    INFO(format_all(r.diagnostics));
    REQUIRE(e.size() == 2);
    CHECK(e[0].message.find("call cycle a.x → b.y → a.x") == 0);
    CHECK(e[1].message.find("c.z calls itself") == 0);
}

TEST_CASE("topology: a zero-weight arm cannot close a cycle", "[topology]") {
    const Model m = good(R"toml(
[services.a.endpoints.x]
steps = [ { branch = [ { weight = 1, steps = [] },
                       { weight = 0, steps = [ { call = "a.x" } ] } ] } ]
[traffic.web]
rate = "10/s"
endpoint = "a.x"
)toml");
    CHECK(m.services.size() == 1);
}

TEST_CASE("topology: a call chain back into the caller's service", "[topology]") {
    const std::string chain = R"toml(
[services.a]
workers = WORKERS
[services.a.endpoints.x]
steps = [ { call = "b.y" } ]
[services.a.endpoints.z]
steps = [ { cpu = "1ms" } ]
[services.b.endpoints.y]
steps = [ { call = "a.z" } ]
[traffic.web]
rate = "10/s"
endpoint = "a.x"
)toml";
    auto with = [&](const char* workers) {
        std::string s = chain;
        s.replace(s.find("WORKERS"), 7, workers);
        return load(s);
    };
    SECTION("one worker in all: the first request deadlocks") {
        const LoadResult r = with("1");
        const auto e = errors(r);
        REQUIRE(e.size() == 1);
        CHECK(e[0].path == "services.a.endpoints.x.steps[0].call");
        CHECK(e[0].message.find("call chain a.x → b.y → a.z comes back to service a") == 0);
        CHECK(e[0].message.find("single worker") != std::string::npos);
    }
    SECTION("several workers: a warning") {
        const LoadResult r = with("8");
        REQUIRE(r.ok());
        const auto w = warnings(r);
        REQUIRE(w.size() == 1);
        CHECK(w[0].message.find("once all 8 workers of a wait on this chain") != std::string::npos);
    }
}

TEST_CASE("topology: forward cycles", "[topology]") {
    SECTION("unconditional: never finishes, an error") {
        const LoadResult r = load(R"toml(
[services.a.endpoints.x]
steps = [ { forward = "b.y" } ]
[services.b.endpoints.y]
steps = [ { forward = "a.x" } ]
[traffic.web]
rate = "10/s"
endpoint = "a.x"
)toml");
        const auto e = errors(r);
        REQUIRE(e.size() == 1);
        CHECK(e[0].path == "services.a.endpoints.x.steps[0].forward");
        CHECK(e[0].message.find("forward cycle a.x ⇒ b.y ⇒ a.x") == 0);
        CHECK(e[0].message.find("never finishes") != std::string::npos);
    }
    SECTION("with a way out: a warning with the chance of another round") {
        const LoadResult r = load(R"toml(
[services.a.endpoints.x]
steps = [ { forward = "b.y" } ]
[services.b.endpoints.y]
steps = [ { branch = [ { weight = 3, steps = [ { forward = "a.x" } ] },
                       { weight = 1, steps = [ { cpu = "1ms" } ] } ] } ]
[traffic.web]
rate = "10/s"
endpoint = "a.x"
)toml");
        REQUIRE(r.ok());
        const auto w = warnings(r);
        REQUIRE(w.size() == 1);
        CHECK(w[0].message.find("probability 0.75 (4 rounds on average)") != std::string::npos);
    }
}

TEST_CASE("topology: unused services and endpoints no source reaches are warnings", "[topology]") {
    const LoadResult r = load(R"toml(
[services.api.endpoints.get]
steps = [ { call = "db.read" } ]
[services.api.endpoints.admin]
steps = [ { cpu = "1ms" } ]
[services.db.endpoints.read]
steps = [ { cpu = "1ms" } ]
[services.db.endpoints.write]
steps = [ { cpu = "1ms" } ]
[services.legacy.endpoints.old]
steps = [ { cpu = "1ms" } ]
[traffic.web]
rate = "10/s"
mix = { "api.get" = 1, "api.admin" = 0 }
)toml");
    REQUIRE(r.ok());
    const auto w = warnings(r);
    INFO(format_all(r.diagnostics));
    REQUIRE(w.size() == 3);
    CHECK(w[0].message ==
          "no traffic source reaches endpoint api.admin: no source sends to it "
          "and no reached endpoint calls it");
    CHECK(w[0].line == 4);
    CHECK(w[1].message.find("endpoint db.write") != std::string::npos);
    CHECK(w[2].message.find("service legacy is never used") == 0);
    CHECK(w[2].path == "services.legacy");
    CHECK(w[2].line == 10);
}

TEST_CASE("topology: call depth and worst-case fan-out per endpoint", "[topology]") {
    const Model m = good(R"toml(
[services.api.endpoints.page]
steps = [
  { call = "auth.check" },
  { loop = "uniform(1, 5)", steps = [ { call = "db.row" } ] },
  { parallel = 3, steps = [ { call = "db.row" } ] },
  { branch = [ { weight = 0.5, steps = [ { forward = "api.slow" } ] },
               { weight = 0.5, steps = [] } ] },
]
[services.api.endpoints.slow]
steps = [ { loop = "exp(3)", steps = [ { call = "db.row" } ] } ]
[services.auth.endpoints.check]
steps = [ { call = "db.row" } ]
[services.db.endpoints.row]
steps = [ { cpu = "1ms" } ]
[traffic.web]
rate = "10/s"
endpoint = "api.page"
)toml");
    const topo::Topology t(m);
    const auto rows = topo::endpoint_metrics(t);
    REQUIRE(rows.size() == 4);
    CHECK(row(rows, "db.row").depth == 0);
    CHECK(row(rows, "db.row").fan_out == 0);
    CHECK(row(rows, "auth.check").depth == 1);
    CHECK(row(rows, "auth.check").fan_out == 1);
    CHECK(row(rows, "api.page").entry);
    CHECK_FALSE(row(rows, "auth.check").entry);
    CHECK(row(rows, "api.page").depth == 2);  // api → auth → db
    // exp(3) iterations have no upper bound, and the slow path is a forward.
    CHECK(std::isinf(row(rows, "api.slow").fan_out));
    CHECK(std::isinf(row(rows, "api.page").fan_out));
}

TEST_CASE("topology: bounded fan-out counts loops at their largest and the worst branch",
          "[topology]") {
    const Model m = good(R"toml(
[services.api.endpoints.page]
steps = [
  { call = "auth.check" },
  { loop = "uniform(1, 5)", steps = [ { call = "db.row" } ] },
  { parallel = 3, steps = [ { call = "db.row" } ] },
  { branch = [ { weight = 0.5, steps = [ { call = "db.row" }, { call = "db.row" } ] },
               { weight = 0.5, steps = [ { call = "db.row" } ] } ] },
]
[services.auth.endpoints.check]
steps = [ { call = "db.row" } ]
[services.db.endpoints.row]
steps = [ { cpu = "1ms" } ]
[traffic.web]
rate = "10/s"
endpoint = "api.page"
)toml");
    const topo::Topology t(m);
    const auto rows = topo::endpoint_metrics(t);
    // auth (1 + its db call) + 5 loop calls + 3 arms + the worse branch (2).
    CHECK(row(rows, "api.page").fan_out == 2 + 5 + 3 + 2);
}

TEST_CASE("topology: DOT labels stations with their capacity and edges with repeats",
          "[topology]") {
    const Model m = good(R"toml(
name = "shop"
[services.api]
replicas = 3
workers = 16
cores = 2
[services.api.endpoints.get]
steps = [ { loop = 4, steps = [ { call = "db.q" } ] },
          { branch = [ { weight = 1, steps = [ { forward = "db.q" } ] },
                       { weight = 3, steps = [] } ] } ]
[services.db.endpoints.q]
steps = [ { cpu = "1ms" } ]
[traffic.web]
rate = "10/s"
endpoint = "api.get"
)toml");
    const std::string dot = topo::to_dot(topo::Topology(m));
    INFO(dot);
    CHECK(dot.rfind("digraph \"shop\" {", 0) == 0);
    CHECK(dot.find("label=\"api  3×16w×2c\"") != std::string::npos);
    CHECK(dot.find("\"endpoint:api.get\" -> \"endpoint:db.q\" [label=\"×4\"]") !=
          std::string::npos);
    CHECK(dot.find("\"endpoint:api.get\" -> \"endpoint:db.q\" [style=dashed, label=\"p=0.25\"]") !=
          std::string::npos);
    CHECK(dot.find("\"source:web\" -> \"endpoint:api.get\"") != std::string::npos);
    CHECK(dot.find("label=\"web\\n10/s\"") != std::string::npos);
}

TEST_CASE("topology: a model built by hand is checked for names the loader would refuse",
          "[topology]") {
    Model m;
    capsim::ServiceSpec s;
    s.name = "api";
    s.path = "services.api";
    capsim::EndpointSpec e;
    e.name = "get";
    e.path = "services.api.endpoints.get";
    capsim::StepSpec call;
    call.kind = capsim::StepKind::Call;
    call.target = "nowhere.x";
    call.path = e.path + ".steps[0]";
    e.steps.push_back(call);
    s.endpoints.push_back(e);
    m.services.push_back(s);
    const auto findings = topo::check(topo::Topology(m));
    REQUIRE(findings.size() == 1);
    CHECK(findings[0].message == "unknown endpoint \"nowhere.x\"");
}

TEST_CASE("topology: a long chain of services is measured without deep recursion", "[topology]") {
    Model m;
    const int n = 20000;
    for (int i = 0; i < n; ++i) {
        capsim::ServiceSpec s;
        s.name = "s" + std::to_string(i);
        s.path = "services." + s.name;
        capsim::EndpointSpec e;
        e.name = "e";
        e.path = s.path + ".endpoints.e";
        capsim::StepSpec step;
        if (i + 1 < n) {
            step.kind = capsim::StepKind::Call;
            step.target = "s" + std::to_string(i + 1) + ".e";
        }
        step.path = e.path + ".steps[0]";
        e.steps.push_back(step);
        s.endpoints.push_back(e);
        m.services.push_back(s);
    }
    const topo::Topology t(m);
    CHECK(topo::check(t).empty());
    CHECK(row(topo::endpoint_metrics(t), "s0.e").depth == n - 1);
}

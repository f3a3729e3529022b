// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#include "models/compiled_model.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "engine/law.hpp"
#include "models/model.hpp"
#include "models/program.hpp"

using capsim::BlockSpec;
using capsim::compile;
using capsim::CompiledModel;
using capsim::Instr;
using capsim::JoinKind;
using capsim::Law;
using capsim::Model;
using capsim::ModelError;
using capsim::Op;
using capsim::StepKind;
using capsim::StepSpec;

namespace {

// --- Building models by hand, the way the loader fills them ---------------

StepSpec cpu(std::string path, double seconds) {
    StepSpec s;
    s.kind = StepKind::Cpu;
    s.path = std::move(path);
    s.law = Law::constant(seconds);
    return s;
}

StepSpec delay(std::string path, double seconds) {
    StepSpec s = cpu(std::move(path), seconds);
    s.kind = StepKind::Delay;
    return s;
}

StepSpec call(std::string path, std::string target) {
    StepSpec s;
    s.kind = StepKind::Call;
    s.path = std::move(path);
    s.target = std::move(target);
    return s;
}

StepSpec loop(std::string path, double count, BlockSpec body) {
    StepSpec s;
    s.kind = StepKind::Loop;
    s.path = std::move(path);
    s.law = Law::constant(count, capsim::Dimension::Count);
    s.blocks = {std::move(body)};
    return s;
}

StepSpec parallel(std::string path, std::vector<BlockSpec> arms, JoinKind join = JoinKind::All,
                  std::uint32_t k = 0) {
    StepSpec s;
    s.kind = StepKind::Parallel;
    s.path = std::move(path);
    s.blocks = std::move(arms);
    s.join = join;
    s.join_k = k;
    return s;
}

StepSpec branch(std::string path, std::vector<double> weights, std::vector<BlockSpec> arms) {
    StepSpec s;
    s.kind = StepKind::Branch;
    s.path = std::move(path);
    s.weights = std::move(weights);
    s.blocks = std::move(arms);
    return s;
}

capsim::EndpointSpec endpoint(std::string name, std::string path, BlockSpec steps = {}) {
    capsim::EndpointSpec e;
    e.name = std::move(name);
    e.path = std::move(path);
    e.steps = std::move(steps);
    return e;
}

capsim::MixEntry mix_entry(std::string endpoint, double weight) {
    capsim::MixEntry e;
    e.endpoint = std::move(endpoint);
    e.weight = weight;
    return e;
}

// services.api (get, post) and services.db (query): endpoint indices 0, 1, 2.
Model base_model() {
    Model m;
    m.name = "test";
    capsim::ServiceSpec api;
    api.name = "api";
    api.path = "services.api";
    api.replicas = 3;
    api.endpoints.push_back(endpoint("get", "services.api.endpoints.get"));
    api.endpoints.push_back(endpoint("post", "services.api.endpoints.post"));
    capsim::ServiceSpec db;
    db.name = "db";
    db.path = "services.db";
    db.replicas = 2;
    db.endpoints.push_back(endpoint("query", "services.db.endpoints.query",
                                    {cpu("services.db.endpoints.query.steps[0]", 0.002)}));
    m.services = {api, db};
    capsim::SourceSpec web;
    web.name = "web";
    web.path = "sources.web";
    web.mix = {mix_entry("api.get", 1.0)};
    m.sources = {web};
    return m;
}

BlockSpec& steps_of_get(Model& m) {
    return m.services[0].endpoints[0].steps;
}

std::string get_step(int i) {
    return "services.api.endpoints.get.steps[" + std::to_string(i) + "]";
}

// Follows a block from `pc` to its End, collecting the ops on the way and
// following jumps; a block must end within the code.
std::vector<Op> ops_from(const CompiledModel& cm, std::uint32_t pc) {
    std::vector<Op> ops;
    const auto& code = cm.program.code;
    for (std::size_t guard = 0; guard <= code.size(); ++guard) {
        REQUIRE(pc < code.size());
        const Instr& in = code[pc];
        ops.push_back(in.op);
        if (in.op == Op::End) return ops;
        pc = in.op == Op::Jump ? in.a : pc + 1;
    }
    FAIL("a block never reaches End");
    return ops;
}

// The structural invariant of a compiled program: from every entry, every
// path (straight on, through branch arms and their jumps, into loop bodies
// and parallel arms) stays inside the code and ends in End.
void check_well_formed(const CompiledModel& cm) {
    const auto& code = cm.program.code;
    std::set<std::uint32_t> seen;
    std::vector<std::uint32_t> todo;
    for (const auto& e : cm.endpoints) todo.push_back(e.entry);
    for (const auto& src : cm.sources) todo.insert(todo.end(), src.stubs.begin(), src.stubs.end());
    while (!todo.empty()) {
        const std::uint32_t pc = todo.back();
        todo.pop_back();
        REQUIRE(pc < code.size());
        if (!seen.insert(pc).second) continue;
        const Instr& in = code[pc];
        switch (in.op) {
            case Op::End:
                break;
            case Op::Jump:
                todo.push_back(in.a);
                break;
            case Op::Loop:
                todo.push_back(in.a);
                todo.push_back(pc + 1);
                REQUIRE(in.law < cm.program.laws.size());
                REQUIRE(in.stream < cm.program.streams.size());
                break;
            case Op::Branch:
            case Op::Parallel:
                REQUIRE(in.b >= 1);
                REQUIRE(in.a + in.b <= cm.program.arms.size());
                for (std::uint32_t k = 0; k < in.b; ++k)
                    todo.push_back(cm.program.arms[in.a + k].pc);
                if (in.op == Op::Parallel) todo.push_back(pc + 1);  // branch arms jump back
                break;
            case Op::Call:
            case Op::Forward:
                REQUIRE(in.a < cm.endpoints.size());
                todo.push_back(pc + 1);
                break;
            case Op::Cpu:
            case Op::Delay:
                REQUIRE(in.law < cm.program.laws.size());
                REQUIRE(in.stream < cm.program.streams.size());
                todo.push_back(pc + 1);
                break;
            case Op::Query:
                REQUIRE(in.a < cm.program.queries.size());
                todo.push_back(pc + 1);
                break;
            case Op::Transaction:
                REQUIRE(code[pc + 1].op == Op::Commit);
                todo.push_back(in.b);
                todo.push_back(pc + 1);
                break;
            case Op::CacheGet:
                REQUIRE(code[pc + 1].op == Op::CacheSet);
                REQUIRE(in.a < cm.program.cache_ops.size());
                todo.push_back(in.b);
                todo.push_back(pc + 1);
                break;
            case Op::Offload:
                REQUIRE(code[pc + 1].op == Op::OffloadEnd);
                todo.push_back(in.a);
                todo.push_back(pc + 1);
                break;
            case Op::Commit:
            case Op::CacheSet:
                todo.push_back(pc + 1);
                break;
            case Op::External:
                REQUIRE(in.a < cm.model.externals.size());
                todo.push_back(pc + 1);
                break;
            case Op::Enqueue:
                REQUIRE(in.a < cm.queues.size());
                todo.push_back(pc + 1);
                break;
            case Op::Guard:
                REQUIRE(in.a < cm.program.guards.size());
                todo.push_back(in.b);
                if (in.c != capsim::GuardOp::kNoFallback) todo.push_back(in.c);
                todo.push_back(pc + 1);
                break;
            case Op::CacheWrite:
                REQUIRE(in.a < cm.program.cache_ops.size());
                todo.push_back(pc + 1);
                break;
            case Op::Hold:
            case Op::Unhold:
            case Op::OffloadEnd:
                todo.push_back(pc + 1);
                break;
        }
    }
}

}  // namespace

TEST_CASE("compiler: endpoints are numbered by service, then by endpoint", "[unit]") {
    const CompiledModel cm = compile(base_model());
    REQUIRE(cm.endpoints.size() == 3);
    CHECK(cm.endpoints[0].name == "api.get");
    CHECK(cm.endpoints[1].name == "api.post");
    CHECK(cm.endpoints[2].name == "db.query");
    CHECK(cm.endpoints[0].service == 0);
    CHECK(cm.endpoints[2].service == 1);
    CHECK(cm.find_endpoint("db.query") == 2);
    CHECK(cm.find_endpoint("db.nope") == -1);
    CHECK(cm.total_replicas == 5);
    // An endpoint with no steps is just End.
    CHECK(ops_from(cm, cm.endpoints[1].entry) == std::vector<Op>{Op::End});
    check_well_formed(cm);
}

TEST_CASE("compiler: straight-line steps become consecutive instructions", "[unit]") {
    Model m = base_model();
    steps_of_get(m) = {cpu(get_step(0), 0.005), delay(get_step(1), 0.010),
                       call(get_step(2), "db.query"), cpu(get_step(3), 0.001)};
    const CompiledModel cm = compile(m);
    const std::uint32_t entry = cm.endpoints[0].entry;
    const auto& code = cm.program.code;
    REQUIRE(ops_from(cm, entry) == std::vector<Op>{Op::Cpu, Op::Delay, Op::Call, Op::Cpu, Op::End});
    // Each step's law, and a random stream named after its key path.
    CHECK(cm.program.laws[code[entry].law].p[0] == 0.005);
    CHECK(cm.program.streams[code[entry].stream] == get_step(0));
    CHECK(cm.program.laws[code[entry + 1].law].p[0] == 0.010);
    CHECK(cm.program.streams[code[entry + 1].stream] == get_step(1));
    CHECK(code[entry + 1].stream != code[entry].stream);
    // The call target is resolved to the callee's endpoint index.
    CHECK(code[entry + 2].a == 2);
    CHECK(cm.program.laws[code[entry + 3].law].p[0] == 0.001);
    check_well_formed(cm);
}

TEST_CASE("compiler: a forward step resolves its target like a call", "[unit]") {
    Model m = base_model();
    StepSpec hand_off = call(get_step(1), "db.query");
    hand_off.kind = StepKind::Forward;
    steps_of_get(m) = {cpu(get_step(0), 0.001), hand_off};
    const CompiledModel cm = compile(m);
    const std::uint32_t entry = cm.endpoints[0].entry;
    REQUIRE(ops_from(cm, entry) == std::vector<Op>{Op::Cpu, Op::Forward, Op::End});
    CHECK(cm.program.code[entry + 1].a == 2);
    steps_of_get(m)[1].target = "db.gone";
    CHECK_THROWS_AS(compile(m), ModelError);
}

TEST_CASE("compiler: a call can target an endpoint defined later", "[unit]") {
    Model m = base_model();
    m.services[1].endpoints[0].steps = {call("services.db.endpoints.query.steps[0]", "api.post")};
    steps_of_get(m) = {call(get_step(0), "db.query")};
    const CompiledModel cm = compile(m);
    CHECK(cm.program.code[cm.endpoints[0].entry].a == 2);
    CHECK(cm.program.code[cm.endpoints[2].entry].a == 1);
}

TEST_CASE("compiler: branch arms are inlined, end in jumps, carry cumulative weights", "[unit]") {
    Model m = base_model();
    steps_of_get(m) = {branch(get_step(0), {1.0, 3.0, 4.0},
                              {{cpu(get_step(0) + ".arms[0].steps[0]", 0.001)},
                               {cpu(get_step(0) + ".arms[1].steps[0]", 0.002),
                                delay(get_step(0) + ".arms[1].steps[1]", 0.003)},
                               {}}),
                       cpu(get_step(1), 0.004)};
    const CompiledModel cm = compile(m);
    const auto& code = cm.program.code;
    const auto& arms = cm.program.arms;
    const std::uint32_t entry = cm.endpoints[0].entry;
    const Instr& br = code[entry];
    REQUIRE(br.op == Op::Branch);
    REQUIRE(br.b == 3);
    CHECK(cm.program.streams[br.stream] == get_step(0));  // the branch draws its own stream
    // Weights 1:3:4 normalised and accumulated; the last is exactly 1.
    CHECK(arms[br.a].cumulative == Approx(0.125));
    CHECK(arms[br.a + 1].cumulative == Approx(0.5));
    CHECK(arms[br.a + 2].cumulative == 1.0);
    // Each arm runs its own steps, then jumps to the step after the branch.
    CHECK(ops_from(cm, arms[br.a].pc) == std::vector<Op>{Op::Cpu, Op::Jump, Op::Cpu, Op::End});
    CHECK(ops_from(cm, arms[br.a + 1].pc) ==
          std::vector<Op>{Op::Cpu, Op::Delay, Op::Jump, Op::Cpu, Op::End});
    CHECK(ops_from(cm, arms[br.a + 2].pc) == std::vector<Op>{Op::Jump, Op::Cpu, Op::End});
    CHECK(cm.program.laws[code[arms[br.a + 1].pc].law].p[0] == 0.002);
    std::set<std::uint32_t> targets;
    for (std::uint32_t k = 0; k < 3; ++k) {
        std::uint32_t pc = arms[br.a + k].pc;
        while (code[pc].op != Op::Jump) ++pc;
        targets.insert(code[pc].a);
    }
    REQUIRE(targets.size() == 1);
    CHECK(cm.program.laws[code[*targets.begin()].law].p[0] == 0.004);
    check_well_formed(cm);
}

TEST_CASE("compiler: a loop body is a separate block ending in End", "[unit]") {
    Model m = base_model();
    steps_of_get(m) = {
        loop(get_step(0), 3.0,
             {cpu(get_step(0) + ".body[0]", 0.001), call(get_step(0) + ".body[1]", "db.query")}),
        delay(get_step(1), 0.002)};
    const CompiledModel cm = compile(m);
    const auto& code = cm.program.code;
    const std::uint32_t entry = cm.endpoints[0].entry;
    const Instr& lp = code[entry];
    REQUIRE(lp.op == Op::Loop);
    CHECK(cm.program.laws[lp.law].p[0] == 3.0);
    CHECK(cm.program.laws[lp.law].dimension == capsim::Dimension::Count);
    CHECK(cm.program.streams[lp.stream] == get_step(0));
    // After the loop, the endpoint goes on with its next step...
    CHECK(ops_from(cm, entry) == std::vector<Op>{Op::Loop, Op::Delay, Op::End});
    // ...while the body, run by a child task, is a block of its own.
    CHECK(lp.a != entry + 1);
    CHECK(ops_from(cm, lp.a) == std::vector<Op>{Op::Cpu, Op::Call, Op::End});
    CHECK(code[lp.a + 1].a == 2);
    check_well_formed(cm);
}

TEST_CASE("compiler: parallel arms are separate blocks ending in End", "[unit]") {
    Model m = base_model();
    steps_of_get(m) = {parallel(get_step(0), {{cpu(get_step(0) + ".arms[0]", 0.001)},
                                              {call(get_step(0) + ".arms[1]", "db.query")},
                                              {delay(get_step(0) + ".arms[2]", 0.002),
                                               cpu(get_step(0) + ".arms[2].b", 0.003)}}),
                       cpu(get_step(1), 0.004)};
    const CompiledModel cm = compile(m);
    const auto& code = cm.program.code;
    const auto& arms = cm.program.arms;
    const std::uint32_t entry = cm.endpoints[0].entry;
    const Instr& par = code[entry];
    REQUIRE(par.op == Op::Parallel);
    CHECK(par.b == 3);
    CHECK(par.c == 3);  // join all
    CHECK(ops_from(cm, entry) == std::vector<Op>{Op::Parallel, Op::Cpu, Op::End});
    CHECK(ops_from(cm, arms[par.a].pc) == std::vector<Op>{Op::Cpu, Op::End});
    CHECK(ops_from(cm, arms[par.a + 1].pc) == std::vector<Op>{Op::Call, Op::End});
    CHECK(ops_from(cm, arms[par.a + 2].pc) == std::vector<Op>{Op::Delay, Op::Cpu, Op::End});
    CHECK(code[arms[par.a + 1].pc].a == 2);
    for (std::uint32_t k = 0; k < 3; ++k) CHECK(arms[par.a + k].cumulative == 1.0);
    check_well_formed(cm);
}

TEST_CASE("compiler: steps sharing a key path still get distinct streams", "[unit]") {
    // `parallel = N` copies one block N times, so its steps share a path;
    // one stream for all would give every arm the same draws. The first
    // copy keeps the plain name, so changing N leaves its draws alone.
    const std::string arm = get_step(0) + ".steps[0]";
    Model m = base_model();
    steps_of_get(m) = {
        parallel(get_step(0), {{cpu(arm, 0.001)}, {cpu(arm, 0.001)}, {cpu(arm, 0.001)}})};
    const CompiledModel cm = compile(m);
    const auto& code = cm.program.code;
    const auto& arms = cm.program.arms;
    const Instr& par = code[cm.endpoints[0].entry];
    REQUIRE(par.op == Op::Parallel);
    std::vector<std::string> names;
    for (std::uint32_t k = 0; k < 3; ++k)
        names.push_back(cm.program.streams[code[arms[par.a + k].pc].stream]);
    CHECK(names == std::vector<std::string>{arm, arm + "#1", arm + "#2"});
}

TEST_CASE("compiler: join first needs 1 arm, k of n needs k", "[unit]") {
    const std::vector<BlockSpec> arms = {{cpu("a", 0.001)}, {cpu("b", 0.001)}, {cpu("c", 0.001)}};
    {
        Model m = base_model();
        steps_of_get(m) = {parallel(get_step(0), arms, JoinKind::First)};
        const CompiledModel cm = compile(m);
        CHECK(cm.program.code[cm.endpoints[0].entry].c == 1);
    }
    for (std::uint32_t k : {1u, 2u, 3u}) {
        Model m = base_model();
        steps_of_get(m) = {parallel(get_step(0), arms, JoinKind::KOfN, k)};
        const CompiledModel cm = compile(m);
        CHECK(cm.program.code[cm.endpoints[0].entry].c == k);
    }
}

TEST_CASE("compiler: join k of n out of range throws ModelError at the step", "[unit]") {
    const std::vector<BlockSpec> arms = {{cpu("a", 0.001)}, {cpu("b", 0.001)}, {cpu("c", 0.001)}};
    for (std::uint32_t k : {0u, 4u}) {
        INFO("k = " << k);
        Model m = base_model();
        steps_of_get(m) = {cpu(get_step(0), 0.001), parallel(get_step(1), arms, JoinKind::KOfN, k)};
        try {
            compile(m);
            FAIL("compile accepted k = " << k << " of 3");
        } catch (const ModelError& e) {
            CHECK(e.path == get_step(1));
            CHECK_THAT(e.what(), Catch::Contains(get_step(1)));
        }
    }
    Model none = base_model();
    steps_of_get(none) = {parallel(get_step(0), {})};
    CHECK_THROWS_AS(compile(none), ModelError);
}

TEST_CASE("compiler: an unknown call target throws ModelError naming the step", "[unit]") {
    SECTION("at the top level") {
        Model m = base_model();
        steps_of_get(m) = {cpu(get_step(0), 0.001), call(get_step(1), "db.qeury")};
        try {
            compile(m);
            FAIL("compile accepted an unknown call target");
        } catch (const ModelError& e) {
            CHECK(e.path == get_step(1));
            CHECK_THAT(e.what(), Catch::Contains(get_step(1)) && Catch::Contains("db.qeury"));
        }
    }
    SECTION("inside a loop body in a branch arm") {
        const std::string inner = get_step(0) + ".arms[1].steps[0].body[0]";
        Model m = base_model();
        steps_of_get(m) = {branch(
            get_step(0), {0.5, 0.5},
            {{}, {loop(get_step(0) + ".arms[1].steps[0]", 2.0, {call(inner, "nowhere.at_all")})}})};
        try {
            compile(m);
            FAIL("compile accepted an unknown call target");
        } catch (const ModelError& e) {
            CHECK(e.path == inner);
        }
    }
}

TEST_CASE("compiler: nested loops, branches and parallel arms stay well formed", "[unit]") {
    Model m = base_model();
    const std::string p = get_step(0);
    steps_of_get(m) = {branch(p, {0.3, 0.7},
                              {{parallel(p + ".a0",
                                         {{loop(p + ".a0.p0", 2.0, {cpu(p + ".a0.p0.b", 0.001)})},
                                          {branch(p + ".a0.p1", {1.0, 1.0},
                                                  {{call(p + ".a0.p1.x", "db.query")},
                                                   {delay(p + ".a0.p1.y", 0.002)}})}},
                                         JoinKind::First)},
                               {loop(p + ".a1", 4.0,
                                     {parallel(p + ".a1.b", {{cpu(p + ".a1.b.0", 0.001)},
                                                             {cpu(p + ".a1.b.1", 0.001)}})})}}),
                       cpu(get_step(1), 0.001)};
    const CompiledModel cm = compile(m);
    check_well_formed(cm);
    // Every step that draws randomness has its own stream, named by its path.
    std::set<std::string> names(cm.program.streams.begin(), cm.program.streams.end());
    for (const std::string& expected : {p, p + ".a0.p0", p + ".a0.p0.b", p + ".a0.p1",
                                        p + ".a0.p1.y", p + ".a1", p + ".a1.b.0", get_step(1)})
        CHECK(names.count(expected) == 1);
}

TEST_CASE("compiler: mix weights are normalised to cumulative probabilities ending at 1",
          "[unit]") {
    Model m = base_model();
    m.sources[0].mix = {mix_entry("api.get", 2.0), mix_entry("db.query", 2.0),
                        mix_entry("api.post", 4.0)};
    const CompiledModel cm = compile(m);
    REQUIRE(cm.sources.size() == 1);
    CHECK(cm.sources[0].endpoints == std::vector<std::uint32_t>{0, 2, 1});
    REQUIRE(cm.sources[0].cumulative.size() == 3);
    CHECK(cm.sources[0].cumulative[0] == Approx(0.25));
    CHECK(cm.sources[0].cumulative[1] == Approx(0.5));
    CHECK(cm.sources[0].cumulative[2] == 1.0);  // exactly, so a draw never falls off the end

    // Weights with no exact binary sum still end at exactly 1.
    m.sources[0].mix = {mix_entry("api.get", 0.1), mix_entry("api.post", 0.1),
                        mix_entry("db.query", 0.1)};
    CHECK(compile(m).sources[0].cumulative.back() == 1.0);
}

TEST_CASE("compiler: a bad mix throws ModelError at the source", "[unit]") {
    Model m = base_model();
    m.sources[0].mix = {mix_entry("api.get", 1.0), mix_entry("api.delete", 1.0)};
    try {
        compile(m);
        FAIL("compile accepted an unknown mix endpoint");
    } catch (const ModelError& e) {
        CHECK(e.path == "sources.web.mix");
    }
    m.sources[0].mix = {};
    CHECK_THROWS_AS(compile(m), ModelError);
    m.sources[0].mix = {mix_entry("api.get", 0.0)};
    CHECK_THROWS_AS(compile(m), ModelError);
}

TEST_CASE("compiler: SLOs resolve to endpoints, and unknown ones throw", "[unit]") {
    Model m = base_model();
    capsim::SloSpec slo;
    slo.path = "slos[0]";
    slo.endpoint = "db.query";
    m.slos = {slo};
    CHECK(compile(m).slos.at(0).endpoint == 2);
    m.slos[0].endpoint = "db.missing";
    try {
        compile(m);
        FAIL("compile accepted an SLO on an unknown endpoint");
    } catch (const ModelError& e) {
        CHECK(e.path == "slos[0]");
    }
}

TEST_CASE("compiler: a branch needs one weight per arm", "[unit]") {
    Model m = base_model();
    steps_of_get(m) = {branch(get_step(0), {1.0}, {{cpu("a", 0.001)}, {cpu("b", 0.001)}})};
    try {
        compile(m);
        FAIL("compile accepted 1 weight for 2 arms");
    } catch (const ModelError& e) {
        CHECK(e.path == get_step(0));
    }
}

// Regression: a branch whose weights sum to 0 used to compile to NaN
// cumulative weights. The loader rejects it; compile() is the backstop for
// models built by hand.
TEST_CASE("compiler: a branch whose weights sum to 0 throws ModelError at the step", "[unit]") {
    Model m = base_model();
    steps_of_get(m) = {branch(get_step(0), {0.0, 0.0}, {{cpu("a", 0.001)}, {cpu("b", 0.001)}})};
    try {
        const CompiledModel cm = compile(m);
        FAIL("compiled to cumulative weights " << cm.program.arms.at(0).cumulative << ", "
                                               << cm.program.arms.at(1).cumulative);
    } catch (const ModelError& e) {
        CHECK(e.path == get_step(0));
    }
}

TEST_CASE("compiler: a duplicate endpoint name throws", "[unit]") {
    Model m = base_model();
    m.services[0].endpoints.push_back(endpoint("get", "services.api.endpoints.get#2"));
    try {
        compile(m);
        FAIL("compile accepted a duplicate endpoint");
    } catch (const ModelError& e) {
        CHECK(e.path == "services.api.endpoints.get#2");
    }
}

TEST_CASE("compiler: priority classes cover the highest source priority", "[unit]") {
    Model m = base_model();
    CHECK(compile(m).priority_classes == 1);
    capsim::SourceSpec bots = m.sources[0];
    bots.name = "bots";
    bots.path = "sources.bots";
    bots.priority = 2;
    m.sources.push_back(bots);
    CHECK(compile(m).priority_classes == 3);
}

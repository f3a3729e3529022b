// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
//
// The analytic layer against closed forms (no simulation): M/M/1, M/M/c,
// a Jackson network with feedback, a closed network against MVA, and the
// bottleneck law's saturation order and headroom.
#include <catch2/catch.hpp>

#include <string>

#include "../models/theory_support.hpp"
#include "analysis/analysis.hpp"

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

const Resource& first(const Analysis& a) {
    REQUIRE_FALSE(a.bottleneck.order.empty());
    return a.demands.resources[a.bottleneck.order.front()];
}

}  // namespace

TEST_CASE("analysis: M/M/1", "[analysis]") {
    const CompiledModel cm = compile_text(R"T(
[run]
duration = "100s"
[services.server]
[services.server.endpoints.work]
steps = [ { cpu = "exp(10ms)" } ]
[traffic.clients]
rate = "80/s"
endpoint = "server.work"
)T",
                                          "mm1.toml");
    const Analysis a = analyze(cm);
    CHECK(a.method == Method::Open);
    CHECK(a.bottleneck.offered == Approx(80.0));
    CHECK(a.bottleneck.x_max == Approx(100.0));
    CHECK(a.bottleneck.headroom == Approx(1.25));
    const auto s = service(cm, "server");
    CHECK(a.stations[s].core_utilization == Approx(0.8));
    CHECK(a.stations[s].worker_utilization == Approx(0.8));
    CHECK(a.stations[s].wait == Approx(0.8 * 0.010 / 0.2));
    CHECK(a.stations[s].in_system == Approx(4.0));
    CHECK(a.endpoints[ep(cm, "server.work")].response == Approx(0.010 / 0.2));
    CHECK(a.sources[0].response == Approx(0.05));
}

TEST_CASE("analysis: M/M/c with workers as servers, and PS cores behind many workers",
          "[analysis]") {
    // 3 workers on 3 cores: M/M/3. 64 workers on 3 PS cores: the same
    // birth-death chain (min(n, 3) cores busy), so the same mean.
    for (const char* workers : {"3", "64"}) {
        const CompiledModel cm = compile_text(std::string(R"T(
[services.s]
cores = 3
workers = )T") + workers + R"T(
[services.s.endpoints.work]
steps = [ { cpu = "exp(10ms)" } ]
[traffic.clients]
rate = "250/s"
endpoint = "s.work"
)T",
                                              "mmc.toml");
        const Analysis a = analyze(cm);
        INFO("workers = " << workers);
        const double w = theory::mmc_mean_wait(3, 250.0, 100.0);
        CHECK(a.endpoints[0].response == Approx(0.010 + w));
        CHECK(a.stations[0].in_system == Approx(250.0 * (0.010 + w)));
        CHECK(a.stations[0].core_utilization == Approx(250.0 * 0.010 / 3));
    }
}

TEST_CASE("analysis: open Jackson network with feedback", "[analysis]") {
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
    const Analysis a = analyze(cm);
    const double la = 40.0 / 0.56, lb = 0.7 * la;
    const double ra = la * 0.010, rb = lb * 0.014;
    const double La = ra / (1 - ra), Lb = rb / (1 - rb);
    CHECK(a.stations[service(cm, "a")].throughput == Approx(la));
    CHECK(a.stations[service(cm, "b")].throughput == Approx(lb));
    CHECK(a.stations[service(cm, "a")].in_system == Approx(La));
    CHECK(a.stations[service(cm, "b")].in_system == Approx(Lb));
    CHECK(a.endpoints[ep(cm, "a.work")].response == Approx((La + Lb) / 40.0));
    CHECK(a.endpoints[ep(cm, "a.work")].rate == Approx(40.0));
    CHECK(first(a).station == "a");
    CHECK(a.bottleneck.x_max == Approx(40.0 / ra));
}

TEST_CASE("analysis: a closed network is solved by MVA", "[analysis]") {
    const CompiledModel cm = compile_text(R"T(
[services.a]
[services.a.endpoints.work]
steps = [ { cpu = "exp(40ms)" }, { forward = "b.work" } ]
[services.b]
[services.b.endpoints.work]
steps = [ { cpu = "exp(60ms)" } ]
[traffic.users]
users = 10
think = "exp(500ms)"
endpoint = "a.work"
)T",
                                          "closed2.toml");
    const Analysis a = analyze(cm);
    const theory::Mva th = theory::mva(10, 0.5, {0.040, 0.060});
    REQUIRE(a.method == Method::Closed);
    REQUIRE(a.mva);
    CHECK(a.mva->throughput == Approx(th.X));
    CHECK(a.sources[0].rate == Approx(th.X));
    CHECK(a.sources[0].response == Approx(th.R));
    CHECK(a.stations[service(cm, "a")].in_system == Approx(th.Qk[0]));
    CHECK(a.stations[service(cm, "b")].in_system == Approx(th.Qk[1]));
    CHECK(a.stations[service(cm, "b")].core_utilization == Approx(th.X * 0.060));
    REQUIRE(a.closed);
    CHECK(a.closed->x_max == Approx(1.0 / 0.060));
    CHECK(a.closed->response0 == Approx(0.100));
    CHECK(a.closed->n_star == Approx(0.6 / 0.060));
    CHECK(th.X <= a.closed->x_upper);
    CHECK(th.X >= a.closed->x_lower);
}

TEST_CASE("analysis: saturation order, peak load and headroom of a three-tier model",
          "[analysis]") {
    const CompiledModel cm = compile_text(R"T(
[run]
duration = "100s"
warmup = "10s"
[services.gw]
replicas = 2
workers = 256
cores = 2
[services.gw.endpoints.get]
steps = [ { cpu = "0.5ms" }, { call = "api.get" } ]
[services.api]
replicas = 4
workers = 16
cores = 2
[services.api.endpoints.get]
steps = [ { cpu = "4ms" }, { call = "db.q" }, { delay = "20ms" } ]
[services.db]
workers = 64
cores = 8
[services.db.endpoints.q]
steps = [ { cpu = "5ms" } ]
[traffic.shoppers]
shape = { kind = "step", steps = [ { at = "0s", rate = "500/s" }, { at = "55s", rate = "1000/s" } ] }
endpoint = "gw.get"
)T",
                                          "tiers.toml");
    const Analysis a = analyze(cm);
    // Mean over the measured window [10s, 100s]: 45 s at 500/s, 45 s at 1000/s.
    CHECK(a.bottleneck.offered == Approx(750.0));
    CHECK(a.bottleneck.peak_offered == Approx(1000.0));
    // api cores 8 / 4ms = 2000/s, db cores 8 / 5ms = 1600/s, gw cores 4 / 0.5ms =
    // 8000/s; api workers 64 / (4 + 5 + 20 ms) = 2207/s.
    REQUIRE(a.bottleneck.order.size() >= 4);
    const auto& rs = a.demands.resources;
    const auto& o = a.bottleneck.order;
    CHECK(rs[o[0]].station == "db");
    CHECK(rs[o[0]].kind == ResourceKind::Cores);
    CHECK(a.bottleneck.loads[o[0]].x_max == Approx(1600.0));
    CHECK(rs[o[1]].station == "api");
    CHECK(rs[o[1]].kind == ResourceKind::Cores);
    CHECK(rs[o[2]].station == "api");
    CHECK(rs[o[2]].kind == ResourceKind::Workers);
    CHECK(a.bottleneck.loads[o[2]].x_max == Approx(64.0 / 0.029));
    CHECK(a.bottleneck.x_max == Approx(1600.0));
    CHECK(a.bottleneck.headroom == Approx(1600.0 / 750.0));
    CHECK(a.bottleneck.loads[o[0]].utilization == Approx(750.0 * 0.005 / 8));
    CHECK(a.bottleneck.loads[o[0]].peak_utilization == Approx(1000.0 * 0.005 / 8));
    CHECK(a.method == Method::Open);
}

TEST_CASE("analysis: an overloaded model has bounds but no steady state", "[analysis]") {
    const CompiledModel cm = compile_text(R"T(
[services.s]
[services.s.endpoints.work]
steps = [ { cpu = "exp(10ms)" } ]
[traffic.clients]
rate = "150/s"
endpoint = "s.work"
)T",
                                          "over.toml");
    const Analysis a = analyze(cm);
    CHECK(a.method == Method::Saturated);
    CHECK(a.bottleneck.x_max == Approx(100.0));
    CHECK(a.bottleneck.headroom == Approx(100.0 / 150.0));
    CHECK(std::isnan(a.endpoints[0].response));
    CHECK_FALSE(a.notes.empty());
    CHECK(to_json(a).find("\"method\": \"saturated\"") != std::string::npos);
}

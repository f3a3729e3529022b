// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
//
// Retries and rate limits in the analytic layer: the attempts a retried call
// costs, the fallback it runs when they fail, the keys a service's rate
// limit counts, and the engine's agreement with all three.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <string>

#include "../models/theory_support.hpp"
#include "analysis/analysis.hpp"
#include "analysis/compare.hpp"
#include "analysis_support.hpp"

using namespace capsim;
using namespace capsim::analysis;
using namespace capsim::theory;
using namespace capsim::analysis::testing;

namespace {

// One external that fails with probability 0.3, called through `policy`,
// then 1ms of cpu; 100 requests per second.
std::string retried_call(const std::string& policy) {
    return R"T(
[run]
duration = "100s"
[externals.psp]
latency = "50ms"
errors = 0.3
rate_limit = "1000/s"
[services.api]
workers = 1000
cores = 8
[services.api.endpoints.get]
steps = [ { call = "psp")T" +
           policy + R"T( }, { cpu = "1ms" } ]
[traffic.users]
rate = "100/s"
endpoint = "api.get"
)T";
}

}  // namespace

TEST_CASE("policies: a retried call costs 1 + p + ... + p^(n-1) attempts and their backoff",
          "[analysis][policies]") {
    const double p = 0.3;
    SECTION("four attempts, exponential backoff from 10ms") {
        const Analysis a = analyze(compile_text(
            retried_call(R"(, retry = { attempts = 4, on = ["5xx"], base = "10ms" })"), "r.toml"));
        const double attempts = (1 - std::pow(p, 4)) / (1 - p);
        CHECK(load_of(a, "psp", ResourceKind::RateLimit).demand == Approx(attempts));
        // Retry k waits 10ms x 2^(k-1) and happens with probability p^k.
        const double backoff = p * 0.010 + p * p * 0.020 + p * p * p * 0.040;
        CHECK(a.sources[0].response0 ==
              Approx(attempts * 0.050 + backoff + 0.001 * (1 - p * p * p * p)));
        // The cpu after the call runs only when some attempt succeeded.
        CHECK(load_of(a, "api", ResourceKind::Cores).demand ==
              Approx(0.001 * (1 - std::pow(p, 4))));
    }
    SECTION("full jitter halves the mean wait; a constant backoff does not grow") {
        const Analysis full = analyze(compile_text(
            retried_call(R"(, retry = { attempts = 3, base = "10ms", jitter = "full" })"),
            "j.toml"));
        const Analysis constant = analyze(compile_text(
            retried_call(R"(, retry = { attempts = 3, base = "10ms", backoff = "constant" })"),
            "c.toml"));
        const double attempts = 1 + p + p * p;
        const double tail = 0.001 * (1 - p * p * p);
        CHECK(full.sources[0].response0 ==
              Approx(attempts * 0.050 + p * 0.005 + p * p * 0.010 + tail));
        CHECK(constant.sources[0].response0 ==
              Approx(attempts * 0.050 + (p + p * p) * 0.010 + tail));
    }
    SECTION("a budget of 0.2 caps the retries at 0.2 per first attempt") {
        const Analysis a = analyze(compile_text(
            retried_call(R"(, retry = { attempts = 4, base = "10ms", budget = 0.2 })"), "b.toml"));
        CHECK(load_of(a, "psp", ResourceKind::RateLimit).demand == Approx(1.2));
        // A call succeeds at most once: P(success) = (1 - p) x E[attempts] (Wald).
        CHECK(load_of(a, "api", ResourceKind::Cores).demand == Approx(0.001 * (1 - p) * 1.2));
    }
    SECTION("retries of other causes leave the attempts at one") {
        const Analysis a = analyze(compile_text(
            retried_call(R"(, retry = { attempts = 4, on = ["timeout", "429"] })"), "o.toml"));
        CHECK(load_of(a, "psp", ResourceKind::RateLimit).demand == Approx(1.0));
        CHECK(load_of(a, "api", ResourceKind::Cores).demand == Approx(0.001 * (1 - p)));
    }
    SECTION("a fallback runs when the attempts fail, and the request goes on") {
        const Analysis a = analyze(compile_text(
            retried_call(R"(, retry = { attempts = 2 }, fallback = [ { cpu = "4ms" } ])"),
            "f.toml"));
        CHECK(load_of(a, "api", ResourceKind::Cores).demand == Approx(p * p * 0.004 + 0.001));
        CHECK(a.sources[0].response0 ==
              Approx((1 + p) * 0.050 + p * 0.100 + p * p * 0.004 + 0.001));
    }
}

TEST_CASE("policies: a service's rate limit is one resource per key it counts",
          "[analysis][policies]") {
    const auto model = [](const std::string& per) {
        return compile_text(R"T(
[run]
duration = "100s"
[services.api]
workers = 1000
cores = 8
rate_limit = { rate = "10/s", per = ")T" +
                                per + R"T(" }
[services.api.endpoints.get]
steps = [ { cpu = "1ms" } ]
[services.other]
[services.other.endpoints.get]
steps = [ { cpu = "1ms" } ]
[traffic.people]
rate = "100/s"
clients = 1000
class = "people"
endpoint = "api.get"
[traffic.bots]
rate = "300/s"
clients = 5
class = "bots"
endpoint = "api.get"
[traffic.batch]
rate = "50/s"
endpoint = "other.get"
)T",
                            "limits.toml");
    };
    SECTION("global: everyone shares 10/s") {
        const CompiledModel cm = model("global");
        const Analysis a = analyze(cm);
        const Resource& r = resource_of(a, "api", ResourceKind::RateLimit);
        CHECK(r.capacity() == Approx(10.0));
        CHECK(a.bottleneck.loads[a.bottleneck.order.front()].x_max ==
              Approx(10.0 / (400.0 / 450.0)));
        // It refuses the excess: every source through it is thinned alike.
        CHECK(source_of(a, "people").admitted == Approx(100.0 * 10.0 / 400.0));
        CHECK(source_of(a, "bots").admitted == Approx(300.0 * 10.0 / 400.0));
        CHECK(source_of(a, "batch").admitted == Approx(50.0));
        CHECK(a.method != Method::Saturated);
        CHECK(load_of(a, "api", ResourceKind::Cores).utilization == Approx(10.0 * 0.001 / 8));
    }
    SECTION("class: each class has its own 10/s") {
        const Analysis a = analyze(model("class"));
        CHECK(find_load(a, "api", ResourceKind::RateLimit) == nullptr);
        CHECK(load_of(a, "api (class people)", ResourceKind::RateLimit).utilization ==
              Approx(10.0));
        CHECK(load_of(a, "api (class bots)", ResourceKind::RateLimit).utilization == Approx(30.0));
        CHECK(source_of(a, "people").admitted == Approx(10.0));
        CHECK(source_of(a, "bots").admitted == Approx(10.0));
    }
    SECTION("client: a source's clients each have 10/s") {
        const Analysis a = analyze(model("client"));
        const Resource& people =
            resource_of(a, "api (each client of people)", ResourceKind::RateLimit);
        CHECK(people.replicas == 1000);
        // A person sends 0.1/s, far below the limit; a bot 60/s, six times it.
        CHECK(load_of(a, "api (each client of people)", ResourceKind::RateLimit).utilization ==
              Approx(0.01));
        CHECK(load_of(a, "api (each client of bots)", ResourceKind::RateLimit).utilization ==
              Approx(6.0));
        CHECK(source_of(a, "people").admitted == Approx(100.0));
        CHECK(source_of(a, "bots").admitted == Approx(50.0));
        // The source that never reaches the service has no key there.
        CHECK(find_load(a, "api (each client of batch)", ResourceKind::RateLimit) == nullptr);
    }
}

TEST_CASE("policies: a service's rate limit as the bottleneck admits X_max",
          "[analysis][policies][validation]") {
    // A token bucket under Poisson overload (1.5x) is rarely full, so it
    // passes its rate; what it admits loads the cores downstream.
    const double measure = 200.0;
    std::string t = run_table(measure, 20.0, 5, 921);
    t += R"T(
[services.api]
workers = 10000
cores = 2
rate_limit = { rate = "400/s" }
[services.api.endpoints.get]
steps = [ { cpu = "exp(3ms)" } ]
[traffic.clients]
rate = "600/s"
endpoint = "api.get"
)T";
    const Outcome o = run_scenario(t, "service_limit.toml");
    const Analysis a = analyze(o.model);
    REQUIRE(bottleneck(a).kind == ResourceKind::RateLimit);
    REQUIRE(a.bottleneck.x_max == Approx(400.0));
    within_two_percent("Open, a service's rate limit the bottleneck",
                       fmt("600/s into a 400/s token bucket (burst 400), 2 PS cores exp(3ms); %s",
                           run_words(measure, 5).c_str()),
                       a.bottleneck.x_max, endpoint(o, "api.get").throughput);
    const std::string params =
        fmt("600/s offered, 400/s admitted; %s", run_words(measure, 5).c_str());
    compare("Rate limit, analytic estimate", params, "admitted (1/s)",
            source_of(a, "clients").admitted, endpoint(o, "api.get").throughput);
    compare("Rate limit, analytic estimate", params, "api core utilisation",
            a.stations[0].core_utilization, station(o, "api").core_utilization);
    // The admitted stream is about one request per token, far more regular
    // than Poisson: the M/M/c estimate overstates the wait behind the limit,
    // and the analytic table says why.
    const AnalyticReport table = capsim::analysis::compare(a, o.report);
    const auto latency = std::find_if(
        table.rows.begin(), table.rows.end(),
        [](const AnalyticRow& r) { return r.name == "api.get" && r.quantity == "latency_mean"; });
    REQUIRE(latency != table.rows.end());
    CHECK(latency->simulated.mean < latency->analytic);
    CHECK(latency->verdict == "disagree");
    CHECK(std::find(latency->reasons.begin(), latency->reasons.end(), "smoothed by a rate limit") !=
          latency->reasons.end());
}

TEST_CASE("policies: retried calls' attempts and latency agree with the simulation",
          "[analysis][policies][validation]") {
    const double measure = 400.0;
    const int reps = 8;
    const auto scenario = [&](const std::string& retry, int seed) {
        std::string t = run_table(measure, 20.0, reps, seed);
        t += R"T(
[externals.psp]
latency = "exp(20ms)"
errors = 0.3
[services.api]
workers = 10000
cores = 4
[services.api.endpoints.get]
steps = [ { cpu = "exp(1ms)" }, { call = "psp", retry = )T" +
             retry + R"T( }, { cpu = "exp(1ms)" } ]
[traffic.users]
rate = "500/s"
endpoint = "api.get"
)T";
        return t;
    };
    SECTION("four attempts: (1 - p^4) / (1 - p) calls per request") {
        const Outcome o = run_scenario(
            scenario(R"({ attempts = 4, on = ["5xx"], base = "10ms" })", 922), "retries.toml");
        const Analysis a = analyze(o.model);
        const std::string params =
            fmt("500/s, p = 0.3, 4 attempts, backoff 10ms x 2^k, exp(20ms) calls; %s",
                run_words(measure, reps).c_str());
        const double calls = 500.0 * (1 - std::pow(0.3, 4)) / (1 - 0.3);
        REQUIRE(a.sources[0].demand.size() == a.demands.resources.size());
        compare("Retried calls, analytic estimate", params, "calls to the external (1/s)", calls,
                o.report.externals.at(0).calls);
        compare("Retried calls, analytic estimate", params, "mean latency (s)",
                a.sources[0].response, endpoint(o, "api.get").latency.mean);
        compare("Retried calls, analytic estimate", params, "api core utilisation",
                a.stations[0].core_utilization, station(o, "api").core_utilization);
    }
    SECTION("a budget of 0.2 holds the calls to 1.2 per request") {
        const Outcome o = run_scenario(
            scenario(R"({ attempts = 4, on = ["5xx"], base = "10ms", budget = 0.2 })", 923),
            "budget.toml");
        const Analysis a = analyze(o.model);
        const std::string params = fmt("500/s, p = 0.3, 4 attempts, retry budget 0.2; %s",
                                       run_words(measure, reps).c_str());
        compare("Retry budget, analytic estimate", params, "calls to the external (1/s)",
                500.0 * 1.2, o.report.externals.at(0).calls);
        compare("Retry budget, analytic estimate", params, "api core utilisation",
                a.stations[0].core_utilization, station(o, "api").core_utilization);
    }
}

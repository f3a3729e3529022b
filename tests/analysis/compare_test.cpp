// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>

#include "../models/theory_support.hpp"
#include "analysis/compare.hpp"

using namespace capsim;
using namespace capsim::analysis;
using namespace capsim::theory;

namespace {

const AnalyticRow& find(const AnalyticReport& a, const std::string& name,
                        const std::string& quantity) {
    for (const AnalyticRow& r : a.rows)
        if (r.name == name && r.quantity == quantity) return r;
    FAIL("no row " << name << " " << quantity);
    return a.rows.front();
}

std::string station_toml(const char* service_law, int replications) {
    std::string t = run_table(500.0, 50.0, replications, 801);
    t += fmt(R"T(
[services.server]
[services.server.endpoints.work]
steps = [ { cpu = "%s" } ]
[traffic.clients]
rate = "70/s"
endpoint = "server.work"
)T",
             service_law);
    return t;
}

}  // namespace

TEST_CASE("compare: a product-form station agrees everywhere", "[analysis][compare]") {
    Outcome o = run_scenario(station_toml("exp(10ms)", 8), "mm1.toml");
    attach(o.report, o.model);
    const AnalyticReport& a = o.report.analytic;
    REQUIRE(a.present);
    CHECK(a.method == "open");
    CHECK(a.bottleneck_station == "server");
    CHECK(a.x_max == Approx(100.0));
    REQUIRE(a.rows.size() == 7);
    for (const AnalyticRow& r : a.rows) {
        INFO(r.name << " " << r.quantity << ": " << r.analytic << " vs " << r.simulated.mean
                    << " ± " << r.tolerance);
        CHECK(r.verdict == "agree");
        CHECK(r.reasons.empty());
    }
    const std::string json = to_json(o.report);
    CHECK(json.find("\"analytic\": {") != std::string::npos);
    CHECK(json.find("\"verdict\": \"agree\"") != std::string::npos);
}

TEST_CASE("compare: heavy-tailed FCFS service disagrees, and says why", "[analysis][compare]") {
    // M/G/1 with scv 4 waits (1 + 4) / 2 = 2.5 times as long as M/M/1.
    Outcome o = run_scenario(station_toml("hyperexp(mean=10ms, scv=4)", 8), "mg1.toml");
    attach(o.report, o.model);
    const AnalyticReport& a = o.report.analytic;
    const AnalyticRow& latency = find(a, "server.work", "latency_mean");
    CHECK(latency.verdict == "disagree");
    CHECK(latency.simulated.mean > 1.5 * latency.analytic);
    CHECK(std::find(latency.reasons.begin(), latency.reasons.end(), "heavy-tailed service") !=
          latency.reasons.end());
    // The utilisation law does not care about the service law.
    CHECK(find(a, "server", "core_utilization").verdict == "agree");
    CHECK(find(a, "server", "throughput").verdict == "agree");
}

TEST_CASE("compare: one replication has no interval to judge by", "[analysis][compare]") {
    Outcome o = run_scenario(station_toml("exp(10ms)", 1), "mm1.toml");
    attach(o.report, o.model);
    for (const AnalyticRow& r : o.report.analytic.rows) CHECK(r.verdict == "no ci");
}

TEST_CASE("compare: an overloaded run reports the bounds without a table", "[analysis][compare]") {
    std::string t = run_table(20.0, 0.0, 2, 802);
    t += R"T(
[services.server]
queue = 10
[services.server.endpoints.work]
steps = [ { cpu = "exp(10ms)" } ]
[traffic.clients]
rate = "150/s"
endpoint = "server.work"
)T";
    Outcome o = run_scenario(t, "over.toml");
    attach(o.report, o.model);
    CHECK(o.report.analytic.method == "saturated");
    CHECK(o.report.analytic.rows.empty());
    CHECK(o.report.analytic.headroom == Approx(100.0 / 150.0));
}

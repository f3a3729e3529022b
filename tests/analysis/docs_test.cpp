// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
//
// docs/analysis.md quotes numbers for its example: they must stay true, and
// the example in the text must stay the shipped file.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "analysis/analysis.hpp"
#include "scenario/loader.hpp"

using namespace capsim;
using namespace capsim::analysis;

namespace {

const std::filesystem::path kRoot = CAPSIM_SOURCE_DIR;

std::string read(const std::filesystem::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

}  // namespace

TEST_CASE("docs/analysis.md: the example is the shipped file and its numbers hold",
          "[analysis][docs]") {
    const std::string doc = read(kRoot / "docs" / "analysis.md");
    const std::string file = read(kRoot / "docs" / "examples" / "three_tier.toml");
    const std::string marker = "# docs/examples/three_tier.toml\n";
    const auto start = doc.find(marker);
    REQUIRE(start != std::string::npos);
    const auto body = start + marker.size();
    const std::string block = doc.substr(body, doc.find("```", body) - body);
    CHECK(file.find(block) != std::string::npos);

    const auto loaded = scenario::load_file(kRoot / "docs" / "examples" / "three_tier.toml");
    REQUIRE(loaded.ok());
    const CompiledModel cm = compile(*loaded.model);
    const Analysis a = analyze(cm);
    const auto& rs = a.demands.resources;
    const auto& order = a.bottleneck.order;
    REQUIRE(order.size() >= 3);
    CHECK(rs[order[0]].station == "db");
    CHECK(a.bottleneck.x_max == Approx(1600.0));
    CHECK(a.bottleneck.offered == Approx(750.0));
    CHECK(a.bottleneck.peak_offered == Approx(1000.0));
    CHECK(a.bottleneck.headroom == Approx(2.1333).epsilon(1e-3));
    CHECK(rs[order[1]].station == "api");
    CHECK(a.bottleneck.loads[order[1]].x_max == Approx(2000.0));
    CHECK(rs[order[2]].kind == ResourceKind::Workers);
    CHECK(a.bottleneck.loads[order[2]].x_max == Approx(64.0 / 0.029));
}

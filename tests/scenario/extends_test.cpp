// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
//
// `extends = "base.toml"`: a what-if is a small file over a base. Child
// keys win, header tables merge deeply, diagnostics point into the file
// that wrote the key, and a chain that comes back to itself is refused
// with the chain spelled out. `capsim show` prints the result.
#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

#include "scenario/loader.hpp"

namespace {

namespace fs = std::filesystem;
using capsim::scenario::Diagnostic;
using capsim::scenario::format_all;
using capsim::scenario::load_file;
using capsim::scenario::load_string;
using capsim::scenario::resolve_file;

/// A scratch directory of scenario files, removed at the end.
struct Files {
    fs::path dir;
    Files() {
        const auto stamp = std::chrono::steady_clock::now().time_since_epoch().count();
        dir = fs::temp_directory_path() / ("capsim_extends_test_" + std::to_string(stamp));
        fs::create_directories(dir / "bases");
    }
    ~Files() {
        std::error_code ec;
        fs::remove_all(dir, ec);
    }
    Files(const Files&) = delete;
    Files& operator=(const Files&) = delete;
    fs::path write(const std::string& name, const std::string& text) const {
        std::ofstream(dir / name, std::ios::binary) << text;
        return dir / name;
    }
};

const char* const kBase = R"toml(name = "base"
[run]
duration = "20s"
seed = 3
[services.api]
replicas = 2
workers = 8
[services.api.endpoints.get]
steps = [ { cpu = "exp(4ms)" }, { call = "db.read" } ]
[services.db.endpoints.read]
steps = [ { cpu = "exp(1ms)" } ]
[traffic.web]
shape = { kind = "ramp", from = "10/s", to = "100/s", duration = "10s" }
endpoint = "api.get"
)toml";

Diagnostic only_error(const capsim::scenario::LoadResult& r) {
    INFO(format_all(r.diagnostics));
    REQUIRE_FALSE(r.ok());
    REQUIRE(r.diagnostics.size() == 1);
    return r.diagnostics.front();
}

}  // namespace

TEST_CASE("extends: the child's keys win and header tables merge deeply", "[extends]") {
    Files f;
    f.write("bases/base.toml", kBase);
    const fs::path child = f.write("whatif.toml", R"toml(extends = "bases/base.toml"
[services.api]
replicas = 6
[services.api.endpoints.put]
steps = [ { cpu = "exp(2ms)" } ]
[traffic.web]
shape = { kind = "spike", base = "50/s", peak = "500/s", start = "5s", hold = "5s" }
)toml");
    const auto r = load_file(child);
    INFO(format_all(r.diagnostics));
    REQUIRE(r.ok());
    const capsim::Model& m = *r.model;
    CHECK(m.name == "whatif");  // the name is the child's, not the base's
    CHECK(m.run.duration == 20.0);
    CHECK(m.run.seed == 3);
    REQUIRE(m.services.size() == 2);
    const capsim::ServiceSpec& api = m.services[0];
    CHECK(api.replicas == 6);
    CHECK(api.workers == 8);
    CHECK(api.endpoints.size() == 2);
    // The inline shape replaced the base's whole shape (no ramp keys left).
    CHECK(m.sources.at(0).shape.rate.size() > 1);
}

TEST_CASE("extends: chains of bases, each relative to the file that names it", "[extends]") {
    Files f;
    f.write("bases/root.toml", kBase);
    f.write("bases/mid.toml", "extends = \"root.toml\"\n[services.db]\nworkers = 4\n");
    const fs::path child =
        f.write("leaf.toml", "extends = \"bases/mid.toml\"\nname = \"leaf case\"\n");
    const auto r = load_file(child);
    INFO(format_all(r.diagnostics));
    REQUIRE(r.ok());
    CHECK(r.model->name == "leaf case");
    CHECK(r.model->services[1].workers == 4);
}

TEST_CASE("extends: overrides apply after the bases", "[extends]") {
    Files f;
    f.write("bases/base.toml", kBase);
    const fs::path child = f.write("w.toml", "extends = \"bases/base.toml\"\n");
    const auto r = load_file(child, {"services.api.replicas=9"});
    REQUIRE(r.ok());
    CHECK(r.model->services[0].replicas == 9);
}

TEST_CASE("extends: a problem in the base is reported in the base's file", "[extends]") {
    Files f;
    f.write("bases/base.toml", "[run]\nduration = \"20s\"\n[services.api]\nwrokers = 8\n");
    const fs::path child = f.write("w.toml", "extends = \"bases/base.toml\"\n");
    const auto r = load_file(child);
    INFO(format_all(r.diagnostics));
    REQUIRE_FALSE(r.ok());
    const Diagnostic& d = r.diagnostics.front();
    CHECK(d.file == (f.dir / "bases/base.toml").string());
    CHECK(d.line == 4);
    CHECK(d.column == 1);
    CHECK(d.suggestion == "workers");
}

TEST_CASE("extends: a recursive chain is refused and spelled out", "[extends]") {
    Files f;
    f.write("a.toml", "extends = \"b.toml\"\n");
    f.write("b.toml", "\n\nextends = \"./a.toml\"\n");
    const Diagnostic d = only_error(load_file(f.dir / "a.toml"));
    CHECK(d.file == (f.dir / "b.toml").string());
    CHECK(d.line == 3);
    CHECK(d.column == 11);
    CHECK(d.path == "extends");
    const std::string a = (f.dir / "a.toml").string();
    const std::string b = (f.dir / "b.toml").string();
    CHECK(d.message == "extends comes back to itself: " + a + " → " + b + " → " + a);
}

TEST_CASE("extends: a file that extends itself", "[extends]") {
    Files f;
    const Diagnostic d = only_error(load_file(f.write("self.toml", "extends = \"self.toml\"\n")));
    CHECK(d.message.find("extends comes back to itself") == 0);
}

TEST_CASE("extends: a missing base gets a did-you-mean among the files there", "[extends]") {
    Files f;
    f.write("bases/base.toml", kBase);
    const Diagnostic& d =
        only_error(load_file(f.write("w.toml", "extends = \"bases/bsae.toml\"\n")));
    CHECK(d.line == 1);
    CHECK(d.column == 11);
    CHECK(d.message.find("cannot read the base scenario") == 0);
    CHECK(d.suggestion == "bases/base.toml");
}

TEST_CASE("extends: bad TOML in a base is a syntax error in that file", "[extends]") {
    Files f;
    f.write("bases/base.toml", "[run]\nduration = \n");
    const Diagnostic d =
        only_error(load_file(f.write("w.toml", "extends = \"bases/base.toml\"\n")));
    CHECK(d.file == (f.dir / "bases/base.toml").string());
    CHECK(d.line == 2);
    CHECK(d.message.find("TOML syntax") == 0);
}

TEST_CASE("extends: must be a file name", "[extends]") {
    const auto r = load_string("extends = 3\n", "t.toml");
    REQUIRE_FALSE(r.ok());
    CHECK(r.diagnostics.front().message == "expected a file name, found an integer");
}

TEST_CASE("extends: relative CSV files in a base resolve beside the base", "[extends]") {
    Files f;
    std::ofstream(f.dir / "bases" / "cpu.csv") << "0.001\n0.002\n0.003\n";
    f.write("bases/base.toml", R"toml([services.api.endpoints.get]
steps = [ { cpu = "empirical(cpu.csv)" } ]
[traffic.web]
rate = "10/s"
endpoint = "api.get"
)toml");
    const auto r = load_file(f.write("w.toml", "extends = \"bases/base.toml\"\n"));
    INFO(format_all(r.diagnostics));
    CHECK(r.ok());
}

TEST_CASE("extends: chains deeper than the limit are refused", "[extends]") {
    Files f;
    for (int i = 0; i < 20; ++i)
        f.write("c" + std::to_string(i) + ".toml",
                "extends = \"c" + std::to_string(i + 1) + ".toml\"\n");
    f.write("c20.toml", kBase);
    const Diagnostic d = only_error(load_file(f.dir / "c0.toml"));
    CHECK(d.message.find("more than 16 deep") != std::string::npos);
}

TEST_CASE("show: the resolved scenario is TOML that loads to the same model", "[extends]") {
    Files f;
    f.write("bases/base.toml", kBase);
    const fs::path child = f.write("w.toml", "extends = \"bases/base.toml\"\n[run]\nseed = 9\n");
    const auto shown = resolve_file(child, {"services.api.replicas=5"});
    INFO(format_all(shown.diagnostics));
    REQUIRE(shown.ok());
    CHECK(shown.toml->find("extends") == std::string::npos);
    CHECK(shown.toml->find("name = \"w\"") != std::string::npos);
    CHECK(shown.toml->find("replicas = 5") != std::string::npos);
    const auto again = load_string(*shown.toml, "shown.toml");
    INFO(*shown.toml);
    REQUIRE(again.ok());
    const auto direct = load_file(child, {"services.api.replicas=5"});
    CHECK(again.model->name == direct.model->name);
    CHECK(again.model->run.seed == 9);
    CHECK(again.model->services[0].replicas == 5);
    CHECK(again.model->services[0].endpoints.size() == direct.model->services[0].endpoints.size());
}

TEST_CASE("show: an invalid scenario gives diagnostics, not text", "[extends]") {
    Files f;
    const auto shown = resolve_file(f.write("bad.toml", "[run]\nduration = 5\n"));
    CHECK_FALSE(shown.ok());
    CHECK_FALSE(shown.diagnostics.empty());
}

// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
//
// The scenario reference is a contract: every ```toml block in
// docs/scenarios.md and docs/laws.md must load without errors, compile and
// run. A block preceded by an HTML comment containing "fragment"
// (<!-- fragment -->) is a partial snippet and is skipped; one preceded by a
// comment containing "unstable" must produce an unstable report, every other
// one must not; one preceded by a comment containing "warning" must warn,
// every other one must check clean. The shipped scenarios/*.toml must load
// and compile.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "models/compiled_model.hpp"
#include "models/run.hpp"
#include "scenario/loader.hpp"

namespace {

namespace fs = std::filesystem;
using capsim::scenario::Diagnostic;
using capsim::scenario::format_all;
using capsim::scenario::has_errors;
using capsim::scenario::load_file;
using capsim::scenario::load_string;

const fs::path kRoot{CAPSIM_SOURCE_DIR};

struct Block {
    std::string where;  // "docs/scenarios.md:123" (line of the opening fence)
    std::string text;
    bool fragment = false;
    bool unstable = false;
    bool warns = false;  // shows a warning: <!-- warning: ... -->
};

std::string trim(const std::string& s) {
    const auto b = s.find_first_not_of(" \t\r");
    if (b == std::string::npos) return {};
    const auto e = s.find_last_not_of(" \t\r");
    return s.substr(b, e - b + 1);
}

bool starts_with(const std::string& s, const std::string& prefix) {
    return s.compare(0, prefix.size(), prefix) == 0;
}

/// Every ```toml block of a Markdown file, with the marker of the HTML
/// comment on the last non-blank line before its fence, if any.
std::vector<Block> toml_blocks(const fs::path& file, const std::string& label) {
    std::ifstream in(file);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    std::vector<Block> out;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        if (trim(lines[i]) != "```toml") continue;
        Block b;
        b.where = label + ":" + std::to_string(i + 1);
        for (std::size_t k = i; k-- > 0;) {
            const std::string prev = trim(lines[k]);
            if (prev.empty()) continue;
            if (starts_with(prev, "<!--")) {
                b.fragment = prev.find("fragment") != std::string::npos;
                b.unstable = prev.find("unstable") != std::string::npos;
                b.warns = prev.find("warning") != std::string::npos;
            }
            break;
        }
        std::size_t j = i + 1;
        for (; j < lines.size() && !starts_with(trim(lines[j]), "```"); ++j)
            b.text += lines[j] + "\n";
        out.push_back(std::move(b));
        i = j;
    }
    return out;
}

/// Load, compile and run one documentation block; returns false if it was
/// skipped as a fragment.
bool check_block(const Block& b) {
    if (b.fragment) return false;
    INFO("example at " << b.where << ":\n" << b.text);
    const auto loaded = load_string(b.text, b.where, kRoot / "docs");
    INFO(format_all(loaded.diagnostics));
    REQUIRE_FALSE(has_errors(loaded.diagnostics));
    REQUIRE(loaded.ok());
    // A reader copies examples: they must check clean, unless the example is
    // there to show a warning (<!-- warning: ... -->).
    CHECK(loaded.diagnostics.empty() != b.warns);
    capsim::CompiledModel compiled;
    try {
        compiled = capsim::compile(*loaded.model);
    } catch (const capsim::ModelError& e) {
        FAIL("compile failed: " << e.what());
    }
    const capsim::Report report = capsim::run(compiled);
    INFO("status: " << report.status);
    CHECK(report.events > 0);
    if (b.unstable)
        CHECK(report.unstable);
    else
        CHECK_FALSE(report.unstable);
    return true;
}

}  // namespace

TEST_CASE("docs/scenarios.md: every toml example loads, compiles and runs", "[docs]") {
    const auto blocks = toml_blocks(kRoot / "docs" / "scenarios.md", "docs/scenarios.md");
    // The reference has an example per section; a parsing slip that finds
    // none must not pass silently.
    REQUIRE(blocks.size() >= 20);
    // At least one example demonstrates instability (and is checked to be).
    CHECK(std::any_of(blocks.begin(), blocks.end(), [](const Block& b) { return b.unstable; }));
    for (const Block& b : blocks) {
        SECTION(b.where) {
            check_block(b);
        }
    }
}

TEST_CASE("docs/laws.md: every complete toml example loads, compiles and runs", "[docs]") {
    const fs::path laws = kRoot / "docs" / "laws.md";
    if (!fs::exists(laws)) {
        WARN("docs/laws.md does not exist yet; nothing to check");
        return;
    }
    const auto blocks = toml_blocks(laws, "docs/laws.md");
    for (const Block& b : blocks) {
        SECTION(b.where) {
            // A snippet such as `steps = [ { cpu = "exp(5ms)" } ]` is not a
            // scenario: mark it <!-- fragment --> in docs/laws.md.
            INFO(
                "a toml block that is not a complete scenario must be preceded by "
                "<!-- fragment -->");
            check_block(b);
        }
    }
}

TEST_CASE("scenarios/*.toml load and compile without errors", "[docs]") {
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(kRoot / "scenarios"))
        if (entry.path().extension() == ".toml") files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    REQUIRE_FALSE(files.empty());
    for (const fs::path& file : files) {
        SECTION(file.filename().string()) {
            const auto loaded = load_file(file);
            INFO(format_all(loaded.diagnostics));
            REQUIRE_FALSE(has_errors(loaded.diagnostics));
            REQUIRE(loaded.ok());
            CHECK_NOTHROW(capsim::compile(*loaded.model));
        }
    }
}

TEST_CASE("docs/examples: every CSV a doc example names exists", "[docs]") {
    // The examples resolve files relative to docs/; keep the data shipped.
    for (const char* name :
         {"examples/arrivals.csv", "examples/requests_per_second.csv", "examples/cpu_ms.csv"}) {
        INFO(name);
        CHECK(fs::is_regular_file(kRoot / "docs" / name));
    }
}

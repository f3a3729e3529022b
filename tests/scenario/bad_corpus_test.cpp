// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
//
// The bad-scenario corpus: every tests/scenario/bad/*.toml must be refused
// with an error at an exact place. Each file's first line says where and
// what:
//
//   # expect: LINE:COLUMN message class
//   # expect: bases/base.toml:LINE:COLUMN message class
//
// (the second form for a problem inside a base it extends; 0:0 for a
// problem with no position). The message class is a substring of the
// error's message. An optional second line
//
//   # suggest: WORD
//
// is the did-you-mean that error must carry; without it the error must
// carry none (a wrong suggestion misleads more than none). Files under
// bad/bases/ are bases, not cases.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "scenario/loader.hpp"

namespace {

namespace fs = std::filesystem;
using capsim::scenario::Diagnostic;
using capsim::scenario::format_all;
using capsim::scenario::load_file;

const fs::path kBad = fs::path(CAPSIM_SOURCE_DIR) / "tests" / "scenario" / "bad";

struct Expectation {
    fs::path file;
    std::uint32_t line = 0;
    std::uint32_t column = 0;
    std::string message;
    std::string suggestion;
};

// "# expect: [FILE:]LINE:COLUMN class" from the case's first line.
Expectation expectation(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::string first;
    std::getline(in, first);
    const std::string tag = "# expect: ";
    REQUIRE(first.rfind(tag, 0) == 0);
    std::string rest = first.substr(tag.size());
    const auto space = rest.find(' ');
    std::string where = rest.substr(0, space);
    Expectation e;
    e.message = space == std::string::npos ? "" : rest.substr(space + 1);
    e.file = file;
    const auto last = where.rfind(':');
    REQUIRE(last != std::string::npos);
    REQUIRE(last > 0);
    const auto middle = where.rfind(':', last - 1);
    if (middle != std::string::npos) {
        e.file = (kBad / where.substr(0, middle)).lexically_normal();
        where = where.substr(middle + 1);
    }
    e.line = static_cast<std::uint32_t>(std::stoul(where.substr(0, where.find(':'))));
    e.column = static_cast<std::uint32_t>(std::stoul(where.substr(where.find(':') + 1)));
    std::string second;
    const std::string suggest = "# suggest: ";
    if (std::getline(in, second) && second.rfind(suggest, 0) == 0)
        e.suggestion = second.substr(suggest.size());
    return e;
}

std::vector<fs::path> cases() {
    std::vector<fs::path> out;
    for (const auto& entry : fs::directory_iterator(kBad))
        if (entry.is_regular_file() && entry.path().extension() == ".toml")
            out.push_back(entry.path());
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace

TEST_CASE("bad corpus: at least 60 bad scenarios", "[loader][corpus]") {
    CHECK(cases().size() >= 60);
}

TEST_CASE("bad corpus: every bad scenario is refused at the expected place", "[loader][corpus]") {
    for (const fs::path& file : cases()) {
        SECTION(file.filename().string()) {
            const Expectation want = expectation(file);
            const auto r = load_file(file);
            INFO("expected " << want.file.string() << ":" << want.line << ":" << want.column << " "
                             << want.message << " (suggesting \"" << want.suggestion << "\")");
            INFO(format_all(r.diagnostics));
            REQUIRE_FALSE(r.ok());
            const bool found =
                std::any_of(r.diagnostics.begin(), r.diagnostics.end(), [&](const Diagnostic& d) {
                    return d.severity == Diagnostic::Severity::Error &&
                           fs::path(d.file).lexically_normal() == want.file &&
                           d.line == want.line && d.column == want.column &&
                           d.message.find(want.message) != std::string::npos &&
                           d.suggestion == want.suggestion;
                });
            CHECK(found);
        }
    }
}

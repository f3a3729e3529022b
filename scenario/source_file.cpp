// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#include "scenario/source_file.hpp"

#include <cstdio>
#include <fstream>
#include <sstream>

namespace capsim::scenario {

SourceText read_source(const std::filesystem::path& file) {
    SourceText out;
    out.problem.file = file.string();
    std::error_code ec;
    const auto size = std::filesystem::file_size(file, ec);
    if (ec || !std::filesystem::is_regular_file(file, ec)) {
        out.problem.message =
            "cannot read the scenario file" + (ec ? ": " + ec.message() : std::string());
        out.problem.expected = "a readable TOML file";
        return out;
    }
    if (size > kMaxScenarioBytes) {
        char text[96];
        std::snprintf(
            text, sizeof text, "the scenario file is %.1f MiB; scenarios are limited to %ju MiB",
            static_cast<double>(size) / (1024.0 * 1024.0), kMaxScenarioBytes / (1024 * 1024));
        out.problem.message = text;
        out.problem.expected =
            "a smaller scenario file (put large traces and samples in CSV files)";
        return out;
    }
    std::ifstream in(file, std::ios::binary);
    std::ostringstream buf;
    buf << in.rdbuf();
    out.text = buf.str();
    return out;
}

ParsedSource parse_source(std::string_view text, const std::string& name) {
    ParsedSource out;
    toml::parse_result parsed = toml::parse(text, name);
    if (parsed) {
        out.table = std::move(parsed).table();
        return out;
    }
    const auto& err = parsed.error();
    out.problem.file = name;
    out.problem.line = static_cast<std::uint32_t>(err.source().begin.line);
    out.problem.column = static_cast<std::uint32_t>(err.source().begin.column);
    out.problem.message = "TOML syntax: " + std::string(err.description());
    out.problem.expected = "valid TOML (toml.io); inline tables may span lines";
    return out;
}

}  // namespace capsim::scenario

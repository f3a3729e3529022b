// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace capsim::scenario {

/// One problem found in a scenario, located both by file position (when the
/// scenario came from a file) and by key path (always; the only location a
/// Python dict has), e.g. services.api.endpoints.checkout.steps[2].cpu.
struct Diagnostic {
    enum class Severity : std::uint8_t { Error, Warning };
    Severity severity = Severity::Error;
    std::string file;          // empty for dicts
    std::uint32_t line = 0;    // 1-based; 0 when unknown
    std::uint32_t column = 0;  // 1-based; 0 when unknown
    std::string path;
    std::string message;
    std::string expected;    // what would have been accepted
    std::string suggestion;  // did-you-mean; empty when nothing is close
    std::string snippet;     // the offending text

    /// "file:line:column: error: message" and indented detail lines.
    std::string format() const;
};

/// Format every diagnostic, errors and warnings alike, in order.
std::string format_all(const std::vector<Diagnostic>& diagnostics);

/// True when any diagnostic is an error.
bool has_errors(const std::vector<Diagnostic>& diagnostics);

}  // namespace capsim::scenario

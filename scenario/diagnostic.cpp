// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#include "scenario/diagnostic.hpp"

#include <algorithm>

namespace capsim::scenario {

std::string Diagnostic::format() const {
    std::string out;
    if (!file.empty()) {
        out += file;
        if (line > 0) out += ":" + std::to_string(line) + ":" + std::to_string(column);
        out += ": ";
    } else if (!path.empty()) {
        out += path + ": ";
    }
    out += severity == Severity::Error ? "error: " : "warning: ";
    out += message;
    if (!file.empty() && !path.empty()) out += "\n  at " + path;
    if (!snippet.empty()) out += "\n  found: " + snippet;
    if (!expected.empty()) out += "\n  expected: " + expected;
    if (!suggestion.empty()) out += "\n  did you mean \"" + suggestion + "\"?";
    return out;
}

std::string format_all(const std::vector<Diagnostic>& diagnostics) {
    std::string out;
    for (const Diagnostic& d : diagnostics) {
        out += d.format();
        out += '\n';
    }
    return out;
}

bool has_errors(const std::vector<Diagnostic>& diagnostics) {
    return std::any_of(diagnostics.begin(), diagnostics.end(), [](const Diagnostic& d) {
        return d.severity == Diagnostic::Severity::Error;
    });
}

}  // namespace capsim::scenario

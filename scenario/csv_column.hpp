// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace capsim::scenario {

/// Read the first column of a CSV file as non-negative numbers: one value
/// per line, an optional non-numeric header on the first row, blank lines
/// and '#' comments skipped, cells optionally quoted. On failure returns
/// false and says why in `problem` (with the file's line number).
bool read_csv_column(const std::filesystem::path& file, std::vector<double>& values,
                     std::string& problem);

}  // namespace capsim::scenario

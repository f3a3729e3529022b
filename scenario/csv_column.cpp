// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#include "scenario/csv_column.hpp"

#include <charconv>
#include <cmath>
#include <fstream>
#include <string_view>

namespace capsim::scenario {

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

}  // namespace

bool read_csv_column(const std::filesystem::path& file, std::vector<double>& values,
                     std::string& problem) {
    std::error_code ec;
    if (std::filesystem::is_directory(file, ec)) {
        problem = "\"" + file.string() + "\" is a directory";
        return false;
    }
    // A device or a pipe (/dev/zero) would be read until memory runs out.
    if (std::filesystem::exists(file, ec) && !std::filesystem::is_regular_file(file, ec)) {
        problem = "\"" + file.string() + "\" is not a regular file";
        return false;
    }
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        problem = "cannot open \"" + file.string() + "\"";
        return false;
    }
    values.clear();
    std::string line;
    std::size_t line_no = 0;
    bool first_row = true;
    while (std::getline(in, line)) {
        ++line_no;
        std::string_view cell = trim(line);
        if (cell.empty() || cell.front() == '#') continue;
        cell = trim(cell.substr(0, cell.find_first_of(",;\t")));
        if (cell.size() >= 2 && cell.front() == '"' && cell.back() == '"')
            cell = trim(cell.substr(1, cell.size() - 2));
        double v = 0.0;
        const auto res = std::from_chars(cell.data(), cell.data() + cell.size(), v);
        const bool number = res.ec == std::errc() && res.ptr == cell.data() + cell.size();
        if (!number) {
            if (first_row) {
                first_row = false;
                continue;  // a column title
            }
            problem = file.filename().string() + ":" + std::to_string(line_no) + ": \"" +
                      std::string(cell.substr(0, 40)) + "\" is not a number";
            return false;
        }
        first_row = false;
        if (!std::isfinite(v) || v < 0.0) {
            problem = file.filename().string() + ":" + std::to_string(line_no) +
                      ": values must be finite and >= 0";
            return false;
        }
        values.push_back(v);
    }
    if (values.empty()) {
        problem = "\"" + file.filename().string() + "\" has no values";
        return false;
    }
    return true;
}

}  // namespace capsim::scenario

// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace capsim::scenario {

/// Damerau–Levenshtein distance (optimal string alignment: insertions,
/// deletions, substitutions and transpositions of adjacent characters each
/// cost 1), over bytes.
std::size_t edit_distance(std::string_view a, std::string_view b);

/// The candidate closest to `word`, for "did you mean ...?" hints, or "" when
/// nothing is close: a candidate qualifies when its edit distance is at most
/// max(1, word.size() / 3). A candidate equal to `word` but for letter case
/// wins outright ("MS" -> "ms"), then a word other tools use for a candidate
/// ("fifo" -> "fcfs", "hours" -> "h"); ties go to the earlier candidate.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace capsim::scenario

// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#include "scenario/did_you_mean.hpp"

#include <algorithm>

namespace capsim::scenario {

namespace {

char lower(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool equal_ignoring_case(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (lower(a[i]) != lower(b[i])) return false;
    return true;
}

// Words people carry over from other tools that no edit distance reaches:
// the word they wrote, and ours. Used only when ours is a candidate.
struct Synonym {
    std::string_view word;
    std::string_view ours;
};
constexpr Synonym kSynonyms[] = {
    {"fifo", "fcfs"},
    {"processor_sharing", "ps"},
    {"least_connections", "least_outstanding"},
    {"least_conn", "least_outstanding"},
    {"p2c", "power_of_two"},
    {"ring_hash", "consistent_hash"},
    {"maglev", "consistent_hash"},
    {"sticky", "consistent_hash"},
    {"hash_balance_factor", "hash_bound"},
    {"exponential", "exp"},
    {"poisson", "exp"},
    {"seconds", "s"},
    {"second", "s"},
    {"millis", "ms"},
    {"msec", "ms"},
    {"minutes", "min"},
    {"minute", "min"},
    {"hours", "h"},
    {"hour", "h"},
    {"hr", "h"},
};

std::string synonym(std::string_view word, const std::vector<std::string>& candidates) {
    for (const Synonym& s : kSynonyms) {
        if (!equal_ignoring_case(word, s.word)) continue;
        for (const auto& c : candidates)
            if (c == s.ours) return c;
    }
    return {};
}

}  // namespace

std::size_t edit_distance(std::string_view a, std::string_view b) {
    // Three rolling rows: the transposition step looks two rows back.
    const std::size_t n = b.size();
    std::vector<std::size_t> prev2(n + 1), prev(n + 1), cur(n + 1);
    for (std::size_t j = 0; j <= n; ++j) prev[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        cur[0] = i;
        for (std::size_t j = 1; j <= n; ++j) {
            const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            std::size_t d = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                d = std::min(d, prev2[j - 2] + 1);
            cur[j] = d;
        }
        std::swap(prev2, prev);
        std::swap(prev, cur);
    }
    return prev[n];
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
    if (word.empty()) return {};
    for (const auto& c : candidates)
        if (equal_ignoring_case(word, c)) return c;
    if (std::string s = synonym(word, candidates); !s.empty()) return s;
    const std::size_t limit = std::max<std::size_t>(1, word.size() / 3);
    std::size_t best = limit + 1;
    std::string found;
    for (const auto& c : candidates) {
        // The distance is at least the length difference: skip the table.
        const std::size_t gap =
            c.size() > word.size() ? c.size() - word.size() : word.size() - c.size();
        if (gap > limit) continue;
        const std::size_t d = edit_distance(word, c);
        if (d < best) {
            best = d;
            found = c;
        }
    }
    return found;
}

}  // namespace capsim::scenario

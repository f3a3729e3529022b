// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#include "analysis/queueing.hpp"

#include <limits>

namespace capsim::analysis {

double erlang_c(std::uint32_t c, double a) {
    if (c == 0 || a >= static_cast<double>(c)) return 1.0;
    if (a <= 0.0) return 0.0;
    // Erlang B by the stable recursion, then C = c B / (c - a (1 - B)).
    double b = 1.0;
    for (std::uint32_t k = 1; k <= c; ++k) b = a * b / (static_cast<double>(k) + a * b);
    const double cd = static_cast<double>(c);
    return cd * b / (cd - a * (1.0 - b));
}

double mmc_wait(std::uint32_t c, double a, double s) {
    const double cd = static_cast<double>(c);
    if (a >= cd) return std::numeric_limits<double>::infinity();
    return erlang_c(c, a) * s / (cd - a);
}

double mmc_stretch(std::uint32_t c, double a) {
    const double cd = static_cast<double>(c);
    if (a >= cd) return std::numeric_limits<double>::infinity();
    return 1.0 + erlang_c(c, a) / (cd - a);
}

}  // namespace capsim::analysis

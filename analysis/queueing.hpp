// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>

namespace capsim::analysis {

/// Erlang C: the probability that an arrival waits at an M/M/c queue with
/// offered load a = lambda S (erlangs); 1 when a >= c.
double erlang_c(std::uint32_t c, double a);

/// Mean wait in queue of M/M/c with offered load a (erlangs) and mean
/// service time s: C(c, a) s / (c - a); +inf when a >= c.
double mmc_wait(std::uint32_t c, double a, double s);

/// How much longer than its demand a request spends at an M/M/c station
/// (or a processor-sharing one, whose mean is insensitive to the service
/// law) loaded with a erlangs: residence = demand x (1 + C(c, a) / (c - a)).
/// It depends on the demand only, not on how it splits into visits.
double mmc_stretch(std::uint32_t c, double a);

}  // namespace capsim::analysis

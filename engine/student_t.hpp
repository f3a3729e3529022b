// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#pragma once

namespace capsim {

/// Quantile (inverse CDF) of Student's t distribution with `df` degrees of
/// freedom: the t such that P(T <= t) = p. Used for confidence intervals over
/// a handful of replications, where the normal quantile would understate the
/// interval (1.96 instead of 2.26 for 10 replications).
///
/// Relative error below 1e-10 for any df >= 1 (not necessarily an integer)
/// and any p in (0, 1), tails down to p = 1e-300 included (checked against
/// Boost.Math in long double: worst seen 2e-12). df = 1 and df = 2 use their
/// closed forms, df > 1e5 a Cornish-Fisher expansion, and df = +inf gives
/// the normal quantile. Returns -inf for p = 0, +inf for p = 1, and NaN for
/// p outside [0, 1], df <= 0 or NaN arguments.
double student_t_quantile(double p, double df);

}  // namespace capsim

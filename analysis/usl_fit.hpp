// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#pragma once

#include <vector>

namespace capsim::analysis {

/// Gunther's Universal Scalability Law,
///     X(N) = gamma N / (1 + sigma (N - 1) + kappa N (N - 1)),
/// fitted to measured throughputs X at sizes N (replicas, cores, workers,
/// users). sigma is contention (the serial fraction: Amdahl's law is
/// kappa = 0), kappa coherency (crosstalk, which makes throughput fall past
/// N* = sqrt((1 - sigma) / kappa)), gamma the throughput of size 1.
/// Standard errors are from the curvature at the optimum, s^2 (J^T J)^-1
/// with s^2 = RSS / (n - p): asymptotic, and honest only when the model fits.
struct UslFit {
    double gamma = 0.0, sigma = 0.0, kappa = 0.0;
    double gamma_se = 0.0, sigma_se = 0.0, kappa_se = 0.0;
    double rss = 0.0;     // residual sum of squares (weighted)
    double n_star = 0.0;  // sqrt((1 - sigma) / kappa); +inf when kappa <= 0
    bool converged = false;
    int iterations = 0;

    /// The fitted throughput at size n.
    double at(double n) const;
};

/// Fit the USL (all three parameters) by Levenberg-Marquardt (Eigen),
/// started from the linearised fit N / C(N) - 1 = sigma (N - 1) + kappa N (N - 1)
/// with C(N) = X(N) / gamma. `weights` (optional, one per point, e.g.
/// 1 / CI^2) weigh the squared residuals. Needs at least 3 distinct sizes.
UslFit fit_usl(const std::vector<double>& n, const std::vector<double>& x,
               const std::vector<double>& weights = {});

/// Amdahl's law, the USL with kappa fixed at 0: fits gamma and sigma.
UslFit fit_amdahl(const std::vector<double>& n, const std::vector<double>& x,
                  const std::vector<double>& weights = {});

}  // namespace capsim::analysis

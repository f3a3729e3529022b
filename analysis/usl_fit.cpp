// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#include "analysis/usl_fit.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace capsim::analysis {

namespace {

// The model at size n for parameters (gamma, sigma[, kappa]); its gradient
// goes to row i of `jac`.
double usl(const Eigen::VectorXd& p, double n, Eigen::MatrixXd& jac, Eigen::Index i) {
    const double kappa = p.size() > 2 ? p(2) : 0.0;
    const double d = 1.0 + p(1) * (n - 1.0) + kappa * n * (n - 1.0);
    jac(i, 0) = n / d;
    jac(i, 1) = -p(0) * n * (n - 1.0) / (d * d);
    if (p.size() > 2) jac(i, 2) = -p(0) * n * n * (n - 1.0) / (d * d);
    return p(0) * n / d;
}

UslFit fit(const std::vector<double>& ns, const std::vector<double>& xs,
           const std::vector<double>& weights, bool with_kappa) {
    const auto m = static_cast<Eigen::Index>(ns.size());
    const Eigen::Index k = with_kappa ? 3 : 2;
    if (xs.size() != ns.size() || (!weights.empty() && weights.size() != ns.size()))
        throw std::invalid_argument("fit_usl: one throughput (and weight) per size");
    if (m < k) throw std::invalid_argument("fit_usl: too few points for the parameters");
    Eigen::VectorXd w = Eigen::VectorXd::Ones(m);
    for (Eigen::Index i = 0; i < m && !weights.empty(); ++i) w(i) = weights[i];

    // Start: gamma from the smallest size, then the linearised law.
    const auto first = std::min_element(ns.begin(), ns.end()) - ns.begin();
    Eigen::VectorXd p = Eigen::VectorXd::Zero(k);
    p(0) = xs[first] / ns[first];
    {
        Eigen::MatrixXd a(m, k - 1);
        Eigen::VectorXd b(m);
        for (Eigen::Index i = 0; i < m; ++i) {
            const double n = ns[i], c = xs[i] / p(0);
            a(i, 0) = n - 1.0;
            if (with_kappa) a(i, 1) = n * (n - 1.0);
            b(i) = n / c - 1.0;
        }
        const Eigen::VectorXd lin = a.colPivHouseholderQr().solve(b);
        for (Eigen::Index j = 0; j < k - 1; ++j) p(j + 1) = std::isfinite(lin(j)) ? lin(j) : 0.0;
    }

    auto evaluate = [&](const Eigen::VectorXd& q, Eigen::VectorXd& r, Eigen::MatrixXd& jac) {
        double rss = 0.0;
        for (Eigen::Index i = 0; i < m; ++i) {
            const double sw = std::sqrt(w(i));
            r(i) = sw * (xs[i] - usl(q, ns[i], jac, i));
            jac.row(i) *= sw;
            rss += r(i) * r(i);
        }
        return rss;
    };

    UslFit out;
    Eigen::VectorXd r(m);
    Eigen::MatrixXd jac(m, k);
    double rss = evaluate(p, r, jac);
    double lambda = 1e-3;
    for (int it = 0; it < 500; ++it) {
        out.iterations = it + 1;
        const Eigen::MatrixXd jtj = jac.transpose() * jac;
        const Eigen::VectorXd g = jac.transpose() * r;
        Eigen::MatrixXd damped = jtj;
        damped.diagonal() += lambda * jtj.diagonal().cwiseMax(1e-300);
        const Eigen::VectorXd step = damped.ldlt().solve(g);
        const Eigen::VectorXd trial = p + step;
        Eigen::VectorXd r2(m);
        Eigen::MatrixXd j2(m, k);
        const double rss2 = evaluate(trial, r2, j2);
        if (std::isfinite(rss2) && rss2 <= rss) {
            const bool done =
                rss - rss2 <= 1e-14 * std::max(rss, 1e-300) ||
                step.cwiseAbs().maxCoeff() <= 1e-12 * std::max(1.0, p.cwiseAbs().maxCoeff());
            p = trial;
            r = r2;
            jac = j2;
            rss = rss2;
            lambda = std::max(lambda / 10.0, 1e-12);
            if (done) {
                out.converged = true;
                break;
            }
        } else {
            lambda *= 10.0;
            if (lambda > 1e12) {
                out.converged = true;  // no step improves: at the optimum to rounding
                break;
            }
        }
    }
    out.gamma = p(0);
    out.sigma = p(1);
    out.kappa = with_kappa ? p(2) : 0.0;
    out.rss = rss;
    const double dof = static_cast<double>(m - k);
    const Eigen::MatrixXd jtj = jac.transpose() * jac;
    const Eigen::FullPivLU<Eigen::MatrixXd> lu(jtj);
    if (dof > 0.0 && lu.isInvertible()) {
        const Eigen::MatrixXd cov = lu.inverse() * (rss / dof);
        out.gamma_se = std::sqrt(std::max(0.0, cov(0, 0)));
        out.sigma_se = std::sqrt(std::max(0.0, cov(1, 1)));
        if (with_kappa) out.kappa_se = std::sqrt(std::max(0.0, cov(2, 2)));
    } else {
        out.gamma_se = out.sigma_se = out.kappa_se = std::numeric_limits<double>::quiet_NaN();
    }
    out.n_star = out.kappa > 0.0 ? std::sqrt(std::max(0.0, 1.0 - out.sigma) / out.kappa)
                                 : std::numeric_limits<double>::infinity();
    return out;
}

}  // namespace

double UslFit::at(double n) const {
    return gamma * n / (1.0 + sigma * (n - 1.0) + kappa * n * (n - 1.0));
}

UslFit fit_usl(const std::vector<double>& n, const std::vector<double>& x,
               const std::vector<double>& weights) {
    return fit(n, x, weights, true);
}

UslFit fit_amdahl(const std::vector<double>& n, const std::vector<double>& x,
                  const std::vector<double>& weights) {
    return fit(n, x, weights, false);
}

}  // namespace capsim::analysis

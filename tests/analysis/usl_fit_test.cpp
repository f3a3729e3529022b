// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "analysis/usl_fit.hpp"
#include "engine/law.hpp"
#include "engine/random.hpp"

using namespace capsim;
using namespace capsim::analysis;

namespace {

double usl(double gamma, double sigma, double kappa, double n) {
    return gamma * n / (1.0 + sigma * (n - 1.0) + kappa * n * (n - 1.0));
}

}  // namespace

TEST_CASE("usl: exact data gives back its parameters", "[analysis][usl]") {
    std::vector<double> n, x;
    for (double k : {1.0, 2.0, 4.0, 8.0, 16.0, 24.0, 32.0, 48.0}) {
        n.push_back(k);
        x.push_back(usl(250.0, 0.04, 0.0015, k));
    }
    const UslFit f = fit_usl(n, x);
    CHECK(f.converged);
    CHECK(f.gamma == Approx(250.0).epsilon(1e-8));
    CHECK(f.sigma == Approx(0.04).epsilon(1e-7));
    CHECK(f.kappa == Approx(0.0015).epsilon(1e-7));
    CHECK(f.n_star == Approx(std::sqrt(0.96 / 0.0015)).epsilon(1e-6));
    CHECK(f.at(100.0) == Approx(usl(250.0, 0.04, 0.0015, 100.0)).epsilon(1e-8));
}

TEST_CASE("usl: known sigma and kappa are recovered from noisy data within 5%", "[analysis][usl]") {
    // 2% multiplicative noise on 3 measurements at each of 10 sizes.
    Rng rng(5, 0, "usl");
    std::vector<double> n, x;
    for (double k : {1.0, 2.0, 3.0, 4.0, 6.0, 8.0, 12.0, 16.0, 24.0, 32.0})
        for (int rep = 0; rep < 3; ++rep) {
            const double z = normal_quantile(rng.uniform01());
            n.push_back(k);
            x.push_back(usl(1000.0, 0.05, 0.002, k) * (1.0 + 0.02 * z));
        }
    const UslFit f = fit_usl(n, x);
    CHECK(f.converged);
    CHECK(f.sigma == Approx(0.05).epsilon(0.05));
    CHECK(f.kappa == Approx(0.002).epsilon(0.05));
    CHECK(f.gamma == Approx(1000.0).epsilon(0.05));
    // The standard errors describe the scatter: the truth is within 3 of them.
    CHECK(std::fabs(f.sigma - 0.05) <= 3.0 * f.sigma_se);
    CHECK(std::fabs(f.kappa - 0.002) <= 3.0 * f.kappa_se);
    CHECK(f.sigma_se > 0.0);
}

TEST_CASE("usl: Amdahl's law is the USL without coherency", "[analysis][usl]") {
    std::vector<double> n, x;
    for (double k : {1.0, 2.0, 4.0, 8.0, 16.0, 32.0}) {
        n.push_back(k);
        x.push_back(usl(40.0, 0.1, 0.0, k));
    }
    const UslFit a = fit_amdahl(n, x);
    CHECK(a.sigma == Approx(0.1).epsilon(1e-8));
    CHECK(a.kappa == 0.0);
    CHECK(std::isinf(a.n_star));
    // The ceiling of Amdahl's law: gamma / sigma as N grows.
    CHECK(a.at(1e9) == Approx(400.0).epsilon(1e-6));
    const UslFit u = fit_usl(n, x);
    CHECK(u.kappa == Approx(0.0).margin(1e-10));
}

TEST_CASE("usl: bad input is refused", "[analysis][usl]") {
    CHECK_THROWS_AS(fit_usl({1, 2}, {1, 2}), std::invalid_argument);
    CHECK_THROWS_AS(fit_usl({1, 2, 3}, {1, 2}), std::invalid_argument);
}

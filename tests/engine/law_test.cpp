// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
//
// Statistical checks use n = 200,000 samples and bounds of 4.5 standard
// errors: by the CLT a sample statistic leaves such a band with probability
// about 6.8e-6 < 1e-5, so a failure means a wrong transform or a wrong
// formula, not bad luck (and the seeds are fixed, so runs are repeatable).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>
#include <utility>
#include <vector>

#include "engine/law.hpp"

namespace {

using capsim::Dimension;
using capsim::Law;
using capsim::LawKind;
using capsim::Rng;

constexpr std::size_t kN = 200'000;
constexpr double kZ = 4.5;

std::vector<double> draw(const Law& law, std::uint64_t seed, std::size_t n = kN) {
    Rng rng(seed, 0, "law-test");
    std::vector<double> xs(n);
    for (double& x : xs) x = law.sample(rng);
    return xs;
}

double factorial(int j) {
    double f = 1.0;
    for (int i = 2; i <= j; ++i) f *= i;
    return f;
}

double binomial(int n, int k) {
    return factorial(n) / (factorial(k) * factorial(n - k));
}

// E[X^j], computed here independently of Law::mean()/variance(): it checks
// those formulas and sizes the bound on the sample variance, whose standard
// error is sqrt((mu4 - sigma^4) / n).
double raw_moment(const Law& l, int j) {
    const double* p = l.p;
    switch (l.kind) {
        case LawKind::Const:
            return std::pow(p[0], j);
        case LawKind::Exp:
            return factorial(j) * std::pow(p[0], j);
        case LawKind::Uniform:
            return (std::pow(p[1], j + 1) - std::pow(p[0], j + 1)) / ((j + 1) * (p[1] - p[0]));
        case LawKind::Normal: {
            // Z given Z > a, a = -mu/sigma: m_k = (k-1) m_{k-2} + a^{k-1} lambda.
            const double a = -p[0] / p[1];
            const double tail = 0.5 * std::erfc(a / std::sqrt(2.0));
            const double lambda = std::exp(-0.5 * a * a) / std::sqrt(2.0 * std::numbers::pi) / tail;
            std::vector<double> m(static_cast<std::size_t>(j) + 1);
            m[0] = 1.0;
            if (j >= 1) m[1] = lambda;
            for (int k = 2; k <= j; ++k) m[k] = (k - 1) * m[k - 2] + std::pow(a, k - 1) * lambda;
            double s = 0.0;
            for (int i = 0; i <= j; ++i)
                s += binomial(j, i) * std::pow(p[0], j - i) * std::pow(p[1], i) * m[i];
            return s;
        }
        case LawKind::Lognormal:
            return std::exp(j * p[0] + 0.5 * j * j * p[1] * p[1]);
        case LawKind::Gamma: {
            double s = std::pow(p[1], j);
            for (int i = 0; i < j; ++i) s *= p[0] + i;
            return s;
        }
        case LawKind::Weibull:
            return std::pow(p[1], j) * std::tgamma(1.0 + j / p[0]);
        case LawKind::BoundedPareto: {
            const double a = p[0], lo = p[1], hi = p[2];
            const double c = a * std::pow(lo, a) / (1.0 - std::pow(lo / hi, a));
            if (j == a) return c * std::log(hi / lo);
            return c * (std::pow(hi, j - a) - std::pow(lo, j - a)) / (j - a);
        }
        case LawKind::Empirical: {
            double s = 0.0;
            for (double v : l.values) s += std::pow(v, j);
            return s / static_cast<double>(l.values.size());
        }
        case LawKind::Mixture: {
            double s = 0.0, prev = 0.0;
            for (std::size_t i = 0; i < l.parts.size(); ++i) {
                s += (l.weights[i] - prev) * raw_moment(l.parts[i], j);
                prev = l.weights[i];
            }
            return s;
        }
    }
    return 0.0;
}

double central_m4(const Law& l) {
    const double m = raw_moment(l, 1);
    return raw_moment(l, 4) - 4 * m * raw_moment(l, 3) + 6 * m * m * raw_moment(l, 2) -
           3 * m * m * m * m;
}

/// Sample mean within 4.5 standard errors of mean(); sample variance within
/// 4.5 standard errors of variance(); and mean()/variance() agree with the
/// independent raw moments.
void check_moments(const Law& law, std::uint64_t seed) {
    const std::vector<double> xs = draw(law, seed);
    const double n = static_cast<double>(xs.size());
    double sum = 0.0;
    for (double x : xs) sum += x;
    const double xbar = sum / n;
    double ss = 0.0;
    for (double x : xs) ss += (x - xbar) * (x - xbar);
    const double s2 = ss / (n - 1.0);

    const double mu = law.mean();
    const double var = law.variance();
    INFO("law " << law.text << " kind " << static_cast<int>(law.kind));
    INFO("sample mean " << xbar << " vs mean() " << mu);
    REQUIRE(std::isfinite(mu));
    CHECK(std::fabs(xbar - mu) <= kZ * std::sqrt(var / n) + 1e-12 * std::fabs(mu));

    CHECK(raw_moment(law, 1) == Approx(mu).epsilon(1e-9).margin(1e-300));
    if (std::isfinite(var)) {
        const double m1 = raw_moment(law, 1);
        CHECK(raw_moment(law, 2) - m1 * m1 == Approx(var).epsilon(1e-7).margin(1e-12 * mu * mu));
        const double se = std::sqrt(std::max(0.0, central_m4(law) - var * var) / n);
        INFO("sample variance " << s2 << " vs variance() " << var << ", se " << se);
        CHECK(std::fabs(s2 - var) <= kZ * se + 1e-9 * var + 1e-300);
    }
}

/// The empirical CDF at the true p-quantile is within 4.5 binomial
/// standard errors of p.
void check_quantile(const Law& law, double p, double x, std::uint64_t seed) {
    const std::vector<double> xs = draw(law, seed);
    std::size_t below = 0;
    for (double v : xs) below += v <= x ? 1 : 0;
    const double n = static_cast<double>(xs.size());
    const double f = static_cast<double>(below) / n;
    INFO("p " << p << " x " << x << " empirical F " << f);
    CHECK(std::fabs(f - p) <= kZ * std::sqrt(p * (1.0 - p) / n));
}

Law named(Law l, const char* text) {
    l.text = text;
    return l;
}

}  // namespace

TEST_CASE("law: normal_quantile matches reference values to 1e-12", "[law]") {
    // Reference values from mpmath at 50 digits, for the exact double inputs.
    struct Ref {
        double p, z;
    };
    const Ref refs[] = {
        {1e-300, -37.047096299361199237},
        {1e-20, -9.2623400897984075796},
        {1e-10, -6.3613409024040561991},
        {0.001, -3.0902323061678135354},
        {0.025, -1.9599639845400542118},
        {0.075, -1.4395314709384559349},
        {0.1, -1.2815515655446004353},
        {0.3, -0.52440051270804081597},
        {0.5, 0.0},
        {0.7, 0.52440051270804065631},
        {0.9, 1.2815515655446005935},
        {0.95, 1.6448536269514722843},
        {0.975, 1.9599639845400538556},
        {0.99, 2.3263478740408407676},
        {0.999, 3.0902323061678132778},
        {0.9999999, 5.1993375822906610937},
    };
    for (const Ref& r : refs) {
        INFO("p = " << r.p);
        CHECK(std::fabs(capsim::normal_quantile(r.p) - r.z) <= 1e-12);
    }
}

TEST_CASE("law: normal_quantile is -inf, +inf and NaN outside (0, 1)", "[law]") {
    CHECK(capsim::normal_quantile(0.0) == -std::numeric_limits<double>::infinity());
    CHECK(capsim::normal_quantile(-1.0) == -std::numeric_limits<double>::infinity());
    CHECK(capsim::normal_quantile(1.0) == std::numeric_limits<double>::infinity());
    CHECK(std::isnan(capsim::normal_quantile(std::nan(""))));
}

TEST_CASE("law: normal_cdf inverts normal_quantile", "[law]") {
    for (double p : {1e-12, 1e-6, 0.01, 0.2, 0.5, 0.8, 0.99, 0.999999}) {
        INFO("p = " << p);
        CHECK(capsim::normal_cdf(capsim::normal_quantile(p)) == Approx(p).epsilon(1e-12));
    }
    CHECK(capsim::normal_cdf(0.0) == 0.5);
}

TEST_CASE("law: const always returns its value and has zero variance", "[law]") {
    const Law l = Law::constant(0.002);
    Rng rng(1, 0, "c");
    for (int i = 0; i < 1000; ++i) REQUIRE(l.sample(rng) == 0.002);
    CHECK(l.mean() == 0.002);
    CHECK(l.variance() == 0.0);
    CHECK(l.deterministic());
}

TEST_CASE("law: exp sample mean and variance within their 99.999% CLT bounds", "[law]") {
    check_moments(named(Law::exponential(0.005), "exp(5ms)"), 11);
    CHECK(Law::exponential(0.005).variance() == Approx(0.005 * 0.005));
}

TEST_CASE("law: uniform sample mean and variance within their 99.999% CLT bounds", "[law]") {
    check_moments(named(Law::uniform(0.001, 0.003), "uniform(1ms, 3ms)"), 12);
}

TEST_CASE("law: normal samples are never negative and match the truncated moments", "[law]") {
    for (const auto& [mu, sigma] : {std::pair{0.010, 0.002}, std::pair{0.001, 0.002},
                                    std::pair{0.0, 1.0}, std::pair{-1.0, 1.0}}) {
        const Law l = named(Law::normal(mu, sigma), "normal");
        INFO("mu " << mu << " sigma " << sigma);
        for (double x : draw(l, 13, 20'000)) REQUIRE(x >= 0.0);
        check_moments(l, 13);
    }
}

TEST_CASE("law: normal mean() is the exact mean of the law truncated at 0", "[law]") {
    // Half-normal: mean sigma sqrt(2/pi), variance sigma^2 (1 - 2/pi).
    const Law l = Law::normal(0.0, 2.0);
    CHECK(l.mean() == Approx(2.0 * std::sqrt(2.0 / std::numbers::pi)).epsilon(1e-14));
    CHECK(l.variance() == Approx(4.0 * (1.0 - 2.0 / std::numbers::pi)).epsilon(1e-14));
    // Far from 0 the truncation vanishes.
    CHECK(Law::normal(10.0, 1.0).mean() == Approx(10.0).epsilon(1e-15));
    CHECK(Law::normal(10.0, 1.0).variance() == Approx(1.0).epsilon(1e-15));
}

TEST_CASE("law: lognormal sample mean and variance within their 99.999% CLT bounds", "[law]") {
    check_moments(named(Law::lognormal_mean_sd(0.008, 0.004), "lognormal(mean=8ms, sd=4ms)"), 14);
    check_moments(named(Law::lognormal(-5.0, 0.5), "lognormal(mu=-5, sigma=0.5)"), 15);
    check_moments(named(Law::lognormal_mean_p99(0.008, 0.08), "lognormal(mean=8ms, p99=80ms)"), 16);
}

TEST_CASE("law: lognormal(mean, sd) has exactly that mean and sd", "[law]") {
    const Law l = Law::lognormal_mean_sd(0.008, 0.004);
    CHECK(l.mean() == Approx(0.008).epsilon(1e-14));
    CHECK(std::sqrt(l.variance()) == Approx(0.004).epsilon(1e-13));
}

TEST_CASE("law: lognormal(mean, p99) has exactly that mean and 99th percentile", "[law]") {
    for (double ratio : {1.01, 2.0, 10.0, 14.9, capsim::lognormal_max_p99_ratio()}) {
        const double mean = 0.008;
        const double p99 = mean * ratio;
        const Law l = Law::lognormal_mean_p99(mean, p99);
        INFO("p99 / mean = " << ratio);
        CHECK(std::exp(l.p[0] + l.p[1] * capsim::normal_quantile(0.99)) ==
              Approx(p99).epsilon(1e-12));
        CHECK(l.mean() == Approx(mean).epsilon(1e-12));
        CHECK(l.p[1] <= capsim::normal_quantile(0.99) + 1e-12);
    }
    CHECK(capsim::lognormal_max_p99_ratio() == Approx(14.968488362247704).epsilon(1e-12));
}

TEST_CASE("law: gamma sample mean and variance within their 99.999% CLT bounds", "[law]") {
    check_moments(named(Law::gamma(2.5, 0.004), "gamma(shape=2.5, scale=4ms)"), 17);
    check_moments(named(Law::gamma(0.5, 0.02), "gamma(shape=0.5, scale=20ms)"), 18);
    check_moments(named(Law::gamma(3.0, 0.003), "erlang(k=3, mean=9ms)"), 19);
    check_moments(named(Law::gamma(100.0, 0.0001), "gamma(shape=100, mean=10ms)"), 20);
    check_moments(named(Law::gamma(1.0, 0.005), "gamma(shape=1, mean=5ms)"), 21);
}

TEST_CASE("law: weibull sample mean and variance within their 99.999% CLT bounds", "[law]") {
    check_moments(named(Law::weibull(1.5, 0.010), "weibull(shape=1.5, scale=10ms)"), 22);
    check_moments(named(Law::weibull(0.7, 0.010), "weibull(shape=0.7, scale=10ms)"), 23);
}

TEST_CASE("law: bounded pareto sample mean and variance within their 99.999% CLT bounds", "[law]") {
    check_moments(named(Law::bounded_pareto(1.5, 0.001, 1.0), "pareto(1.5, 1ms, 1s)"), 24);
    // alpha = 1 and alpha = 2 are the special cases of the mean and E[X^2].
    check_moments(named(Law::bounded_pareto(1.0, 0.001, 0.1), "pareto(1, 1ms, 100ms)"), 25);
    check_moments(named(Law::bounded_pareto(2.0, 0.001, 0.1), "pareto(2, 1ms, 100ms)"), 26);
    for (double x : draw(Law::bounded_pareto(1.5, 0.001, 1.0), 27, 20'000)) {
        REQUIRE(x >= 0.001);
        REQUIRE(x <= 1.0);
    }
}

TEST_CASE("law: bounded pareto moments are continuous through alpha == 1 and 2", "[law]") {
    for (double a : {1.0, 2.0}) {
        const Law at = Law::bounded_pareto(a, 0.001, 1.0);
        const Law near = Law::bounded_pareto(a + 1e-9, 0.001, 1.0);
        CHECK(at.mean() == Approx(near.mean()).epsilon(1e-6));
        CHECK(at.variance() == Approx(near.variance()).epsilon(1e-6));
    }
}

TEST_CASE("law: empirical draws only its values, uniformly", "[law]") {
    const Law l = named(Law::empirical({0.005, 0.001, 0.002, 0.010, 0.002}), "empirical");
    CHECK(l.values == std::vector<double>{0.001, 0.002, 0.002, 0.005, 0.010});
    CHECK(l.mean() == Approx(0.004));
    for (double x : draw(l, 28, 10'000))
        REQUIRE((x == 0.001 || x == 0.002 || x == 0.005 || x == 0.010));
    check_moments(l, 29);
}

TEST_CASE("law: mixture sample mean and variance within their 99.999% CLT bounds", "[law]") {
    const Law l = named(
        Law::mixture({0.9, 0.1}, {Law::exponential(0.005), Law::lognormal_mean_sd(0.050, 0.020)}),
        "mix(0.9: exp(5ms), 0.1: lognormal(mean=50ms, sd=20ms))");
    CHECK(l.weights.back() == 1.0);
    CHECK(l.mean() == Approx(0.9 * 0.005 + 0.1 * 0.050));
    check_moments(l, 30);
}

TEST_CASE("law: hyperexp(mean, scv) has that mean and scv, and balanced means", "[law]") {
    for (double c : {1.0, 4.0, 25.0}) {
        const Law l = named(Law::hyperexp(0.010, c), "hyperexp");
        INFO("scv " << c);
        CHECK(l.mean() == Approx(0.010).epsilon(1e-14));
        CHECK(l.scv() == Approx(c).epsilon(1e-12));
        const double w1 = l.weights[0], w2 = 1.0 - l.weights[0];
        CHECK(w1 * l.parts[0].mean() == Approx(w2 * l.parts[1].mean()).epsilon(1e-12));
        check_moments(l, 31);
    }
}

TEST_CASE("law: exp, uniform, weibull and lognormal quantiles match the exact CDF", "[law]") {
    for (double p : {0.5, 0.9, 0.99}) {
        check_quantile(Law::exponential(0.005), p, -0.005 * std::log1p(-p), 40);
        check_quantile(Law::uniform(0.001, 0.003), p, 0.001 + p * 0.002, 41);
        check_quantile(Law::weibull(1.5, 0.010), p, 0.010 * std::pow(-std::log1p(-p), 1 / 1.5), 42);
        const Law ln = Law::lognormal_mean_sd(0.008, 0.004);
        check_quantile(ln, p, std::exp(ln.p[0] + ln.p[1] * capsim::normal_quantile(p)), 43);
    }
}

TEST_CASE("law: the same seed gives the same sequence, bit for bit", "[law]") {
    const std::vector<Law> laws = {
        Law::constant(1.0),
        Law::exponential(1.0),
        Law::uniform(0.0, 1.0),
        Law::normal(1.0, 1.0),
        Law::lognormal(0.0, 1.0),
        Law::gamma(2.5, 1.0),
        Law::gamma(3.0, 1.0),
        Law::weibull(1.5, 1.0),
        Law::bounded_pareto(1.5, 1.0, 100.0),
        Law::empirical({1.0, 2.0, 3.0}),
        Law::mixture({0.5, 0.5}, {Law::exponential(1.0), Law::gamma(0.5, 1.0)}),
    };
    for (const Law& l : laws) {
        Rng a(42, 3, "svc"), b(42, 3, "svc"), c(42, 4, "svc");
        bool any_difference = false;
        for (int i = 0; i < 1000; ++i) {
            const double x = l.sample(a);
            REQUIRE(x == l.sample(b));
            any_difference = any_difference || x != l.sample(c);
        }
        CHECK((any_difference || l.deterministic()));
    }
}

TEST_CASE("law: inversion laws consume exactly one draw per sample", "[law]") {
    // Keeps the streams of what-if variants in step: swapping const(5ms) for
    // exp(5ms) must not shift any later draw.
    const std::vector<Law> laws = {
        Law::constant(0.005),
        Law::exponential(0.005),
        Law::uniform(0.001, 0.003),
        Law::normal(0.010, 0.002),
        Law::lognormal(-5.0, 0.5),
        Law::weibull(1.5, 0.01),
        Law::bounded_pareto(1.5, 0.001, 1.0),
        Law::empirical({1.0, 2.0, 3.0}),
    };
    for (const Law& l : laws) {
        Rng a(7, 0, "s"), b(7, 0, "s");
        for (int i = 0; i < 1000; ++i) {
            (void)l.sample(a);
            (void)b.next();
        }
        CHECK(a.next() == b.next());
    }
}

TEST_CASE("law: inversion samples increase with the uniform drawn", "[law]") {
    // Common random numbers: the same draw gives a larger service time under
    // a larger law, whichever family, so what-if differences are not noise.
    const std::vector<Law> laws = {Law::exponential(0.005), Law::weibull(1.5, 0.01),
                                   Law::lognormal(-5.0, 0.5), Law::bounded_pareto(1.5, 0.001, 1.0)};
    for (const Law& l : laws) {
        Rng a(9, 0, "m");
        std::vector<std::pair<double, double>> pairs;
        for (int i = 0; i < 1000; ++i) {
            Rng peek = a;
            pairs.emplace_back(peek.uniform01(), l.sample(a));
        }
        std::sort(pairs.begin(), pairs.end());
        for (std::size_t i = 1; i < pairs.size(); ++i)
            REQUIRE(pairs[i - 1].second <= pairs[i].second);
    }
}

TEST_CASE("law: scaled multiplies every sample and keeps the scv", "[law]") {
    const std::vector<Law> laws = {
        Law::exponential(1.0),
        Law::uniform(1.0, 3.0),
        Law::normal(1.0, 0.5),
        Law::lognormal(0.0, 0.5),
        Law::gamma(2.5, 1.0),
        Law::weibull(1.5, 1.0),
        Law::bounded_pareto(1.5, 1.0, 100.0),
        Law::empirical({1.0, 2.0}),
        Law::hyperexp(1.0, 4.0),
    };
    for (const Law& l : laws) {
        const Law s = l.scaled(0.25);
        CHECK(s.mean() == Approx(0.25 * l.mean()).epsilon(1e-12));
        CHECK(s.scv() == Approx(l.scv()).epsilon(1e-9));
        Rng a(5, 0, "x"), b(5, 0, "x");
        for (int i = 0; i < 100; ++i)
            CHECK(s.sample(a) == Approx(0.25 * l.sample(b)).epsilon(1e-12));
    }
}

TEST_CASE("law: deterministic is true only when every sample equals the mean", "[law]") {
    CHECK(Law::constant(3.0).deterministic());
    CHECK(Law::exponential(0.0).deterministic());
    CHECK_FALSE(Law::exponential(1.0).deterministic());
    CHECK(Law::empirical({2.0, 2.0}).deterministic());
    CHECK_FALSE(Law::empirical({1.0, 2.0}).deterministic());
    CHECK(Law::mixture({0.5, 0.5}, {Law::constant(1.0), Law::constant(1.0)}).deterministic());
    CHECK_FALSE(Law::mixture({0.5, 0.5}, {Law::constant(1.0), Law::constant(2.0)}).deterministic());
    CHECK(Law::constant(1.0, Dimension::Count).dimension == Dimension::Count);
}

TEST_CASE("law: variance is +inf where it does not exist", "[law]") {
    // A Weibull of tiny shape overflows Gamma(1 + 2/k): the variance is
    // reported as +inf rather than a wrong finite number.
    CHECK(std::isinf(Law::weibull(0.005, 1.0).variance()));
    const Law mix = Law::mixture({0.5, 0.5}, {Law::constant(1.0), Law::weibull(0.005, 1.0)});
    CHECK(std::isinf(mix.variance()));
}

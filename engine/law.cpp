// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#include "engine/law.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

namespace capsim {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kInvSqrt2Pi = 0.39894228040143267794;

// The inversions below need u in (0, 1) to stay finite; uniform01() promises it.
inline double draw(Rng& rng) {
    return rng.uniform01();
}

// -log(1 - u): the exponential inversion, increasing in u so that every
// family moves the same way when a what-if swaps one law for another.
// 1 - u is exact for uniform01()'s 52-bit values, so log(1 - u) loses
// nothing to log1p(-u), and log is markedly faster. capsim's own log, as
// Law::sample's inline exponential, so every path gives the same draws.
inline double exp1(double u) {
    return -natural_log(1.0 - u);
}

inline double normal_pdf(double x) {
    return kInvSqrt2Pi * std::exp(-0.5 * x * x);
}

// AS241 coefficients, highest power first (for horner).
constexpr double kAs241A[] = {2.5090809287301226727e+3, 3.3430575583588128105e+4,
                              6.7265770927008700853e+4, 4.5921953931549871457e+4,
                              1.3731693765509461125e+4, 1.9715909503065514427e+3,
                              1.3314166789178437745e+2, 3.3871328727963666080e+0};
constexpr double kAs241B[] = {5.2264952788528545610e+3, 2.8729085735721942674e+4,
                              3.9307895800092710610e+4, 2.1213794301586595867e+4,
                              5.3941960214247511077e+3, 6.8718700749205790830e+2,
                              4.2313330701600911252e+1, 1.0};
constexpr double kAs241C[] = {7.74545014278341407640e-4, 2.27238449892691845833e-2,
                              2.41780725177450611770e-1, 1.27045825245236838258e+0,
                              3.64784832476320460504e+0, 5.76949722146069140550e+0,
                              4.63033784615654529590e+0, 1.42343711074968357734e+0};
constexpr double kAs241D[] = {1.05075007164441684324e-9, 5.47593808499534494600e-4,
                              1.51986665636164571966e-2, 1.48103976427480074590e-1,
                              6.89767334985100004550e-1, 1.67638483018380384940e+0,
                              2.05319162663775882187e+0, 1.0};
constexpr double kAs241E[] = {2.01033439929228813265e-7, 2.71155556874348757815e-5,
                              1.24266094738807843860e-3, 2.65321895265761230930e-2,
                              2.96560571828504891230e-1, 1.78482653991729133580e+0,
                              5.46378491116411436990e+0, 6.65790464350110377720e+0};
constexpr double kAs241F[] = {2.04426310338993978564e-15, 1.42151175831644588870e-7,
                              1.84631831751005468180e-5,  7.86869131145613259100e-4,
                              1.48753612908506148525e-2,  1.36929880922735805310e-1,
                              5.99832206555887937690e-1,  1.0};

template <std::size_t N>
double horner(const double (&c)[N], double x) {
    double s = c[0];
    for (std::size_t i = 1; i < N; ++i) s = s * x + c[i];
    return s;
}

// Lower truncation at 0 when mu < 0: acceptance of resampling would be
// P(X > 0) < 1/2, possibly tiny, so invert the truncated law instead.
// X > 0  <=>  -Z < mu / sigma; -Z given that is Phi^-1(v * Phi(mu / sigma)).
double sample_normal_negative_mu(double mu, double sigma, Rng& rng) {
    const double t = normal_cdf(mu / sigma);
    const double v = draw(rng);
    if (!(t > 0.0)) return 0.0;
    return std::max(0.0, mu - sigma * normal_quantile(v * t));
}

double sample_normal(double mu, double sigma, Rng& rng) {
    if (!(mu >= 0.0)) return sample_normal_negative_mu(mu, sigma, rng);
    for (;;) {
        const double x = mu + sigma * normal_quantile(draw(rng));
        if (!(x < 0.0)) return x;  // NaN parameters end here too, never spin
    }
}

// Marsaglia & Tsang (2000), shape >= 1, unit scale.
double marsaglia_tsang(double shape, Rng& rng) {
    const double d = shape - 1.0 / 3.0;
    const double c = 1.0 / std::sqrt(9.0 * d);
    for (;;) {
        const double z = normal_quantile(draw(rng));
        double v = 1.0 + c * z;
        if (v <= 0.0) continue;
        v = v * v * v;
        const double u = draw(rng);
        const double z2 = z * z;
        if (u < 1.0 - 0.0331 * z2 * z2) return d * v;  // squeeze: skips the logs
        if (std::log(u) < 0.5 * z2 + d * (1.0 - v + std::log(v))) return d * v;
    }
}

double sample_gamma(double shape, double scale, Rng& rng) {
    if (!(shape > 0.0) || !std::isfinite(shape)) return 0.0;
    if (shape <= 64.0 && shape == std::floor(shape)) {
        double s = 0.0;
        for (int i = 0; i < static_cast<int>(shape); ++i) s += exp1(draw(rng));
        return s * scale;
    }
    if (shape < 1.0) {
        // Gamma(k) = Gamma(k + 1) * U^(1/k) keeps Marsaglia–Tsang's k >= 1.
        const double g = marsaglia_tsang(shape + 1.0, rng);
        return scale * g * std::pow(draw(rng), 1.0 / shape);
    }
    return scale * marsaglia_tsang(shape, rng);
}

// E[X^j] of the bounded Pareto: alpha L^j / (1 - (L/H)^alpha) *
// ((H/L)^(j - alpha) - 1) / (j - alpha), written with expm1 so that it stays
// exact and continuous through j == alpha (where the factor is ln(H/L)).
double pareto_moment(double alpha, double low, double high, int j) {
    const double lr = std::log(high / low);
    const double norm = -std::expm1(-alpha * lr);  // 1 - (L/H)^alpha
    const double dj = static_cast<double>(j) - alpha;
    const double integral = dj == 0.0 ? lr : std::expm1(dj * lr) / dj;
    return alpha * std::pow(low, j) / norm * integral;
}

// Truncated normal moments: with t = mu/sigma and lambda = phi(t)/Phi(t)
// (the inverse Mills ratio of the truncation point -t).
void truncated_normal_moments(double mu, double sigma, double& mean, double& var) {
    if (sigma == 0.0) {
        mean = std::max(mu, 0.0);
        var = 0.0;
        return;
    }
    const double t = mu / sigma;
    const double big_phi = normal_cdf(t);
    if (!(big_phi > 0.0)) {  // all the mass sits at 0 in double precision
        mean = 0.0;
        var = 0.0;
        return;
    }
    const double lambda = normal_pdf(t) / big_phi;
    mean = mu + sigma * lambda;
    var = sigma * sigma * std::max(0.0, 1.0 - t * lambda - lambda * lambda);
}

}  // namespace

double Law::sample_any(Rng& rng) const {
    switch (kind) {
        case LawKind::Const:
            (void)rng.uniform01();  // keeps the stream in step with other laws
            return p[0];
        case LawKind::Exp:
            return p[0] * exp1(draw(rng));
        case LawKind::Uniform:
            return p[0] + (p[1] - p[0]) * draw(rng);
        case LawKind::Normal:
            return sample_normal(p[0], p[1], rng);
        case LawKind::Lognormal:
            return std::exp(p[0] + p[1] * normal_quantile(draw(rng)));
        case LawKind::Gamma:
            return sample_gamma(p[0], p[1], rng);
        case LawKind::Weibull:
            return p[1] * std::pow(exp1(draw(rng)), 1.0 / p[0]);
        case LawKind::BoundedPareto: {
            // F^-1(u) = L (1 - u (1 - (L/H)^alpha))^(-1/alpha)
            const double c = -std::expm1(p[0] * std::log(p[1] / p[2]));
            return p[1] * std::exp(-std::log1p(-draw(rng) * c) / p[0]);
        }
        case LawKind::Empirical: {
            if (values.empty()) {
                (void)rng.next();
                return 0.0;
            }
            return values[rng.below(values.size())];
        }
        case LawKind::Mixture: {
            if (parts.empty()) {
                (void)rng.uniform01();
                return 0.0;
            }
            const double u = draw(rng);
            std::size_t i = 0;
            const std::size_t last = parts.size() - 1;
            while (i < last && i < weights.size() && !(u < weights[i])) ++i;
            return parts[i].sample(rng);
        }
    }
    return 0.0;
}

double Law::mean() const {
    switch (kind) {
        case LawKind::Const:
        case LawKind::Exp:
            return p[0];
        case LawKind::Uniform:
            return 0.5 * (p[0] + p[1]);
        case LawKind::Normal: {
            double m = 0.0, v = 0.0;
            truncated_normal_moments(p[0], p[1], m, v);
            return m;
        }
        case LawKind::Lognormal:
            return std::exp(p[0] + 0.5 * p[1] * p[1]);
        case LawKind::Gamma:
            return p[0] * p[1];
        case LawKind::Weibull:
            return p[1] * std::tgamma(1.0 + 1.0 / p[0]);
        case LawKind::BoundedPareto:
            if (p[1] == p[2]) return p[1];
            return pareto_moment(p[0], p[1], p[2], 1);
        case LawKind::Empirical: {
            if (values.empty()) return 0.0;
            double s = 0.0;
            for (double v : values) s += v;
            return s / static_cast<double>(values.size());
        }
        case LawKind::Mixture: {
            double m = 0.0, prev = 0.0;
            for (std::size_t i = 0; i < parts.size() && i < weights.size(); ++i) {
                m += (weights[i] - prev) * parts[i].mean();
                prev = weights[i];
            }
            return m;
        }
    }
    return 0.0;
}

double Law::variance() const {
    switch (kind) {
        case LawKind::Const:
            return 0.0;
        case LawKind::Exp:
            return p[0] * p[0];
        case LawKind::Uniform: {
            const double w = p[1] - p[0];
            return w * w / 12.0;
        }
        case LawKind::Normal: {
            double m = 0.0, v = 0.0;
            truncated_normal_moments(p[0], p[1], m, v);
            return v;
        }
        case LawKind::Lognormal: {
            const double s2 = p[1] * p[1];
            return std::expm1(s2) * std::exp(2.0 * p[0] + s2);
        }
        case LawKind::Gamma:
            return p[0] * p[1] * p[1];
        case LawKind::Weibull: {
            const double g1 = std::tgamma(1.0 + 1.0 / p[0]);
            const double g2 = std::tgamma(1.0 + 2.0 / p[0]);
            if (!std::isfinite(g2)) return kInf;
            return p[1] * p[1] * std::max(0.0, g2 - g1 * g1);
        }
        case LawKind::BoundedPareto: {
            if (p[1] == p[2]) return 0.0;
            const double m = pareto_moment(p[0], p[1], p[2], 1);
            return std::max(0.0, pareto_moment(p[0], p[1], p[2], 2) - m * m);
        }
        case LawKind::Empirical: {
            if (values.empty()) return 0.0;
            const double m = mean();
            double s = 0.0;
            for (double v : values) s += (v - m) * (v - m);
            return s / static_cast<double>(values.size());
        }
        case LawKind::Mixture: {
            // Law of total variance: E[Var] + Var[E].
            const double m = mean();
            double s = 0.0, prev = 0.0;
            for (std::size_t i = 0; i < parts.size() && i < weights.size(); ++i) {
                const double w = weights[i] - prev;
                prev = weights[i];
                if (w == 0.0) continue;
                const double v = parts[i].variance();
                if (!std::isfinite(v)) return kInf;
                const double d = parts[i].mean() - m;
                s += w * (v + d * d);
            }
            return s;
        }
    }
    return 0.0;
}

double Law::scv() const {
    const double m = mean();
    const double v = variance();
    if (m == 0.0) return v == 0.0 ? 0.0 : kInf;
    return v / (m * m);
}

bool Law::deterministic() const {
    switch (kind) {
        case LawKind::Const:
            return true;
        case LawKind::Exp:
            return p[0] == 0.0;
        case LawKind::Uniform:
            return p[0] == p[1];
        case LawKind::Normal:
        case LawKind::Lognormal:
        case LawKind::Gamma:
        case LawKind::Weibull:
            return p[1] == 0.0;
        case LawKind::BoundedPareto:
            return p[1] == p[2];
        case LawKind::Empirical:
            return values.empty() || values.front() == values.back();
        case LawKind::Mixture: {
            double prev = 0.0;
            bool first = true;
            double m = 0.0;
            for (std::size_t i = 0; i < parts.size() && i < weights.size(); ++i) {
                const double w = weights[i] - prev;
                prev = weights[i];
                if (w == 0.0) continue;  // never drawn
                if (!parts[i].deterministic()) return false;
                if (first) {
                    m = parts[i].mean();
                    first = false;
                } else if (parts[i].mean() != m) {
                    return false;
                }
            }
            return true;
        }
    }
    return false;
}

Law Law::scaled(double factor) const {
    Law l = *this;
    switch (kind) {
        case LawKind::Const:
        case LawKind::Exp:
            l.p[0] *= factor;
            break;
        case LawKind::Uniform:
        case LawKind::Normal:
            l.p[0] *= factor;
            l.p[1] *= factor;
            break;
        case LawKind::Lognormal:
            l.p[0] += std::log(factor);
            break;
        case LawKind::Gamma:
        case LawKind::Weibull:
            l.p[1] *= factor;
            break;
        case LawKind::BoundedPareto:
            l.p[1] *= factor;
            l.p[2] *= factor;
            break;
        case LawKind::Empirical:
            for (double& v : l.values) v *= factor;
            break;
        case LawKind::Mixture:
            for (Law& part : l.parts) part = part.scaled(factor);
            break;
    }
    return l;
}

Law Law::constant(double value, Dimension d) {
    Law l;
    l.kind = LawKind::Const;
    l.dimension = d;
    l.p[0] = value;
    return l;
}

Law Law::exponential(double mean, Dimension d) {
    Law l;
    l.kind = LawKind::Exp;
    l.dimension = d;
    l.p[0] = mean;
    return l;
}

Law Law::uniform(double low, double high, Dimension d) {
    Law l;
    l.kind = LawKind::Uniform;
    l.dimension = d;
    l.p[0] = low;
    l.p[1] = high;
    return l;
}

Law Law::normal(double mu, double sigma, Dimension d) {
    Law l;
    l.kind = LawKind::Normal;
    l.dimension = d;
    l.p[0] = mu;
    l.p[1] = sigma;
    return l;
}

Law Law::lognormal(double mu, double sigma, Dimension d) {
    Law l;
    l.kind = LawKind::Lognormal;
    l.dimension = d;
    l.p[0] = mu;
    l.p[1] = sigma;
    return l;
}

Law Law::lognormal_mean_sd(double mean, double sd, Dimension d) {
    // sigma^2 = ln(1 + scv), mu = ln(mean) - sigma^2 / 2
    const double r = sd / mean;
    const double s2 = std::log1p(r * r);
    return lognormal(std::log(mean) - 0.5 * s2, std::sqrt(s2), d);
}

Law Law::lognormal_mean_p99(double mean, double p99, Dimension d) {
    // p99 = exp(mu + z sigma) and mean = exp(mu + sigma^2 / 2) give
    // sigma^2 - 2 z sigma + 2 ln(p99 / mean) = 0; the smaller root keeps
    // the law's 99th percentile in the upper tail (sigma <= z).
    const double z = normal_quantile(0.99);
    const double disc = std::max(0.0, z * z - 2.0 * std::log(p99 / mean));
    const double sigma = z - std::sqrt(disc);
    return lognormal(std::log(mean) - 0.5 * sigma * sigma, sigma, d);
}

Law Law::gamma(double shape, double scale, Dimension d) {
    Law l;
    l.kind = LawKind::Gamma;
    l.dimension = d;
    l.p[0] = shape;
    l.p[1] = scale;
    return l;
}

Law Law::weibull(double shape, double scale, Dimension d) {
    Law l;
    l.kind = LawKind::Weibull;
    l.dimension = d;
    l.p[0] = shape;
    l.p[1] = scale;
    return l;
}

Law Law::bounded_pareto(double alpha, double low, double high, Dimension d) {
    Law l;
    l.kind = LawKind::BoundedPareto;
    l.dimension = d;
    l.p[0] = alpha;
    l.p[1] = low;
    l.p[2] = high;
    return l;
}

Law Law::empirical(std::vector<double> samples, Dimension d) {
    Law l;
    l.kind = LawKind::Empirical;
    l.dimension = d;
    std::sort(samples.begin(), samples.end());
    l.values = std::move(samples);
    return l;
}

Law Law::mixture(const std::vector<double>& probabilities, std::vector<Law> parts) {
    Law l;
    l.kind = LawKind::Mixture;
    if (!parts.empty()) l.dimension = parts.front().dimension;
    double total = 0.0;
    for (double w : probabilities) total += w;
    double acc = 0.0;
    for (double w : probabilities) {
        acc += w;
        l.weights.push_back(total > 0.0 ? acc / total : 0.0);
    }
    // Exactly 1 so that the last part catches every u < 1 despite rounding.
    if (!l.weights.empty()) l.weights.back() = 1.0;
    l.parts = std::move(parts);
    return l;
}

Law Law::hyperexp(double mean, double scv, Dimension d) {
    // Balanced means: p1 / mu1 = p2 / mu2. Then p1 = (1 + sqrt((c-1)/(c+1)))/2
    // and phase i has mean m / (2 p_i); that gives mean m and scv c exactly.
    const double c = std::max(scv, 1.0);
    const double p1 = 0.5 * (1.0 + std::sqrt((c - 1.0) / (c + 1.0)));
    const double p2 = 1.0 - p1;
    std::vector<Law> phases;
    phases.push_back(exponential(mean / (2.0 * p1), d));
    phases.push_back(exponential(mean / (2.0 * p2), d));
    Law l = mixture({p1, p2}, std::move(phases));
    l.dimension = d;
    return l;
}

double normal_quantile(double p) {
    // Wichura, Algorithm AS 241 (PPND16), Applied Statistics 37(3), 1988.
    if (std::isnan(p)) return p;
    if (p <= 0.0) return -kInf;
    if (p >= 1.0) return kInf;
    const double q = p - 0.5;
    if (std::fabs(q) <= 0.425) {
        const double r = 0.180625 - q * q;
        return q * horner(kAs241A, r) / horner(kAs241B, r);
    }
    double r = std::sqrt(-std::log(q < 0.0 ? p : 1.0 - p));
    double x;
    if (r <= 5.0) {
        r -= 1.6;
        x = horner(kAs241C, r) / horner(kAs241D, r);
    } else {
        r -= 5.0;
        x = horner(kAs241E, r) / horner(kAs241F, r);
    }
    return q < 0.0 ? -x : x;
}

double normal_cdf(double x) {
    return 0.5 * std::erfc(-x * 0.70710678118654752440);
}

double lognormal_max_p99_ratio() {
    const double z = normal_quantile(0.99);
    return std::exp(0.5 * z * z);
}

}  // namespace capsim

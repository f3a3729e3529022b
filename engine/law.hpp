// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/natural_log.hpp"
#include "engine/random.hpp"

namespace capsim {

/// What a law's samples measure: a duration in seconds, or a plain number
/// (loop counts, sizes). The loader checks it against where a law is used.
enum class Dimension : std::uint8_t { Time, Count };

/// The family of a probability law.
enum class LawKind : std::uint8_t {
    Const,          // p[0] = value
    Exp,            // p[0] = mean
    Uniform,        // p[0] = low, p[1] = high
    Normal,         // p[0] = mu, p[1] = sigma; truncated at 0 by resampling
    Lognormal,      // p[0] = mu, p[1] = sigma of the underlying normal
    Gamma,          // p[0] = shape k, p[1] = scale theta (erlang: integer k)
    Weibull,        // p[0] = shape k, p[1] = scale lambda
    BoundedPareto,  // p[0] = alpha, p[1] = low L, p[2] = high H
    Empirical,      // values = sorted samples, drawn uniformly
    Mixture,        // weights = cumulative probabilities, parts = components
};

/// A probability law with its parameters, sampled with capsim's own
/// transforms so that the same stream yields the same numbers everywhere.
/// Plain data: a switch on `kind` samples it, no virtual dispatch.
///
/// Random-number use (part of the reproducibility contract):
/// - Const, Exp, Uniform, Lognormal, Weibull, BoundedPareto draw exactly one
///   uniform per sample, by inversion, increasing in the uniform; Empirical
///   draws exactly one `below(n)`. Const draws one too and ignores it, so a
///   what-if that turns `const(5ms)` into `exp(5ms)` leaves every later draw
///   of the stream where it was (common random numbers stay in step).
/// - Normal inverts one uniform and, when the result is below 0, draws again
///   (truncation at 0 by resampling). With mean >= 2 sd that is rarer than
///   2.3% of samples. mean() and variance() are those of the *truncated* law,
///   computed exactly (not mu and sigma^2). A negative mu, which the parser
///   never produces, is sampled by inverting the truncated law instead, so
///   sampling never spins.
/// - Gamma: integer shape up to 64 sums that many exponentials; other shapes
///   use Marsaglia–Tsang (normal by inversion), a rejection method, so the
///   number of uniforms per sample varies.
/// - Mixture draws one uniform to pick a part, then samples that part.
///
/// The factories do not validate: scenario::parse_law does, with messages
/// for people. Parameters outside a family's domain give unspecified (but
/// never undefined-behaviour or non-terminating) samples.
struct Law {
    LawKind kind = LawKind::Const;
    Dimension dimension = Dimension::Time;
    double p[3] = {0.0, 0.0, 0.0};
    std::vector<double> values;   // Empirical samples, sorted ascending
    std::vector<double> weights;  // Mixture: cumulative weights, last == 1
    std::vector<Law> parts;       // Mixture components
    std::string text;             // as the user wrote it, for reports and errors

    /// One draw. The exponential, the most common law on the hot path, is
    /// inlined here; the others go through the out-of-line switch.
    double sample(Rng& rng) const {
        if (kind == LawKind::Exp) return -p[0] * natural_log(1.0 - rng.uniform01());
        return sample_any(rng);
    }
    /// n draws into out: exactly n calls of sample(), in order. The
    /// exponential takes its n uniforms first and then their logarithms a
    /// vector at a time (natural_log_n).
    void sample_n(Rng& rng, double* out, std::size_t n) const {
        if (kind != LawKind::Exp) {
            for (std::size_t i = 0; i < n; ++i) out[i] = sample(rng);
            return;
        }
        for (std::size_t i = 0; i < n; ++i) out[i] = 1.0 - rng.uniform01();
        natural_log_n(out, n);
        for (std::size_t i = 0; i < n; ++i) out[i] = -p[0] * out[i];
    }
    /// Exact mean of the law (the truncated normal's mean included).
    double mean() const;
    /// Exact variance; +inf where it does not exist.
    double variance() const;
    /// Squared coefficient of variation, variance / mean^2 (+inf if mean is 0
    /// and the variance is not).
    double scv() const;
    /// True when every sample equals mean() (Const, or a degenerate law).
    bool deterministic() const;
    /// The same family with every sample multiplied by `factor` (> 0): how a
    /// unit-mean law becomes a law of any mean without changing its shape.
    Law scaled(double factor) const;

    /// The out-of-line switch over every family (sample() inlines Exp).
    double sample_any(Rng& rng) const;

    static Law constant(double value, Dimension d = Dimension::Time);
    static Law exponential(double mean, Dimension d = Dimension::Time);
    static Law uniform(double low, double high, Dimension d = Dimension::Time);
    /// Normal(mu, sigma) truncated at 0; mu and sigma are the untruncated ones.
    static Law normal(double mu, double sigma, Dimension d = Dimension::Time);
    /// exp(N(mu, sigma^2)).
    static Law lognormal(double mu, double sigma, Dimension d = Dimension::Time);
    /// The lognormal with this mean and standard deviation (mean > 0).
    static Law lognormal_mean_sd(double mean, double sd, Dimension d = Dimension::Time);
    /// The lognormal with this mean whose 99th percentile is p99; needs
    /// mean < p99 <= mean * lognormal_max_p99_ratio().
    static Law lognormal_mean_p99(double mean, double p99, Dimension d = Dimension::Time);
    static Law gamma(double shape, double scale, Dimension d = Dimension::Time);
    static Law weibull(double shape, double scale, Dimension d = Dimension::Time);
    static Law bounded_pareto(double alpha, double low, double high, Dimension d = Dimension::Time);
    /// Draws uniformly among `samples` (sorted here; must not be empty).
    static Law empirical(std::vector<double> samples, Dimension d = Dimension::Time);
    /// Picks part i with probability probabilities[i] (normalised here to sum
    /// to 1), then samples it. Sizes must match and not be empty.
    static Law mixture(const std::vector<double>& probabilities, std::vector<Law> parts);
    /// Two-phase hyperexponential with balanced means (each phase carries half
    /// the mean): the standard fit to a mean and an scv >= 1.
    static Law hyperexp(double mean, double scv, Dimension d = Dimension::Time);
};

/// Standard normal quantile (inverse CDF), accurate to ~1e-15 (Wichura AS241).
/// Returns -inf for p <= 0, +inf for p >= 1, NaN for NaN.
double normal_quantile(double p);
/// Standard normal CDF.
double normal_cdf(double x);
/// The largest p99/mean ratio a lognormal can have: exp(z^2 / 2) with
/// z = normal_quantile(0.99), about 14.97.
double lognormal_max_p99_ratio();

}  // namespace capsim

// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#include "engine/student_t.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

namespace capsim {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kEps = std::numeric_limits<double>::epsilon();

// Standard normal quantile for 0 < p <= 0.5 (the lower half; callers use
// symmetry so that 1 - p is never formed from a p close to 1). Acklam's
// rational approximation (relative error 1.15e-9) polished by one Halley
// step, which brings it to a few ulps. Kept private here because
// law.cpp owns the public normal_quantile.
double normal_lower_quantile(double p) {
    static constexpr double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
                                   -2.759285104469687e+02, 1.383577518672690e+02,
                                   -3.066479806614716e+01, 2.506628277459239e+00};
    static constexpr double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
                                   -1.556989798598866e+02, 6.680131188771972e+01,
                                   -1.328068155288572e+01};
    static constexpr double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
                                   -2.400758277161838e+00, -2.549732539343734e+00,
                                   4.374664141464968e+00,  2.938163982698783e+00};
    static constexpr double d[] = {7.784695709041462e-03, 3.224671290700398e-01,
                                   2.445134137142996e+00, 3.754408661907416e+00};
    double x;
    double e;  // Phi(x) - p, formed so that it keeps its relative accuracy
    if (p < 0.02425) {
        const double q = std::sqrt(-2.0 * std::log(p));
        x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
            ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
        e = 0.5 * std::erfc(-x / std::numbers::sqrt2) - p;
    } else {
        const double q = p - 0.5;
        const double r = q * q;
        x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
            (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1.0);
        // Near the centre x is tiny: erf and the exact p - 1/2 keep the
        // digits that erfc(...) - p would cancel.
        e = 0.5 * std::erf(x / std::numbers::sqrt2) - q;
    }
    const double u = e * std::sqrt(2.0 * std::numbers::pi) * std::exp(0.5 * x * x);
    return x - u / (1.0 + 0.5 * x * u);
}

// log B(a, 1/2) = log Gamma(1/2) - (log Gamma(a + 1/2) - log Gamma(a)). For
// large a the difference of two lgamma values of size a log a would lose
// digits (1e-10 at df = 1e5), so it comes from its asymptotic series,
// whose truncation error is below 2e-3 / a^9 (4e-15 at a = 20).
double log_beta_half(double a) {
    const double log_gamma_half = 0.5 * std::log(std::numbers::pi);
    if (a < 20.0) {
        return std::lgamma(a) + log_gamma_half - std::lgamma(a + 0.5);
    }
    const double r = 1.0 / a;
    const double r2 = r * r;
    const double ratio = 0.5 * std::log(a) -
                         r * (1.0 / 8 - r2 * (1.0 / 192 - r2 * (1.0 / 640 - r2 * (17.0 / 14336))));
    return log_gamma_half - ratio;
}

// Continued fraction for the regularized incomplete beta (DLMF 8.17.22),
// evaluated by the modified Lentz method. Converges fast for
// x < (a + 1) / (a + b + 2); the caller swaps arguments otherwise.
double beta_continued_fraction(double a, double b, double x) {
    constexpr double kTiny = 1e-300;
    constexpr int kMaxTerms = 100000;
    double c = 1.0;
    double d = 1.0 - (a + b) * x / (a + 1.0);
    if (std::fabs(d) < kTiny) {
        d = kTiny;
    }
    d = 1.0 / d;
    double h = d;
    for (int m = 1; m <= kMaxTerms; ++m) {
        const double dm = m;
        const double m2 = 2.0 * dm;
        // Even term.
        double aa = dm * (b - dm) * x / ((a - 1.0 + m2) * (a + m2));
        d = 1.0 + aa * d;
        if (std::fabs(d) < kTiny) {
            d = kTiny;
        }
        c = 1.0 + aa / c;
        if (std::fabs(c) < kTiny) {
            c = kTiny;
        }
        d = 1.0 / d;
        h *= d * c;
        // Odd term.
        aa = -(a + dm) * (a + b + dm) * x / ((a + m2) * (a + 1.0 + m2));
        d = 1.0 + aa * d;
        if (std::fabs(d) < kTiny) {
            d = kTiny;
        }
        c = 1.0 + aa / c;
        if (std::fabs(c) < kTiny) {
            c = kTiny;
        }
        d = 1.0 / d;
        const double delta = d * c;
        h *= delta;
        if (std::fabs(delta - 1.0) < 2.0 * kEps) {
            break;
        }
    }
    return h;
}

// log(1 + t^2 / df) without overflowing t^2: heavy tails at small df put
// the quantile for p = 1e-300 near 1e200.
double log1p_t2(double t, double df) {
    if (t < 1e100) {
        return std::log1p(t * t / df);
    }
    return 2.0 * std::log(t) - std::log(df) + std::log1p(df / t / t);
}

// P(T > t) and P(0 < T < t) for t >= 0; they sum to 1/2. With x = df/(df+t^2)
// the upper tail is I_x(df/2, 1/2) / 2 and the central part I_{1-x}(1/2, df/2) / 2.
// The continued fraction runs on whichever side it converges for and the
// other is its complement, so the smaller of the two keeps full relative
// accuracy: the upper tail far out (p = 1e-12) and the central part near
// t = 0 (p = 0.5 + 1e-12), where a difference from 1/2 would lose digits.
struct TSplit {
    double upper;
    double central;
};

TSplit t_split(double t, double df) {
    if (t == 0.0) {
        return {0.5, 0.0};
    }
    if (std::isinf(t)) {
        return {0.0, 0.5};
    }
    const double a = 0.5 * df;
    const double log_x = -log1p_t2(t, df);
    const double x = std::exp(log_x);
    const double y = -std::expm1(log_x);
    const double log_y = x < 0.5 ? std::log1p(-x) : std::log(y);
    const double front = std::exp(a * log_x + 0.5 * log_y - log_beta_half(a));
    if (x < (a + 1.0) / (a + 2.5)) {
        const double upper = 0.5 * front * beta_continued_fraction(a, 0.5, x) / a;
        return {upper, 0.5 - upper};
    }
    const double central = front * beta_continued_fraction(0.5, a, y);
    return {0.5 - central, central};
}

double t_density(double t, double df) {
    return std::exp(-log_beta_half(0.5 * df) - 0.5 * std::log(df) -
                    0.5 * (df + 1.0) * log1p_t2(t, df));
}

// Hill (1970), CACM Algorithm 396: a starting point good to a few digits
// for df >= 1 (fractional df included). `two_sided` = 2 * upper tail.
double hill_start(double two_sided, double df) {
    const double a = 1.0 / (df - 0.5);
    const double b = 48.0 / (a * a);
    double c = ((20700.0 * a / b - 98.0) * a - 16.0) * a + 96.36;
    const double d =
        ((94.5 / (b + c) - 3.0) / b + 1.0) * std::sqrt(a * std::numbers::pi / 2.0) * df;
    double y = std::pow(d * two_sided, 2.0 / df);
    if (y > 0.05 + a) {
        // Asymptotic inverse expansion about the normal.
        const double x = normal_lower_quantile(0.5 * two_sided);
        y = x * x;
        if (df < 5.0) {
            c += 0.3 * (df - 4.5) * (x + 0.6);
        }
        c = (((0.05 * d * x - 5.0) * x - 7.0) * x - 2.0) * x + b + c;
        y = (((((0.4 * y + 6.3) * y + 36.0) * y + 94.5) / c - y - 3.0) / b + 1.0) * x;
        y = std::expm1(a * y * y);
    } else {
        y = ((1.0 / (((df + 6.0) / (df * y) - 0.089 * d - 0.822) * (df + 2.0) * 3.0) +
              0.5 / (df + 4.0)) *
                 y -
             1.0) *
                (df + 1.0) / (df + 2.0) +
            1.0 / y;
    }
    return std::sqrt(df * y);
}

// Cornish-Fisher expansion in 1/df about the normal quantile z
// (Abramowitz & Stegun 26.7.5). Its error is O(z^11 / df^5): negligible
// where it is used, and it avoids lgamma's cancellation at huge df.
double cornish_fisher(double z, double df) {
    const double z2 = z * z;
    const double g1 = (z2 + 1.0) * z / 4.0;
    const double g2 = ((5.0 * z2 + 16.0) * z2 + 3.0) * z / 96.0;
    const double g3 = (((3.0 * z2 + 19.0) * z2 + 17.0) * z2 - 15.0) * z / 384.0;
    const double g4 =
        ((((79.0 * z2 + 776.0) * z2 + 1482.0) * z2 - 1920.0) * z2 - 945.0) * z / 92160.0;
    return z + (g1 + (g2 + (g3 + g4 / df) / df) / df) / df;
}

// Solves P(T > t) = tail for t > 0, tail < 1/2, by Newton's method on the
// log of whichever of P(T > t) and P(0 < T < t) is smaller at the target
// (log-space is close to linear both in heavy tails and near t = 0). A
// bracket kept around the root turns any step that leaves it into a
// bisection, so a poor start or a flat density cannot send it astray.
double t_upper_quantile(double tail, double df) {
    const bool use_central = tail > 0.25;
    const double target = use_central ? 0.5 - tail : tail;  // exact
    const double log_target = std::log(target);
    double t = df >= 1.0 ? hill_start(2.0 * tail, df) : 1.0 / std::tan(std::numbers::pi * tail);
    if (!(t > 0.0) || !std::isfinite(t)) {
        t = 1.0;
    }
    double lo = 0.0;
    double hi = kInf;
    for (int i = 0; i < 2000; ++i) {
        const TSplit s = t_split(t, df);
        const double v = use_central ? s.central : s.upper;
        // Both sides as "is t too small?": the upper tail decreases in t,
        // the central part increases.
        if (v == target) {
            return t;
        }
        const bool too_small = use_central ? v < target : v > target;
        if (too_small) {
            lo = t;
        } else {
            hi = t;
        }
        const double slope = use_central ? t_density(t, df) : -t_density(t, df);
        double next = t - (std::log(v) - log_target) * v / slope;
        if (!(next > lo && next < hi)) {
            next = std::isinf(hi) ? 2.0 * t : 0.5 * (lo + hi);
        }
        if (std::fabs(next - t) <= 4.0 * kEps * t) {
            return next;
        }
        if (std::isinf(next)) {
            return kInf;
        }
        t = next;
    }
    return t;
}

}  // namespace

double student_t_quantile(double p, double df) {
    if (!(p >= 0.0 && p <= 1.0) || !(df > 0.0)) {
        return kNaN;
    }
    if (p == 0.0) {
        return -kInf;
    }
    if (p == 1.0) {
        return kInf;
    }
    if (p == 0.5) {
        return 0.0;
    }
    // Work with the upper-tail probability: 1 - p is exact for p >= 0.5.
    const double tail = p < 0.5 ? p : 1.0 - p;
    const double sign = p < 0.5 ? -1.0 : 1.0;

    double t;
    if (df == 1.0) {
        // Cauchy. Near the centre, tan of the exact p - 1/2 avoids the
        // cancellation of cot(pi * tail).
        t = tail >= 0.25 ? std::tan(std::numbers::pi * (0.5 - tail))
                         : 1.0 / std::tan(std::numbers::pi * tail);
    } else if (df == 2.0) {
        t = (1.0 - 2.0 * tail) / std::sqrt(2.0 * tail * (1.0 - tail));
    } else if (df > 1e5) {
        // Covers df = inf: every term of the expansion vanishes.
        t = cornish_fisher(-normal_lower_quantile(tail), df);
    } else {
        t = t_upper_quantile(tail, df);
    }
    return sign * t;
}

}  // namespace capsim

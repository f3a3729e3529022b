// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>

namespace capsim {

/// The natural logarithm of a positive, normal, finite x, to within 1 ulp
/// (fdlibm's e_log.c algorithm: x = 2^k m with m in [sqrt(2)/2, sqrt(2)),
/// log(m) = 2 atanh(s) by a degree-14 odd polynomial in s = (m-1)/(m+1)).
///
/// Why capsim has its own: the exponential inversion draws one logarithm
/// per sample, most of them on the event path. libm's log is one call per
/// value, and its result may change with the library's version or the
/// processor's FMA (glibc picks an implementation at load time), which
/// would break "same seed, same report" between machines. This one is
/// straight-line arithmetic with no branch and no table, so the same
/// operations give the same bits everywhere (the build turns off FMA
/// contraction) and natural_log_n() computes a block of them with vector
/// instructions, bit for bit what one-at-a-time calls give.
///
/// Zero, negative, subnormal, infinite and NaN arguments give unspecified
/// values: capsim's uniforms never produce them (uniform01() is in
/// [2^-53, 1 - 2^-53], and so is 1 minus it).
inline double natural_log(double x) {
    // Reduction: add the offset of sqrt(2)/2's high word, so that the
    // exponent field becomes k + 1023 and the mantissa, with sqrt(2)/2's
    // high word added back, m in [sqrt(2)/2, sqrt(2)).
    constexpr std::uint64_t kSqrtHalfHigh = std::uint64_t{0x3fe6a09e} << 32;
    constexpr std::uint64_t kOneHigh = std::uint64_t{0x3ff00000} << 32;
    constexpr std::uint64_t kMantissa = (std::uint64_t{1} << 52) - 1;
    const std::uint64_t i = std::bit_cast<std::uint64_t>(x) + (kOneHigh - kSqrtHalfHigh);
    const double m = std::bit_cast<double>((i & kMantissa) + kSqrtHalfHigh);
    // k as a double without an integer conversion (none is vectorised on
    // x86-64 before AVX-512): 2^52 + e is exact for an 11-bit e.
    const double k = std::bit_cast<double>((std::uint64_t{0x433} << 52) | (i >> 52)) -
                     0x1.00000000003ffp52;  // 2^52 + 1023

    constexpr double kLn2High = 0x1.62e42feep-1;  // its low 32 bits are zero: k * it is exact
    constexpr double kLn2Low = 0x1.a39ef35793c76p-33;
    constexpr double kLg1 = 0x1.5555555555593p-1;
    constexpr double kLg2 = 0x1.999999997fa04p-2;
    constexpr double kLg3 = 0x1.2492494229359p-2;
    constexpr double kLg4 = 0x1.c71c51d8e78afp-3;
    constexpr double kLg5 = 0x1.7466496cb03dep-3;
    constexpr double kLg6 = 0x1.39a09d078c69fp-3;
    constexpr double kLg7 = 0x1.2f112df3e5244p-3;

    const double f = m - 1.0;
    const double hfsq = 0.5 * f * f;
    const double s = f / (2.0 + f);
    const double z = s * s;
    const double w = z * z;
    const double t1 = w * (kLg2 + w * (kLg4 + w * kLg6));
    const double t2 = z * (kLg1 + w * (kLg3 + w * (kLg5 + w * kLg7)));
    const double r = t2 + t1;
    return s * (hfsq + r) + k * kLn2Low - hfsq + f + k * kLn2High;
}

/// v[i] = natural_log(v[i]) for i < n: the same bits as n calls, computed a
/// vector at a time (a block of draws takes its logarithms here).
inline void natural_log_n(double* v, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) v[i] = natural_log(v[i]);
}

}  // namespace capsim

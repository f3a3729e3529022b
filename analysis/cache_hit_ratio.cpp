// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#include "analysis/cache_hit_ratio.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace capsim::analysis {

namespace {

// Keys of similar popularity, summed as one: `count` keys of probability `p` each.
struct Bucket {
    double p = 0.0;
    double count = 0.0;
};

std::vector<Bucket> popularity(std::uint64_t keys, double s) {
    constexpr std::uint64_t kExact = 2000;
    constexpr double kGrowth = 1.02;
    std::vector<Bucket> out;
    double total = 0.0;
    std::uint64_t i = 1;
    for (; i <= keys && i <= kExact; ++i) {
        const double w = std::pow(static_cast<double>(i), -s);
        out.push_back({w, 1.0});
        total += w;
    }
    while (i <= keys) {
        const auto last = std::min<std::uint64_t>(
            keys, std::max<std::uint64_t>(
                      i, static_cast<std::uint64_t>(static_cast<double>(i) * kGrowth)));
        const double n = static_cast<double>(last - i + 1);
        // The bucket's mean weight: the integral of x^-s over [i - 1/2, last + 1/2].
        const double a = static_cast<double>(i) - 0.5, b = static_cast<double>(last) + 0.5;
        const double sum = std::fabs(s - 1.0) < 1e-9
                               ? std::log(b / a)
                               : (std::pow(b, 1.0 - s) - std::pow(a, 1.0 - s)) / (1.0 - s);
        out.push_back({sum / n, n});
        total += sum;
        i = last + 1;
    }
    for (Bucket& k : out) k.p /= total;
    return out;
}

}  // namespace

double cache_hit_ratio(const CacheSpec& cache, double lookups) {
    if (cache.hit_ratio >= 0.0) return cache.hit_ratio;
    if (cache.keys == 0 || cache.capacity == 0) return 0.0;
    const std::vector<Bucket> keys = popularity(cache.keys, cache.zipf);
    const bool lru = cache.capacity < cache.keys;
    // T in units of requests (rate 1): Che's hit ratio does not depend on the rate.
    double t = 0.0;
    if (lru) {
        auto occupancy = [&](double x) {
            double n = 0.0;
            for (const Bucket& k : keys) n += k.count * -std::expm1(-k.p * x);
            return n;
        };
        const auto c = static_cast<double>(cache.capacity);
        double lo = 0.0, hi = 1.0;
        while (occupancy(hi) < c && hi < 1e300) hi *= 2.0;
        for (int i = 0; i < 100 && hi - lo > 1e-12 * hi; ++i) {
            const double mid = 0.5 * (lo + hi);
            (occupancy(mid) < c ? lo : hi) = mid;
        }
        t = 0.5 * (lo + hi);
    }
    const bool ttl = std::isfinite(cache.ttl);
    double hit = 0.0;
    for (const Bucket& k : keys) {
        double h = lru ? -std::expm1(-k.p * t) : 1.0;
        if (ttl) {
            const double x = lookups * k.p * cache.ttl;
            h = std::min(h, x / (1.0 + x));
        }
        hit += k.count * k.p * h;
    }
    return std::clamp(hit, 0.0, 1.0);
}

}  // namespace capsim::analysis

// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
//
// The analytic cache hit ratio against its formulas computed key by key:
// Che's approximation for LRU (the simulation is validated against the
// same formula in tests/models/theory_data_tier_test.cpp), the TTL renewal
// ratio, and the bucketing of large key spaces.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "analysis/cache_hit_ratio.hpp"

namespace {

using capsim::CacheSpec;
using capsim::analysis::cache_hit_ratio;

CacheSpec cache(std::uint64_t keys, double zipf, std::uint64_t capacity, double ttl) {
    CacheSpec c;
    c.keys = keys;
    c.zipf = zipf;
    c.capacity = capacity;
    c.ttl = ttl;
    return c;
}

// Che's approximation summed over every key, for reference.
double che_exact(std::uint64_t keys, double s, std::uint64_t capacity) {
    std::vector<double> p(keys);
    double total = 0.0;
    for (std::uint64_t i = 0; i < keys; ++i)
        total += p[i] = std::pow(static_cast<double>(i) + 1.0, -s);
    for (double& x : p) x /= total;
    auto occupancy = [&](double t) {
        double n = 0.0;
        for (double x : p) n += -std::expm1(-x * t);
        return n;
    };
    double lo = 0.0, hi = 1.0;
    while (occupancy(hi) < static_cast<double>(capacity)) hi *= 2.0;
    for (int i = 0; i < 200; ++i) {
        const double mid = 0.5 * (lo + hi);
        (occupancy(mid) < static_cast<double>(capacity) ? lo : hi) = mid;
    }
    double hit = 0.0;
    for (double x : p) hit += x * -std::expm1(-x * lo);
    return hit;
}

}  // namespace

TEST_CASE("cache_hit_ratio: LRU under Zipf keys is Che's approximation", "[unit]") {
    // Small enough to be summed exactly by both.
    CHECK(cache_hit_ratio(cache(1000, 0.8, 100, CacheSpec::kNoTtl), 50.0) ==
          Approx(che_exact(1000, 0.8, 100)).margin(1e-9));
    // 200,000 keys: bucketed beyond the first 2,000; within 0.1 percentage point.
    CHECK(cache_hit_ratio(cache(200000, 0.9, 20000, CacheSpec::kNoTtl), 1.0) ==
          Approx(che_exact(200000, 0.9, 20000)).margin(1e-3));
    CHECK(cache_hit_ratio(cache(200000, 1.0, 5000, CacheSpec::kNoTtl), 1.0) ==
          Approx(che_exact(200000, 1.0, 5000)).margin(1e-3));
    // Uniform keys: Che gives capacity / keys exactly.
    CHECK(cache_hit_ratio(cache(1000, 0.0, 250, CacheSpec::kNoTtl), 1.0) ==
          Approx(0.25).margin(1e-9));
    // Without a TTL, Che's ratio does not depend on the lookup rate.
    CHECK(cache_hit_ratio(cache(5000, 0.9, 500, CacheSpec::kNoTtl), 1.0) ==
          Approx(cache_hit_ratio(cache(5000, 0.9, 500, CacheSpec::kNoTtl), 1e4)));
}

TEST_CASE("cache_hit_ratio: a TTL alone hits lambda T / (1 + lambda T) per key", "[unit]") {
    // One hot key at 2,000 lookups/s with a 10 s TTL: one miss per 20,001.
    CHECK(cache_hit_ratio(cache(1, 1.0, 10000, 10.0), 2000.0) ==
          Approx(20000.0 / 20001.0).epsilon(1e-12));
    // 100 equally popular keys at 1/s each, TTL 2 s: 2/3.
    CHECK(cache_hit_ratio(cache(100, 0.0, 1000, 2.0), 100.0) == Approx(2.0 / 3.0).epsilon(1e-12));
}

TEST_CASE("cache_hit_ratio: LRU and a TTL together take the smaller per key", "[unit]") {
    const double lru = cache_hit_ratio(cache(100000, 0.9, 10000, CacheSpec::kNoTtl), 3000.0);
    const double ttl = cache_hit_ratio(cache(100000, 0.9, 1000000, 300.0), 3000.0);
    const double both = cache_hit_ratio(cache(100000, 0.9, 10000, 300.0), 3000.0);
    CHECK(both <= std::min(lru, ttl) + 1e-12);
    CHECK(both > 0.5 * std::min(lru, ttl));
    CacheSpec fixed = cache(100, 1.0, 10, CacheSpec::kNoTtl);
    fixed.hit_ratio = 0.9;
    CHECK(cache_hit_ratio(fixed, 10.0) == 0.9);
}

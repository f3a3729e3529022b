// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#include "engine/histogram.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>
#include <vector>

#include "engine/random.hpp"

using capsim::Histogram;
using capsim::Rng;

namespace {

const std::vector<double> kQuantiles = {0.0, 0.001, 0.01, 0.1, 0.5, 0.9, 0.95, 0.99, 0.999, 1.0};

// Nearest rank, exactly as Histogram documents it.
double exact_quantile(const std::vector<double>& sorted, double q) {
    const double n = static_cast<double>(sorted.size());
    const double r = std::max(1.0, std::ceil(q * n));
    const std::size_t rank = std::min(sorted.size(), static_cast<std::size_t>(r));
    return sorted[rank - 1];
}

Histogram histogram_of(const std::vector<double>& values) {
    Histogram h;
    for (double v : values) {
        h.record(v);
    }
    return h;
}

double relative_error(double got, double exact) {
    if (exact == 0.0) {
        return got == 0.0 ? 0.0 : std::numeric_limits<double>::infinity();
    }
    return std::fabs(got - exact) / exact;
}

// Largest relative error of the histogram's quantiles over `qs`.
double worst_error(const std::vector<double>& values, const std::vector<double>& qs) {
    const Histogram h = histogram_of(values);
    std::vector<double> sorted = values;
    std::sort(sorted.begin(), sorted.end());
    double worst = 0.0;
    for (double q : qs) {
        worst = std::max(worst, relative_error(h.quantile(q), exact_quantile(sorted, q)));
    }
    return worst;
}

std::vector<double> fine_grid() {
    std::vector<double> qs;
    for (int i = 0; i <= 2000; ++i) {
        qs.push_back(i / 2000.0);
    }
    return qs;
}

std::vector<double> exponential(std::size_t n, double mean, std::uint64_t seed) {
    Rng rng(seed, 0, "histogram-test-exp");
    std::vector<double> v(n);
    for (double& x : v) {
        x = -std::log(rng.uniform01()) * mean;
    }
    return v;
}

// exp(N(log 1ms, 2.5^2)): the bulk spans about six decades.
std::vector<double> lognormal(std::size_t n, std::uint64_t seed) {
    Rng rng(seed, 0, "histogram-test-lognormal");
    std::vector<double> v(n);
    for (double& x : v) {
        const double z = std::sqrt(-2.0 * std::log(rng.uniform01())) *
                         std::cos(2.0 * std::numbers::pi * rng.uniform01());
        x = std::exp(std::log(1e-3) + 2.5 * z);
    }
    return v;
}

// Log-uniform on [lo, hi): every sub-bucket in between gets samples.
std::vector<double> log_uniform(std::size_t n, double lo, double hi, std::uint64_t seed) {
    Rng rng(seed, 0, "histogram-test-loguniform");
    std::vector<double> v(n);
    const double span = std::log(hi / lo);
    for (double& x : v) {
        x = std::min(lo * std::exp(span * rng.uniform01()), std::nextafter(hi, 0.0));
    }
    return v;
}

// Every bucket's lower bound in the range, and the double just below it.
std::vector<double> bucket_boundaries() {
    std::vector<double> v;
    for (int e = -30; e < 24; ++e) {
        for (int s = 0; s < 128; ++s) {
            const double b = std::ldexp(1.0 + s / 128.0, e);
            v.push_back(b);
            if (b > Histogram::kLowest) {
                v.push_back(std::nextafter(b, 0.0));
            }
        }
    }
    return v;
}

}  // namespace

TEST_CASE("histogram: every quantile within 1% of the exact sample quantile") {
    struct DataSet {
        std::string name;
        std::vector<double> values;
    };
    const std::vector<DataSet> sets = {
        {"exponential, mean 5 ms", exponential(100000, 0.005, 1)},
        {"lognormal over six decades", lognormal(100000, 2)},
        {"log-uniform 1 us .. 1000 s", log_uniform(100000, 1e-6, 1e3, 3)},
        {"constant 0.123 s", std::vector<double>(1000, 0.123)},
        {"constant at a bucket boundary", std::vector<double>(1000, 0.25)},
        {"bucket boundaries and the doubles just below", bucket_boundaries()},
        {"tiny: just above 2^-30 s", log_uniform(20000, Histogram::kLowest, 1e-8, 4)},
        {"huge: up to just below 2^24 s", log_uniform(20000, 1e6, Histogram::kHighest, 5)},
        {"a single value", {42.0}},
        {"two values", {0.001, 1000.0}},
    };
    for (const auto& set : sets) {
        SECTION(set.name) {
            CHECK(worst_error(set.values, kQuantiles) <= 0.01);
            CHECK(worst_error(set.values, fine_grid()) <= 0.01);
        }
    }
}

TEST_CASE("histogram: the error bound is in fact half a sub-bucket, 1/256") {
    const double bound = 1.0 / 256.0 + 1e-15;
    CHECK(worst_error(lognormal(100000, 6), fine_grid()) <= bound);
    CHECK(worst_error(bucket_boundaries(), fine_grid()) <= bound);
    CHECK(worst_error(log_uniform(50000, 1e-9, 1e7, 7), fine_grid()) <= bound);
}

TEST_CASE("histogram: zeros are exact and quantiles of mostly-zero data return 0") {
    std::vector<double> values = exponential(1000, 0.01, 8);
    values.insert(values.end(), 3000, 0.0);  // idle station: most waits are zero
    const Histogram h = histogram_of(values);
    CHECK(h.quantile(0.0) == 0.0);
    CHECK(h.quantile(0.5) == 0.0);
    CHECK(h.quantile(0.75) == 0.0);
    CHECK(h.quantile(0.76) > 0.0);
    CHECK(worst_error(values, fine_grid()) <= 0.01);
    CHECK(h.min() == 0.0);
}

TEST_CASE("histogram: negative rounding noise and NaN are recorded as zero") {
    Histogram h;
    h.record(-1e-18);
    h.record(std::numeric_limits<double>::quiet_NaN());
    CHECK(h.count() == 2);
    CHECK(h.sum() == 0.0);
    CHECK(h.min() == 0.0);
    CHECK(h.max() == 0.0);
    CHECK(h.quantile(1.0) == 0.0);
}

TEST_CASE("histogram: values below the range keep an absolute error under 1 ns") {
    const std::vector<double> tiny = log_uniform(10000, 1e-15, Histogram::kLowest, 9);
    const Histogram h = histogram_of(tiny);
    std::vector<double> sorted = tiny;
    std::sort(sorted.begin(), sorted.end());
    for (double q : kQuantiles) {
        const double got = h.quantile(q);
        CHECK(std::fabs(got - exact_quantile(sorted, q)) < Histogram::kLowest);
        CHECK(got >= h.min());
        CHECK(got <= h.max());
    }
    // One tiny value alone is reported exactly thanks to the [min, max] clamp.
    Histogram one;
    one.record(3e-12);
    CHECK(one.quantile(0.5) == 3e-12);
}

TEST_CASE("histogram: values above the range report the exact maximum") {
    Histogram h;
    for (int i = 0; i < 99; ++i) {
        h.record(1.0);
    }
    h.record(1e9);
    CHECK(h.quantile(1.0) == 1e9);
    CHECK(h.max() == 1e9);
    CHECK(relative_error(h.quantile(0.99), 1.0) <= 0.01);
    CHECK(relative_error(h.quantile(0.5), 1.0) <= 0.01);
}

TEST_CASE("histogram: min, max, sum and mean are exact, and so are quantiles 0 and 1") {
    const std::vector<double> values = exponential(10000, 0.02, 10);
    const Histogram h = histogram_of(values);
    double sum = 0.0;
    for (double v : values) {
        sum += v;
    }
    CHECK(h.count() == values.size());
    CHECK(h.sum() == sum);  // same additions in the same order
    CHECK(h.mean() == sum / static_cast<double>(values.size()));
    CHECK(h.min() == *std::min_element(values.begin(), values.end()));
    CHECK(h.max() == *std::max_element(values.begin(), values.end()));
    CHECK(h.quantile(0.0) == h.min());
    CHECK(h.quantile(1.0) == h.max());
}

TEST_CASE("histogram: merging two halves gives the histogram of the whole") {
    const std::vector<double> values = lognormal(50000, 11);
    const std::vector<double> first(values.begin(), values.begin() + 20000);
    const std::vector<double> second(values.begin() + 20000, values.end());
    const Histogram whole = histogram_of(values);
    Histogram merged = histogram_of(first);
    merged.merge(histogram_of(second));

    CHECK(merged.count() == whole.count());
    CHECK(merged.sum() == Approx(whole.sum()).epsilon(1e-12));
    CHECK(merged.min() == whole.min());
    CHECK(merged.max() == whole.max());
    for (double q : fine_grid()) {
        INFO("q = " << q);
        CHECK(merged.quantile(q) == whole.quantile(q));
    }
}

TEST_CASE("histogram: merging with an empty histogram changes nothing") {
    const Histogram data = histogram_of(exponential(1000, 1.0, 12));
    Histogram into_empty;
    into_empty.merge(data);
    Histogram from_empty = data;
    from_empty.merge(Histogram{});
    for (double q : kQuantiles) {
        CHECK(into_empty.quantile(q) == data.quantile(q));
        CHECK(from_empty.quantile(q) == data.quantile(q));
    }
    CHECK(into_empty.count() == data.count());
    CHECK(from_empty.count() == data.count());
    CHECK(into_empty.min() == data.min());
    CHECK(into_empty.max() == data.max());
}

TEST_CASE("histogram: after clear() it behaves like a new histogram") {
    const std::vector<double> later = exponential(5000, 0.003, 14);
    Histogram h = histogram_of(log_uniform(5000, 1e-9, 1e7, 13));
    h.clear();
    CHECK(h.count() == 0);
    CHECK(h.sum() == 0.0);
    CHECK(h.quantile(0.5) == 0.0);
    for (double v : later) {
        h.record(v);
    }

    const Histogram fresh = histogram_of(later);
    CHECK(h.count() == fresh.count());
    CHECK(h.sum() == fresh.sum());
    CHECK(h.min() == fresh.min());
    CHECK(h.max() == fresh.max());
    for (double q : fine_grid()) {
        CHECK(h.quantile(q) == fresh.quantile(q));
    }

    // Clearing twice, and clearing an empty histogram, are harmless.
    h.clear();
    h.clear();
    Histogram{}.clear();
    CHECK(h.count() == 0);
}

TEST_CASE("histogram: an empty histogram reports count 0 and quantiles 0") {
    const Histogram h;
    CHECK(h.count() == 0);
    CHECK(h.sum() == 0.0);
    CHECK(h.mean() == 0.0);
    CHECK(h.min() == 0.0);
    CHECK(h.max() == 0.0);
    for (double q : kQuantiles) {
        CHECK(h.quantile(q) == 0.0);
    }
}

TEST_CASE("histogram: memory is fixed whatever is recorded") {
    Histogram h;
    const std::size_t buckets = h.bucket_count();
    CHECK(buckets == Histogram::kBucketCount);
    CHECK(buckets * sizeof(std::uint64_t) < std::size_t{56} * 1024);
    for (double v : log_uniform(200000, 1e-12, 1e9, 15)) {
        h.record(v);
    }
    h.record(0.0);
    h.record(1e300);
    CHECK(h.bucket_count() == buckets);
    h.merge(h);
    CHECK(h.bucket_count() == buckets);
    h.clear();
    CHECK(h.bucket_count() == buckets);
}

TEST_CASE("histogram: bucket layout covers 2^-30 to 2^24 with 128 sub-buckets per octave") {
    CHECK(Histogram::bucket_of(0.0) == Histogram::kZeroBucket);
    CHECK(Histogram::bucket_of(std::nextafter(Histogram::kLowest, 0.0)) ==
          Histogram::kUnderflowBucket);
    CHECK(Histogram::bucket_of(Histogram::kLowest) == Histogram::kFirstBucket);
    CHECK(Histogram::bucket_of(Histogram::kLowest * (1.0 + 1.0 / 128)) ==
          Histogram::kFirstBucket + 1);
    CHECK(Histogram::bucket_of(Histogram::kLowest * 2) == Histogram::kFirstBucket + 128);
    CHECK(Histogram::bucket_of(std::nextafter(Histogram::kHighest, 0.0)) ==
          Histogram::kOverflowBucket - 1);
    CHECK(Histogram::bucket_of(Histogram::kHighest) == Histogram::kOverflowBucket);
    CHECK(Histogram::bucket_of(std::numeric_limits<double>::infinity()) ==
          Histogram::kOverflowBucket);

    // Monotone, and each bucket starts exactly at its boundary.
    std::uint32_t previous = Histogram::kUnderflowBucket;
    for (int e = -30; e < 24; ++e) {
        for (int s = 0; s < 128; ++s) {
            const double b = std::ldexp(1.0 + s / 128.0, e);
            const std::uint32_t i = Histogram::bucket_of(b);
            CHECK(i == previous + 1);
            CHECK(Histogram::bucket_of(std::nextafter(b, 0.0)) == previous);
            previous = i;
        }
    }
}

TEST_CASE("histogram: quantile arguments outside [0, 1] are clamped") {
    const Histogram h = histogram_of({1.0, 2.0, 3.0});
    CHECK(h.quantile(-0.5) == h.quantile(0.0));
    CHECK(h.quantile(1.5) == h.quantile(1.0));
}

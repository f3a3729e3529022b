// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#pragma once

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace capsim {

/// Log-linear histogram of non-negative values (seconds): 128 linear
/// sub-buckets per power of two, so any reported quantile is within 1% of
/// the exact sample quantile (0.4% in fact: half a bucket's width). Memory is
/// fixed (~55 KB) whatever the run length; histograms of one layout merge
/// exactly by adding counts, which is how replications combine.
///
/// The log-linear range is [2^-30 s, 2^24 s) (about 1 ns to 194 days).
/// Exact zeros have a bucket of their own, since a zero wait is the common
/// case of an idle station; values in (0, 2^-30) share an underflow bucket and
/// values >= 2^24 an overflow bucket. Negative values (rounding noise in time
/// differences) and NaN are recorded as 0.
class Histogram {
  public:
    /// Smallest value with relative precision; below it, absolute error < 1 ns.
    static constexpr double kLowest = 0x1.0p-30;
    /// First value past the log-linear range; quantiles above it report max().
    static constexpr double kHighest = 0x1.0p24;
    static constexpr int kSubBucketBits = 7;       // 128 sub-buckets per octave
    static constexpr std::uint32_t kOctaves = 54;  // 2^-30 .. 2^24
    static constexpr std::uint32_t kZeroBucket = 0;
    static constexpr std::uint32_t kUnderflowBucket = 1;
    static constexpr std::uint32_t kFirstBucket = 2;
    static constexpr std::uint32_t kOverflowBucket = kFirstBucket + (kOctaves << kSubBucketBits);
    static constexpr std::uint32_t kBucketCount = kOverflowBucket + 1;

    Histogram();

    void record(double v);
    void merge(const Histogram& other);
    /// Forget all samples; cost proportional to the buckets touched since
    /// the last clear, so per-window histograms stay cheap.
    void clear();

    std::uint64_t count() const { return count_; }
    double sum() const { return sum_; }
    double mean() const;
    double min() const;
    double max() const;
    /// The q-quantile (0 <= q <= 1) by nearest rank: the value v such that
    /// ceil(q * count) samples are <= v; clamped to [min, max]. 0 when empty.
    double quantile(double q) const;

    /// Samples in bucket `bucket` and those above it.
    std::uint64_t count_from(std::uint32_t bucket) const;

    /// Number of buckets: a constant of the layout, never grows.
    std::size_t bucket_count() const { return counts_.size(); }
    /// The bucket a value falls in (after the negative/NaN-to-0 rule).
    static std::uint32_t bucket_of(double v);

  private:
    // Bits 52..62 of a positive double are its biased exponent and bits
    // 45..51 the top 7 mantissa bits, so (bits >> 45) is a monotone bucket
    // number: exponent * 128 + sub-bucket. This offset maps 2^-30 to
    // kFirstBucket.
    static constexpr std::uint64_t kIndexOffset =
        (std::bit_cast<std::uint64_t>(kLowest) >> (52 - kSubBucketBits)) - kFirstBucket;

    static constexpr std::uint64_t kLowestBits = std::bit_cast<std::uint64_t>(kLowest);
    static constexpr std::uint64_t kRangeBits =
        std::bit_cast<std::uint64_t>(kHighest) - kLowestBits;

    double bucket_value(std::uint32_t bucket) const;

    std::vector<std::uint64_t> counts_;
    std::uint64_t count_ = 0;
    double sum_ = 0.0;
    double min_;
    double max_;
    // The lowest and highest buckets holding samples (count_ > 0): those of
    // the extremes, since bucket_of is monotone. Derived rather than kept,
    // so record() does not maintain them for every sample.
    std::uint32_t lo() const { return bucket_of(min_); }
    std::uint32_t hi() const { return bucket_of(max_); }
};

inline std::uint32_t Histogram::bucket_of(double v) {
    // The negated comparison also catches NaN.
    if (!(v >= kLowest)) {
        return v > 0.0 ? kUnderflowBucket : kZeroBucket;
    }
    if (v >= kHighest) {
        return kOverflowBucket;
    }
    return static_cast<std::uint32_t>((std::bit_cast<std::uint64_t>(v) >> (52 - kSubBucketBits)) -
                                      kIndexOffset);
}

// Inline: called once or more per simulated request, it must compile to a
// handful of instructions and never allocate.
inline void Histogram::record(double v) {
    // One unsigned comparison of the bits finds the common case, a value in
    // the log-linear range: a negative value's sign bit and a NaN's or an
    // infinity's exponent put them past it, as they put 0 and tiny values below.
    const std::uint64_t bits = std::bit_cast<std::uint64_t>(v) - kLowestBits;
    std::uint32_t b;
    if (bits < kRangeBits) [[likely]] {
        b = static_cast<std::uint32_t>(bits >> (52 - kSubBucketBits)) + kFirstBucket;
    } else {
        if (!(v > 0.0)) {
            v = 0.0;
        }
        b = bucket_of(v);
    }
    ++counts_[b];
    ++count_;
    sum_ += v;
    min_ = std::min(min_, v);
    max_ = std::max(max_, v);
}

}  // namespace capsim

// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#include "engine/histogram.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

namespace capsim {

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
}

Histogram::Histogram() : counts_(kBucketCount, 0), min_(kInf), max_(-kInf) {}

void Histogram::merge(const Histogram& other) {
    if (other.count_ == 0) {
        return;
    }
    const std::uint32_t hi = other.hi();
    for (std::uint32_t b = other.lo(); b <= hi; ++b) {
        counts_[b] += other.counts_[b];
    }
    count_ += other.count_;
    sum_ += other.sum_;
    min_ = std::min(min_, other.min_);
    max_ = std::max(max_, other.max_);
}

void Histogram::clear() {
    // memset, not std::fill: GCC leaves the fill a scalar loop, and a
    // window's range spans about a thousand buckets for a few samples.
    if (count_ > 0) {
        const std::uint32_t lo = this->lo();
        std::memset(counts_.data() + lo, 0, (hi() - lo + 1) * sizeof(std::uint64_t));
    }
    count_ = 0;
    sum_ = 0.0;
    min_ = kInf;
    max_ = -kInf;
}

std::uint64_t Histogram::count_from(std::uint32_t bucket) const {
    std::uint64_t n = 0;
    for (std::uint32_t b = bucket; b < counts_.size(); ++b) n += counts_[b];
    return n;
}

double Histogram::mean() const {
    return count_ == 0 ? 0.0 : sum_ / static_cast<double>(count_);
}

double Histogram::min() const {
    return count_ == 0 ? 0.0 : min_;
}

double Histogram::max() const {
    return count_ == 0 ? 0.0 : max_;
}

// The representative of a bucket before clamping. For a log-linear bucket
// it is the midpoint: a bucket [L, L + w) has w = L_octave / 128 <= L / 128,
// so the midpoint is within w / 2 <= L / 256 (0.39%) of any member.
double Histogram::bucket_value(std::uint32_t bucket) const {
    if (bucket == kZeroBucket) {
        return 0.0;
    }
    // Nothing is known inside (0, 2^-30) but its bounds; the clamp to
    // [min, max] makes a single tiny value exact, and the error is < 1 ns.
    if (bucket == kUnderflowBucket) {
        return kLowest / 2;
    }
    // No upper bound past the range: report the largest value seen, which
    // errs on the pessimistic side for latencies.
    if (bucket == kOverflowBucket) {
        return max_;
    }
    // Lower bound's bits with the next mantissa bit set: exactly L + w / 2.
    const std::uint64_t lower = (bucket + kIndexOffset) << (52 - kSubBucketBits);
    return std::bit_cast<double>(lower | (std::uint64_t{1} << (51 - kSubBucketBits)));
}

double Histogram::quantile(double q) const {
    if (count_ == 0) {
        return 0.0;
    }
    q = std::clamp(q, 0.0, 1.0);  // NaN stays NaN and falls to rank 1 below
    const double n = static_cast<double>(count_);
    const double r = std::ceil(q * n);
    const std::uint64_t rank =
        r >= 1.0 ? std::min(count_, static_cast<std::uint64_t>(r)) : std::uint64_t{1};

    // The extreme ranks are known exactly.
    if (rank == 1) {
        return min_;
    }
    if (rank == count_) {
        return max_;
    }

    // Walk from the nearer end: high percentiles are the ones reports ask
    // for, and they sit in the top buckets. A rank in the lower half is
    // walked to from the top too when the mean's bucket is nearer the top:
    // latencies are skewed right, and the octaves below a median hold more
    // buckets than those above it. Blocks of kStride buckets are
    // summed first (the sums vectorise) and the block that reaches the rank
    // is walked bucket by bucket: a window's median sits a thousand or so
    // buckets up, for a few dozen samples. The bucket found is the one a
    // plain walk finds.
    constexpr std::uint32_t kStride = 8;
    auto block = [this](std::uint32_t first) {
        std::uint64_t s = 0;
        for (std::uint32_t k = 0; k < kStride; ++k) s += counts_[first + k];
        return s;
    };
    const std::uint32_t lo = this->lo(), hi = this->hi();
    std::uint32_t b;
    std::uint64_t seen = 0;
    bool from_bottom = rank <= count_ / 2;
    if (from_bottom) {
        const std::uint32_t guess = bucket_of(mean());
        from_bottom = guess - lo <= hi - guess;
    }
    if (from_bottom) {
        for (b = lo; b + kStride <= hi; b += kStride) {
            const std::uint64_t s = block(b);
            if (seen + s >= rank) break;
            seen += s;
        }
        for (; b < hi; ++b) {
            seen += counts_[b];
            if (seen >= rank) break;
        }
    } else {
        // The rank-th smallest is the (count - rank + 1)-th largest.
        const std::uint64_t from_top = count_ - rank + 1;
        for (b = hi; b >= lo + kStride; b -= kStride) {
            const std::uint64_t s = block(b - kStride + 1);
            if (seen + s >= from_top) break;
            seen += s;
        }
        for (; b > lo; --b) {
            seen += counts_[b];
            if (seen >= from_top) break;
        }
    }
    return std::clamp(bucket_value(b), min_, max_);
}

}  // namespace capsim

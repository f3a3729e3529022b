// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>

#include "models/policy.hpp"

namespace capsim {

/// A token bucket of `burst` tokens refilled at `rate` per second, one
/// taken per request, starting full — kept as the generic cell rate
/// algorithm's theoretical arrival time (ITU-T I.371): the same decisions
/// as counting fractional tokens, but `next_allowed` is a time at which
/// `try_take` passes exactly, with no rounding to wake a waiter too early.
class TokenBucket {
  public:
    TokenBucket(double rate, double burst)
        : interval_(1.0 / rate), tolerance_((burst - 1.0) / rate) {}

    /// Take a token now if there is one.
    bool try_take(double now) {
        if (now < next_allowed(now)) return false;
        tat_ = std::max(tat_, now) + interval_;
        return true;
    }

    /// When the next token will be there (now, if one already is): what a
    /// 429's Retry-After tells the client.
    double next_allowed(double now) const { return std::max(now, tat_ - tolerance_); }

  private:
    double interval_, tolerance_;
    double tat_ = 0.0;
};

/// A sliding-window counter (Cloudflare's approximation of a sliding log):
/// a request passes while the estimate of requests in the last `window` —
/// this fixed window's count plus the previous one's weighted by how much
/// of it the sliding window still covers — is below `limit`. O(1) in
/// memory per key; never more than `limit` in a fixed window.
class SlidingWindow {
  public:
    SlidingWindow(double limit, double window) : limit_(limit), window_(window) {}

    // Passing is decided by `next_allowed` itself, so a waiter woken at
    // the time it returned passes even where the estimate there rounds to
    // a hair above the limit.
    bool try_take(double now) {
        if (now < next_allowed(now)) return false;
        current_ += 1.0;
        return true;
    }

    double next_allowed(double now) {
        roll(now);
        if (estimate(now) < limit_) return now;
        // Within this window the estimate falls as the previous window's
        // weight does; failing that, the next window starts with this one
        // as its previous. The time is where the estimate equals the limit.
        if (previous_ > 0.0 && current_ < limit_) {
            const double weight = (limit_ - current_) / previous_;
            return start_ + window_ * (1.0 - weight);
        }
        const double next = start_ + window_;
        const double weight = current_ > 0.0 ? limit_ / current_ : 1.0;
        return next + window_ * std::max(0.0, 1.0 - weight);
    }

  private:
    double estimate(double now) const {
        const double covered = 1.0 - (now - start_) / window_;
        return previous_ * covered + current_;
    }

    void roll(double now) {
        if (now < start_ + window_) return;
        const double passed = std::floor((now - start_) / window_);
        previous_ = passed >= 2.0 ? 0.0 : current_;
        current_ = 0.0;
        start_ += passed * window_;
    }

    double limit_, window_;
    double start_ = 0.0, previous_ = 0.0, current_ = 0.0;
};

/// One key's limiter (the whole service's, a client class's or one
/// client's), of either kind.
class RateLimiter {
  public:
    explicit RateLimiter(const RateLimitSpec& s)
        : kind_(s.kind),
          bucket_(s.rate, s.burst > 0.0 ? s.burst : std::max(1.0, s.rate)),
          window_(s.rate * s.window, s.window) {}

    bool try_take(double now) {
        return kind_ == LimiterKind::TokenBucket ? bucket_.try_take(now) : window_.try_take(now);
    }
    double next_allowed(double now) {
        return kind_ == LimiterKind::TokenBucket ? bucket_.next_allowed(now)
                                                 : window_.next_allowed(now);
    }

  private:
    LimiterKind kind_;
    TokenBucket bucket_;
    SlidingWindow window_;
};

}  // namespace capsim

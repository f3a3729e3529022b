// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#pragma once

#include "engine/rolling_window.hpp"
#include "models/policy.hpp"

namespace capsim {

/// Finagle's RetryBudget: over the last `budget_window` seconds, retries
/// may be at most `budget` x first attempts plus `budget_min` per second.
/// Unlike a cap on attempts per request, it bounds the extra load a
/// failing dependency receives from all requests together.
class RetryBudget {
  public:
    explicit RetryBudget(const RetrySpec& spec) : spec_(&spec) {
        window_.configure(spec.budget_window);
    }

    void first_attempt(double now) { window_.add(now, 0, 1.0); }

    /// Whether a retry may go now; if so it is counted against the budget.
    bool try_retry(double now) {
        if (spec_->budget < 0.0) return true;
        const double allowed =
            spec_->budget * window_.sum(now, 0) + spec_->budget_min * spec_->budget_window;
        if (window_.sum(now, 1) + 1.0 > allowed) return false;
        window_.add(now, 1, 1.0);
        return true;
    }

  private:
    const RetrySpec* spec_;
    RollingWindow<2> window_;  // first attempts, retries
};

}  // namespace capsim

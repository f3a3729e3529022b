// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace capsim {

struct StepSpec;
using BlockSpec = std::vector<StepSpec>;

/// How long a retry waits: `base` before the first retry, times
/// `multiplier` for each next one (1 for constant), at most `cap`; jitter
/// spreads the waits so clients that failed together do not retry together.
/// Full: uniform(0, w). Equal: w/2 + uniform(0, w/2). Decorrelated (AWS):
/// uniform(base, 3 x previous wait), at most cap.
enum class Jitter : std::uint8_t { None, Full, Equal, Decorrelated };

/// Retries of a failed attempt. `on` is a bit set of ErrorCause values the
/// caller retries. A budget caps retries at `budget` x first attempts over
/// the last `budget_window` seconds, plus `budget_min` retries per second
/// (Finagle's RetryBudget), so a dependency that fails everything gets
/// roughly 1 + budget times its normal load instead of `attempts` times.
struct RetrySpec {
    static constexpr double kNoBudget = -1.0;
    std::uint32_t attempts = 1;  // the first one included; 1 = no retry
    std::uint32_t on = 0;
    double base = 0.1;
    double multiplier = 2.0;
    double cap = 10.0;
    Jitter jitter = Jitter::None;
    double budget = kNoBudget;
    double budget_window = 10.0;
    double budget_min = 0.0;  // retries per second always allowed
};

/// A circuit breaker (Resilience4j's model). Closed, it counts the
/// outcomes of the last `window` seconds (or the last `window_calls`
/// calls); once at least `min_calls` were made and the failure rate
/// reaches `failure_rate` (or the rate of calls slower than `slow_call`
/// reaches `slow_rate`, or `consecutive_failures` fail in a row) it opens:
/// calls fail at once for `open_for`, then `half_open_calls` probes go
/// through; all succeed and it closes, one fails and it opens again.
struct BreakerSpec {
    static constexpr double kNever = std::numeric_limits<double>::infinity();
    bool enabled = false;
    double failure_rate = 0.5;
    std::uint32_t consecutive_failures = 0;  // 0: not used
    double window = 10.0;                    // seconds; time-based window
    std::uint32_t window_calls = 0;          // > 0: count-based window instead
    std::uint32_t min_calls = 20;
    double open_for = 5.0;
    std::uint32_t half_open_calls = 3;
    double slow_call = kNever;
    double slow_rate = 1.0;
};

/// The policies on one call, query or cache step, or on a traffic source's
/// requests (the client's own timeout and retries). The timeout bounds one
/// attempt; when it fires the caller moves on and the callee's work goes on
/// (zombie work, still holding its worker, connection and locks) unless
/// `propagate_deadline`, which hands the deadline down so the callee drops
/// the work at its next step. `fallback`, when present, runs instead of
/// failing once the attempts are exhausted or the breaker is open.
struct PolicySpec {
    static constexpr double kNoTimeout = std::numeric_limits<double>::infinity();
    std::string path;
    double timeout = kNoTimeout;
    bool propagate_deadline = false;
    RetrySpec retry;
    BreakerSpec breaker;
    bool has_fallback = false;
    BlockSpec fallback;
};

}  // namespace capsim

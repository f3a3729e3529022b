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
    // A 429 tells the client when to come back (Retry-After); a client that
    // honours it waits at least that long. Bots do not.
    bool respect_retry_after = false;
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

/// A bulkhead (Resilience4j's semaphore bulkhead): at most `size` calls
/// through the step at once per replica of the calling service, so a slow
/// dependency can hold that many of the caller's workers and no more. A
/// call that finds it full waits at most `max_wait` for a place (first come,
/// first served), then fails with `bulkhead_full`.
struct BulkheadSpec {
    bool enabled = false;
    std::uint32_t size = 0;
    double max_wait = 0.0;
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
    BulkheadSpec bulkhead;
    bool has_fallback = false;
    BlockSpec fallback;
};

enum class LimiterKind : std::uint8_t { TokenBucket, SlidingWindow };
/// What a rate limit counts separately: all requests, each client class
/// (a source's `class`), or each client (an id drawn from its source's
/// population of `clients`).
enum class LimiterKey : std::uint8_t { Global, Class, Client };

/// A rate limit in front of a service (an API gateway's, nginx's
/// limit_req, a middleware's): `rate` requests per second per key, as a
/// token bucket of `burst` tokens or a sliding window of `window`. The
/// excess is refused at once with `rate_limited` (a 429 whose Retry-After
/// is when the next request would pass), or, with `queue`, waits for its
/// turn, at most `queue_capacity` waiting per key.
/// An adaptive concurrency limit per replica (AIMD on latency, as
/// Netflix's concurrency-limits does): a request that finds `limit`
/// requests in flight at its replica (queued or holding a worker) is
/// refused with `concurrency_limited`; each request that ends within
/// `target` raises the limit by 1/limit (one per limit's worth), each that
/// ends later multiplies it by `backoff`, within [min, max].
struct AdaptiveLimitSpec {
    std::string path;
    double target = 0.0;  // seconds
    double initial = 10.0;
    double min = 1.0;
    double max = 1000.0;
    double backoff = 0.9;
};

struct RateLimitSpec {
    static constexpr std::uint64_t kUnbounded = std::numeric_limits<std::uint64_t>::max();
    std::string path;
    LimiterKind kind = LimiterKind::TokenBucket;
    double rate = 0.0;
    double burst = 0.0;  // 0: one second of `rate` (at least 1)
    double window = 1.0;
    LimiterKey per = LimiterKey::Global;
    bool queue = false;
    std::uint64_t queue_capacity = kUnbounded;
};

}  // namespace capsim

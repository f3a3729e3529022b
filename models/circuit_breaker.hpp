// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "engine/rolling_window.hpp"
#include "models/policy.hpp"

namespace capsim {

/// One caller's circuit breaker on one dependency (a breaker lives in each
/// client instance, so each replica of the calling service has its own).
/// The owner schedules the end of the open period and calls half_open()
/// then, so time spent open is exact even when no call arrives.
class CircuitBreaker {
  public:
    enum class State : std::uint8_t { Closed, Open, HalfOpen };
    /// What allow() decided: refuse the call, let it through while closed,
    /// or let it through as a half-open probe.
    enum class Permit : std::uint8_t { Denied, Call, Probe };

    explicit CircuitBreaker(const BreakerSpec& spec) : spec_(&spec) {
        if (spec.window_calls == 0) window_.configure(spec.window);
        if (spec.window_calls > 0) ring_.assign(spec.window_calls, 0);
    }

    State state() const { return state_; }

    Permit allow() {
        if (state_ == State::Closed) return Permit::Call;
        if (state_ == State::Open || probes_ >= spec_->half_open_calls) return Permit::Denied;
        ++probes_;
        return Permit::Probe;
    }

    /// A permitted call ended. Returns true when it opened the breaker: the
    /// owner then schedules half_open() at now + open_for.
    bool record(double now, Permit permit, bool failed, bool slow) {
        if (permit == Permit::Probe) {
            if (state_ != State::HalfOpen) return false;
            if (failed || slow) return trip();
            if (++probes_ok_ >= spec_->half_open_calls) close();
            return false;
        }
        // A call let through before the breaker opened tells nothing new.
        if (state_ != State::Closed) return false;
        consecutive_ = failed ? consecutive_ + 1 : 0;
        double calls = 0.0, failures = 0.0, slows = 0.0;
        if (spec_->window_calls > 0) {
            const std::uint8_t outcome =
                static_cast<std::uint8_t>((failed ? 1 : 0) | (slow ? 2 : 0));
            if (filled_ == ring_.size()) {
                failures_ -= ring_[next_] & 1;
                slows_ -= (ring_[next_] >> 1) & 1;
            } else {
                ++filled_;
            }
            ring_[next_] = outcome;
            next_ = (next_ + 1) % ring_.size();
            failures_ += failed ? 1 : 0;
            slows_ += slow ? 1 : 0;
            calls = static_cast<double>(filled_);
            failures = static_cast<double>(failures_);
            slows = static_cast<double>(slows_);
        } else {
            window_.add(now, 0, 1.0);
            if (failed) window_.add(now, 1, 1.0);
            if (slow) window_.add(now, 2, 1.0);
            calls = window_.sum(now, 0);
            failures = window_.sum(now, 1);
            slows = window_.sum(now, 2);
        }
        if (spec_->consecutive_failures > 0 && consecutive_ >= spec_->consecutive_failures)
            return trip();
        if (calls < spec_->min_calls || calls <= 0.0) return false;
        if (failures / calls >= spec_->failure_rate || slows / calls >= spec_->slow_rate)
            return trip();
        return false;
    }

    /// The open period is over: let probes through.
    void half_open() {
        state_ = State::HalfOpen;
        probes_ = 0;
        probes_ok_ = 0;
    }

  private:
    bool trip() {
        state_ = State::Open;
        return true;
    }

    // Closing starts a fresh window: the failures that opened it are history.
    void close() {
        state_ = State::Closed;
        consecutive_ = 0;
        window_.clear();
        std::fill(ring_.begin(), ring_.end(), 0);
        filled_ = next_ = 0;
        failures_ = slows_ = 0;
    }

    const BreakerSpec* spec_;
    State state_ = State::Closed;
    std::uint32_t consecutive_ = 0;
    std::uint32_t probes_ = 0, probes_ok_ = 0;
    RollingWindow<3> window_;         // time-based: calls, failures, slow calls
    std::vector<std::uint8_t> ring_;  // count-based: the last outcomes (bit 0 failed, bit 1 slow)
    std::size_t filled_ = 0, next_ = 0;  // count-based ring position
    std::uint32_t failures_ = 0, slows_ = 0;
};

}  // namespace capsim

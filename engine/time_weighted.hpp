// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#pragma once

namespace capsim {

/// Time-average of a piecewise-constant quantity such as a queue length or
/// the number of busy workers: the integral of the value over simulated time
/// divided by the elapsed time. A plain sample mean over change events would
/// weight a value held for 1 us the same as one held for 1 s.
///
/// Times passed to set(), add() and mean() must not decrease. The default
/// state is reset(0, 0).
class TimeWeighted {
  public:
    /// Start accumulating at `now` with the current `value`, discarding the
    /// past (the end of warm-up). The maximum restarts at `value`.
    void reset(double now, double value) {
        start_ = now;
        last_ = now;
        value_ = value;
        area_ = 0.0;
        max_ = value;
    }

    /// The quantity changes to `value` at `now`.
    void set(double now, double value) {
        area_ += value_ * (now - last_);
        last_ = now;
        value_ = value;
        if (value > max_) {
            max_ = value;
        }
    }

    /// The quantity changes by `delta` at `now` (a request joins or leaves).
    void add(double now, double delta) { set(now, value_ + delta); }

    /// What add(now, -1) then add(now, +1) do, to the last bit, in one
    /// update: the integral runs up to now, the value stays (a core passed
    /// from one request to the next; the second add's interval is zero).
    void hold(double now) {
        area_ += value_ * (now - last_);
        last_ = now;
    }

    double value() const { return value_; }

    /// Time-average over [reset time, now]; the current value while no time
    /// has elapsed, since that is what an observer would see.
    double mean(double now) const {
        const double elapsed = now - start_;
        if (!(elapsed > 0.0)) {
            return value_;
        }
        return (area_ + value_ * (now - last_)) / elapsed;
    }

    /// Integral of the value over [reset time, now]: differences of two
    /// readings give the average over any window without a second
    /// accumulator on the hot path.
    double integral(double now) const { return area_ + value_ * (now - last_); }

    /// Largest value held since the last reset, the value at reset included.
    double max() const { return max_; }

  private:
    double start_ = 0.0;
    double last_ = 0.0;   // time of the last change
    double value_ = 0.0;  // value since last_
    double area_ = 0.0;   // integral of the value over [start_, last_]
    double max_ = 0.0;
};

}  // namespace capsim

// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#pragma once

#include "engine/time_weighted.hpp"

namespace capsim {

/// A time-averaged quantity of a station (busy workers, open connections,
/// queue length) read both over the run and per time-series window. Windows
/// read it through integral snapshots: `window_base` is the integral at the
/// window's start (shifted when the warm-up resets the run's accumulator),
/// so the hot path updates one accumulator, not two.
struct Gauge {
    TimeWeighted run;
    double window_base = 0.0;

    void add(double now, double delta) { run.add(now, delta); }

    /// Mean over the window that ends now, `width` seconds long; starts the next.
    double window_mean(double now, double width) {
        const double integral = run.integral(now);
        const double mean = width > 0.0 ? (integral - window_base) / width : run.value();
        window_base = integral;
        return mean;
    }

    /// The warm-up ended: the run's average restarts, the window keeps its part so far.
    void restart(double now) {
        window_base -= run.integral(now);
        run.reset(now, run.value());
    }
};

}  // namespace capsim

// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#pragma once

#include <atomic>
#include <cstddef>
#include <exception>
#include <functional>

namespace capsim {

/// A run stopped because its caller asked (progress returned false, or a
/// job saw the cancel flag).
struct Interrupted : std::exception {
    const char* what() const noexcept override { return "interrupted"; }
};

/// Called on the thread that started the run, as jobs finish: (done, total).
/// Returning false asks the run to stop (Ctrl-C in a notebook, say).
using Progress = std::function<bool(std::size_t done, std::size_t total)>;

/// Run job(i, cancel) for i in [0, n) on `threads` threads (0: all
/// hardware threads). Jobs write their results to slot i themselves, so
/// the outcome never depends on scheduling. The first exception a job
/// throws cancels the others and is rethrown here once all have stopped.
void parallel_for(std::size_t n, unsigned threads,
                  const std::function<void(std::size_t, const std::atomic<bool>&)>& job,
                  const Progress& progress = {});

}  // namespace capsim

// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#pragma once

#include <atomic>
#include <cstdint>
#include <vector>

#include "engine/arena.hpp"
#include "engine/calendar.hpp"
#include "engine/histogram.hpp"
#include "engine/parallel_runner.hpp"
#include "engine/random.hpp"
#include "engine/time_weighted.hpp"
#include "models/arrival_process.hpp"
#include "models/compiled_model.hpp"
#include "models/cpu_scheduler.hpp"
#include "models/error_cause.hpp"
#include "models/replication_result.hpp"
#include "models/task.hpp"
#include "models/wait_queue.hpp"

namespace capsim {

/// One replication of a compiled model: the calendar, the request and task
/// arenas, the stations' state, and the interpreter that steps tasks
/// through their programs. Runs on one thread; replications run in
/// parallel, each with its own Simulation.
class Simulation {
  public:
    Simulation(const CompiledModel& model, std::uint32_t replication);

    /// Run to the end of the scenario's duration (or until unstable).
    /// `cancel`, when set by another thread, stops the run (Interrupted).
    ReplicationResult run(const std::atomic<bool>* cancel = nullptr);

  private:
    struct Replica {
        std::uint32_t service = 0;
        std::uint32_t free_workers = 0;
        std::uint32_t outstanding = 0;  // queued + holding a worker
        WaitQueue queue;
        CpuScheduler cpu;
    };

    // A time-averaged quantity. Windows read it through integral
    // snapshots: `window_base` is the integral at the window's start
    // (shifted when the warm-up resets the run's accumulator).
    struct Gauge {
        TimeWeighted run;
        double window_base = 0.0;
        void add(double now, double delta) { run.add(now, delta); }
        double window_mean(double now, double width) {
            const double integral = run.integral(now);
            const double mean = width > 0.0 ? (integral - window_base) / width : run.value();
            window_base = integral;
            return mean;
        }
    };

    struct Service {
        std::uint32_t first_replica = 0;
        std::uint32_t replicas = 0;
        std::uint64_t queue_capacity = 0;
        std::uint64_t rr = 0;
        Rng balancer_rng;
        Gauge busy_workers;
        Gauge busy_cores;
        Gauge waiting;
        std::uint64_t window_completions = 0;
    };

    struct EndpointLive {
        Histogram window_latency;
        std::uint64_t window_arrivals = 0;
        std::uint64_t window_completions = 0;
        std::uint64_t window_errors = 0;
    };

    void dispatch(const Event& e);
    void on_cpu_done(std::uint32_t task);
    void on_window();
    void on_warmup_end();

    void start_request(std::uint32_t source, std::uint32_t user);
    std::uint32_t spawn(std::uint32_t parent);
    void wait_for(std::uint32_t task, std::uint32_t needed, std::uint32_t may_fail);
    void admit(std::uint32_t task, std::uint32_t service);
    void admit_at(std::uint32_t task, std::uint32_t service);
    std::uint32_t choose_replica(std::uint32_t service);
    void grant_worker(std::uint32_t task);
    void release_worker(std::uint32_t replica);
    void step(std::uint32_t task);
    void finish(std::uint32_t task);
    void fail(std::uint32_t task, ErrorCause cause);
    void complete(std::uint32_t task, bool ok, ErrorCause cause);
    void drain();
    void cpu_changed(std::uint32_t replica, std::uint32_t busy_before);
    bool measuring(double since) const { return since >= warmup_; }

    const CompiledModel& m_;
    const Program& prog_;
    Calendar cal_;
    Arena<Request> requests_;
    Arena<Task> tasks_;
    Ring<std::uint32_t> ready_;
    std::vector<Replica> replicas_;
    std::vector<Service> services_;
    std::vector<Rng> streams_;  // one per program stream
    std::vector<ArrivalProcess> arrivals_;
    std::vector<Rng> arrival_rng_;
    std::vector<Rng> mix_rng_;
    std::vector<Rng> think_rng_;
    std::vector<std::uint32_t> user_source_;
    std::vector<EndpointLive> live_;
    ReplicationResult out_;
    double now_ = 0.0;
    double warmup_ = 0.0;
    double end_ = 0.0;
    double window_start_ = 0.0;
    bool stop_ = false;
};

}  // namespace capsim

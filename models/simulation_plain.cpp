// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
//
// Plain stations (CompiledEndpoint::plain): the interpreter's path for a
// request that is one cpu step on a worker with a core of its own, with
// every check that cannot apply to such a station left out. Each function
// here does what its generic counterpart in simulation.cpp does for this
// case, in the same order: the same calendar entries (so the same
// sequence numbers), the same draws and the same statistics.
#include <algorithm>

#include "models/event_kind.hpp"
#include "models/simulation.hpp"

namespace capsim {

// admit + place. A full queue's rejection is left to the generic place.
void Simulation::plain_admit(std::uint32_t task, std::uint32_t service, std::uint8_t priority) {
    const std::uint32_t ep = tasks_[task].endpoint;
    if (measuring(now_)) ++out_.endpoints[ep].arrivals;
    ++live_[ep].window_arrivals;
    Service& svc = services_[service];
    Replica& rep = replicas_[svc.first_replica];
    if (rep.free_workers == 0 && rep.queue.size() >= svc.queue_capacity) [[unlikely]] {
        place(task, service);
        return;
    }
    tasks_[task].replica = svc.first_replica;
    ++svc.placed;
    ++rep.outstanding;
    if (rep.free_workers > 0) {
        --rep.free_workers;
        workers_changed(rep, svc, 1.0);
        plain_grant(task);
        return;
    }
    rep.queue.push(task, priority);
    svc.waiting.add(now_, 1.0);
}

// grant_worker + start_cpu. The generic grant defers a task to the ready
// ring when the ring is not empty; here it always is: a plain task is
// granted while its own arrival or a plain completion is dispatched, and
// neither puts anything on the ring first. The attribution is not kept:
// plain_done derives it from the task's times.
void Simulation::plain_grant(std::uint32_t task) {
    Task& t = tasks_[task];
    t.holds_worker = true;
    Replica& rep = replicas_[t.replica];
    if (measuring(now_)) {
        StationResult& st = out_.stations[rep.service];
        ++st.admitted;
        st.wait_sum += now_ - t.mark;
    }
    const double work = duration_of(prog_.code[t.pc]);
    t.work = work;
    t.mark = now_;
    rep.cpu.submit(cal_, now_, task, work);
    cores_changed(rep, 1.0);
}

// The kCpuDone dispatch + on_cpu_done + finish + release_worker, then the
// generic complete.
void Simulation::plain_done(std::uint32_t task) {
    Task& t = tasks_[task];
    Replica& rep = replicas_[t.replica];
    Service& svc = services_[rep.service];
    rep.cpu.finish_fcfs(cal_, now_);
    cores_changed(rep, -1.0);
    // The generic path's record, component by component: the wait for the
    // worker ended when the cpu step began (t.mark), which began when the
    // request arrived (t.start) if a worker was free.
    const float worker_wait = static_cast<float>(t.mark - t.start);
    const float cpu = static_cast<float>(t.work);
    const float cpu_wait = static_cast<float>(std::max(0.0, (now_ - t.mark) - t.work));

    --rep.outstanding;
    if (measuring(now_)) {
        ++out_.stations[rep.service].completed;
        ++rep.completed;
    }
    ++svc.window_completions;
    bool passed = false;
    while (!rep.queue.empty()) {
        // The worker passes straight to the next request: busy count unchanged.
        const std::uint32_t next = rep.queue.pop();
        svc.waiting.add(now_, -1.0);
        if (now_ - tasks_[next].mark > svc.queue_timeout) [[unlikely]] {
            --rep.outstanding;
            if (measuring(now_)) ++out_.stations[rep.service].shed;
            fail(next, ErrorCause::Shed);
            continue;
        }
        plain_grant(next);
        passed = true;
        break;
    }
    if (!passed) {
        ++rep.free_workers;
        workers_changed(rep, svc, -1.0);
    }

    EndpointLive& live = live_[t.endpoint];
    const double latency = now_ - t.start;
    live.window_latency.record(latency);
    ++live.window_completions;
    if (measuring(t.start)) {
        EndpointResult& er = out_.endpoints[t.endpoint];
        ++er.completions;
        er.latency.record(latency);
        if (er.band_count.empty()) {
            er.band_count.assign(EndpointResult::kBands, 0);
            er.band_attribution.assign(EndpointResult::kBands, {});
        }
        const std::uint32_t band = EndpointResult::band_of(latency);
        ++er.band_count[band];
        auto& sums = er.band_attribution[band];
        sums[static_cast<std::size_t>(Component::WorkerWait)] += static_cast<double>(worker_wait);
        sums[static_cast<std::size_t>(Component::Cpu)] += static_cast<double>(cpu);
        sums[static_cast<std::size_t>(Component::CpuWait)] += static_cast<double>(cpu_wait);
    }
    complete(task, true, ErrorCause::QueueFull);
}

}  // namespace capsim

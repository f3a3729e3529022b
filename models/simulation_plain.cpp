// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
//
// Plain stations (CompiledEndpoint::plain): a request that is one cpu step
// on a worker with a core of its own is a PlainJob, served without the
// interpreter, its Task or its Request. Each function here does what the
// generic path does for such a request (named beside it), in the same
// order: the same calendar entries (so the same sequence numbers), the
// same draws and the same statistics. tests/models/plain_station_test.cpp
// checks that the reports are the same bit for bit.
#include "models/event_kind.hpp"
#include "models/simulation.hpp"

namespace capsim {

void Simulation::init_plain() {
    lanes_.resize(m_.endpoints.size());
    for (std::uint32_t e = 0; e < m_.endpoints.size(); ++e) {
        const CompiledEndpoint& ce = m_.endpoints[e];
        if (!ce.plain) continue;
        const Instr& step = prog_.code[ce.entry];
        PlainLane& lane = lanes_[e];
        lane.service = &services_[ce.service];
        lane.replica = &replicas_[lane.service->first_replica];
        lane.station = &out_.stations[ce.service];
        lane.result = &out_.endpoints[e];
        lane.live = &live_[e];
        lane.law = &prog_.laws[step.law];
        lane.rng = &streams_[step.stream];
        lane.draws = &draws_[step.stream];
    }
}

// The rest of start_request, then admit and place.
void Simulation::plain_start(std::uint32_t source, std::uint32_t user, std::uint32_t ep) {
    const SourceSpec& src = m_.model.sources[source];
    // The client is no plain station's business, but its stream stays in
    // step for the source's other endpoints.
    if (src.clients > 1) client_rng_[source].below(src.clients);
    requests_.count_outside();
    tasks_.count_outside();
    const std::uint32_t j = jobs_.acquire();
    PlainJob& job = jobs_[j];
    job.start = now_;
    job.mark = now_;
    job.user = user;
    job.endpoint = ep;
    job.source = static_cast<std::uint16_t>(source);

    const PlainLane& lane = lanes_[ep];
    Service& svc = *lane.service;
    Replica& rep = *lane.replica;
    if (measuring(now_)) ++lane.result->arrivals;
    ++lane.live->window_arrivals;
    ++svc.placed;
    if (rep.free_workers > 0) {
        --rep.free_workers;
        ++rep.outstanding;
        workers_changed(rep, svc, 1.0);
        plain_grant(j);
        cores_changed(rep, 1.0);
        return;
    }
    queue_for_worker(rep, svc, *lane.station, j, src.priority,
                     [this](std::uint32_t k, ErrorCause c) { plain_fail(k, c); });
}

// grant_worker + start_cpu, but for the busy-cores gauge (left to the
// caller, see plain_done). The generic grant defers a task to the ready
// ring when the ring is not empty; here it always is: a job is granted
// while its own arrival or a plain completion is dispatched, and neither
// puts anything on the ring first. No attribution record is kept:
// plain_done derives it from the job's times.
void Simulation::plain_grant(std::uint32_t job) {
    PlainJob& pj = jobs_[job];
    const PlainLane& lane = lanes_[pj.endpoint];
    if (measuring(now_)) {
        ++lane.station->admitted;
        lane.station->wait_sum += now_ - pj.mark;
    }
    const double work = lane.draws->next(*lane.law, *lane.rng);
    pj.work = work;
    pj.mark = now_;
    lane.replica->cpu.submit(cal_, now_, job, work);
}

// The kCpuDone dispatch, on_cpu_done, finish and release_worker.
void Simulation::plain_done(std::uint32_t job) {
    const PlainJob& pj = jobs_[job];
    const PlainLane& lane = lanes_[pj.endpoint];
    Replica& rep = *lane.replica;
    Service& svc = *lane.service;
    rep.cpu.finish_fcfs(cal_, now_);
    // The generic path's record, component by component: the wait for the
    // worker ended when the cpu step began (mark), which began when the
    // request arrived (start) if a worker was free.
    const float worker_wait = static_cast<float>(pj.mark - pj.start);
    const float cpu = static_cast<float>(pj.work);
    const float cpu_wait = static_cast<float>(cpu_wait_of(now_ - pj.mark, pj.work));

    const std::uint32_t next = worker_done(
        rep, svc, *lane.station, [this](std::uint32_t j) { return jobs_[j].mark; },
        [this](std::uint32_t j, ErrorCause c) { plain_fail(j, c); });
    // The core is freed, and taken again by the next request if the worker
    // passes to one: the generic path's -1 and +1 at this instant, as one update.
    if (next != kNone) {
        plain_grant(next);
        svc.busy_cores.run.hold(now_);
    } else {
        cores_changed(rep, -1.0);
        ++rep.free_workers;
        workers_changed(rep, svc, -1.0);
    }

    if (auto* sums = frame_done(*lane.result, *lane.live, pj.start)) {
        (*sums)[static_cast<std::size_t>(Component::WorkerWait)] +=
            static_cast<double>(worker_wait);
        (*sums)[static_cast<std::size_t>(Component::Cpu)] += static_cast<double>(cpu);
        (*sums)[static_cast<std::size_t>(Component::CpuWait)] += static_cast<double>(cpu_wait);
    }
    plain_end(job, true, ErrorCause::QueueFull);
}

// fail, for a job that holds nothing.
void Simulation::plain_fail(std::uint32_t job, ErrorCause cause) {
    const PlainJob& pj = jobs_[job];
    ++live_[pj.endpoint].window_errors;
    if (measuring(pj.start)) ++out_.endpoints[pj.endpoint].errors[static_cast<std::size_t>(cause)];
    plain_end(job, false, cause);
}

// complete and end_request (a plain job is no queue's message).
void Simulation::plain_end(std::uint32_t job, bool ok, ErrorCause cause) {
    const PlainJob pj = jobs_[job];
    jobs_.release(job);
    tasks_.uncount_outside();
    requests_.uncount_outside();
    answered(pj.source, pj.start, pj.user, 0, ok, cause);
}

}  // namespace capsim

// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
//
// Async services: event loops and executor threads. The compiler wraps
// every CPU step and every step marked blocking in Hold/Unhold, so a loop
// runs one of them at a time and is free while a request awaits I/O; an
// offloaded block runs on an executor thread instead (run_in_executor).
#include "models/event_kind.hpp"
#include "models/simulation.hpp"

namespace capsim {

namespace {

constexpr auto idx(Component c) {
    return static_cast<std::size_t>(c);
}

}  // namespace

// True when the task has its loop and may go on; false when it queued.
bool Simulation::hold_loop(std::uint32_t task) {
    Task& t = tasks_[task];
    // Code run for a request that already holds the loop (a loop body, an
    // arm, a miss path under a blocking step) runs on that loop: asking
    // for it again would deadlock a single-loop replica.
    if (t.in_loop) return true;
    Replica& rep = replicas_[t.replica];
    Service& svc = services_[rep.service];
    if (rep.free_loops > 0) {
        --rep.free_loops;
        t.holds_loop = true;
        svc.busy_loops.add(now_, 1.0);
        return true;
    }
    t.mark = now_;
    rep.loop_queue.push_back(task);
    svc.loop_waiting.add(now_, 1.0);
    return false;
}

void Simulation::release_loop(std::uint32_t task) {
    Task& t = tasks_[task];
    if (!t.holds_loop) return;
    t.holds_loop = false;
    Replica& rep = replicas_[t.replica];
    Service& svc = services_[rep.service];
    if (!rep.loop_queue.empty()) {
        // The loop passes straight to the next task: busy count unchanged.
        const std::uint32_t next = rep.loop_queue.pop_front();
        svc.loop_waiting.add(now_, -1.0);
        Task& n = tasks_[next];
        n.holds_loop = true;
        n.attr.add(Component::LoopWait, static_cast<float>(now_ - n.mark), spills_);
        n.mark = now_;
        ++n.pc;  // past its Hold
        ready_.push_back(next);
        return;
    }
    ++rep.free_loops;
    svc.busy_loops.add(now_, -1.0);
}

void Simulation::offload(std::uint32_t task) {
    Task& t = tasks_[task];
    Replica& rep = replicas_[t.replica];
    t.mark = now_;
    if (rep.free_executor > 0) {
        --rep.free_executor;
        start_offload(task);
        return;
    }
    rep.executor_queue.push_back(task);
}

void Simulation::start_offload(std::uint32_t task) {
    Task& t = tasks_[task];
    t.holds_executor = true;
    t.attr.add(Component::ExecutorWait, static_cast<float>(now_ - t.mark), spills_);
    t.mark = now_;
    const std::uint32_t body = prog_.code[t.pc].a;
    wait_for(task, 1, 0);
    const std::uint32_t c = spawn(task);
    Task& child = tasks_[c];
    child.pc = body;
    child.in_loop = false;  // an executor thread, not the loop
    ready_.push_back(c);
}

void Simulation::release_executor(std::uint32_t task) {
    Task& t = tasks_[task];
    if (!t.holds_executor) return;
    t.holds_executor = false;
    Replica& rep = replicas_[t.replica];
    if (!rep.executor_queue.empty()) {
        start_offload(rep.executor_queue.pop_front());
        return;
    }
    ++rep.free_executor;
}

}  // namespace capsim

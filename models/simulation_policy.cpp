// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
//
// Guarded steps: timeouts, retries with backoff and budgets, circuit
// breakers and fallbacks. A guard runs each attempt as a child task, so an
// attempt that times out is simply abandoned (its parent stops waiting for
// it, as a real caller does) and goes on holding whatever it holds.
#include <cmath>

#include "models/backoff.hpp"
#include "models/event_kind.hpp"
#include "models/simulation.hpp"

namespace capsim {

namespace {

constexpr std::size_t idx(Component c) {
    return static_cast<std::size_t>(c);
}

}  // namespace

void Simulation::init_policies() {
    const auto& guards = prog_.guards;
    guards_.reserve(guards.size());
    out_.guards.resize(guards.size());
    for (std::uint32_t g = 0; g < guards.size(); ++g) {
        const GuardOp& op = guards[g];
        Guard state(op.policy.retry);
        state.first_breaker = static_cast<std::uint32_t>(breakers_.size());
        state.open.run.reset(0.0, 0.0);
        if (op.policy.breaker.enabled) {
            const std::uint32_t n =
                op.service == GuardOp::kNoService ? 1 : m_.model.services[op.service].replicas;
            for (std::uint32_t k = 0; k < n; ++k) {
                breakers_.emplace_back(op.policy.breaker);
                breaker_guard_.push_back(g);
            }
            out_.guards[g].breakers = n;
        }
        state.first_bulkhead = static_cast<std::uint32_t>(bulkheads_.size());
        if (op.policy.bulkhead.enabled) {
            const std::uint32_t n =
                op.service == GuardOp::kNoService ? 1 : m_.model.services[op.service].replicas;
            for (std::uint32_t k = 0; k < n; ++k)
                bulkheads_.push_back({op.policy.bulkhead.size, {}});
        }
        guards_.push_back(std::move(state));
    }
}

std::uint32_t Simulation::breaker_of(const Task& t, std::uint32_t guard) const {
    const GuardOp& op = prog_.guards[guard];
    const std::uint32_t base = guards_[guard].first_breaker;
    if (op.service == GuardOp::kNoService) return base;
    return base + (t.replica - services_[op.service].first_replica);
}

std::uint32_t Simulation::bulkhead_of(const Task& t, std::uint32_t guard) const {
    const GuardOp& op = prog_.guards[guard];
    const std::uint32_t base = guards_[guard].first_bulkhead;
    if (op.service == GuardOp::kNoService) return base;
    return base + (t.replica - services_[op.service].first_replica);
}

void Simulation::guard_start(std::uint32_t task) {
    Task& t = tasks_[task];
    const std::uint32_t g = prog_.code[t.pc].a;
    t.attempt = 0;
    t.fallback = false;
    t.work = 0.0;  // at a guard, `work` keeps the last backoff wait
    guards_[g].budget.first_attempt(now_);
    if (measuring(now_)) ++out_.guards[g].calls;
    attempt(task);
}

void Simulation::attempt(std::uint32_t task) {
    Task& t = tasks_[task];
    const Instr& in = prog_.code[t.pc];
    const GuardOp& op = prog_.guards[in.a];
    GuardResult& gr = out_.guards[in.a];
    const bool counted = measuring(now_);
    auto permit = CircuitBreaker::Permit::Call;
    if (op.policy.breaker.enabled) {
        permit = breakers_[breaker_of(t, in.a)].allow();
        if (permit == CircuitBreaker::Permit::Denied) {
            if (counted) ++gr.short_circuited;
            fallback_or_fail(task, ErrorCause::CircuitOpen);
            return;
        }
    }
    t.permit = static_cast<std::uint8_t>(permit);
    // The bulkhead is innermost (Resilience4j's order): an attempt the
    // breaker let through may still find no room, which the breaker then
    // counts as a failure, so a half-open probe is never lost.
    if (op.policy.bulkhead.enabled) {
        Bulkhead& b = bulkheads_[bulkhead_of(t, in.a)];
        if (b.free > 0) {
            --b.free;
            t.holds_bulkhead = true;
            if (counted) ++gr.bulkhead_entered;
        } else if (op.policy.bulkhead.max_wait > 0.0) {
            ++t.wait_id;
            t.mark = now_;
            b.waiters.push_back({task, tasks_.generation(task), t.wait_id});
            t.timer =
                cal_.schedule_timer(now_ + op.policy.bulkhead.max_wait, kBulkheadTimeout, task);
            return;
        } else {
            if (counted) ++gr.bulkhead_full;
            breaker_outcome(task, true, 0.0);
            guard_failed(task, ErrorCause::BulkheadFull);
            return;
        }
    }
    launch(task);
}

void Simulation::release_bulkhead(std::uint32_t task) {
    Task& t = tasks_[task];
    if (!t.holds_bulkhead) return;
    t.holds_bulkhead = false;
    const std::uint32_t g = prog_.code[t.pc].a;
    Bulkhead& b = bulkheads_[bulkhead_of(t, g)];
    // The place passes straight to the first live waiter.
    while (!b.waiters.empty()) {
        const PoolWaiter w = b.waiters.pop_front();
        if (tasks_.generation(w.task) != w.generation || tasks_[w.task].wait_id != w.wait_id)
            continue;
        Task& next = tasks_[w.task];
        cal_.cancel(next.timer);
        const double waited = now_ - next.mark;
        next.attr.add(Component::BulkheadWait, static_cast<float>(waited), spills_);
        next.mark = now_;
        next.holds_bulkhead = true;
        if (measuring(now_)) {
            ++out_.guards[g].bulkhead_entered;
            out_.guards[g].bulkhead_wait_sum += waited;
        }
        launch(w.task);
        return;
    }
    ++b.free;
}

void Simulation::on_bulkhead_timeout(std::uint32_t task) {
    Task& t = tasks_[task];
    t.timer = TimerHandle{};
    ++t.wait_id;  // its entry in the waiters' ring is stale now
    const std::uint32_t g = prog_.code[t.pc].a;
    const double waited = now_ - t.mark;
    t.attr.add(Component::BulkheadWait, static_cast<float>(waited), spills_);
    t.mark = now_;
    if (measuring(now_)) ++out_.guards[g].bulkhead_full;
    breaker_outcome(task, true, waited);
    guard_failed(task, ErrorCause::BulkheadFull);
}

void Simulation::launch(std::uint32_t task) {
    Task& t = tasks_[task];
    const Instr& in = prog_.code[t.pc];
    const GuardOp& op = prog_.guards[in.a];
    GuardResult& gr = out_.guards[in.a];
    const bool counted = measuring(now_);
    ++t.attempt;
    Request& req = requests_[t.request];
    if (req.attempts < 0xFFFF) ++req.attempts;
    ++guards_[in.a].window_attempts;
    if (counted) ++gr.attempts;
    wait_for(task, 1, 0);
    t.mark = now_;
    const double timeout = op.policy.timeout;
    if (std::isfinite(timeout)) t.timer = cal_.schedule_timer(now_ + timeout, kGuardTimeout, task);
    const std::uint32_t c = spawn(task);
    Task& child = tasks_[c];
    const Task& parent = tasks_[task];
    child.pc = in.b;
    child.guard = in.a;
    child.retry = parent.retry || parent.attempt > 1;
    if (op.policy.propagate_deadline) child.deadline = std::min(child.deadline, now_ + timeout);
    ready_.push_back(c);
}

void Simulation::breaker_outcome(std::uint32_t task, bool failed, double elapsed) {
    const Task& t = tasks_[task];
    const std::uint32_t g = prog_.code[t.pc].a;
    const BreakerSpec& spec = prog_.guards[g].policy.breaker;
    if (!spec.enabled) return;
    const std::uint32_t b = breaker_of(t, g);
    const auto permit = static_cast<CircuitBreaker::Permit>(t.permit);
    if (breakers_[b].record(now_, permit, failed, elapsed > spec.slow_call)) {
        guards_[g].open.add(now_, 1.0);
        if (measuring(now_)) ++out_.guards[g].opens;
        cal_.schedule(now_ + spec.open_for, kHalfOpen, b);
    }
}

void Simulation::on_half_open(std::uint32_t breaker) {
    breakers_[breaker].half_open();
    guards_[breaker_guard_[breaker]].open.add(now_, -1.0);
}

void Simulation::guard_done(std::uint32_t task, const Task& child, bool ok, ErrorCause cause) {
    Task& t = tasks_[task];
    cal_.cancel(t.timer);
    // The attempt that answered is on the critical path, failed or not.
    t.attr.merge(child.attr, spills_);
    const double elapsed = now_ - t.mark;
    t.mark = now_;
    // Our own deadline cancelled the attempt a moment before the timer.
    if (!ok && cause == ErrorCause::Cancelled) cause = ErrorCause::Timeout;
    // Only after the last use of `child`: the waiter given this place
    // starts an attempt, which may reuse the child's slot or grow the arena.
    release_bulkhead(task);
    breaker_outcome(task, !ok, elapsed);
    if (ok) {
        ++tasks_[task].pc;
        ready_.push_back(task);
        return;
    }
    guard_failed(task, cause);
}

void Simulation::on_guard_timeout(std::uint32_t task) {
    release_bulkhead(task);
    Task& t = tasks_[task];
    t.timer = TimerHandle{};
    const std::uint32_t g = prog_.code[t.pc].a;
    if (measuring(now_)) ++out_.guards[g].timeouts;
    ++guards_[g].window_timeouts;
    t.attr.add(Component::TimedOut, static_cast<float>(now_ - t.mark), spills_);
    const double elapsed = now_ - t.mark;
    t.mark = now_;
    ++t.wait_id;  // abandon the attempt: it runs on, its answer ignored
    breaker_outcome(task, true, elapsed);
    guard_failed(task, ErrorCause::Timeout);
}

void Simulation::guard_failed(std::uint32_t task, ErrorCause cause) {
    Task& t = tasks_[task];
    const std::uint32_t g = prog_.code[t.pc].a;
    const RetrySpec& r = prog_.guards[g].policy.retry;
    const bool retryable =
        ((r.on >> static_cast<unsigned>(cause)) & 1u) != 0 && t.attempt < r.attempts;
    if (!retryable) {
        fallback_or_fail(task, cause);
        return;
    }
    if (!guards_[g].budget.try_retry(now_)) {
        if (measuring(now_)) ++out_.guards[g].budget_denied;
        fallback_or_fail(task, cause);
        return;
    }
    double wait = backoff_wait(r, t.attempt, t.work, streams_[prog_.guards[g].stream]);
    if (r.respect_retry_after && cause == ErrorCause::RateLimited)
        wait = std::max(wait, requests_[t.request].arrival +
                                  static_cast<double>(requests_[t.request].retry_after) - now_);
    t.work = wait;
    // No retry can finish before a deadline handed down from above.
    if (now_ + wait >= t.deadline) {
        fallback_or_fail(task, cause);
        return;
    }
    if (measuring(now_)) ++out_.guards[g].retries;
    cal_.schedule(now_ + wait, kRetryDue, task);
}

void Simulation::on_retry_due(std::uint32_t task) {
    Task& t = tasks_[task];
    t.attr.add(Component::Backoff, static_cast<float>(now_ - t.mark), spills_);
    t.mark = now_;
    attempt(task);
}

void Simulation::fallback_or_fail(std::uint32_t task, ErrorCause cause) {
    Task& t = tasks_[task];
    const Instr& in = prog_.code[t.pc];
    if (in.c == GuardOp::kNoFallback) {
        if (measuring(now_)) ++out_.guards[in.a].failed;
        fail(task, cause);
        return;
    }
    if (measuring(now_)) ++out_.guards[in.a].fallbacks;
    t.fallback = true;
    wait_for(task, 1, 0);
    const std::uint32_t c = spawn(task);
    tasks_[c].pc = prog_.code[tasks_[task].pc].c;
    ready_.push_back(c);
}

void Simulation::abandoned_done(const Task& child, bool ok, ErrorCause cause) {
    if (!measuring(child.start)) return;
    GuardResult& gr = out_.guards[child.guard];
    if (!ok && cause == ErrorCause::Cancelled) {
        ++gr.cancelled;
        return;
    }
    ++gr.zombies;
    const double timeout = prog_.guards[child.guard].policy.timeout;
    if (std::isfinite(timeout)) gr.zombie_seconds += std::max(0.0, now_ - child.start - timeout);
}

bool Simulation::pass_limit(std::uint32_t task, std::uint32_t service) {
    const RateLimitSpec& spec = *m_.model.services[service].rate_limit;
    const Request& req = requests_[tasks_[task].request];
    std::uint64_t key = 0;
    if (spec.per == LimiterKey::Class) key = m_.sources[req.source].client_class;
    if (spec.per == LimiterKey::Client) key = req.client;
    auto& index = limit_index_[service];
    auto it = index.find(key);
    if (it == index.end()) {
        it = index.emplace(key, static_cast<std::uint32_t>(limit_keys_.size())).first;
        limit_keys_.emplace_back(spec, service);
    }
    const std::uint32_t k = it->second;
    LimitKey& lk = limit_keys_[k];
    const bool counted = measuring(now_);
    // Requests already queued go first: a newcomer may not overtake them.
    if (lk.waiting.empty() && lk.limiter.try_take(now_)) {
        if (counted) ++out_.stations[service].limit_passed;
        return true;
    }
    if (spec.queue && lk.waiting.size() < spec.queue_capacity) {
        tasks_[task].mark = now_;
        lk.waiting.push_back(task);
        if (!lk.wake_pending) {
            lk.wake_pending = true;
            cal_.schedule(lk.limiter.next_allowed(now_), kLimitWake, k);
        }
        return false;
    }
    Request& refused = requests_[tasks_[task].request];
    refused.retry_after = static_cast<float>(lk.limiter.next_allowed(now_) - refused.arrival);
    if (counted) ++out_.stations[service].rate_limited;
    fail(task, ErrorCause::RateLimited);
    return false;
}

void Simulation::on_limit_wake(std::uint32_t key) {
    LimitKey& lk = limit_keys_[key];
    lk.wake_pending = false;
    const std::uint32_t service = lk.service;
    while (!lk.waiting.empty() && lk.limiter.try_take(now_)) {
        const std::uint32_t task = lk.waiting.pop_front();
        Task& t = tasks_[task];
        const double waited = now_ - t.mark;
        t.attr.add(Component::RateLimitWait, static_cast<float>(waited), spills_);
        t.mark = now_;
        if (measuring(now_)) {
            ++out_.stations[service].limit_passed;
            out_.stations[service].limit_wait_sum += waited;
        }
        place(task, service);
    }
    LimitKey& again = limit_keys_[key];
    if (!again.waiting.empty()) {
        again.wake_pending = true;
        cal_.schedule(std::max(now_, again.limiter.next_allowed(now_)), kLimitWake, key);
    }
}

void Simulation::guard_window(double width) {
    for (std::uint32_t g = 0; g < guards_.size(); ++g) {
        Guard& gs = guards_[g];
        GuardResult& gr = out_.guards[g];
        const double open = gs.open.window_mean(now_, width);
        gr.series_open.push_back(gr.breakers > 0 ? open / gr.breakers : 0.0);
        gr.series_attempts.push_back(static_cast<double>(gs.window_attempts));
        gr.series_timeouts.push_back(static_cast<double>(gs.window_timeouts));
        gs.window_attempts = gs.window_timeouts = 0;
    }
}

void Simulation::guard_warmup_end() {
    for (Guard& gs : guards_) gs.open.restart(now_);
}

void Simulation::guard_results(double stop_time) {
    for (std::uint32_t g = 0; g < guards_.size(); ++g) {
        GuardResult& gr = out_.guards[g];
        if (gr.breakers > 0) gr.open = guards_[g].open.run.mean(stop_time) / gr.breakers;
    }
}

}  // namespace capsim

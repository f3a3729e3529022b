// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
//
// Injected faults (replica crashes, latency, errors, partitions) and the
// health checks that take a crashed replica out of its balancer's rotation.
#include <algorithm>

#include "models/event_kind.hpp"
#include "models/simulation.hpp"

namespace capsim {

namespace {

constexpr std::size_t idx(Component c) {
    return static_cast<std::size_t>(c);
}

}  // namespace

void Simulation::init_faults(std::uint32_t replication) {
    const Model& md = m_.model;
    const std::uint64_t seed = md.run.seed;
    for (std::uint32_t s = 0; s < md.services.size(); ++s) {
        const ServiceSpec& spec = md.services[s];
        Service& svc = services_[s];
        svc.up.run.reset(0.0, spec.replicas);
        for (std::uint32_t k = 0; k < spec.replicas; ++k)
            replicas_[svc.first_replica + k].up_time.run.reset(0.0, 1.0);
        if (!spec.health_check) continue;
        svc.probe_rng = Rng(seed, replication, spec.path + ".health_check");
        // Each replica is probed on its own phase, as independent probers are.
        for (std::uint32_t k = 0; k < spec.replicas; ++k) {
            const double first = svc.probe_rng.uniform01() * spec.health_check->interval;
            if (first <= end_) cal_.schedule(first, kProbe, svc.first_replica + k);
        }
    }
    out_.faults.resize(md.faults.size());
    for (std::uint32_t f = 0; f < md.faults.size(); ++f) {
        const FaultSpec& spec = md.faults[f];
        const CompiledFault& cf = m_.faults[f];
        const std::uint32_t strands = spec.kind == FaultKind::Crash ? spec.replicas : 1;
        for (std::uint32_t k = 0; k < strands; ++k) {
            FaultUnit u;
            u.fault = f;
            if (spec.kind == FaultKind::Crash) u.replica = services_[cf.service].first_replica + k;
            // Each replica's crashes are their own process, on their own stream.
            u.rng =
                Rng(seed, replication,
                    strands > 1 ? spec.path + ".replica[" + std::to_string(k) + "]" : spec.path);
            const auto unit = static_cast<std::uint32_t>(fault_units_.size());
            fault_units_.push_back(std::move(u));
            // A random process starts up at the end of the warm-up: faults
            // in the warm-up would go unmeasured, and the recovery check
            // needs the quiet stretch before the first one.
            const double start =
                spec.random ? warmup_ + spec.every.sample(fault_units_[unit].rng) : spec.start;
            if (start <= end_) cal_.schedule(start, kFaultStart, unit);
        }
    }
}

void Simulation::on_fault_start(std::uint32_t unit) {
    FaultUnit& u = fault_units_[unit];
    const FaultSpec& spec = m_.model.faults[u.fault];
    u.active = true;
    u.since = now_;
    FaultResult& fr = out_.faults[u.fault];
    if (measuring(now_)) ++fr.occurrences;
    const double end = spec.random ? now_ + spec.lasts.sample(u.rng) : spec.end;
    fr.windows.emplace_back(now_, std::min(end_, end));
    if (end <= end_) cal_.schedule(end, kFaultEnd, unit);
    if (spec.kind == FaultKind::Crash)
        crash(u.replica);
    else
        active_calls_.push_back(unit);
}

void Simulation::on_fault_end(std::uint32_t unit) {
    FaultUnit& u = fault_units_[unit];
    const FaultSpec& spec = m_.model.faults[u.fault];
    u.active = false;
    if (measuring(now_)) out_.faults[u.fault].active += now_ - u.since;
    if (spec.kind == FaultKind::Crash) {
        restart(u.replica);
    } else {
        active_calls_.erase(std::find(active_calls_.begin(), active_calls_.end(), unit));
        // The partition heals: what was held goes through (its packets
        // retransmitted), whether or not its caller is still waiting.
        std::vector<std::pair<std::uint32_t, std::uint32_t>> parked;
        parked.swap(u.parked);
        for (const auto& [task, service] : parked) {
            Task& t = tasks_[task];
            t.attr.add(Component::Injected, static_cast<float>(now_ - t.mark), spills_);
            t.mark = now_;
            enter(task, service);
        }
    }
    if (spec.random) {
        const double next = now_ + spec.every.sample(u.rng);
        if (next <= end_) cal_.schedule(next, kFaultStart, unit);
    }
}

void Simulation::crash(std::uint32_t replica) {
    Replica& rep = replicas_[replica];
    if (!rep.present || !rep.up) return;  // an empty autoscaler slot, or booting
    Service& svc = services_[rep.service];
    StationResult& st = out_.stations[rep.service];
    const bool counted = measuring(now_);
    set_up(rep, false);
    if (counted) ++st.crashes;
    // Requests waiting for a worker are lost with the process.
    while (!rep.queue.empty()) {
        const std::uint32_t t = rep.queue.pop();
        svc.waiting.add(now_, -1.0);
        --rep.outstanding;
        if (counted) ++st.crashed;
        fail(t, ErrorCause::Crashed);
    }
    // Work in flight stops: each task fails at its next step (a cpu step
    // under way runs out first), its worker is free for the restarted
    // process, and the callers of its frames are answered now, as a reset
    // connection tells them.
    std::vector<std::uint32_t> frames;
    tasks_.for_each_live([&](std::uint32_t i) {
        Task& t = tasks_[i];
        if (t.replica != replica) return;
        t.deadline = kCrashed;
        if (t.holds_worker) {
            t.holds_worker = false;
            --rep.outstanding;
            ++rep.free_workers;
            workers_changed(rep, svc, -1.0);
        }
        if (t.endpoint == kNone || t.detached) return;
        const bool caller_here = t.parent != kNone && tasks_[t.parent].replica == replica &&
                                 tasks_.generation(t.parent) == t.parent_gen;
        if (!caller_here) frames.push_back(i);
    });
    if (counted) st.crashed += frames.size();
    for (std::uint32_t f : frames) answer_early(f);
}

void Simulation::answer_early(std::uint32_t frame) {
    Task& f = tasks_[frame];
    if (f.parent == kNone) {
        Request& req = requests_[f.request];
        if (req.answered) return;
        req.answered = true;
        const Request copy = req;  // answering may grow the arenas
        end_request(copy, false, ErrorCause::Crashed);
        return;
    }
    const Task copy = f;
    f.detached = true;
    tell_parent(copy, false, ErrorCause::Crashed);
}

void Simulation::set_up(Replica& rep, bool up) {
    rep.up = up;
    const double delta = up ? 1.0 : -1.0;
    services_[rep.service].up.add(now_, delta);
    rep.up_time.add(now_, delta);
    // A process that (re)starts has no probe history.
    if (up) rep.probe_fails = rep.probe_passes = 0;
}

void Simulation::restart(std::uint32_t replica) {
    Replica& rep = replicas_[replica];
    if (!rep.present || rep.up) return;  // scaled in meanwhile, or it never went down
    set_up(rep, true);
    started(rep);
    // Without a health check it never left the rotation: its ramp starts now.
    if (rep.in_rotation) rep.warm_from = now_;
}

void Simulation::on_probe(std::uint32_t replica) {
    Replica& rep = replicas_[replica];
    const HealthCheckSpec& h = *m_.model.services[rep.service].health_check;
    if (rep.up) {
        rep.probe_fails = 0;
        if (rep.probe_out && ++rep.probe_passes >= h.healthy) {
            rep.probe_out = false;
            refresh_rotation(replica);
        }
    } else {
        rep.probe_passes = 0;
        if (!rep.probe_out && ++rep.probe_fails >= h.unhealthy) {
            rep.probe_out = true;
            refresh_rotation(replica);
        }
    }
    if (now_ + h.interval <= end_) cal_.schedule(now_ + h.interval, kProbe, replica);
}

void Simulation::refresh_rotation(std::uint32_t replica) {
    Replica& rep = replicas_[replica];
    const bool in = rep.present && !rep.probe_out && !rep.outlier_out;
    if (in == rep.in_rotation) return;
    rep.in_rotation = in;
    if (in) rep.warm_from = now_;
    if (measuring(now_) && !in && rep.present) ++out_.stations[rep.service].ejections;
    rebuild_rotation(services_[rep.service]);
}

void Simulation::replica_failed(std::uint32_t replica) {
    Replica& rep = replicas_[replica];
    const ServiceSpec& spec = m_.model.services[rep.service];
    const OutlierSpec& o = *spec.outlier_detection;
    if (++rep.failures < o.consecutive_errors || !rep.in_rotation) return;
    const Service& svc = services_[rep.service];
    std::uint32_t out = 0;
    for (std::uint32_t k = 0; k < svc.replicas; ++k)
        if (replicas_[svc.first_replica + k].outlier_out) ++out;
    // The cap keeps a shared cause (a dependency down for all) from
    // emptying the rotation.
    if (static_cast<double>(out + 1) > o.max_ejected * static_cast<double>(spec.replicas)) return;
    rep.failures = 0;
    rep.outlier_out = true;
    refresh_rotation(replica);
    cal_.schedule(now_ + o.ejection, kOutlierReturn, replica);
}

void Simulation::on_outlier_return(std::uint32_t replica) {
    Replica& rep = replicas_[replica];
    rep.outlier_out = false;
    rep.failures = 0;
    refresh_rotation(replica);
}

void Simulation::rebuild_rotation(Service& svc) {
    svc.rotation.clear();
    for (std::uint32_t k = 0; k < svc.replicas; ++k)
        if (replicas_[svc.first_replica + k].in_rotation) svc.rotation.push_back(k);
}

bool Simulation::warming(std::uint32_t replica) {
    const Replica& rep = replicas_[replica];
    const double ramp = m_.model.services[rep.service].slow_start;
    const double age = now_ - rep.warm_from;
    if (ramp <= 0.0 || age >= ramp) return false;
    return services_[rep.service].balancer_rng.uniform01() * ramp > age;
}

bool Simulation::intercept(std::uint32_t task, std::uint32_t service) {
    Task& t = tasks_[task];
    // Who is calling: the service the task runs on before it enters this
    // one (a call's child starts on its parent's replica); none for a client.
    const std::uint32_t caller = t.replica == kNone ? kNone : replicas_[t.replica].service;
    const bool counted = measuring(now_);
    double delay = 0.0;
    for (std::uint32_t unit : active_calls_) {
        FaultUnit& u = fault_units_[unit];
        const FaultSpec& spec = m_.model.faults[u.fault];
        const CompiledFault& cf = m_.faults[u.fault];
        if (spec.kind == FaultKind::Partition) {
            if ((cf.service == service && cf.from == caller) ||
                (cf.from == service && cf.service == caller)) {
                if (counted) ++out_.faults[u.fault].hits;
                t.mark = now_;
                u.parked.emplace_back(task, service);
                return true;
            }
            continue;
        }
        if (cf.service != service || (cf.from != CompiledFault::kAny && cf.from != caller))
            continue;
        if (!(u.rng.uniform01() < spec.fraction)) continue;
        if (counted) ++out_.faults[u.fault].hits;
        if (spec.kind == FaultKind::Error) {
            fail(task, ErrorCause::InjectedFault);
            return true;
        }
        delay += spec.delay.sample(u.rng);
    }
    if (delay <= 0.0) return false;
    const std::uint32_t h = held_.acquire();
    held_[h] = Held{task, service};
    t.mark = now_;
    cal_.schedule(now_ + delay, kFaultDelayDone, h);
    return true;
}

void Simulation::on_fault_delay_done(std::uint32_t held) {
    const Held h = held_[held];
    held_.release(held);
    Task& t = tasks_[h.task];
    t.attr.add(Component::Injected, static_cast<float>(now_ - t.mark), spills_);
    t.mark = now_;
    enter(h.task, h.service);
}

void Simulation::external_faults(const Task& t, std::uint32_t external, double& latency,
                                 std::uint8_t& outcome) {
    const std::uint32_t caller = t.replica == kNone ? kNone : replicas_[t.replica].service;
    for (std::uint32_t unit : active_calls_) {
        FaultUnit& u = fault_units_[unit];
        const FaultSpec& spec = m_.model.faults[u.fault];
        const CompiledFault& cf = m_.faults[u.fault];
        if (cf.external != external || (cf.from != CompiledFault::kAny && cf.from != caller))
            continue;
        if (!(u.rng.uniform01() < spec.fraction)) continue;
        if (measuring(now_)) ++out_.faults[u.fault].hits;
        if (spec.kind == FaultKind::Error) {
            // Refused at once, before the provider is reached.
            outcome = static_cast<std::uint8_t>(ErrorCause::InjectedFault) + 1;
            latency = 0.0;
            return;
        }
        latency += spec.delay.sample(u.rng);
    }
}

void Simulation::fault_window(double width) {
    for (std::size_t s = 0; s < services_.size(); ++s)
        out_.stations[s].series.replicas_up.push_back(services_[s].up.window_mean(now_, width));
}

void Simulation::fault_warmup_end() {
    for (Service& svc : services_) svc.up.restart(now_);
    for (Replica& rep : replicas_) rep.up_time.restart(now_);
    for (FaultUnit& u : fault_units_)
        if (u.active) u.since = now_;
}

void Simulation::fault_results(double stop_time) {
    for (std::uint32_t s = 0; s < services_.size(); ++s) {
        const Service& svc = services_[s];
        StationResult& st = out_.stations[s];
        st.replicas_up = svc.up.run.mean(stop_time);
        for (std::uint32_t k = 0; svc.replicas > 1 && k < svc.replicas; ++k)
            st.replica_up.push_back(replicas_[svc.first_replica + k].up_time.run.mean(stop_time));
    }
    for (const FaultUnit& u : fault_units_)
        if (u.active && measuring(stop_time)) out_.faults[u.fault].active += stop_time - u.since;
}

}  // namespace capsim

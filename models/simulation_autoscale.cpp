// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
//
// Autoscaling (an HPA-style control loop over a service's replica slots)
// and the cold start of a replica that has just come up.
#include <algorithm>
#include <cmath>

#include "models/event_kind.hpp"
#include "models/simulation.hpp"

namespace capsim {

void Simulation::init_autoscale() {
    const Model& md = m_.model;
    scalers_.resize(md.services.size());
    for (std::uint32_t s = 0; s < md.services.size(); ++s) {
        const ServiceSpec& spec = md.services[s];
        if (!spec.autoscale) continue;
        const AutoscaleSpec& a = *spec.autoscale;
        Service& svc = services_[s];
        // The slots past the initial replicas start empty.
        for (std::uint32_t k = a.initial; k < svc.replicas; ++k) {
            Replica& rep = replicas_[svc.first_replica + k];
            rep.present = rep.up = rep.in_rotation = false;
            rep.up_time.run.reset(0.0, 0.0);
        }
        svc.up.run.reset(0.0, a.initial);
        rebuild_rotation(svc);
        if (a.interval <= end_) cal_.schedule(a.interval, kScaleEval, s);
        for (const AutoscaleSpec::Floor& f : a.schedule)
            if (f.at <= end_) cal_.schedule(f.at, kScaleFloor, s);
    }
}

std::uint32_t Simulation::floor_at(const AutoscaleSpec& a) const {
    std::uint32_t floor = a.min;
    for (const AutoscaleSpec::Floor& f : a.schedule)
        if (f.at <= now_) floor = f.min;
    return std::max(floor, a.min);
}

void Simulation::on_scale_eval(std::uint32_t service) {
    const ServiceSpec& spec = m_.model.services[service];
    const AutoscaleSpec& a = *spec.autoscale;
    Service& svc = services_[service];
    Scaler& sc = scalers_[service];
    if (now_ + a.interval <= end_) cal_.schedule(now_ + a.interval, kScaleEval, service);
    // The metric over the last interval, per ready replica.
    const double cores = svc.busy_cores.run.integral(now_);
    const double workers = svc.busy_workers.run.integral(now_);
    const double waiting = svc.waiting.run.integral(now_);
    const double d_cores = cores - sc.busy_cores, d_workers = workers - sc.busy_workers;
    const double d_waiting = waiting - sc.waiting;
    const auto d_placed = static_cast<double>(svc.placed - sc.placed);
    sc.busy_cores = cores;
    sc.busy_workers = workers;
    sc.waiting = waiting;
    sc.placed = svc.placed;
    std::uint32_t ready = 0;
    for (std::uint32_t k = 0; k < svc.replicas; ++k) {
        const Replica& rep = replicas_[svc.first_replica + k];
        if (rep.present && rep.up && rep.in_rotation) ++ready;
    }
    const double per = a.interval * std::max<std::uint32_t>(1, ready);
    double metric = 0.0;
    switch (a.metric) {
        case AutoscaleSpec::Metric::Cpu:
            metric = d_cores / (per * spec.cores);
            break;
        case AutoscaleSpec::Metric::Workers:
            metric = d_workers / (per * spec.workers);
            break;
        case AutoscaleSpec::Metric::InFlight:
            metric = (d_workers + d_waiting) / per;
            break;
        case AutoscaleSpec::Metric::Queue:
            metric = d_waiting / per;
            break;
        case AutoscaleSpec::Metric::Rate:
            metric = d_placed / per;
            break;
    }
    const std::uint32_t current = ready + sc.booting;
    const double ratio = metric / a.target;
    std::uint32_t wanted = current;
    if (std::fabs(ratio - 1.0) > a.tolerance)
        wanted = static_cast<std::uint32_t>(std::ceil(std::max(1u, ready) * ratio - 1e-9));
    wanted = std::clamp(wanted, floor_at(a), a.max);
    // Scale-in stabilisation: the highest recommendation of the window.
    sc.recommended.emplace_back(now_, wanted);
    std::erase_if(sc.recommended,
                  [&](const auto& r) { return r.first < now_ - a.scale_in_window; });
    if (wanted < current) {
        for (const auto& r : sc.recommended) wanted = std::max(wanted, r.second);
        wanted = std::min(wanted, current);
    }
    if (wanted > current && now_ - sc.last_out < a.scale_out_cooldown) return;
    scale_to(service, wanted);
}

void Simulation::autoscale_warmup_end() {
    // Called before the gauges restart: the next evaluation's interval
    // straddles the reset, so its bases move by the integral so far.
    for (std::uint32_t s = 0; s < services_.size(); ++s) {
        if (!m_.model.services[s].autoscale) continue;
        Scaler& sc = scalers_[s];
        const Service& svc = services_[s];
        sc.busy_cores -= svc.busy_cores.run.integral(now_);
        sc.busy_workers -= svc.busy_workers.run.integral(now_);
        sc.waiting -= svc.waiting.run.integral(now_);
    }
}

std::uint32_t Simulation::present_replicas(const Service& svc) const {
    std::uint32_t n = 0;
    for (std::uint32_t k = 0; k < svc.replicas; ++k)
        if (replicas_[svc.first_replica + k].present) ++n;
    return n;
}

void Simulation::on_scale_floor(std::uint32_t service) {
    const AutoscaleSpec& a = *m_.model.services[service].autoscale;
    const Service& svc = services_[service];
    const std::uint32_t present = present_replicas(svc);
    // A raised floor starts replicas now; a lowered one lets the next
    // evaluations scale in, through the stabilisation window.
    if (present < floor_at(a)) scale_to(service, floor_at(a));
}

void Simulation::scale_to(std::uint32_t service, std::uint32_t wanted) {
    const ServiceSpec& spec = m_.model.services[service];
    const AutoscaleSpec& a = *spec.autoscale;
    Service& svc = services_[service];
    Scaler& sc = scalers_[service];
    StationResult& st = out_.stations[service];
    const std::uint32_t present = present_replicas(svc);
    if (wanted > present) {
        sc.last_out = now_;
        std::uint32_t add = wanted - present;
        if (a.max_out > 0) add = std::min(add, a.max_out);
        for (std::uint32_t k = 0; k < svc.replicas && add > 0; ++k) {
            Replica& rep = replicas_[svc.first_replica + k];
            if (rep.present) continue;
            rep.present = true;  // booting: not up, not in rotation yet
            ++sc.booting;
            --add;
            if (measuring(now_)) ++st.scale_outs;
            cal_.schedule(now_ + a.provisioning, kReplicaReady, svc.first_replica + k);
        }
        return;
    }
    std::uint32_t remove = present - wanted;
    if (a.max_in > 0) remove = std::min(remove, a.max_in);
    // The newest replicas go first; booting ones are left to finish.
    for (std::uint32_t k = svc.replicas; k-- > 0 && remove > 0;) {
        Replica& rep = replicas_[svc.first_replica + k];
        if (!rep.present || !rep.up) continue;
        // Out of rotation at once; what it holds drains on its own.
        set_up(rep, false);
        rep.present = rep.in_rotation = false;
        rebuild_rotation(svc);
        --remove;
        if (measuring(now_)) ++st.scale_ins;
    }
}

void Simulation::on_replica_ready(std::uint32_t replica) {
    Replica& rep = replicas_[replica];
    --scalers_[rep.service].booting;
    set_up(rep, true);
    rep.probe_out = rep.outlier_out = false;
    refresh_rotation(replica);
    started(rep);
}

void Simulation::started(Replica& rep) {
    const ColdStartSpec& c = m_.model.services[rep.service].cold_start;
    if (c.duration > 0.0) rep.cold_until = now_ + c.duration;
}

double Simulation::cold_factor(const Replica& rep) const {
    const ColdStartSpec& c = m_.model.services[rep.service].cold_start;
    return 1.0 + (c.factor - 1.0) * (rep.cold_until - now_) / c.duration;
}

}  // namespace capsim

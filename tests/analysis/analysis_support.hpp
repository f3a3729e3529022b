// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
//
// What the analysis tests ask of an Analysis: a resource's load by name,
// the bottleneck, and the 2% agreement with X_max recorded as a
// validation row.
#pragma once

#include <catch2/catch.hpp>

#include <cmath>
#include <string>

#include "../models/theory_support.hpp"
#include "analysis/analysis.hpp"

namespace capsim::analysis::testing {

inline const ResourceLoad* find_load(const Analysis& a, const std::string& station,
                                     ResourceKind kind) {
    for (std::size_t k = 0; k < a.demands.resources.size(); ++k)
        if (a.demands.resources[k].station == station && a.demands.resources[k].kind == kind)
            return &a.bottleneck.loads[k];
    return nullptr;
}

inline const ResourceLoad& load_of(const Analysis& a, const std::string& station,
                                   ResourceKind kind) {
    const ResourceLoad* l = find_load(a, station, kind);
    if (l == nullptr) FAIL("no resource " << station);
    return *l;
}

inline const Resource& resource_of(const Analysis& a, const std::string& station,
                                   ResourceKind kind) {
    for (const Resource& r : a.demands.resources)
        if (r.station == station && r.kind == kind) return r;
    FAIL("no resource " << station);
    return a.demands.resources.front();
}

inline const SourceLoad& source_of(const Analysis& a, const std::string& name) {
    for (const SourceLoad& s : a.sources)
        if (s.name == name) return s;
    FAIL("no source " << name);
    return a.sources.front();
}

inline const Resource& bottleneck(const Analysis& a) {
    REQUIRE_FALSE(a.bottleneck.order.empty());
    return a.demands.resources[a.bottleneck.order.front()];
}

/// |sim - X_max| <= 2% X_max, recorded as a validation row.
inline void within_two_percent(const std::string& name, const std::string& params, double x_max,
                               const Estimate& sim) {
    theory::Comparison c;
    c.name = name;
    c.params = params;
    c.quantity = "throughput at saturation (1/s) vs X_max";
    c.theory = x_max;
    c.sim = sim.mean;
    c.half_width = sim.half_width;
    c.tolerance = 0.02 * x_max;
    c.pass = std::fabs(sim.mean - x_max) <= c.tolerance;
    theory::record(c);
}

}  // namespace capsim::analysis::testing

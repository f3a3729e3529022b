// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#include "analysis/bounds.hpp"

#include <algorithm>
#include <limits>

namespace capsim::analysis {

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
}

Bottleneck bottleneck_law(const std::vector<Resource>& resources, const std::vector<double>& load,
                          const std::vector<double>& peak_load, double offered,
                          double peak_offered) {
    Bottleneck b;
    b.offered = offered;
    b.peak_offered = peak_offered;
    b.x_max = kInf;
    for (std::size_t k = 0; k < resources.size(); ++k) {
        ResourceLoad r;
        const double cap = resources[k].capacity();
        r.demand = offered > 0.0 ? load[k] / offered : 0.0;
        r.utilization = cap > 0.0 ? load[k] / cap : (load[k] > 0.0 ? kInf : 0.0);
        r.peak_utilization = cap > 0.0 ? peak_load[k] / cap : (peak_load[k] > 0.0 ? kInf : 0.0);
        r.x_max = r.demand > 0.0 ? cap / r.demand : kInf;
        if (load[k] > 0.0) b.order.push_back(static_cast<std::uint32_t>(k));
        b.x_max = std::min(b.x_max, r.x_max);
        b.loads.push_back(r);
    }
    std::stable_sort(b.order.begin(), b.order.end(), [&](std::uint32_t x, std::uint32_t y) {
        return b.loads[x].x_max < b.loads[y].x_max;
    });
    b.headroom = offered > 0.0 ? b.x_max / offered : kInf;
    return b;
}

ClosedBounds closed_bounds(std::uint32_t users, double think, double response0, double x_max,
                           const std::vector<MvaStation>& stations) {
    ClosedBounds c;
    const double n = users;
    c.users = n;
    c.think = think;
    c.response0 = response0;
    c.x_max = x_max;
    c.n_star = (response0 + think) * x_max;
    c.x_upper = std::min(n / (response0 + think), x_max);
    c.r_lower = std::max(response0, n / x_max - think);

    // Seidmann's transformation: single servers and the delays split off.
    double dq = 0.0, dmax = 0.0, delay = 0.0, dsum_queue_all = 0.0;
    std::size_t k_servers = 0;
    c.balanced_exact = true;
    for (const MvaStation& s : stations) {
        if (s.demand <= 0.0) continue;
        if (s.servers == 0) {
            delay += s.demand;
            continue;
        }
        const double copies = std::max<std::uint32_t>(1, s.copies);
        const double servers = s.servers;
        if (s.servers > 1) c.balanced_exact = false;
        dq += s.demand / servers;
        dmax = std::max(dmax, s.demand / copies / servers);
        delay += s.demand * (servers - 1.0) / servers;
        dsum_queue_all += s.demand;
        k_servers += static_cast<std::size_t>(copies);
    }
    // Pessimistic: every request queues behind all N - 1 others everywhere.
    const double worst = n * dsum_queue_all + std::max(0.0, response0 - dsum_queue_all);
    c.r_upper = std::max(worst, c.r_lower);
    c.x_lower = n / (c.r_upper + think);

    if (k_servers == 0 || dq <= 0.0) {
        c.bjb_x_lower = c.bjb_x_upper = n / (delay + think);
        c.bjb_r_lower = c.bjb_r_upper = delay;
        return c;
    }
    const double z = think + delay;  // delays act like think time
    const double davg = dq / static_cast<double>(k_servers);
    c.bjb_x_upper = std::min(1.0 / dmax, n / (dq + z + (n - 1.0) * davg / (1.0 + z / dq)));
    c.bjb_x_lower = n / (dq + z + (n - 1.0) * dmax / (1.0 + z / (n * dq)));
    c.bjb_r_lower = delay + std::max(n * dmax - z, dq + (n - 1.0) * davg / (1.0 + z / dq));
    c.bjb_r_upper = delay + dq + (n - 1.0) * dmax / (1.0 + z / (n * dq));
    return c;
}

}  // namespace capsim::analysis

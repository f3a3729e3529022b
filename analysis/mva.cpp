// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#include "analysis/mva.hpp"

#include <algorithm>

namespace capsim::analysis {

namespace {

// One copy of a station through the recursion on the population.
struct State {
    double d = 0.0;         // demand at this copy, seconds per request
    std::uint32_t c = 0;    // servers; 0: delay
    double q = 0.0;         // Q(n-1) at this copy
    std::vector<double> p;  // p(j | n-1), j = 0..c-1 (multi-server only)
    double r = 0.0;         // R(n) at this copy
};

}  // namespace

MvaResult mva(const std::vector<MvaStation>& stations, double think, std::uint32_t users) {
    std::vector<State> st(stations.size());
    for (std::size_t k = 0; k < stations.size(); ++k) {
        const MvaStation& s = stations[k];
        const std::uint32_t copies = std::max<std::uint32_t>(1, s.copies);
        st[k].d = s.demand / copies;
        st[k].c = s.servers >= users ? 0 : s.servers;
        if (st[k].c > 1) {
            st[k].p.assign(st[k].c, 0.0);
            st[k].p[0] = 1.0;
        }
    }
    MvaResult out;
    out.throughput_by_population.reserve(users);
    double x = 0.0;
    for (std::uint32_t n = 1; n <= users; ++n) {
        double total = 0.0;
        for (std::size_t k = 0; k < st.size(); ++k) {
            State& s = st[k];
            if (s.c == 0) {
                s.r = s.d;
            } else if (s.c == 1) {
                s.r = s.d * (1.0 + s.q);
            } else {
                const double cd = static_cast<double>(s.c);
                double idle = 0.0;
                for (std::uint32_t j = 0; j + 1 < s.c; ++j)
                    idle += static_cast<double>(s.c - 1 - j) * s.p[j];
                s.r = s.d / cd * (1.0 + s.q + idle);
            }
            total += s.r * std::max<std::uint32_t>(1, stations[k].copies);
        }
        x = static_cast<double>(n) / (think + total);
        out.throughput_by_population.push_back(x);
        for (State& s : st) {
            s.q = x * s.r;
            if (s.c <= 1) continue;
            // p(j | n) = X d / j * p(j-1 | n-1), descending so p(j-1) is still n-1's.
            const double cd = static_cast<double>(s.c);
            double weighted = 0.0;
            for (std::uint32_t j = s.c - 1; j >= 1; --j) {
                s.p[j] = x * s.d / static_cast<double>(j) * s.p[j - 1];
                weighted += (cd - static_cast<double>(j)) * s.p[j];
            }
            // Utilisation X d / c = 1 - sum_{j<c} (c-j)/c p(j) gives p(0); rounding
            // can push it just below 0 near saturation.
            s.p[0] = std::max(0.0, 1.0 - (x * s.d + weighted) / cd);
        }
    }
    out.throughput = x;
    out.residence.resize(st.size());
    out.queue.resize(st.size());
    out.utilization.resize(st.size());
    for (std::size_t k = 0; k < st.size(); ++k) {
        const double copies = std::max<std::uint32_t>(1, stations[k].copies);
        out.residence[k] = st[k].r * copies;
        out.queue[k] = st[k].q * copies;
        out.response += out.residence[k];
        const double servers = stations[k].servers == 0 ? 0.0 : stations[k].servers;
        out.utilization[k] = servers > 0.0 ? x * st[k].d / servers : 0.0;
    }
    return out;
}

}  // namespace capsim::analysis

// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <vector>

namespace capsim::analysis {

/// A station of a closed product-form network: `copies` identical stations
/// (a service's replicas) that share `demand` evenly, each with `servers`
/// servers. servers = 0 is a delay centre (infinite servers: no queueing).
struct MvaStation {
    double demand = 0.0;  // seconds per request, over all copies
    std::uint32_t servers = 1;
    std::uint32_t copies = 1;
};

/// Exact MVA at population N, with every population 1..N on the way.
struct MvaResult {
    double throughput = 0.0;                       // requests per second
    double response = 0.0;                         // sum of the residence times, seconds
    std::vector<double> residence;                 // per station, all copies: seconds per request
    std::vector<double> queue;                     // per station, all copies: mean requests present
    std::vector<double> utilization;               // per station: busy fraction of each server
    std::vector<double> throughput_by_population;  // X(n), n = 1..N
};

/// Exact mean value analysis of a single-class closed network of `users`
/// users thinking `think` seconds between requests (Reiser & Lavenberg).
/// A multi-server station is load-dependent (service rate min(j, c) / S with
/// j present), solved with its marginal probabilities p(j) for j < c:
///     R(n) = S/c [1 + Q(n-1) + sum_{j<c-1} (c-1-j) p(j | n-1)],
/// the multiple-server MVA of Bolch et al. (Queueing Networks and Markov
/// Chains, 2nd ed., 2006), which only needs p(0..c-2), so its cost is
/// O(N min(N, c)) per station. A station with c >= N servers never queues
/// and is a delay. Exact for product-form networks: FCFS stations with
/// exponential service, processor-sharing stations with any service law.
MvaResult mva(const std::vector<MvaStation>& stations, double think, std::uint32_t users);

}  // namespace capsim::analysis

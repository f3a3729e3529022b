// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
//
// The limit on this machine: a hand-written discrete-event M/M/c loop.
// Arrival and departure events in a binary-heap calendar, exponential
// draws, a FIFO of waiting requests, every latency recorded into a
// capsim::Histogram ("histograms on", like capsim). No shortcut such as
// Lindley's recursion: it is the same event-by-event simulation capsim
// does, specialised by hand to one station.
//
//   bare_mm1 [--servers 1] [--rate 90] [--mean 0.01] [--duration 100000] [--repeat 3]
#include <chrono>
#include <cstdio>
#include <vector>

#include "bench/bare_loop.hpp"
#include "engine/histogram.hpp"

namespace {

enum Kind : std::uint32_t { kArrival, kDeparture };

struct Result {
    std::uint64_t events = 0, requests = 0;
    double latency_sum = 0.0;
};

Result simulate(std::uint32_t servers, double rate, double mean, double duration) {
    capsim::Rng arrivals(1, 0, "arrivals"), service(1, 0, "service");
    capsim::Histogram latency;
    bare::Heap cal;
    bare::Fifo<double> queue;                  // arrival times of waiting requests
    std::vector<double> in_service(servers);   // arrival time of each server's request
    std::vector<std::uint32_t> idle(servers);  // free servers
    for (std::uint32_t s = 0; s < servers; ++s) idle[s] = servers - 1 - s;

    Result r;
    cal.push(bare::expo(arrivals, 1.0 / rate), kArrival, 0);
    while (!cal.empty()) {
        const bare::Event e = cal.pop();
        const double now = e.time;
        if (now > duration) break;
        ++r.events;
        if (e.kind == kArrival) {
            cal.push(now + bare::expo(arrivals, 1.0 / rate), kArrival, 0);
            if (!idle.empty()) {
                const std::uint32_t s = idle.back();
                idle.pop_back();
                in_service[s] = now;
                cal.push(now + bare::expo(service, mean), kDeparture, s);
            } else {
                queue.push(now);
            }
        } else {
            const std::uint32_t s = e.arg;
            latency.record(now - in_service[s]);
            ++r.requests;
            if (!queue.empty()) {
                in_service[s] = queue.pop();
                cal.push(now + bare::expo(service, mean), kDeparture, s);
            } else {
                idle.push_back(s);
            }
        }
    }
    r.latency_sum = latency.sum();
    return r;
}

}  // namespace

int main(int argc, char** argv) {
    const auto servers = static_cast<std::uint32_t>(bare::arg(argc, argv, "--servers", 1));
    const double rate = bare::arg(argc, argv, "--rate", 90.0);
    const double mean = bare::arg(argc, argv, "--mean", 0.01);
    const double duration = bare::arg(argc, argv, "--duration", 100000.0);
    const int repeat = static_cast<int>(bare::arg(argc, argv, "--repeat", 3));

    double best = 1e300, best_cpu = 1e300;
    Result r;
    for (int i = 0; i < repeat; ++i) {
        const auto t0 = std::chrono::steady_clock::now();
        const double c0 = bare::cpu_seconds();
        r = simulate(servers, rate, mean, duration);
        best = std::min(
            best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
        best_cpu = std::min(best_cpu, bare::cpu_seconds() - c0);
    }
    std::printf(
        "{\"implementation\": \"bare\", \"scenario\": \"M/M/%u\", \"simulated_s\": %.6g, "
        "\"wall_s\": %.6f, \"cpu_s\": %.6f, \"events\": %llu, \"requests\": %llu, "
        "\"requests_per_s\": %.1f, "
        "\"events_per_s\": %.1f, \"events_per_request\": %.3f, \"mean_latency_s\": %.6g}\n",
        servers, duration, best, best_cpu, static_cast<unsigned long long>(r.events),
        static_cast<unsigned long long>(r.requests), static_cast<double>(r.requests) / best,
        static_cast<double>(r.events) / best,
        static_cast<double>(r.events) / static_cast<double>(r.requests),
        r.latency_sum / static_cast<double>(r.requests));
    return 0;
}

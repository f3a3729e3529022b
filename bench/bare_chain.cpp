// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
//
// The limit on this machine for the chain workload (bench/scenarios/
// chain.toml), written by hand: gateway computes exp(1 ms) then calls api
// and waits holding its worker; api computes exp(2 ms) then calls db three
// times in parallel and joins all three, holding its worker; db computes
// exp(5 ms). Workers == cores everywhere, so a worker is a CPU server. Frames
// live in a pool with a free list; every frame's latency goes into its
// service's capsim::Histogram, as capsim records every endpoint frame.
//
//   bare_chain [--rate 600] [--duration 3000] [--repeat 3]
//              [--gateway 64] [--api 64] [--db 10]
#include <array>
#include <chrono>
#include <cstdio>
#include <vector>

#include "bench/bare_loop.hpp"
#include "engine/histogram.hpp"

namespace {

enum Kind : std::uint32_t { kArrival, kCpuDone };
enum Service : std::uint8_t { kGateway, kApi, kDb, kServices };
constexpr std::uint32_t kNone = 0xFFFFFFFFu;
constexpr std::uint32_t kFanOut = 3;
constexpr std::array<double, kServices> kMeanCpu = {0.001, 0.002, 0.005};

struct Frame {
    double start;
    std::uint32_t parent;
    std::uint32_t pending;
    Service service;
};

struct Result {
    std::uint64_t events = 0, requests = 0;
    double latency_sum = 0.0;
};

class Chain {
  public:
    Chain(double rate, std::array<std::uint32_t, kServices> workers)
        : rate_(rate), free_(workers) {}

    Result run(double duration) {
        cal_.push(bare::expo(arrivals_, 1.0 / rate_), kArrival, 0);
        while (!cal_.empty()) {
            const bare::Event e = cal_.pop();
            now_ = e.time;
            if (now_ > duration) break;
            ++r_.events;
            if (e.kind == kArrival) {
                cal_.push(now_ + bare::expo(arrivals_, 1.0 / rate_), kArrival, 0);
                admit(make(kGateway, kNone));
            } else {
                cpu_done(e.arg);
            }
        }
        r_.latency_sum = latency_[kGateway].sum();
        return r_;
    }

  private:
    std::uint32_t make(Service s, std::uint32_t parent) {
        std::uint32_t f;
        if (free_frames_.empty()) {
            f = static_cast<std::uint32_t>(frames_.size());
            frames_.emplace_back();
        } else {
            f = free_frames_.back();
            free_frames_.pop_back();
        }
        frames_[f] = Frame{now_, parent, 0, s};
        return f;
    }

    void admit(std::uint32_t f) {
        const Service s = frames_[f].service;
        if (free_[s] > 0) {
            --free_[s];
            compute(f);
        } else {
            queue_[s].push(f);
        }
    }

    void compute(std::uint32_t f) {
        const Service s = frames_[f].service;
        cal_.push(now_ + bare::expo(cpu_rng_[s], kMeanCpu[s]), kCpuDone, f);
    }

    void cpu_done(std::uint32_t f) {
        switch (frames_[f].service) {
            case kGateway:
                frames_[f].pending = 1;
                admit(make(kApi, f));
                return;
            case kApi:
                frames_[f].pending = kFanOut;
                for (std::uint32_t k = 0; k < kFanOut; ++k) admit(make(kDb, f));
                return;
            default:
                finish(f);
                return;
        }
    }

    // The frame ends: its worker passes to the next queued frame or goes
    // free, its latency is recorded, and its parent resumes when it was the
    // last child the parent waited for (a finished parent ends too: nothing
    // follows the call in gateway or the join in api).
    void finish(std::uint32_t f) {
        for (;;) {
            const Frame fr = frames_[f];
            if (!queue_[fr.service].empty()) {
                compute(queue_[fr.service].pop());
            } else {
                ++free_[fr.service];
            }
            latency_[fr.service].record(now_ - fr.start);
            free_frames_.push_back(f);
            if (fr.parent == kNone) {
                ++r_.requests;
                return;
            }
            if (--frames_[fr.parent].pending > 0) return;
            f = fr.parent;
        }
    }

    double rate_;
    double now_ = 0.0;
    capsim::Rng arrivals_{1, 0, "arrivals"};
    std::array<capsim::Rng, kServices> cpu_rng_{capsim::Rng(1, 0, "gateway"),
                                                capsim::Rng(1, 0, "api"), capsim::Rng(1, 0, "db")};
    std::array<std::uint32_t, kServices> free_;
    std::array<bare::Fifo<std::uint32_t>, kServices> queue_;
    std::array<capsim::Histogram, kServices> latency_;
    std::vector<Frame> frames_;
    std::vector<std::uint32_t> free_frames_;
    bare::Heap cal_;
    Result r_;
};

}  // namespace

int main(int argc, char** argv) {
    const double rate = bare::arg(argc, argv, "--rate", 600.0);
    const double duration = bare::arg(argc, argv, "--duration", 3000.0);
    const int repeat = static_cast<int>(bare::arg(argc, argv, "--repeat", 3));
    const std::array<std::uint32_t, kServices> workers = {
        static_cast<std::uint32_t>(bare::arg(argc, argv, "--gateway", 64)),
        static_cast<std::uint32_t>(bare::arg(argc, argv, "--api", 64)),
        static_cast<std::uint32_t>(bare::arg(argc, argv, "--db", 10))};

    double best = 1e300, best_cpu = 1e300;
    Result r;
    for (int i = 0; i < repeat; ++i) {
        const auto t0 = std::chrono::steady_clock::now();
        const double c0 = bare::cpu_seconds();
        r = Chain(rate, workers).run(duration);
        best = std::min(
            best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
        best_cpu = std::min(best_cpu, bare::cpu_seconds() - c0);
    }
    std::printf(
        "{\"implementation\": \"bare\", \"scenario\": \"chain\", \"simulated_s\": %.6g, "
        "\"wall_s\": %.6f, \"cpu_s\": %.6f, \"events\": %llu, \"requests\": %llu, "
        "\"requests_per_s\": %.1f, "
        "\"events_per_s\": %.1f, \"events_per_request\": %.3f, \"mean_latency_s\": %.6g}\n",
        duration, best, best_cpu, static_cast<unsigned long long>(r.events),
        static_cast<unsigned long long>(r.requests), static_cast<double>(r.requests) / best,
        static_cast<double>(r.events) / best,
        static_cast<double>(r.events) / static_cast<double>(r.requests),
        r.latency_sum / static_cast<double>(r.requests));
    return 0;
}

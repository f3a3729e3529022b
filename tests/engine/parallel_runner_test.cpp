// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#include "engine/parallel_runner.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

using capsim::parallel_for;

namespace {

// Counts how often each index ran.
struct Tally {
    explicit Tally(std::size_t n) : runs(new std::atomic<int>[n]), size(n) {
        for (std::size_t i = 0; i < n; ++i) runs[i] = 0;
    }
    bool each_exactly_once() const {
        for (std::size_t i = 0; i < size; ++i)
            if (runs[i].load() != 1) return false;
        return true;
    }
    std::unique_ptr<std::atomic<int>[]> runs;
    std::size_t size;
};

// Waits (bounded, so a broken cancel fails the test instead of hanging it)
// until the run's cancel flag is raised.
void wait_for_cancel(const std::atomic<bool>& cancel) {
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!cancel.load() && std::chrono::steady_clock::now() < give_up)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

}  // namespace

TEST_CASE("parallel_for: every index runs exactly once", "[unit]") {
    for (unsigned threads : {1u, 2u, 8u}) {
        for (std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{100}}) {
            Tally tally(n);
            parallel_for(n, threads, [&](std::size_t i, const std::atomic<bool>&) {
                tally.runs[i].fetch_add(1);
            });
            INFO("threads = " << threads << ", n = " << n);
            CHECK(tally.each_exactly_once());
        }
    }
}

TEST_CASE("parallel_for: threads = 0 means all hardware threads, each index still once", "[unit]") {
    Tally tally(257);
    parallel_for(257, 0, [&](std::size_t i, const std::atomic<bool>&) { tally.runs[i]++; });
    CHECK(tally.each_exactly_once());
}

TEST_CASE("parallel_for: jobs run on the requested number of threads at most", "[unit]") {
    // Jobs that overlap in time show how many ran at once.
    std::atomic<int> running{0}, peak{0};
    parallel_for(16, 2, [&](std::size_t, const std::atomic<bool>&) {
        const int now = ++running;
        int p = peak.load();
        while (now > p && !peak.compare_exchange_weak(p, now)) {
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
        --running;
    });
    CHECK(peak.load() >= 1);
    CHECK(peak.load() <= 2);
}

TEST_CASE("parallel_for: an exception thrown by a job is rethrown to the caller", "[unit]") {
    for (unsigned threads : {1u, 4u}) {
        INFO("threads = " << threads);
        auto run = [&] {
            parallel_for(100, threads, [](std::size_t i, const std::atomic<bool>&) {
                if (i == 37) throw std::runtime_error("replication 37 failed");
            });
        };
        CHECK_THROWS_AS(run(), std::runtime_error);
        CHECK_THROWS_WITH(run(), "replication 37 failed");
    }
}

TEST_CASE("parallel_for: a failing job cancels the jobs still to come", "[unit]") {
    // Job 0 fails at once; the others wait for the cancel flag, so the run
    // ends (rather than hanging for 5 s per job) only if cancel is raised.
    std::atomic<int> started{0};
    const auto t0 = std::chrono::steady_clock::now();
    CHECK_THROWS_AS(parallel_for(50, 2,
                                 [&](std::size_t i, const std::atomic<bool>& cancel) {
                                     ++started;
                                     if (i == 0) throw std::logic_error("boom");
                                     wait_for_cancel(cancel);
                                 }),
                    std::logic_error);
    CHECK(started.load() < 50);
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(4));
}

TEST_CASE("parallel_for: progress returning false throws capsim::Interrupted", "[unit]") {
    // Ctrl-C in a notebook: progress() says stop, the running jobs see the
    // cancel flag, the rest never start, and the caller gets Interrupted.
    std::atomic<int> started{0};
    int calls = 0;
    auto run = [&] {
        parallel_for(
            100, 2,
            [&](std::size_t, const std::atomic<bool>& cancel) {
                ++started;
                wait_for_cancel(cancel);
            },
            [&](std::size_t, std::size_t) {
                ++calls;
                return false;
            });
    };
    CHECK_THROWS_AS(run(), capsim::Interrupted);
    CHECK(calls == 1);  // no more progress after the stop was asked for
    CHECK(started.load() < 100);
    CHECK(std::string(capsim::Interrupted{}.what()) == "interrupted");
}

TEST_CASE("parallel_for: progress runs on the caller's thread and ends with (total, total)",
          "[unit]") {
    for (unsigned threads : {1u, 3u}) {
        for (std::size_t n : {std::size_t{1}, std::size_t{40}}) {
            INFO("threads = " << threads << ", n = " << n);
            const auto caller = std::this_thread::get_id();
            std::vector<std::pair<std::size_t, std::size_t>> calls;
            bool on_caller = true;
            parallel_for(
                n, threads,
                [](std::size_t, const std::atomic<bool>&) {
                    std::this_thread::sleep_for(std::chrono::microseconds(200));
                },
                [&](std::size_t done, std::size_t total) {
                    on_caller = on_caller && std::this_thread::get_id() == caller;
                    calls.emplace_back(done, total);
                    return true;
                });
            REQUIRE_FALSE(calls.empty());
            CHECK(on_caller);
            CHECK(calls.back() == std::make_pair(n, n));
            bool monotone = true;
            for (std::size_t k = 0; k < calls.size(); ++k) {
                monotone = monotone && calls[k].second == n && calls[k].first <= n;
                if (k > 0) monotone = monotone && calls[k].first >= calls[k - 1].first;
            }
            CHECK(monotone);
        }
    }
}

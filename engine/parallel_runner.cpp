// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#include "engine/parallel_runner.hpp"

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace capsim {

void parallel_for(std::size_t n, unsigned threads,
                  const std::function<void(std::size_t, const std::atomic<bool>&)>& job,
                  const Progress& progress) {
    if (n == 0) return;
    if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
    threads = static_cast<unsigned>(std::min<std::size_t>(threads, n));

    std::atomic<std::size_t> next{0};
    std::atomic<bool> cancel{false};
    std::mutex mu;
    std::condition_variable cv;
    std::size_t done = 0;
    std::exception_ptr error;

    auto worker = [&] {
        for (;;) {
            const std::size_t i = next.fetch_add(1);
            if (i >= n || cancel.load()) break;
            try {
                job(i, cancel);
            } catch (...) {
                std::lock_guard lock(mu);
                if (!error) error = std::current_exception();
                cancel.store(true);
            }
            {
                std::lock_guard lock(mu);
                ++done;
            }
            cv.notify_one();
        }
        std::lock_guard lock(mu);
        cv.notify_one();
    };

    std::vector<std::thread> pool;
    // The calling thread reports progress; the jobs run on the pool.
    for (unsigned t = 0; t < threads; ++t) pool.emplace_back(worker);
    bool stopped = false;
    {
        std::unique_lock lock(mu);
        while (done < n && !cancel.load()) {
            // Wake regularly even without news, so progress() can poll for
            // a user interrupt while a long replication runs.
            cv.wait_for(lock, std::chrono::milliseconds(100));
            if (!progress) continue;
            const std::size_t d = done;
            lock.unlock();
            bool go_on = false;
            std::exception_ptr raised;
            try {
                go_on = progress(d, n);
            } catch (...) {
                // Stop the workers before the exception leaves: a joinable
                // std::thread destroyed in flight would terminate the program.
                raised = std::current_exception();
            }
            lock.lock();
            if (raised && !error) error = raised;
            if (!go_on) {
                stopped = true;
                cancel.store(true);
            }
        }
    }
    for (auto& t : pool) t.join();
    if (error) std::rethrow_exception(error);
    if (stopped) throw Interrupted{};
    if (progress && !progress(n, n)) throw Interrupted{};
}

}  // namespace capsim

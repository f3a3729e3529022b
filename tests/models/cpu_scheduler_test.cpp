// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#include "models/cpu_scheduler.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <map>
#include <vector>

#include "engine/calendar.hpp"
#include "models/event_kind.hpp"

using capsim::Calendar;
using capsim::CpuScheduler;
using Mode = capsim::CpuScheduler::Mode;

namespace {

constexpr std::uint32_t kSelf = 3;  // the replica index the scheduler reports as

// Plays the simulation's part: pops the calendar, hands completions back to
// the scheduler, and records when each task's CPU step finished.
struct Driver {
    Calendar cal;
    CpuScheduler cpu;
    std::map<std::uint32_t, double> finished;  // task -> completion time
    std::vector<std::uint32_t> order;          // tasks in completion order

    explicit Driver(Mode mode, std::uint32_t cores) { cpu.configure(mode, cores, kSelf); }

    // Runs every event up to and including `until`.
    void run(double until = 1e18) {
        while (!cal.empty() && cal.next_time() <= until) {
            const capsim::Event e = cal.pop();
            std::uint32_t task = 0;
            if (e.kind() == capsim::kCpuDone) {
                task = e.arg;
                cpu.finish_fcfs(cal, e.time);
            } else {
                REQUIRE(e.kind() == capsim::kPsDone);
                REQUIRE(e.arg == kSelf);
                task = cpu.finish_sharing(cal, e.time);
            }
            REQUIRE(finished.count(task) == 0);
            finished[task] = e.time;
            order.push_back(task);
        }
    }
};

}  // namespace

TEST_CASE("cpu: dedicated cores complete a step at now + work", "[unit]") {
    Driver d(Mode::Dedicated, 4);
    d.cpu.submit(d.cal, 1.0, 7, 0.25);
    d.cpu.submit(d.cal, 1.5, 8, 2.0);
    CHECK(d.cpu.busy() == 2);
    d.run();
    CHECK(d.finished.at(7) == 1.25);
    CHECK(d.finished.at(8) == 3.5);
    CHECK(d.cpu.busy() == 0);
}

TEST_CASE("cpu: FCFS with 2 cores starts the third job when the first finishes", "[unit]") {
    Driver d(Mode::Fcfs, 2);
    d.cpu.submit(d.cal, 0.0, 1, 1.0);
    d.cpu.submit(d.cal, 0.0, 2, 3.0);
    d.cpu.submit(d.cal, 0.0, 3, 1.5);  // both cores taken: it waits
    CHECK(d.cpu.busy() == 2);
    CHECK(d.cal.size() == 2);  // the waiting job has no event yet
    d.run(1.0);
    CHECK(d.finished.at(1) == 1.0);
    CHECK(d.cpu.busy() == 2);  // job 3 took the freed core at t = 1
    d.run();
    CHECK(d.finished.at(3) == 2.5);  // 1.0 + 1.5
    CHECK(d.finished.at(2) == 3.0);
    CHECK(d.cpu.busy() == 0);
}

TEST_CASE("cpu: FCFS serves waiting jobs in arrival order", "[unit]") {
    Driver d(Mode::Fcfs, 1);
    for (std::uint32_t task = 0; task < 5; ++task) d.cpu.submit(d.cal, 0.0, task, 1.0);
    CHECK(d.cpu.busy() == 1);
    d.run();
    CHECK(d.order == std::vector<std::uint32_t>{0, 1, 2, 3, 4});
    CHECK(d.finished.at(4) == 5.0);
}

TEST_CASE("cpu: processor sharing, two equal jobs on one core both finish at t = 2", "[unit]") {
    Driver d(Mode::Sharing, 1);
    d.cpu.submit(d.cal, 0.0, 1, 1.0);
    d.cpu.submit(d.cal, 0.0, 2, 1.0);
    CHECK(d.cpu.busy() == 1);
    // Only the earliest finisher has an event, re-timed when the second came.
    CHECK(d.cal.size() == 1);
    d.run();
    CHECK(d.finished.at(1) == Approx(2.0).epsilon(1e-12));
    CHECK(d.finished.at(2) == Approx(2.0).epsilon(1e-12));
    CHECK(d.cpu.busy() == 0);
    CHECK(d.cal.empty());
}

TEST_CASE("cpu: processor sharing, a job arriving half-way slows the first", "[unit]") {
    // Job 1 (work 1) runs alone on [0, 0.5): 0.5 done. Both share the core
    // at rate 1/2 until job 1's last 0.5 is done at 0.5 + 0.5/0.5 = 1.5, when
    // job 2 has 0.5 done too; alone again, it finishes at 1.5 + 0.5 = 2.0.
    Driver d(Mode::Sharing, 1);
    d.cpu.submit(d.cal, 0.0, 1, 1.0);
    d.run(0.5);
    d.cpu.submit(d.cal, 0.5, 2, 1.0);
    d.run();
    CHECK(d.finished.at(1) == Approx(1.5).epsilon(1e-12));
    CHECK(d.finished.at(2) == Approx(2.0).epsilon(1e-12));
}

TEST_CASE("cpu: processor sharing, 3 equal jobs on 2 cores each get rate 2/3", "[unit]") {
    Driver d(Mode::Sharing, 2);
    for (std::uint32_t task = 1; task <= 3; ++task) d.cpu.submit(d.cal, 0.0, task, 1.0);
    CHECK(d.cpu.busy() == 2);  // never more than the cores
    d.run();
    for (std::uint32_t task = 1; task <= 3; ++task)
        CHECK(d.finished.at(task) == Approx(1.0 / (2.0 / 3.0)).epsilon(1e-12));
    CHECK(d.cpu.busy() == 0);
}

TEST_CASE("cpu: processor sharing with fewer jobs than cores runs each at full speed", "[unit]") {
    // 2 cores, works 1, 1, 2 at t = 0: rate 2/3 each until t = 1.5 (two done,
    // the third has 1 left), then alone at rate 1: done at 2.5.
    Driver d(Mode::Sharing, 2);
    d.cpu.submit(d.cal, 0.0, 1, 1.0);
    d.cpu.submit(d.cal, 0.0, 2, 1.0);
    d.cpu.submit(d.cal, 0.0, 3, 2.0);
    d.run(1.6);
    CHECK(d.finished.at(1) == Approx(1.5).epsilon(1e-12));
    CHECK(d.finished.at(2) == Approx(1.5).epsilon(1e-12));
    CHECK(d.cpu.busy() == 1);
    d.run();
    CHECK(d.finished.at(3) == Approx(2.5).epsilon(1e-12));
    // Equal finishing times complete in submission order.
    CHECK(d.order == std::vector<std::uint32_t>{1, 2, 3});
}

TEST_CASE("cpu: busy() counts the cores in use in every mode", "[unit]") {
    SECTION("dedicated") {
        Driver d(Mode::Dedicated, 8);
        for (std::uint32_t task = 0; task < 3; ++task) d.cpu.submit(d.cal, 0.0, task, 1.0 + task);
        CHECK(d.cpu.busy() == 3);
        d.run(1.0);
        CHECK(d.cpu.busy() == 2);
        d.run();
        CHECK(d.cpu.busy() == 0);
    }
    SECTION("fcfs") {
        Driver d(Mode::Fcfs, 2);
        d.cpu.submit(d.cal, 0.0, 0, 1.0);
        CHECK(d.cpu.busy() == 1);
        for (std::uint32_t task = 1; task < 4; ++task) d.cpu.submit(d.cal, 0.0, task, 1.0);
        CHECK(d.cpu.busy() == 2);
        d.run(1.0);  // two finish, two start
        CHECK(d.cpu.busy() == 2);
        d.run();
        CHECK(d.cpu.busy() == 0);
    }
    SECTION("sharing") {
        Driver d(Mode::Sharing, 4);
        for (std::uint32_t task = 0; task < 6; ++task) {
            d.cpu.submit(d.cal, 0.0, task, 1.0);
            CHECK(d.cpu.busy() == std::min<std::uint32_t>(task + 1, 4));
        }
        d.run();
        CHECK(d.cpu.busy() == 0);
    }
}

TEST_CASE("cpu: configure() resets a scheduler for the next replication", "[unit]") {
    Driver d(Mode::Sharing, 1);
    d.cpu.submit(d.cal, 0.0, 1, 5.0);
    d.cal.clear();
    d.cpu.configure(Mode::Sharing, 1, kSelf);
    CHECK(d.cpu.busy() == 0);
    d.cpu.submit(d.cal, 0.0, 2, 1.0);
    d.run();
    CHECK(d.finished.at(2) == Approx(1.0));
    CHECK(d.finished.count(1) == 0);
}

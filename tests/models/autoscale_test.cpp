// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
//
// The autoscaler and cold starts: an HPA on CPU settles where the offered
// load puts every replica at its target, holds its replicas through the
// scale-in window after the load drops, honours a scheduled floor, and a
// cold replica's cpu steps cost the fading factor they are given.
#include <catch2/catch.hpp>

#include <string>

#include "theory_support.hpp"

namespace {

using namespace capsim;
using namespace capsim::theory;

std::string run_of(double duration, double warmup, double window, int replications, int seed) {
    return fmt(
        "[run]\nduration = \"%gs\"\nwarmup = \"%gs\"\nwindow = \"%gs\"\n"
        "replications = %d\nseed = %d\n",
        duration, warmup, window, replications, seed);
}

}  // namespace

TEST_CASE(
    "an autoscaler on cpu settles where load / target puts it, and holds through its "
    "scale-in window",
    "[autoscale]") {
    // 800/s of exp(5 ms) on one core a replica is 4 cores of work: at a 50%
    // target, 8 replicas. The HPA's rule, ceil(ready x utilisation / target)
    // with a 10% tolerance, also keeps 9 (4/9 is 0.89 of the target, and
    // ceil(9 x 0.89) is 8 or 9 by a hair of noise), never 7 (1.14) or 10
    // (ceil(8.0) at most 9). At 900 s the load falls to 200/s (2 or 3 by
    // the same rule), but the scale-in window (120 s) keeps the fleet until
    // its recommendations have all asked for fewer.
    std::string t = run_of(1500.0, 300.0, 10.0, 6, 91);
    t += "[services.api]\nreplicas = 2\nworkers = 4\ncores = 1\n"
         "[services.api.autoscale]\nmetric = \"cpu\"\ntarget = 0.5\ninterval = \"10s\"\n"
         "min = 1\nmax = 20\nprovisioning = \"5s\"\nscale_in_window = \"120s\"\n"
         "[services.api.endpoints.get]\nsteps = [ { cpu = \"exp(5ms)\" } ]\n"
         "[traffic.web]\nshape = { kind = \"step\", steps = [ { at = \"0s\", rate = \"800/s\" }, "
         "{ at = \"900s\", rate = \"200/s\" } ] }\nendpoint = \"api.get\"\n";
    const Outcome o = run_scenario(t, "hpa.toml");
    const std::size_t s = station_index(o, "api");
    const std::string params =
        "800/s x 5 ms, 1 core a replica, target 50%, " + run_words(600.0, 6) + " before the step";
    // Windows 30..89 are [300, 900): after the warm-up, before the step.
    auto mean_windows = [&](auto value, std::size_t from, std::size_t to) {
        return per_replication(o, [&](const ReplicationResult& r) {
            double sum = 0.0;
            for (std::size_t w = from; w < to; ++w) sum += value(r.stations[s], w);
            return sum / double(to - from);
        });
    };
    for (const ReplicationResult& r : o.reps) {
        const auto& up = r.stations[s].series.replicas_up;
        for (std::size_t w = 30; w < 90; ++w) {
            CHECK(up[w] >= 8.0);
            CHECK(up[w] <= 9.0);
        }
        // Held within the window after the step; 2 or 3 long after it.
        CHECK(up[95] == up[85]);
        CHECK(up[140] >= 2.0);
        CHECK(up[140] <= 3.0);
    }
    // Whatever the fleet, it does the offered work: 4 cores busy in all.
    const Estimate busy = mean_windows(
        [](const StationResult& st, std::size_t w) { return st.series.busy_cores[w]; }, 30, 90);
    compare("Autoscaler (HPA on cpu)", params, "busy cores over the fleet", 4.0, busy);
}

TEST_CASE("an autoscaler's scheduled floor starts replicas ahead of the load", "[autoscale]") {
    // Idle load, a floor of 6 from 100 s to 200 s, 20 s to provision: 6 up
    // from 120 s; back to 1 after 200 s and the 30 s scale-in window.
    std::string t = run_of(300.0, 0.0, 10.0, 1, 92);
    t += "[services.api]\nworkers = 4\ncores = 1\n"
         "[services.api.autoscale]\ntarget = 0.5\nmin = 1\nmax = 10\nprovisioning = \"20s\"\n"
         "scale_in_window = \"30s\"\n"
         "schedule = [ { at = \"100s\", min = 6 }, { at = \"200s\", min = 1 } ]\n"
         "[services.api.endpoints.get]\nsteps = [ { cpu = \"exp(5ms)\" } ]\n"
         "[traffic.web]\nrate = \"10/s\"\nendpoint = \"api.get\"\n";
    const Outcome o = run_scenario(t, "floor.toml");
    const auto& up = o.reps[0].stations[0].series.replicas_up;
    CHECK(up[9] == Approx(1.0));   // [90, 100)
    CHECK(up[11] == Approx(1.0));  // [110, 120): booting
    CHECK(up[13] == Approx(6.0));  // [130, 140)
    CHECK(up[19] == Approx(6.0));  // [190, 200)
    CHECK(up[26] == Approx(1.0));  // [260, 270)
    CHECK(o.report.stations[0].scale_outs.mean == 5.0);
    CHECK(o.report.stations[0].replicas_peak.mean == 6.0);
}

TEST_CASE("theory: a cold replica's cpu steps cost 1 + (f - 1)(1 - age / D) times more",
          "[theory][autoscale]") {
    // One replica, M/G/1 at rho 0.2, crashes 10..20 s and comes back cold
    // (f = 3, D = 100 s): over [20, 120) its work is (1 + (f - 1)/2) = 2
    // times the warm one, so its core is 40% busy, then 20% again.
    std::string t = run_of(300.0, 0.0, 20.0, 10, 93);
    t += "[services.api]\nworkers = 100\ncores = 1\n"
         "cold_start = { duration = \"100s\", factor = 3 }\n"
         "[services.api.endpoints.get]\nsteps = [ { cpu = \"exp(4ms)\" } ]\n"
         "[traffic.web]\nrate = \"50/s\"\nendpoint = \"api.get\"\n"
         "[[faults]]\nkind = \"crash\"\nservice = \"api\"\nstart = \"10s\"\nend = \"20s\"\n";
    const Outcome o = run_scenario(t, "cold_start.toml");
    auto busy = [&](std::size_t from, std::size_t to) {
        return per_replication(o, [&](const ReplicationResult& r) {
            double sum = 0.0;
            for (std::size_t w = from; w < to; ++w) sum += r.stations[0].series.busy_cores[w];
            return sum / double(to - from);
        });
    };
    const std::string params = "50/s x exp(4 ms), f = 3 over 100 s, R=10";
    compare("Cold start", params, "core utilisation while cold", 0.4, busy(1, 6));
    compare("Cold start", params, "core utilisation once warm", 0.2, busy(6, 15));
}

TEST_CASE("an autoscaler's scale-out cooldown spaces its scale-outs", "[autoscale]") {
    // A load far past one replica asks for the max at every evaluation; with
    // max_out = 1 each scale-out adds one replica, and a 60 s cooldown lets
    // one through a minute: 1 + 4 replicas after 4.5 minutes, not 10.
    std::string t = run_of(270.0, 0.0, 10.0, 1, 94);
    t += "[services.api]\nworkers = 4\ncores = 1\n"
         "[services.api.autoscale]\ntarget = 0.5\nmin = 1\nmax = 10\ninterval = \"10s\"\n"
         "provisioning = \"5s\"\nmax_out = 1\nscale_out_cooldown = \"60s\"\n"
         "[services.api.endpoints.get]\nsteps = [ { cpu = \"exp(5ms)\" } ]\n"
         "[traffic.web]\nrate = \"2000/s\"\nendpoint = \"api.get\"\n";
    const Outcome o = run_scenario(t, "cooldown.toml");
    CHECK(o.report.stations[0].scale_outs.mean == 5.0);  // at 10, 70, 130, 190 and 250 s
    const auto& up = o.reps[0].stations[0].series.replicas_up;
    CHECK(up[5] == Approx(2.0));   // [50, 60)
    CHECK(up[12] == Approx(3.0));  // [120, 130)
}

// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
//
// Injected faults and health checks: what a crash costs with and without a
// health check (closed forms in the detection delay), a random crash
// process's availability (a two-state Markov chain), the callers of lost
// work answered at once, latency and error injection, partitions and slow
// start. Tolerances follow theory_support.hpp (the 99.9% interval over
// replications); pathwise identities are checked exactly.
#include <catch2/catch.hpp>

#include <cmath>
#include <numeric>
#include <string>

#include "theory_support.hpp"

namespace {

using namespace capsim;
using namespace capsim::theory;

std::uint64_t errors_of(const ReplicationResult& r, std::size_t e, ErrorCause c) {
    return r.endpoints[e].errors[static_cast<std::size_t>(c)];
}

// Four replicas of M/M/2 behind round robin: a request every 1.25 ms.
std::string four_replicas(const std::string& extra) {
    return "[services.api]\nreplicas = 4\nworkers = 2\ncores = 2\n" + extra +
           "[services.api.endpoints.get]\nsteps = [ { cpu = \"exp(5ms)\" } ]\n"
           "[traffic.web]\nrate = \"800/s\"\nendpoint = \"api.get\"\n";
}

// front calls back (exp(10 ms), no queueing anywhere) and, if asked, the
// external bank; web sends 500/s over `mix`.
std::string front_to_back(const std::string& mix) {
    return "[services.front]\nworkers = 10000\ncores = 10000\n"
           "[services.front.endpoints.get]\nsteps = [ { call = \"back.work\" } ]\n"
           "[services.front.endpoints.pay]\nsteps = [ { call = \"bank\" } ]\n"
           "[services.back]\nworkers = 10000\ncores = 10000\n"
           "[services.back.endpoints.work]\nsteps = [ { delay = \"exp(10ms)\" } ]\n"
           "[externals.bank]\nlatency = \"exp(20ms)\"\n"
           "[traffic.web]\nrate = \"500/s\"\nmix = " +
           mix + "\n";
}

}  // namespace

TEST_CASE("theory: a crashed replica in rotation refuses its share for as long as it is down",
          "[theory][fault]") {
    // Round robin sends every fourth request to api[0]: down 20 s of the
    // 100 s measured, it refuses lambda / 4 x 20 s, 40 per second of the run.
    const double measure = 100.0, warmup = 10.0;
    std::string t = run_table(measure, warmup, 10, 81) + four_replicas("");
    t += "[[faults]]\nkind = \"crash\"\nservice = \"api\"\nstart = \"30s\"\nend = \"50s\"\n";
    const Outcome o = run_scenario(t, "crash_in_rotation.toml");
    const StationReport& api = station(o, "api");
    const std::string params =
        "4 replicas x M/M/2, RR, 800/s, api[0] down 20 s, " + run_words(measure, 10);
    compare("Crash without a health check", params, "connection refused (1/s)", 40.0, api.refused);
    compare("Crash without a health check", params, "error ratio", 0.05,
            endpoint(o, "api.get").error_rate);
    // Time up is a fact of the schedule, not an estimate.
    CHECK(api.replicas_up.mean == Approx(3.8).epsilon(1e-12));
    CHECK(api.per_replica[0].up.mean == Approx(0.8).epsilon(1e-12));
    CHECK(api.crashes.mean == 1.0);
}

TEST_CASE("theory: a health check ejects a crash after interval x (unhealthy - 1/2) on average",
          "[theory][fault]") {
    // Probes every T on a uniform phase: the first after the crash comes
    // U(0, T) later and k failed probes in a row take T (k - 1) more. Until
    // then api[0] refuses lambda / 4: 200/s x (T/2 + T) = 600 a crash, with
    // T = 2 s and k = 2. The crashes are a random process, up 10..30 s
    // (longer than the 2 s a restarted replica may wait for its probe) and
    // down 5 s (longer than the 4 s the ejection can take).
    const double measure = 1000.0, warmup = 10.0;
    std::string t = run_table(measure, warmup, 10, 82) +
                    four_replicas("health_check = { interval = \"2s\", unhealthy = 2 }\n");
    t += "[[faults]]\nkind = \"crash\"\nservice = \"api\"\nevery = \"uniform(10s, 30s)\"\n"
         "duration = \"5s\"\n";
    const Outcome o = run_scenario(t, "crash_health_check.toml");
    const std::size_t s = station_index(o, "api");
    const Estimate per_crash = per_replication(o, [&](const ReplicationResult& r) {
        return double(r.stations[s].refused) / double(r.stations[s].crashes);
    });
    const std::string params =
        "4 replicas, RR, 800/s, probes every 2 s, 2 to eject, " + run_words(measure, 10);
    compare("Health check", params, "refused per crash", 600.0, per_crash);
    const Estimate ejected = per_replication(o, [&](const ReplicationResult& r) {
        return double(r.stations[s].ejections) / double(r.stations[s].crashes);
    });
    // Every crash outlasts its detection, so each one is ejected once (a
    // crash still on at the end may be counted before its ejection).
    CHECK(ejected.mean > 0.97);
    CHECK(ejected.mean <= 1.0);
}

TEST_CASE("theory: random crashes leave a replica up as a two-state Markov chain says",
          "[theory][fault]") {
    // Up for exp(mean 20 s), down for exp(5 s): starting up at the end of
    // the warm-up, P(up at t) = p + (1 - p) e^{-(a + b) t} with p = 0.8,
    // a = 1/20, b = 1/5; averaged over the T measured seconds.
    const double measure = 2000.0, warmup = 10.0;
    std::string t = run_table(measure, warmup, 10, 83) + four_replicas("");
    t += "[[faults]]\nkind = \"crash\"\nservice = \"api\"\nreplicas = 4\n"
         "every = \"exp(20s)\"\nduration = \"exp(5s)\"\n";
    const Outcome o = run_scenario(t, "random_crashes.toml");
    const double a = 1.0 / 20.0, b = 1.0 / 5.0, p = b / (a + b);
    const double mean_up =
        p + (1.0 - p) * (1.0 - std::exp(-(a + b) * measure)) / ((a + b) * measure);
    const StationReport& api = station(o, "api");
    const std::string params =
        "MTBF 20 s, MTTR 5 s (exponential), 4 replicas, " + run_words(measure, 10);
    compare("Random crashes", params, "replicas up (mean)", 4.0 * mean_up, api.replicas_up);
    compare("Random crashes", params, "api[2] up (fraction)", mean_up, api.per_replica[2].up);
    // The recovery check sees every occurrence of the random fault.
    REQUIRE(o.report.recoveries.size() == 1);
    const RecoveryReport& rr = o.report.recoveries[0];
    CHECK(rr.random);
    CHECK(rr.recovered + rr.late + rr.not_recovered + rr.inconclusive > 100);
}

TEST_CASE("a crash answers the callers of its lost work at once", "[fault]") {
    // Every call to `slow` takes 10 s; it crashes at 5 s and stays down. The
    // callers of the calls in flight are told at 5 s (crashed), later calls
    // are refused: by 8 s every request has failed, none waited 10 s.
    std::string t = run_table(8.0, 0.0, 2, 84);
    t += "[services.front]\nworkers = 1000\ncores = 4\n"
         "[services.front.endpoints.get]\nsteps = [ { call = \"slow.work\" } ]\n"
         "[services.slow]\nworkers = 1000\ncores = 4\n"
         "[services.slow.endpoints.work]\nsteps = [ { delay = \"10s\" } ]\n"
         "[traffic.web]\nrate = \"20/s\"\nendpoint = \"front.get\"\n"
         "[[faults]]\nkind = \"crash\"\nservice = \"slow\"\nstart = \"5s\"\nend = \"100s\"\n";
    const Outcome o = run_scenario(t, "crash_answers.toml");
    const std::size_t front = endpoint_index(o, "front.get");
    for (const ReplicationResult& r : o.reps) {
        const EndpointResult& e = r.endpoints[front];
        CHECK(e.completions == 0);
        CHECK(errors_of(r, front, ErrorCause::Crashed) +
                  errors_of(r, front, ErrorCause::ConnectionRefused) ==
              e.arrivals);
        // About 100 calls were in flight at 5 s and 60 came after.
        CHECK(errors_of(r, front, ErrorCause::Crashed) > 50);
        CHECK(errors_of(r, front, ErrorCause::ConnectionRefused) > 30);
        // The clients know: nothing of theirs is in flight at the end.
        CHECK(r.in_flight_at_end == 0);
    }
}

TEST_CASE("theory: injected latency adds fraction x delay to the mean, in its own component",
          "[theory][fault]") {
    const double measure = 200.0, warmup = 5.0;
    std::string t = run_table(measure, warmup, 10, 85);
    t += front_to_back("{ \"front.get\" = 1 }");
    t += "[[faults]]\nkind = \"latency\"\nto = \"back\"\nfrom = \"front\"\nfraction = 0.5\n"
         "delay = \"100ms\"\nstart = \"0s\"\nend = \"1000s\"\n";
    const Outcome o = run_scenario(t, "latency_injection.toml");
    const EndpointReport& front = endpoint(o, "front.get");
    const std::string params =
        "half the calls 100 ms later, back exp(10 ms), " + run_words(measure, 10);
    compare("Latency injection", params, "front mean latency (s)", 0.060, front.latency.mean);
    compare("Latency injection", params, "injected (s per request)", 0.050,
            front.attribution[static_cast<std::size_t>(Component::Injected)]);
    // The call's frame at the callee starts when it is made, as its caller
    // sees it: the delay is in its latency and attributed there too.
    const EndpointReport& back = endpoint(o, "back.work");
    compare("Latency injection", params, "back mean latency (s)", 0.060, back.latency.mean);
    compare("Latency injection", params, "back injected (s per call)", 0.050,
            back.attribution[static_cast<std::size_t>(Component::Injected)]);
}

TEST_CASE("theory: injected errors fail their fraction of calls, to services and externals",
          "[theory][fault]") {
    const double measure = 200.0, warmup = 5.0;
    std::string t = run_table(measure, warmup, 10, 86);
    t += front_to_back("{ \"front.get\" = 0.5, \"front.pay\" = 0.5 }");
    t += "[[faults]]\nkind = \"error\"\nto = \"back\"\nfraction = \"20%\"\n"
         "start = \"0s\"\nend = \"1000s\"\n"
         "[[faults]]\nkind = \"error\"\nto = \"bank\"\nfraction = \"30%\"\n"
         "start = \"0s\"\nend = \"1000s\"\n";
    const Outcome o = run_scenario(t, "error_injection.toml");
    const std::string params =
        "20% of calls to a service, 30% to an external, " + run_words(measure, 10);
    compare("Error injection", params, "service call error ratio", 0.2,
            endpoint(o, "front.get").error_rate);
    compare("Error injection", params, "external call error ratio", 0.3,
            endpoint(o, "front.pay").error_rate);
    const std::size_t get = endpoint_index(o, "front.get");
    for (const ReplicationResult& r : o.reps) {
        CHECK(errors_of(r, get, ErrorCause::InjectedFault) ==
              std::accumulate(r.endpoints[get].errors.begin(), r.endpoints[get].errors.end(),
                              std::uint64_t{0}));
        // The calls failed before the back end saw them: it did no work.
        const EndpointResult& back = r.endpoints[endpoint_index(o, "back.work")];
        CHECK(r.stations[station_index(o, "back")].admitted <
              back.arrivals -
                  errors_of(r, endpoint_index(o, "back.work"), ErrorCause::InjectedFault) + 10);
        CHECK(errors_of(r, endpoint_index(o, "back.work"), ErrorCause::InjectedFault) > 0);
    }
}

TEST_CASE("a partition holds the calls across it until it heals or their caller gives up",
          "[fault]") {
    // back answers in 10 ms; front's calls time out at 200 ms. From 10 s to
    // 20 s front cannot reach back: every call made then is held (the
    // fault's hits are exactly the arrivals of windows 10..19), times out
    // unless it was made in the last 0.19 s, and goes through at 20 s.
    std::string t = run_table(30.0, 0.0, 3, 87);
    t += "[services.front]\nworkers = 10000\ncores = 10000\n"
         "[services.front.endpoints.get]\n"
         "steps = [ { call = \"back.work\", timeout = \"200ms\" } ]\n"
         "[services.back]\nworkers = 10000\ncores = 10000\n"
         "[services.back.endpoints.work]\nsteps = [ { delay = \"10ms\" } ]\n"
         "[traffic.web]\nrate = \"300/s\"\nendpoint = \"front.get\"\n"
         "[[faults]]\nkind = \"partition\"\nbetween = [\"back\", \"front\"]\n"
         "start = \"10s\"\nend = \"20s\"\n";
    const Outcome o = run_scenario(t, "partition.toml");
    REQUIRE(o.model.model.run.window == Approx(3.0));
    const std::size_t front = endpoint_index(o, "front.get");
    const std::size_t back = endpoint_index(o, "back.work");
    for (const ReplicationResult& r : o.reps) {
        const auto& arr = r.endpoints[front].series.arrivals;
        // Windows of 3 s: the partition covers [9, 21) only partly, so
        // bound the hits by the windows around it.
        const double inside = arr[4] + arr[5];                    // [12, 18)
        const double around = arr[3] + arr[4] + arr[5] + arr[6];  // [9, 21)
        const double hits = static_cast<double>(r.faults[0].hits);
        CHECK(hits >= inside);
        CHECK(hits <= around);
        const double timeouts = static_cast<double>(errors_of(r, front, ErrorCause::Timeout));
        CHECK(timeouts <= hits);
        CHECK(timeouts >= hits - arr[6]);
        // Every held call went through once the partition healed: what did
        // not complete at back is what is still in flight at the end.
        CHECK(r.endpoints[back].completions + r.in_flight_at_end == r.endpoints[front].arrivals);
    }
}

TEST_CASE("theory: slow start ramps a returning replica's share as w / (3 + w) under RR",
          "[theory][fault]") {
    // api[0] is down 20 s, then ramps for 20 s. Round robin offers it every
    // fourth pick; it keeps one with probability w = age / ramp, and a
    // refused pick goes to the next (warm) replica, so its share of requests
    // is w / (3 + w): over the ramp, lambda x 20 s x (1 - 3 ln(4/3)).
    const double measure = 100.0, warmup = 10.0, lambda = 800.0;
    std::string t = run_table(measure, warmup, 10, 88) + four_replicas("slow_start = \"20s\"\n");
    t += "[[faults]]\nkind = \"crash\"\nservice = \"api\"\nstart = \"30s\"\nend = \"50s\"\n";
    const Outcome o = run_scenario(t, "slow_start.toml");
    const double ramp = lambda * 20.0 * (1.0 - 3.0 * std::log(4.0 / 3.0));
    const double full = lambda / 4.0 * (measure - 40.0);
    const std::string params =
        "4 replicas, RR, 800/s, down 20 s, 20 s slow start, " + run_words(measure, 10);
    compare("Slow start", params, "api[0] throughput (1/s)", (ramp + full) / measure,
            station(o, "api").per_replica[0].throughput);
}

TEST_CASE("outlier detection ejects a replica after its consecutive failures", "[fault]") {
    // api[0] is down 20 s, no health check. Five refusals in a row eject it
    // for 5 s; back in rotation while still down, it refuses five more and
    // is ejected again: four cycles (the fifth would begin after the
    // restart), so 4 x 5 = 20 refusals, not lambda / 4 x 20 s = 4,000.
    std::string t =
        run_table(100.0, 10.0, 4, 89) +
        four_replicas("outlier_detection = { consecutive_errors = 5, ejection = \"5s\" }\n");
    t += "[[faults]]\nkind = \"crash\"\nservice = \"api\"\nstart = \"30s\"\nend = \"50s\"\n";
    const Outcome o = run_scenario(t, "outliers.toml");
    const std::size_t s = station_index(o, "api");
    for (const ReplicationResult& r : o.reps) {
        CHECK(r.stations[s].refused == 20);
        CHECK(r.stations[s].ejections == 4);
    }
    // At most max_ejected (half) of the replicas out: a failure every
    // replica shares cannot empty the rotation.
    std::string all =
        run_table(20.0, 0.0, 1, 90) +
        four_replicas("outlier_detection = { consecutive_errors = 2, ejection = \"60s\" }\n");
    all +=
        "[[faults]]\nkind = \"crash\"\nservice = \"api\"\nreplicas = 4\nstart = \"5s\"\nend = "
        "\"10s\"\n";
    const Outcome shared = run_scenario(all, "outliers_all.toml");
    CHECK(shared.reps[0].stations[0].ejections == 2);
}

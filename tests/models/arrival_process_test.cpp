// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
//
// Statistical checks allow 4.5 standard errors: by the CLT an estimate
// leaves that band with probability about 6.8e-6, so a failure means a
// wrong process, not bad luck (and the seeds are fixed, so runs repeat).
#include "models/arrival_process.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cmath>
#include <limits>
#include <memory>
#include <thread>
#include <vector>

#include "engine/law.hpp"
#include "engine/random.hpp"

using capsim::ArrivalProcess;
using capsim::Law;
using capsim::RateShape;
using capsim::Rng;
using capsim::SourceKind;
using capsim::SourceSpec;

namespace {

constexpr double kZ = 4.5;
constexpr double kInf = std::numeric_limits<double>::infinity();

SourceSpec open_source(RateShape shape, Law interarrival) {
    SourceSpec s;
    s.name = "web";
    s.path = "sources.web";
    s.kind = SourceKind::Open;
    s.shape = std::move(shape);
    s.interarrival = std::move(interarrival);
    return s;
}

// The first n inter-arrival gaps of a source.
std::vector<double> gaps(const SourceSpec& spec, std::size_t n, std::uint64_t seed) {
    ArrivalProcess process(spec);
    Rng rng(seed, 0, spec.path);
    std::vector<double> out;
    out.reserve(n);
    double last = 0.0;
    double t = process.first(rng);
    for (std::size_t i = 0; i < n; ++i) {
        out.push_back(t - last);
        last = t;
        t = process.next(rng);
    }
    return out;
}

struct Moments {
    double mean;
    double scv;
};

Moments moments(const std::vector<double>& xs) {
    double sum = 0.0;
    for (double x : xs) sum += x;
    const double mean = sum / static_cast<double>(xs.size());
    double ss = 0.0;
    for (double x : xs) ss += (x - mean) * (x - mean);
    const double var = ss / static_cast<double>(xs.size() - 1);
    return {mean, var / (mean * mean)};
}

}  // namespace

TEST_CASE("arrivals: a constant-rate Poisson source has mean gap 1/rate and scv 1", "[unit]") {
    constexpr double kRate = 200.0;
    constexpr std::size_t kN = 200'000;
    const SourceSpec spec = open_source(RateShape::constant(kRate), Law::exponential(1.0));
    const Moments m = moments(gaps(spec, kN, 1));
    // Exponential gaps: sd of the sample mean (1/rate)/sqrt(n).
    CHECK(std::abs(m.mean - 1.0 / kRate) < kZ * (1.0 / kRate) / std::sqrt(kN));
    // Sample scv, delta method: n Var = mu4 - s^4 + 4 s^6 - 4 s^2 mu3 = 4 for
    // the unit exponential (s^2 = 1, mu3 = 2, mu4 = 9).
    CHECK(std::abs(m.scv - 1.0) < kZ * std::sqrt(4.0 / kN));
}

TEST_CASE("arrivals: a renewal source keeps its law's scv and is rescaled to the rate", "[unit]") {
    // gamma(k = 4, theta = 0.5): mean 2 s, scv 1/4. The source divides by
    // the law's mean, so at 50/s the gaps have mean 1/50 and still scv 1/4.
    constexpr double kRate = 50.0;
    constexpr std::size_t kN = 200'000;
    const SourceSpec spec = open_source(RateShape::constant(kRate), Law::gamma(4.0, 0.5));
    const Moments m = moments(gaps(spec, kN, 2));
    // Gamma(k): variance 1/k of the mean squared.
    CHECK(std::abs(m.mean - 1.0 / kRate) < kZ * (0.5 / kRate) / std::sqrt(kN));
    // Delta method for the sample scv of a unit-mean gamma(k = 4): s^2 = 1/4,
    // mu3 = 2/k^2, mu4 = 3(k + 2)/k^3, giving n Var = 0.15625.
    CHECK(std::abs(m.scv - 0.25) < kZ * std::sqrt(0.15625 / kN));
}

TEST_CASE("arrivals: a const inter-arrival law gives an exactly periodic source", "[unit]") {
    // const(2s) at 4/s: arrival k at exactly k/4 (the law's mean divides out).
    {
        const SourceSpec spec = open_source(RateShape::constant(4.0), Law::constant(2.0));
        ArrivalProcess process(spec);
        Rng rng(3, 0, spec.path);
        bool exact = process.first(rng) == 0.25;
        for (int k = 2; k <= 10'000; ++k) exact = exact && process.next(rng) == k / 4.0;
        CHECK(exact);
    }
    // An awkward mean and rate: every gap is 1/7 to rounding.
    {
        const SourceSpec spec = open_source(RateShape::constant(7.0), Law::constant(0.3));
        double worst = 0.0;
        for (double g : gaps(spec, 10'000, 3)) worst = std::max(worst, std::abs(g - 1.0 / 7.0));
        CHECK(worst < 1e-9);
    }
}

TEST_CASE("arrivals: a const law on a shaped rate puts arrival k at Lambda^-1(k)", "[unit]") {
    // Operational time: the k-th unit of cumulative intensity. Ramp 0 ->
    // 100/s over 10 s: Lambda(t) = 5 t^2, so arrival k is at sqrt(k / 5).
    RateShape ramp;
    ramp.t = {0.0, 10.0};
    ramp.rate = {0.0, 100.0};
    const SourceSpec spec = open_source(ramp, Law::constant(1.0));
    ArrivalProcess process(spec);
    Rng rng(4, 0, spec.path);
    CHECK(process.first(rng) == Approx(std::sqrt(1.0 / 5.0)));
    for (int k = 2; k <= 500; ++k) {
        const double t = process.next(rng);
        if (t != Approx(std::sqrt(k / 5.0))) REQUIRE(t == Approx(std::sqrt(k / 5.0)));
    }
    // Past the ramp, 100/s: arrival 501 is 1/100 s after Lambda = 500 at t = 10.
    CHECK(process.next(rng) == Approx(10.01));
}

TEST_CASE("arrivals: a shaped Poisson source follows its rate function", "[unit]") {
    // 20/s for 100 s, then a step to 300/s until 200 s. Counts in each 20 s
    // window are Poisson with mean = the window's intensity.
    RateShape step;
    step.t = {0.0, 100.0, 100.0};
    step.rate = {20.0, 20.0, 300.0};
    const SourceSpec spec = open_source(step, Law::exponential(1.0));
    ArrivalProcess process(spec);
    Rng rng(5, 0, spec.path);
    std::vector<double> counts(10, 0.0);
    for (double t = process.first(rng); t < 200.0; t = process.next(rng))
        counts[static_cast<std::size_t>(t / 20.0)] += 1.0;
    for (std::size_t w = 0; w < counts.size(); ++w) {
        const double expected = (w < 5 ? 20.0 : 300.0) * 20.0;
        INFO("window " << w);
        CHECK(std::abs(counts[w] - expected) < kZ * std::sqrt(expected));
    }
}

TEST_CASE("arrivals: a trace source returns its timestamps, then +inf", "[unit]") {
    SourceSpec spec;
    spec.kind = SourceKind::Trace;
    spec.timestamps = {0.5, 1.0, 1.0, 2.5};
    ArrivalProcess process(spec);
    Rng rng(6, 0, "trace");
    CHECK(process.first(rng) == 0.5);
    CHECK(process.next(rng) == 1.0);
    CHECK(process.next(rng) == 1.0);
    CHECK(process.next(rng) == 2.5);
    CHECK(process.next(rng) == kInf);
    CHECK(process.next(rng) == kInf);  // and stays done
}

TEST_CASE("arrivals: a zero rate means no arrivals at all", "[unit]") {
    const SourceSpec spec = open_source(RateShape::constant(0.0), Law::exponential(1.0));
    ArrivalProcess process(spec);
    Rng rng(7, 0, spec.path);
    CHECK(process.first(rng) == kInf);
    SourceSpec closed;
    closed.kind = SourceKind::Closed;
    ArrivalProcess none(closed);
    CHECK(none.first(rng) == kInf);
}

TEST_CASE("arrivals: an MMPP's long-run rate is the stationary mean of its two rates", "[unit]") {
    // 10/s for exp(mean 2 s), 100/s for exp(mean 0.5 s): time fractions 0.8
    // and 0.2, so 28/s in the long run. Arrivals in a bursty process are
    // correlated, so the standard error comes from batch means: 200 batches
    // of 100 s, each 40 mean on/off cycles long, so the batches are close to
    // independent and their means close to normal.
    RateShape mmpp;
    mmpp.kind = RateShape::Kind::Mmpp;
    mmpp.mmpp_rate[0] = 10.0;
    mmpp.mmpp_rate[1] = 100.0;
    mmpp.mmpp_sojourn[0] = 2.0;
    mmpp.mmpp_sojourn[1] = 0.5;
    const SourceSpec spec = open_source(mmpp, Law::exponential(1.0));
    constexpr std::size_t kBatches = 200;
    constexpr double kBatch = 100.0;
    ArrivalProcess process(spec);
    Rng rng(8, 0, spec.path);
    std::vector<double> counts(kBatches, 0.0);
    std::vector<double> gap_list;
    double last = 0.0;
    for (double t = process.first(rng); t < kBatches * kBatch; t = process.next(rng)) {
        counts[static_cast<std::size_t>(t / kBatch)] += 1.0;
        gap_list.push_back(t - last);
        last = t;
    }
    double sum = 0.0;
    for (double c : counts) sum += c / kBatch;
    const double mean = sum / kBatches;
    double ss = 0.0;
    for (double c : counts) ss += (c / kBatch - mean) * (c / kBatch - mean);
    const double se = std::sqrt(ss / (kBatches - 1) / kBatches);
    INFO("rate " << mean << " +- " << se);
    CHECK(std::abs(mean - 28.0) < kZ * se);
    CHECK(se < 0.5);  // the run is long enough for the check to mean something
    // Bursty: its gaps vary more than a Poisson process's (scv > 1).
    CHECK(moments(gap_list).scv > 1.5);
}

// Regression: with both MMPP rates 0 the loop used to switch state forever
// instead of returning +inf, hanging any run of such a scenario (the loader
// accepts rates of 0). The call runs on a detached thread so a regression
// fails the test after 1 s instead of hanging it.
TEST_CASE("arrivals: an MMPP whose two rates are 0 never arrives (+inf, no hang)", "[unit]") {
    RateShape silent;
    silent.kind = RateShape::Kind::Mmpp;
    silent.mmpp_rate[0] = 0.0;
    silent.mmpp_rate[1] = 0.0;
    silent.mmpp_sojourn[0] = 1.0;
    silent.mmpp_sojourn[1] = 1.0;
    const auto spec = std::make_shared<SourceSpec>(open_source(silent, Law::exponential(1.0)));
    const auto done = std::make_shared<std::atomic<bool>>(false);
    const auto first = std::make_shared<std::atomic<double>>(0.0);
    std::thread([spec, done, first] {
        ArrivalProcess process(*spec);
        Rng rng(9, 0, spec->path);
        first->store(process.first(rng));
        done->store(true);
    }).detach();
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    while (!done->load() && std::chrono::steady_clock::now() < give_up)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    REQUIRE(done->load());
    CHECK(first->load() == kInf);
}

TEST_CASE("arrivals: a constant rate's times, computed a block ahead, are the one-at-a-time ones",
          "[arrivals]") {
    // next() precomputes 32 arrivals at once; the times must be those of
    // accumulating unit-mean gaps and dividing by the rate, one by one.
    const Law law = Law::gamma(2.0, 0.0025);
    const SourceSpec spec = open_source(RateShape::constant(200.0), law);
    ArrivalProcess process(spec);
    Rng rng(5, 2, spec.path), by_hand(5, 2, spec.path);
    const double inv_mean = 1.0 / law.mean();
    double u = 0.0;
    for (int i = 0; i < 100; ++i) {
        u += law.sample(by_hand) * inv_mean;
        REQUIRE((i == 0 ? process.first(rng) : process.next(rng)) == u / 200.0);
    }
}

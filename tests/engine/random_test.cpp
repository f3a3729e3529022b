// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
#include "engine/random.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string_view>
#include <vector>

using capsim::Rng;

namespace {

std::vector<std::uint64_t> first(Rng rng, int n) {
    std::vector<std::uint64_t> out;
    for (int i = 0; i < n; ++i) out.push_back(rng.next());
    return out;
}

// --- Steering a stream to a chosen first output ---------------------------
// uniform01() and below() are pure functions of one 64-bit output, and the
// extreme outputs (0 and 2^64 - 1) are the ones that break such functions,
// but they come up once in 2^53 draws. Every step from (seed, replication)
// to the first output is invertible, so instead of searching we solve for
// the replication number whose stream starts with the output we want.

constexpr std::uint64_t kGolden = 0x9E3779B97F4A7C15ULL;  // splitmix64's increment
constexpr std::uint64_t kNameMul = 0xD1B54A32D192ED03ULL;
constexpr std::uint64_t kReplicationMul = 0x8CB92BA72F3D8DD7ULL;

constexpr std::uint64_t inverse_odd(std::uint64_t a) {
    std::uint64_t x = a;  // Newton: each step doubles the correct low bits
    for (int i = 0; i < 6; ++i) x *= 2 - a * x;
    return x;
}

constexpr std::uint64_t unxorshift(std::uint64_t y, int k) {
    std::uint64_t x = y;
    for (int s = k; s < 64; s += k) x = y ^ (x >> k);
    return x;
}

// splitmix64's output function (state -> output), and its inverse.
constexpr std::uint64_t mix(std::uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}
constexpr std::uint64_t unmix(std::uint64_t z) {
    z = unxorshift(z, 31) * inverse_odd(0x94D049BB133111EBULL);
    z = unxorshift(z, 27) * inverse_odd(0xBF58476D1CE4E5B9ULL);
    return unxorshift(z, 30);
}

constexpr std::uint64_t rotr(std::uint64_t x, int k) {
    return (x >> k) | (x << (64 - k));
}

// The replication whose stream (seed, replication, name) starts with `out`.
// Mirrors Rng's constructor: sm0 = seed ^ hash * M; the first splitmix step
// moves it to a = sm0 + G and sm = a ^ (mix(a) + replication * R); word
// s[1] = mix(sm + 2G); xoshiro256**'s first output is rotl(s[1] * 5, 7) * 9.
std::uint64_t replication_starting_with(std::uint64_t out, std::uint64_t seed,
                                        std::string_view name) {
    const std::uint64_t s1 = rotr(out * inverse_odd(9), 7) * inverse_odd(5);
    const std::uint64_t sm = unmix(s1) - 2 * kGolden;
    const std::uint64_t a = (seed ^ (capsim::name_hash(name) * kNameMul)) + kGolden;
    return ((sm ^ a) - mix(a)) * inverse_odd(kReplicationMul);
}

Rng stream_starting_with(std::uint64_t out) {
    const std::uint64_t rep = replication_starting_with(out, 1, "extreme");
    return Rng(1, rep, "extreme");
}

}  // namespace

TEST_CASE("random: the same (seed, replication, name) gives the same stream", "[unit]") {
    Rng a(42, 3, "services.api");
    Rng b(42, 3, "services.api");
    bool same = true;
    for (int i = 0; i < 10'000; ++i) same = same && a.next() == b.next();
    CHECK(same);
    // Copies continue identically too (a stream is plain state).
    Rng c = a;
    CHECK(c.next() == a.next());
}

TEST_CASE("random: different names, replications or seeds give different streams", "[unit]") {
    const auto base = first(Rng(42, 3, "services.api"), 4);
    CHECK(first(Rng(42, 3, "services.apj"), 4) != base);  // one character apart
    CHECK(first(Rng(42, 3, "services.ap"), 4) != base);
    CHECK(first(Rng(42, 3, ""), 4) != base);
    CHECK(first(Rng(42, 4, "services.api"), 4) != base);
    CHECK(first(Rng(42, 0, "services.api"), 4) != base);
    CHECK(first(Rng(43, 3, "services.api"), 4) != base);
    // Seed and replication must not be interchangeable.
    CHECK(first(Rng(3, 42, "services.api"), 4) != base);

    // No two of many neighbouring streams share any of their first outputs.
    std::vector<std::uint64_t> all;
    for (std::uint64_t seed = 0; seed < 4; ++seed)
        for (std::uint64_t rep = 0; rep < 8; ++rep)
            for (const char* name : {"a", "b", "sources.web", "sources.web2"})
                for (std::uint64_t x : first(Rng(seed, rep, name), 8)) all.push_back(x);
    std::sort(all.begin(), all.end());
    CHECK(std::adjacent_find(all.begin(), all.end()) == all.end());
}

TEST_CASE("random: name_hash is 64-bit FNV-1a (stream identities never change)", "[unit]") {
    // The published FNV-1a test vectors: a stream's identity is part of the
    // reproducibility contract, so the hash must be exactly this function.
    STATIC_REQUIRE(capsim::name_hash("") == 0xCBF29CE484222325ULL);
    STATIC_REQUIRE(capsim::name_hash("a") == 0xAF63DC4C8601EC8CULL);
    STATIC_REQUIRE(capsim::name_hash("foobar") == 0x85944171F73967E8ULL);
}

TEST_CASE("random: golden values of a fixed stream", "[unit]") {
    // Why golden values: every published result of capsim is reproducible
    // only as long as the generator, its seeding and the uniform transform
    // stay exactly the same. These were computed once from this code; if
    // this test fails, the generator changed, and with it every report and
    // every approved output. Change them only on purpose, with a note in
    // the changelog.
    Rng rng(20240601, 3, "services.api.endpoints.get.steps[0]");
    CHECK(rng.next() == 0x238172F9B67CBAF1ULL);
    CHECK(rng.next() == 0x8BB27A72B6915D14ULL);
    CHECK(rng.next() == 0x3EDB6E42A6FA90F3ULL);
    Rng u(20240601, 3, "services.api.endpoints.get.steps[0]");
    CHECK(u.uniform01() == 0x1.1c0b97cdb3e5cp-3);
    CHECK(u.uniform01() == 0x1.1764f4e56d22bp-1);
    CHECK(u.uniform01() == 0x1.f6db721537d4cp-3);
}

TEST_CASE("random: uniform01 stays strictly inside (0, 1) and averages 1/2", "[unit]") {
    Rng rng(5, 0, "uniform-test");
    constexpr int kN = 1'000'000;
    double lo = 1.0, hi = 0.0, sum = 0.0;
    for (int i = 0; i < kN; ++i) {
        const double u = rng.uniform01();
        lo = std::min(lo, u);
        hi = std::max(hi, u);
        sum += u;
    }
    CHECK(lo > 0.0);
    CHECK(hi < 1.0);
    // Mean of n uniforms: sd sqrt(1/12n); 5 sd leaves ~6e-7 false failures.
    CHECK(std::abs(sum / kN - 0.5) < 5.0 * std::sqrt(1.0 / (12.0 * kN)));
}

TEST_CASE("random: a stream can be steered to a chosen first output (test helper)", "[unit]") {
    // Guards the helper the extreme-value tests below rely on.
    for (std::uint64_t out : {0ULL, ~0ULL, 0x0123456789ABCDEFULL, 1ULL << 63}) {
        Rng rng = stream_starting_with(out);
        CHECK(rng.next() == out);
    }
}

TEST_CASE("random: uniform01 of the smallest raw output is above 0", "[unit]") {
    Rng rng = stream_starting_with(0);
    const double u = rng.uniform01();
    CHECK(u > 0.0);
    CHECK(u == 0x1.0p-53);  // half a step of the 52-bit grid
}

TEST_CASE("random: uniform01 of the largest raw output is below 1", "[unit]") {
    // With 53 bits, (2^53 - 1) + 0.5 rounded to 2^53 and gave exactly 1 once
    // in 2^53 draws; on the 52-bit grid k + 0.5 is exact, so the largest
    // value is 1 - 2^-53, the double just below 1.
    Rng rng = stream_starting_with(~0ULL);
    const double u = rng.uniform01();
    CHECK(u < 1.0);
    CHECK(u == 0x1.fffffffffffffp-1);
}

TEST_CASE("random: below(n) is always < n, including at the extreme raw outputs", "[unit]") {
    const std::uint64_t ns[] = {1, 2, 3, 7, 10, 1000, (1ULL << 32) + 1, (1ULL << 63) + 1, ~0ULL};
    for (std::uint64_t n : ns) {
        CHECK(stream_starting_with(0).below(n) == 0);
        CHECK(stream_starting_with(~0ULL).below(n) == n - 1);
        Rng rng(9, 0, "below-test");
        bool ok = true;
        for (int i = 0; i < 10'000; ++i) ok = ok && rng.below(n) < n;
        CHECK(ok);
    }
}

TEST_CASE("random: below(n) is uniform (chi-square)", "[unit]") {
    // Pearson's chi-square of counts in n cells. The critical values are the
    // chi-square quantiles at 1 - 1e-6 (scipy.stats.chi2.isf(1e-6, df)), so
    // for an unbiased generator the test fails once in a million seeds (and
    // the seed is fixed, so it is repeatable).
    struct Case {
        std::uint64_t n;
        double critical;  // df = n - 1
    };
    for (const Case c :
         {Case{10, 44.81093787068782}, Case{7, 38.25833637720969}, Case{1000, 1226.046189012162}}) {
        constexpr int kDraws = 1'000'000;
        Rng rng(c.n, 0, "chi-square-test");
        std::vector<double> counts(c.n, 0.0);
        for (int i = 0; i < kDraws; ++i) counts[rng.below(c.n)] += 1.0;
        const double expected = static_cast<double>(kDraws) / static_cast<double>(c.n);
        double chi2 = 0.0;
        for (double k : counts) chi2 += (k - expected) * (k - expected) / expected;
        INFO("n = " << c.n << ", chi-square = " << chi2);
        CHECK(chi2 < c.critical);
    }
}

// capsim — capacity-planning simulator.
// SPDX-License-Identifier: MIT
//
// Queueing-theory validation of the data tier: a connection pool in front
// of a database is an M/M/c queue (open traffic) or a finite-source
// machine-repairman model (closed users); a cache's TTL hit ratio for
// Poisson requests is lambda T / (1 + lambda T); its LRU hit ratio under
// independent Zipf requests follows the Che approximation; an external
// dependency's rate limit passes exactly its rate. Tolerances follow the
// rule of theory_support.hpp (99.9% interval over replications), except
// Che's, which is an approximation: the 2 percentage points.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "models/database_layout.hpp"
#include "theory_support.hpp"

namespace {

using namespace capsim;
using namespace capsim::theory;

const PoolReport& pool(const Outcome& o, const std::string& name) {
    for (const PoolReport& p : o.report.pools)
        if (p.name == name) return p;
    throw std::runtime_error("no pool " + name);
}

// The hit ratio of LRU under independent requests with popularity p_i, by
// Che's approximation: the characteristic time T solves
// sum_i (1 - exp(-p_i T)) = C, and key i hits with probability 1 - exp(-p_i T).
double che_hit_ratio(unsigned keys, double s, unsigned capacity) {
    std::vector<double> p(keys);
    double total = 0.0;
    for (unsigned i = 0; i < keys; ++i) total += p[i] = std::pow(i + 1.0, -s);
    for (double& x : p) x /= total;
    auto occupancy = [&](double t) {
        double n = 0.0;
        for (double x : p) n += -std::expm1(-x * t);
        return n;
    };
    double lo = 0.0, hi = 1.0;
    while (occupancy(hi) < capacity) hi *= 2.0;
    for (int i = 0; i < 200; ++i) {
        const double mid = 0.5 * (lo + hi);
        (occupancy(mid) < capacity ? lo : hi) = mid;
    }
    double hit = 0.0;
    for (double x : p) hit += x * -std::expm1(-x * lo);
    return hit;
}

}  // namespace

TEST_CASE("theory: a connection pool in front of a database is M/M/c", "[theory]") {
    // The service has far more workers than the pool has connections, and
    // the database as many cores as the pool, so the only queue is the
    // pool's: c connections serving exponential queries.
    const unsigned c = 4;
    const double s = 0.010, rho = 0.8, lambda = rho * c / s;
    const double measure = 2000.0, warmup = 50.0;
    std::string t = run_table(measure, warmup, 10, 11);
    t += "[databases.db]\ncores = 4\nconnect = \"0s\"\nrtt = \"0s\"\n";
    t += "[services.api]\nworkers = 10000\ncores = 10000\n";
    t += fmt("[services.api.pools.db]\nsize = %u\nacquire_timeout = \"none\"\n", c);
    t += fmt("[services.api.endpoints.get]\nsteps = [ { query = \"db\", cost = \"exp(%s)\" } ]\n",
             secs(s).c_str());
    t += fmt("[traffic.clients]\nrate = \"%s\"\nendpoint = \"api.get\"\n", per_s(lambda).c_str());
    const Outcome o = run_scenario(t, "pool_mmc.toml");
    const std::string name = "Pool as M/M/c";
    const std::string params = fmt("c=%u, ρ=%.1f, ", c, rho) + run_words(measure, 10);
    const double wq = mmc_mean_wait(c, lambda, 1.0 / s);
    compare(name, params, "mean pool wait (s)", wq, pool(o, "api->db").wait);
    compare(name, params, "mean latency (s)", wq + s, endpoint(o, "api.get").latency.mean);
    compare(name, params, "pool utilisation", rho, pool(o, "api->db").utilization);
    compare(name, params, "mean waiting for a connection", lambda * wq, pool(o, "api->db").waiting);
    compare(name, params, "attribution: pool wait (s)", wq,
            endpoint(o, "api.get").attribution[static_cast<std::size_t>(Component::PoolWait)]);
}

TEST_CASE("theory: a pool shared by closed users is the machine-repairman model", "[theory]") {
    const unsigned users = 12, c = 3;
    const double think = 0.1, s = 0.02;
    const double measure = 2000.0, warmup = 50.0;
    const Repairman th = machine_repairman(users, c, 1.0 / think, 1.0 / s);
    std::string t = run_table(measure, warmup, 10, 12);
    t += "[databases.db]\ncores = 3\nconnect = \"0s\"\nrtt = \"0s\"\n";
    t += "[services.api]\nworkers = 100\ncores = 100\n";
    t += fmt("[services.api.pools.db]\nsize = %u\n", c);
    t += fmt("[services.api.endpoints.get]\nsteps = [ { query = \"db\", cost = \"exp(%s)\" } ]\n",
             secs(s).c_str());
    t += fmt("[traffic.users]\nusers = %u\nthink = \"exp(%s)\"\nendpoint = \"api.get\"\n", users,
             secs(think).c_str());
    const Outcome o = run_scenario(t, "pool_repairman.toml");
    const std::string name = "Pool, finite source";
    const std::string params = fmt("N=%u, c=%u, ", users, c) + run_words(measure, 10);
    compare(name, params, "throughput (1/s)", th.X, endpoint(o, "api.get").throughput);
    compare(name, params, "mean latency (s)", th.R, endpoint(o, "api.get").latency.mean);
    compare(name, params, "pool utilisation", th.busy / c, pool(o, "api->db").utilization);
}

TEST_CASE("theory: TTL cache hit ratio is lambda T / (1 + lambda T)", "[theory]") {
    // 100 equally popular keys at 1 request/s each; the cache holds them all,
    // so only the TTL decides: a miss sets the key, the requests within the
    // next T seconds hit, the first one after misses again.
    for (const double ttl : {0.5, 3.0}) {
        const double per_key = 1.0, keys = 100.0;
        const double measure = 2000.0, warmup = 20.0;
        std::string t = run_table(measure, warmup, 10, 13);
        t +=
            fmt("[caches.c]\nservice = \"const(1us)\"\ncapacity = 1000\nkeys = 100\nzipf = 0\n"
                "ttl = \"%s\"\n",
                secs(ttl).c_str());
        t += "[services.api]\nworkers = 1000\ncores = 1000\n";
        t += "[services.api.endpoints.get]\nsteps = [ { cache = \"c\", miss = [] } ]\n";
        t += fmt("[traffic.clients]\nrate = \"%s\"\nendpoint = \"api.get\"\n",
                 per_s(per_key * keys).c_str());
        const Outcome o = run_scenario(t, "ttl.toml");
        const double lt = per_key * ttl;
        compare("TTL cache", fmt("λT=%g, ", lt) + run_words(measure, 10), "hit ratio",
                lt / (1.0 + lt), o.report.caches.at(0).hit_ratio);
    }
}

TEST_CASE("theory: XFetch early refresh rate is a renewal cycle's", "[theory]") {
    // One hot key, Poisson gets at rate L, a fill of exactly D, TTL T, and
    // single-flight, so each cycle has exactly one fill. Seen from expiry,
    // a get at time-to-expiry x refreshes with probability exp(-x / (D b)):
    // the first refresh X (time-to-expiry) has
    //     P(X <= x) = exp(-L D b (exp(-x / D b) - exp(-T / D b))),
    // and with probability P0 = P(X <= 0) none comes and the first get after
    // expiry misses. A cycle lasts T - X (+ 1/L when none came) + D + s,
    // s the set's service time; early refreshes per second = (1 - P0) / E[C].
    const double L = 50.0, D = 0.1, T = 2.0, s = 1e-6;
    for (const double beta : {1.0, 3.0}) {
        const double db = D * beta;
        auto below = [&](double x) {
            return std::exp(-L * db * (std::exp(-x / db) - std::exp(-T / db)));
        };
        const int n = 20000;  // Simpson's rule on E[X] = integral of P(X > x) over [0, T]
        double ex = 0.0;
        for (int k = 0; k <= n; ++k) {
            const double w = (k == 0 || k == n) ? 1.0 : (k % 2 ? 4.0 : 2.0);
            ex += w * (1.0 - below(T * k / n));
        }
        ex *= T / n / 3.0;
        const double p0 = below(0.0);
        const double cycle = T - ex + p0 / L + D + s;
        const double measure = 2000.0, warmup = 20.0;
        std::string t = run_table(measure, warmup, 10, 15);
        t += fmt("[caches.c]\nservice = \"const(1us)\"\nkeys = 1\nttl = \"%s\"\n", secs(T).c_str());
        t += "[services.api]\nworkers = 1000\ncores = 1000\n";
        t +=
            fmt("[services.api.endpoints.get]\nsteps = [ { cache = \"c\", single_flight = true, "
                "early_refresh = %g, miss = [ { delay = \"%s\" } ] } ]\n",
                beta, secs(D).c_str());
        t += fmt("[traffic.clients]\nrate = \"%s\"\nendpoint = \"api.get\"\n", per_s(L).c_str());
        const Outcome o = run_scenario(t, "xfetch.toml");
        compare("XFetch early refresh",
                fmt("λ=%g/s, fill %g s, TTL %g s, β=%g, ", L, D, T, beta) + run_words(measure, 10),
                "early refreshes (1/s)", (1.0 - p0) / cycle, o.report.caches.at(0).early_refreshes);
    }
}

TEST_CASE("theory: a replica read is stale with probability 1 - exp(-w L)", "[theory]") {
    // Writes to each of N equally popular rows are Poisson at w / N; a
    // replica applies each L after it: a read of a row is stale when some
    // write to it ended in the last L seconds, so P(stale) = 1 - exp(-w L / N).
    const double writes = 100.0, reads = 1000.0, lag = 0.05, rows = 10.0;
    const double measure = 1000.0, warmup = 10.0;
    std::string t = run_table(measure, warmup, 10, 16);
    t += fmt("[databases.db]\ncores = 64\nreplicas = 2\nreplication_lag = \"const(%s)\"\n",
             secs(lag).c_str());
    t += fmt("[databases.db.tables.t]\nrows = %g\nzipf = 0\n", rows);
    t += "[services.api]\nworkers = 1000\ncores = 1000\n[services.api.pools.db]\nsize = 1000\n";
    t += "[services.api.endpoints.get]\nsteps = [ { query = \"db.t\" } ]\n";
    t += "[services.api.endpoints.put]\nsteps = [ { query = \"db.t\", kind = \"write\" } ]\n";
    t += fmt("[traffic.readers]\nrate = \"%s\"\nendpoint = \"api.get\"\n", per_s(reads).c_str());
    t += fmt("[traffic.writers]\nrate = \"%s\"\nendpoint = \"api.put\"\n", per_s(writes).c_str());
    const Outcome o = run_scenario(t, "replica_lag.toml");
    const DatabaseReport& db = o.report.databases.at(0);
    const std::string params =
        fmt("w=%g/s over %g rows, L=%g s, ", writes, rows, lag) + run_words(measure, 10);
    compare("Replica staleness", params, "stale read ratio", 1.0 - std::exp(-writes / rows * lag),
            db.stale_read_ratio);
    // Reads alternate between the two replicas; writes stay on the primary.
    compare("Replica staleness", params, "primary queries (1/s)", writes,
            db.members.at(0).throughput);
    compare("Replica staleness", params, "replica reads (1/s)", reads, db.replica_reads);
}

TEST_CASE("theory: shards take the Zipf mass of the rows that hash to them", "[theory]") {
    // Row k (1..N) is read with probability k^-s / H; it lives on shard
    // hash(k) mod S. Each shard's query rate is the total times its mass:
    // the hot-shard skew a key's popularity puts on one server.
    const unsigned n = 1000, shards = 4;
    const double zipf = 1.1, rate = 2000.0;
    std::vector<double> mass(shards, 0.0);
    double total = 0.0;
    for (std::uint64_t k = 1; k <= n; ++k) {
        const double p = std::pow(double(k), -zipf);
        mass[shard_of(row_key(0, k), shards)] += p;
        total += p;
    }
    const double measure = 500.0, warmup = 10.0;
    std::string t = run_table(measure, warmup, 10, 17);
    t +=
        fmt("[databases.db]\ncores = 64\nshards = %u\n[databases.db.tables.t]\nrows = %u\n"
            "zipf = %g\n",
            shards, n, zipf);
    t += "[services.api]\nworkers = 1000\ncores = 1000\n[services.api.pools.db]\nsize = 1000\n";
    t += "[services.api.endpoints.get]\nsteps = [ { query = \"db.t\" } ]\n";
    t += fmt("[traffic.readers]\nrate = \"%s\"\nendpoint = \"api.get\"\n", per_s(rate).c_str());
    const Outcome o = run_scenario(t, "shards.toml");
    const DatabaseReport& db = o.report.databases.at(0);
    REQUIRE(db.members.size() == shards);
    for (unsigned k = 0; k < shards; ++k)
        compare(
            "Hot-shard skew",
            fmt("N=%u, s=%g, %u shards, shard %u, ", n, zipf, shards, k) + run_words(measure, 10),
            "queries (1/s)", rate * mass[k] / total, db.members[k].throughput);
}

TEST_CASE("theory: LRU hit ratio under Zipf requests matches Che's approximation", "[theory]") {
    const unsigned keys = 5000, capacity = 500;
    const double zipf = 0.8;
    const double measure = 40.0, warmup = 10.0;
    std::string t = run_table(measure, warmup, 5, 14);
    t += fmt("[caches.c]\nservice = \"const(1us)\"\ncapacity = %u\nkeys = %u\nzipf = %g\n",
             capacity, keys, zipf);
    t += "[services.api]\nworkers = 1000\ncores = 1000\n";
    t += "[services.api.endpoints.get]\nsteps = [ { cache = \"c\", miss = [] } ]\n";
    t += "[traffic.clients]\nrate = \"5000/s\"\nendpoint = \"api.get\"\n";
    const Outcome o = run_scenario(t, "lru.toml");
    const double che = che_hit_ratio(keys, zipf, capacity);
    const Estimate& sim = o.report.caches.at(0).hit_ratio;
    Comparison cmp;
    cmp.name = "LRU cache vs Che";
    cmp.params = fmt("N=%u, C=%u, s=%g, ", keys, capacity, zipf) + run_words(measure, 5);
    cmp.quantity = "hit ratio";
    cmp.theory = che;
    cmp.sim = sim.mean;
    cmp.half_width = sim.half_width;
    cmp.tolerance = 0.02;
    cmp.pass = std::fabs(sim.mean - che) <= 0.02;
    record(cmp);
}

TEST_CASE("theory: a rate-limited external dependency passes its rate", "[theory]") {
    // Poisson calls at 150/s against a token bucket of 100/s: the bucket is
    // empty nearly always, so the accepted rate is the limit and the rest
    // are refused with 429.
    const double measure = 500.0, warmup = 10.0, lambda = 150.0, limit = 100.0;
    std::string t = run_table(measure, warmup, 10, 15);
    t += fmt("[externals.psp]\nlatency = \"const(1ms)\"\nrate_limit = \"%s\"\n",
             per_s(limit).c_str());
    t += "[services.api]\nworkers = 1000\ncores = 1000\n";
    t += "[services.api.endpoints.pay]\nsteps = [ { call = \"psp\" } ]\n";
    t += fmt("[traffic.clients]\nrate = \"%s\"\nendpoint = \"api.pay\"\n", per_s(lambda).c_str());
    const Outcome o = run_scenario(t, "rate_limit.toml");
    compare("External rate limit",
            fmt("λ=%g/s, limit=%g/s, ", lambda, limit) + run_words(measure, 10), "refused (1/s)",
            lambda - limit, o.report.externals.at(0).rate_limited);
    compare("External rate limit", "", "accepted (1/s)", limit, endpoint(o, "api.pay").throughput);
}

TEST_CASE("theory: an event loop serialises CPU steps and awaits I/O (M/M/1 + delay)", "[theory]") {
    // One loop: CPU steps queue for it (M/M/1 on the CPU part); the awaited
    // delay frees it, so it adds its mean and nothing else.
    const double s = 0.004, d = 0.050, rho = 0.75, lambda = rho / s;
    const double measure = 2000.0, warmup = 50.0;
    std::string t = run_table(measure, warmup, 10, 16);
    t += "[services.api]\nmode = \"async\"\ncores = 1\n";
    t +=
        fmt("[services.api.endpoints.get]\nsteps = [ { cpu = \"exp(%s)\" }, { delay = \"%s\" } ]\n",
            secs(s).c_str(), secs(d).c_str());
    t += fmt("[traffic.clients]\nrate = \"%s\"\nendpoint = \"api.get\"\n", per_s(lambda).c_str());
    const Outcome o = run_scenario(t, "async_awaited.toml");
    const std::string name = "Async, awaited I/O";
    const std::string params = fmt("ρ=%.2f, ", rho) + run_words(measure, 10);
    compare(name, params, "mean latency (s)", s / (1.0 - rho) + d,
            endpoint(o, "api.get").latency.mean);
    compare(name, params, "loop utilisation", rho, station(o, "api").loop_utilization);
}

TEST_CASE("theory: a blocking step holds the event loop (M/G/1, Pollaczek-Khinchine)", "[theory]") {
    // The same route with the I/O marked blocking: the loop is held for
    // cpu + delay, an M/G/1 queue with service exp(s) + d.
    const double s = 0.004, d = 0.010, lambda = 40.0;
    const double mean_s = s + d, var_s = s * s;
    const double measure = 2000.0, warmup = 50.0;
    std::string t = run_table(measure, warmup, 10, 17);
    t += "[services.api]\nmode = \"async\"\ncores = 1\n";
    t +=
        fmt("[services.api.endpoints.get]\nsteps = [ { cpu = \"exp(%s)\" }, { delay = \"%s\", "
            "blocking = true } ]\n",
            secs(s).c_str(), secs(d).c_str());
    t += fmt("[traffic.clients]\nrate = \"%s\"\nendpoint = \"api.get\"\n", per_s(lambda).c_str());
    const Outcome o = run_scenario(t, "async_blocking.toml");
    const std::string name = "Async, blocking I/O";
    const std::string params = fmt("ρ=%.2f, ", lambda * mean_s) + run_words(measure, 10);
    compare(name, params, "mean latency (s)", pk_mean_wait(lambda, mean_s, var_s) + mean_s,
            endpoint(o, "api.get").latency.mean);
    compare(name, params, "loop utilisation", lambda * mean_s, station(o, "api").loop_utilization);
}

TEST_CASE("theory: a queue drained by c consumers is M/M/c", "[theory]") {
    // Messages wait in the broker until one of the consumer's c workers is
    // free; each is an exponential job. Wait in the queue: Erlang C; job
    // latency (enqueue to ack): that wait plus the job.
    const unsigned c = 3;
    const double s = 0.050, rho = 0.8, lambda = rho * c / s;
    const double measure = 4000.0, warmup = 100.0;
    std::string t = run_table(measure, warmup, 10, 18);
    t += fmt("[queues.jobs]\nconsumer = \"worker.run\"\n");
    t += fmt("[services.worker]\nworkers = %u\ncores = %u\n", c, c);
    t += fmt("[services.worker.endpoints.run]\nsteps = [ { cpu = \"exp(%s)\" } ]\n",
             secs(s).c_str());
    t += "[services.api]\nworkers = 1000\ncores = 1000\n";
    t += "[services.api.endpoints.post]\nsteps = [ { enqueue = \"jobs\" } ]\n";
    t += fmt("[traffic.clients]\nrate = \"%s\"\nendpoint = \"api.post\"\n", per_s(lambda).c_str());
    const Outcome o = run_scenario(t, "queue_mmc.toml");
    const std::string name = "Queue, c consumers";
    const std::string params = fmt("c=%u, ρ=%.1f, ", c, rho) + run_words(measure, 10);
    const double wq = mmc_mean_wait(c, lambda, 1.0 / s);
    const QueueReport& q = o.report.queues.at(0);
    compare(name, params, "mean wait in queue (s)", wq, q.queue_wait);
    compare(name, params, "mean job latency (s)", wq + s, q.job_latency.mean);
    compare(name, params, "mean depth", lambda * wq, q.depth);
    compare(name, params, "acked (1/s)", lambda, q.acked);
}

TEST_CASE("theory: transactions writing one hot row queue for its lock (M/D/1)", "[theory]") {
    // Every transaction writes the same row, then holds the lock through a
    // 10 ms step before it commits: the row lock is a single server with
    // deterministic service, an M/D/1 queue (the pool and the database's
    // cores are ample, and the write itself costs nothing).
    const double hold = 0.010, lambda = 60.0, rho = lambda * hold;
    const double measure = 2000.0, warmup = 50.0;
    std::string t = run_table(measure, warmup, 10, 19);
    t += "[databases.db]\ncores = 64\nmax_connections = 1000\nconnect = \"0s\"\nrtt = \"0s\"\n"
         "overhead = \"0s\"\nseek = \"0s\"\nindex_write = \"0s\"\nlock_timeout = \"none\"\n";
    t += "[databases.db.tables.stock]\nrows = 1\n";
    t += "[services.api]\nworkers = 1000\ncores = 1000\n";
    t += "[services.api.pools.db]\nsize = 500\n";
    t +=
        fmt("[services.api.endpoints.buy]\nsteps = [ { transaction = \"db\", steps = [ "
            "{ query = \"db.stock\", kind = \"write\" }, { delay = \"%s\" } ] } ]\n",
            secs(hold).c_str());
    t += fmt("[traffic.clients]\nrate = \"%s\"\nendpoint = \"api.buy\"\n", per_s(lambda).c_str());
    const Outcome o = run_scenario(t, "hot_row.toml");
    const std::string name = "Hot-row lock";
    const std::string params = fmt("ρ=%.1f, ", rho) + run_words(measure, 10);
    const double wq = pk_mean_wait(lambda, hold, 0.0);
    compare(name, params, "mean latency (s)", wq + hold, endpoint(o, "api.buy").latency.mean);
    compare(name, params, "attribution: lock wait (s)", wq,
            endpoint(o, "api.buy").attribution[static_cast<std::size_t>(Component::LockWait)]);
}

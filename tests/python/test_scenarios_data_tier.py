"""The data-tier scenarios in scenarios/: each mistake, then its fix (the
`--set` in the scenario's header comment), and the direction and rough size
of the effect. The fixed seeds make every run the same run, so the bounds
below are about the mechanics, not luck; each bound sits well inside the
gap the scenario shows (the measured numbers are in the comments)."""

from __future__ import annotations

import pytest

from scenario_runs import database, endpoint, fix_of, mean, run, slo_passes

def test_n_plus_one_batched_query_cuts_queries_by_the_item_count():
    before = run("n_plus_one")
    after = run("n_plus_one", *fix_of("n_plus_one"))
    b, a = endpoint(before, "api.order_page"), endpoint(after, "api.order_page")
    qb, qa = mean(database(before, "shop")["throughput"]), mean(database(after, "shop")["throughput"])
    # 1 + uniform(10, 70) queries per page, against 2: x20.5 (measured 20.5).
    assert qb / qa == pytest.approx(20.5, rel=0.05)
    # Round trips dominate the N+1 page; batching removes them (p99 56 ms -> 18 ms).
    assert mean(b["latency"]["p99"]) > 2.5 * mean(a["latency"]["p99"])
    assert mean(b["attribution"]["network"]) > 10 * mean(a["attribution"]["network"])
    assert not slo_passes(before) and slo_passes(after)


def test_n_plus_one_latency_grows_with_the_result_size():
    few = run("n_plus_one", "services.api.endpoints.order_page.steps[2].loop=10")
    many = run("n_plus_one", "services.api.endpoints.order_page.steps[2].loop=70")
    # Seven times the items, several times the latency.
    assert mean(endpoint(many, "api.order_page")["latency"]["mean"]) > 3 * mean(
        endpoint(few, "api.order_page")["latency"]["mean"])


def test_missing_index_gets_slower_as_the_table_grows_and_the_index_fixes_it():
    before = run("missing_index")
    after = run("missing_index", *fix_of("missing_index"))
    p99 = before["timeseries"]["endpoints"]["auth.login"]["p99"]
    # Rows grow from 1.08M to 1.33M over the run: the last windows are slower.
    first, last = sum(p99[1:4]) / 3, sum(p99[-3:]) / 3
    assert last > 1.15 * first
    tables = database(before, "accounts")["tables"][0]
    assert tables["rows_end"] > tables["rows_start"] * 1.3
    assert mean(database(before, "accounts")["core_utilization"]) > 0.6
    assert mean(database(after, "accounts")["core_utilization"]) < 0.01
    # Scans of a million rows against a B-tree descent (650 ms -> 20 ms).
    assert mean(endpoint(before, "auth.login")["latency"]["p99"]) > 20 * mean(
        endpoint(after, "auth.login")["latency"]["p99"])
    assert not slo_passes(before) and slo_passes(after)


def test_no_pool_runs_out_of_connections_at_the_spike_and_a_pool_does_not():
    before = run("no_pool")
    after = run("no_pool", *fix_of("no_pool"))
    b, a = endpoint(before, "api.product"), endpoint(after, "api.product")
    # Measured 21.5% of requests refused "too many connections".
    assert mean(b["errors_by_cause"]["too_many_connections"]) > 100
    assert mean(b["error_rate"]) > 0.05
    assert mean(a["error_rate"]) == 0
    assert mean(database(before, "db")["connections_max"]) == 100  # at the limit
    assert mean(database(after, "db")["connections_max"]) <= 80  # 8 replicas x 10
    # Every query paid the connect cost without a pool; a pool pays it once per connection.
    assert mean(b["attribution"]["connect"]) > 0.025
    assert mean(a["attribution"]["connect"]) < 0.001
    assert not slo_passes(before) and slo_passes(after)


def test_cache_aside_cuts_database_load_by_the_emergent_hit_ratio():
    before = run("cache_aside")
    after = run("cache_aside", *fix_of("cache_aside"))
    cache = after["caches"][0]
    hit = mean(cache["hit_ratio"])
    # Zipf(0.9) over 200k keys with 20k slots: the hit ratio emerges (measured 0.615).
    assert 0.5 < hit < 0.9
    qb, qa = mean(database(before, "db")["throughput"]), mean(database(after, "db")["throughput"])
    assert qa / qb == pytest.approx(1 - hit, rel=0.05)
    assert mean(database(after, "db")["core_utilization"]) < 0.5 * mean(
        database(before, "db")["core_utilization"])


def test_stampede_is_one_query_per_expiry_with_single_flight():
    before = run("stampede")
    after = run("stampede", *fix_of("stampede"))
    qb, qa = mean(database(before, "db")["throughput"]), mean(database(after, "db")["throughput"])
    # One rebuild per TTL (10 s) plus its 300 ms: 0.1 queries/s. Without
    # single-flight every miss of the rebuild window queries, and the herd
    # overloads the database, which makes the window longer still.
    assert qa == pytest.approx(1 / 10.3, rel=0.1)
    assert qb > 50 * qa
    assert mean(after["caches"][0]["coalesced"]) > 0
    assert any(s["station"] == "db" for s in before["saturated"])
    assert not slo_passes(before) and slo_passes(after)


def test_stampede_rebuilds_early_with_xfetch_and_nobody_waits():
    single = run("stampede", *fix_of("stampede"))
    both = run("stampede", *fix_of("stampede"),
               "services.web.endpoints.home.steps[1].early_refresh=true")
    cs, cb = single["caches"][0], both["caches"][0]
    # Still one rebuild per cycle, but it starts before the key expires
    # (a cycle shorter than the TTL + rebuild), and nobody waits for it.
    assert 1 / 10.3 < mean(cb["early_refreshes"]) < 1 / 8
    assert mean(cb["expirations"]) == 0 and mean(cb["coalesced"]) < 0.01 * mean(cs["coalesced"])
    assert mean(database(both, "db")["throughput"]) == pytest.approx(mean(cb["early_refreshes"]),
                                                                     rel=0.05)
    p99s = mean(endpoint(single, "web.home")["latency"]["p99"])
    p99b = mean(endpoint(both, "web.home")["latency"]["p99"])
    assert p99b < 0.1 * p99s


def test_early_refresh_alone_turns_the_cold_start_herd_into_a_refresh_storm():
    alone = run("stampede", "services.web.endpoints.home.steps[1].early_refresh=true")
    cache = alone["caches"][0]
    # Rebuilds slowed by the herd are recorded as slow, so every hit refreshes.
    assert mean(cache["early_refreshes"]) > 20
    assert mean(cache["hit_ratio"]) < 0.5
    assert not slo_passes(alone)


def test_reporting_on_the_primary_slows_checkout_and_a_replica_isolates_it():
    before = run("reporting_starves_oltp")
    after = run("reporting_starves_oltp", *fix_of("reporting_starves_oltp"))
    b, a = endpoint(before, "api.checkout"), endpoint(after, "api.checkout")
    # The scans share the primary's cores with checkout's queries (mean 8.0 ms -> 4.5 ms).
    assert mean(b["latency"]["mean"]) > 1.5 * mean(a["latency"]["mean"])
    assert mean(b["attribution"]["db_wait"]) > 10 * mean(a["attribution"]["db_wait"])
    assert mean(database(before, "primary")["core_utilization"]) > 0.95
    assert mean(database(after, "replica")["throughput"]) > 0
    assert not slo_passes(before) and slo_passes(after)


def station(report: dict, name: str) -> dict:
    return next(s for s in report["stations"] if s["name"] == name)


def test_sync_driver_in_async_route_caps_throughput_and_awaiting_restores_it():
    before = run("sync_in_async")
    after = run("sync_in_async", *fix_of("sync_in_async"))
    b, a = endpoint(before, "api.search"), endpoint(after, "api.search")
    # The loop is held through every query: four loops serve ~390/s of the
    # 450/s offered (measured 376/s), the event loops saturated, the CPU idle.
    assert mean(b["throughput"]) < 0.9 * mean(b["arrival_rate"])
    assert mean(station(before, "api")["loop_utilization"]) > 0.99
    assert mean(station(before, "api")["core_utilization"]) < 0.3
    assert any(s["resource"] == "event loops" for s in before["saturated"])
    # Awaited, the loop only computes (22% busy) and everything offered is served.
    assert mean(a["throughput"]) == pytest.approx(mean(a["arrival_rate"]), rel=0.01)
    assert mean(station(after, "api")["loop_utilization"]) < 0.3
    assert mean(b["latency"]["p99"]) > 100 * mean(a["latency"]["p99"])
    assert not slo_passes(before) and slo_passes(after)


def test_heavy_work_moved_to_a_queue_frees_the_api_and_the_queue_absorbs_the_peak():
    before = run("heavy_work_in_request")
    after = run("heavy_work_in_request", *fix_of("heavy_work_in_request"))
    # Inline, sign-ups hold the API's workers for ~0.55 s each: at the peak
    # the workers run out and the fast endpoint queues too (p99 34 s measured).
    assert any(s["station"] == "api" and s["resource"] == "workers" for s in before["saturated"])
    assert mean(endpoint(before, "api.profile")["latency"]["p99"]) > 1.0
    # Enqueued, the API answers in milliseconds (p99 9.7 ms measured) ...
    assert mean(endpoint(after, "api.profile")["latency"]["p99"]) < 0.05
    assert mean(endpoint(after, "api.signup")["latency"]["p99"]) < 0.05
    # ... and the queue takes the peak: it grows while sign-ups outrun the
    # mailers (to ~3.6k) and drains after, every message acked.
    q = after["queues"][0]
    depth = after["timeseries"]["queues"]["welcome"]["depth"]
    assert max(depth) > 1000
    assert depth[-1] < 10
    assert mean(q["acked"]) == pytest.approx(mean(q["enqueued"]), rel=0.02)
    assert not slo_passes(before) and slo_passes(after)


def _members(report: dict, name: str) -> dict:
    return {m["name"]: mean(m["core_utilization"]) for m in database(report, name)["members"]}


def test_hot_shard_saturates_while_the_average_hides_it_and_replicas_spread_it():
    before = run("hot_shard")
    more_shards = run("hot_shard", "databases.profiles.shards=16")
    after = run("hot_shard", *fix_of("hot_shard"))
    # The shard holding the hottest row runs at 92% (measured), the
    # database as a whole at 55%: the busiest station is that one server,
    # and the laws name it before anything runs.
    busy = _members(before, "profiles")
    hot = max(busy, key=busy.get)
    assert before["busiest"]["station"] == hot
    assert busy[hot] > 0.85
    assert busy[hot] > 1.5 * mean(database(before, "profiles")["core_utilization"])
    assert before["analytic"]["bottleneck"]["station"] == hot
    # Four times the shards: the hot row stays on one of them (61% busy
    # against a 14% average, measured).
    busy16 = _members(more_shards, "profiles")
    assert max(busy16.values()) > 0.5
    assert max(busy16.values()) > 3.5 * mean(database(more_shards, "profiles")["core_utilization"])
    # Two read replicas per shard halve the hot shard's reads (p99 38 ms ->
    # 8.3 ms measured); the primaries keep the writes.
    busy_after = _members(after, "profiles")
    assert max(busy_after.values()) < 0.6 * busy[hot]
    assert mean(endpoint(before, "api.view")["latency"]["p99"]) > 3 * mean(
        endpoint(after, "api.view")["latency"]["p99"])
    assert not slo_passes(before) and slo_passes(after)
    # The price: reads within the replication lag of a write are stale (23% measured).
    db = database(after, "profiles")
    assert mean(db["replica_reads"]) == pytest.approx(0.95 * 4000, rel=0.05)
    assert 0.1 < mean(db["stale_read_ratio"]) < 0.4
    assert mean(database(before, "profiles")["stale_reads"]) == 0

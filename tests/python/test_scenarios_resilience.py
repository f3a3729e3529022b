"""The resilience scenarios in scenarios/: a missing or careless policy,
then the fix in the scenario's header comment, and the size of the effect.
Fixed seeds make every run the same run; each bound sits well inside the
gap measured (the measured numbers are in the comments)."""

from __future__ import annotations

import pytest

from scenario_runs import endpoint, fix_of, mean, run, slo_passes


def policy(report: dict, name: str) -> dict:
    return next(p for p in report["policies"] if p["name"] == name)


def source(report: dict, name: str) -> dict:
    return next(s for s in report["sources"] if s["name"] == name)


def test_retry_storm_outlives_the_outage_and_is_flagged():
    report = run("retry_storm")
    [recovery] = report["recoveries"]
    assert recovery["trigger"] == "externals.payments.windows[0]"
    # Still degraded at the end of the run, 170 s after the outage ended.
    assert recovery["flagged"] and recovery["not_recovered"] == 2
    web = source(report, "web")
    # 71% of requests fail; each made 4.1 attempts at some layer.
    assert mean(web["error_rate"]) > 0.5
    assert mean(web["attempts"]) > 3.0
    assert mean(web["errors_by_cause"]["timeout"]) > 100
    # The client retries multiply the load on checkout (x2.4).
    assert mean(endpoint(report, "api.checkout")["load_multiplier"]) > 2.0
    # Abandoned attempts run on as zombies, holding workers.
    assert mean(policy(report, "web -> api.checkout")["zombies"]) > 100


@pytest.mark.parametrize("cure", fix_of("retry_storm"))
def test_retry_storm_cures_each_recover_within_the_recovery_time(cure):
    report = run("retry_storm", cure)
    [recovery] = report["recoveries"]
    # Budget: back in 30 s; deadline propagation: 15 s; shedding: 5 s.
    assert not recovery["flagged"] and recovery["recovered"] == 2
    assert mean(recovery["recovery_time"]) <= 30
    # Errors over the whole run drop from 71% to 10-19%.
    assert mean(source(report, "web")["error_rate"]) < 0.3


def test_no_timeout_lets_a_slow_dependency_take_every_worker():
    before = run("no_timeout")
    after = run("no_timeout", *fix_of("no_timeout"))
    # Search never calls recommendations, yet its p99 goes to 108 s ...
    assert mean(endpoint(before, "shop.search")["latency"]["p99"]) > 10
    assert not slo_passes(before)
    # ... and 37 ms with a 300 ms timeout and a fallback.
    assert mean(endpoint(after, "shop.search")["latency"]["p99"]) < 0.2
    assert slo_passes(after)
    # Product pages wait at most the timeout for recommendations (p99 332 ms).
    assert mean(endpoint(after, "shop.product")["latency"]["p99"]) < 0.5
    recs = policy(after, "shop -> recommendations")
    assert mean(recs["timeouts"]) == pytest.approx(mean(recs["fallbacks"]))
    assert mean(recs["timeouts"]) > 50
    # A timeout without cancellation leaves the call running: every
    # abandoned call finishes later as a zombie.
    assert mean(recs["zombies"]) > 0


def test_breaker_with_fallback_keeps_quotes_up_through_an_outage():
    before = run("breaker_fallback")
    after = run("breaker_fallback", *fix_of("breaker_fallback"))
    # Without a breaker: 4.4% errors, p99 49 s as workers wait out the outage.
    assert mean(endpoint(before, "pricing.quote")["error_rate"]) > 0.02
    assert not slo_passes(before)
    # With it: no errors (fallbacks answer), p99 5.4 s from the first seconds.
    quote = endpoint(after, "pricing.quote")
    assert mean(quote["error_rate"]) == 0
    assert mean(quote["latency"]["p99"]) < mean(endpoint(before, "pricing.quote")["latency"]["p99"]) / 4
    assert slo_passes(after)
    tax = policy(after, "pricing -> tax")
    # Open 18% of the run: the 60 s outage of 220 s measured, plus the last cycle.
    assert 0.15 < mean(tax["open_fraction"]) < 0.3
    assert mean(tax["short_circuited"]) > 0 and mean(tax["fallbacks"]) > 0
    [recovery] = after["recoveries"]
    assert not recovery["flagged"]


def test_policies_and_recoveries_are_dataframes_and_the_cli_flags_the_storm(root):
    import subprocess
    import sys

    import capsim

    res = capsim.load(root / "scenarios" / "retry_storm.toml").run()
    pol = res.policies.set_index("name")
    assert pol.loc["web -> api.checkout", "attempts_per_call"] > 2
    assert pol.loc["api -> payments", "timeout"] == 1.0
    rec = res.recoveries
    assert list(rec["trigger"]) == ["externals.payments.windows[0]"]
    assert bool(rec["flagged"].iloc[0])
    ts = res.timeseries
    assert {"breaker_open", "attempts", "timeouts"} <= set(
        ts[ts["kind"] == "policy"]["metric"].unique())
    out = subprocess.run([sys.executable, "-m", "capsim.cli", "run",
                          str(root / "scenarios" / "retry_storm.toml")],
                         capture_output=True, text=True, check=False)
    assert "Did not recover within 30s after externals.payments.windows[0]" in out.stdout
    assert "web -> api.checkout" in out.stdout


def test_bots_without_a_rate_limit_starve_people_and_a_per_client_limit_cures_it():
    per_client, global_limit = fix_of("bots_no_rate_limit")
    before = run("bots_no_rate_limit")
    # 105% of the cores offered: product pages (people only) take seconds.
    assert mean(endpoint(before, "api.product")["latency"]["p99"]) > 1.0
    assert not slo_passes(before)
    after = run("bots_no_rate_limit", per_client)
    # Each bot is cut to its 10/s; no person is refused; product p99 16 ms.
    bots, people = source(after, "bots"), source(after, "people")
    assert mean(bots["errors_by_cause"]["rate_limited"]) > 150
    assert mean(people["error_rate"]) == 0.0
    assert mean(endpoint(after, "api.product")["latency"]["p99"]) < 0.05
    assert slo_passes(after)
    api = next(s for s in after["stations"] if s["name"] == "api")
    assert mean(api["rate_limited"]) > 300  # bots' first attempts and retries, refused at the door
    # A global limit protects the cores too, but refuses people as well (60%).
    shared = run("bots_no_rate_limit", global_limit)
    assert mean(source(shared, "people")["error_rate"]) > 0.3


def test_a_bulkhead_keeps_a_slow_dependency_from_taking_checkouts_workers():
    before = run("no_bulkhead")
    after = run("no_bulkhead", *fix_of("no_bulkhead"))
    # Checkout never calls reviews, yet its p99 goes to 28 s during the brown-out ...
    assert mean(endpoint(before, "shop.checkout")["latency"]["p99"]) > 5
    assert not slo_passes(before)
    # ... and stays at 46 ms behind a bulkhead of 12 per replica.
    assert mean(endpoint(after, "shop.checkout")["latency"]["p99"]) < 0.1
    assert slo_passes(after)
    reviews = policy(after, "shop -> reviews")
    assert reviews["bulkhead"] == 12
    # The pages the bulkhead had no room for (13/s in the run) got the fallback.
    assert mean(reviews["bulkhead_full"]) > 5
    assert mean(reviews["fallbacks"]) == mean(reviews["bulkhead_full"])
    assert mean(endpoint(after, "shop.product")["error_rate"]) == 0.0


def test_unbounded_queue_serves_the_dead_and_a_queue_timeout_cures_it():
    before = run("unbounded_queue")
    after = run("unbounded_queue", *fix_of("unbounded_queue"))
    crowd_before, crowd_after = source(before, "crowd"), source(after, "crowd")
    # Without shedding the server answers everything, mostly after its
    # client has gone: half the clients time out and the server's p99 is 15 s.
    assert mean(endpoint(before, "api.get")["error_rate"]) == 0.0
    assert mean(crowd_before["error_rate"]) > 0.4
    assert mean(endpoint(before, "api.get")["latency"]["p99"]) > 10
    assert not slo_passes(before)
    # Shedding after 500 ms in the queue: the excess fails fast, every other
    # request is answered in time, and goodput nearly doubles.
    shed = endpoint(after, "api.get")["errors_by_cause"]["shed"]
    assert mean(shed) > 30
    # The clients' failures are the shed requests, answered at once, not timeouts.
    assert mean(crowd_after["error_rate"]) == pytest.approx(
        mean(endpoint(after, "api.get")["error_rate"]), abs=0.005)
    assert mean(crowd_after["throughput"]) > 1.7 * mean(crowd_before["throughput"])
    assert mean(endpoint(after, "api.get")["latency"]["p99"]) < 1.0
    assert slo_passes(after)


def _replicas(report: dict, service: str) -> dict[str, float]:
    st = next(s for s in report["stations"] if s["name"] == service)
    return {r["name"]: r["core_utilization"]["mean"] for r in st["per_replica"]}


def test_a_hot_key_saturates_its_replica_and_bounded_loads_spread_it():
    before = run("hot_replica")
    after = run("hot_replica", *fix_of("hot_replica"))
    # The big partner's replica runs at 99.8% of its cores while the
    # service's mean is 62% (measured): the busiest and saturated station
    # is that replica, not the service.
    busy = _replicas(before, "feed")
    hot = max(busy, key=busy.get)
    assert busy[hot] > 0.97
    feed = next(s for s in before["stations"] if s["name"] == "feed")
    assert feed["core_utilization"]["mean"] < 0.7
    assert before["busiest"]["station"] == hot
    assert hot in {s["station"] for s in before["saturated"]}
    # Its full queue refuses 2.6% of requests and the p99 is 364 ms.
    assert not slo_passes(before)
    # Bounded loads (1.25x the mean) leave the hottest replica at 73% and
    # pass the SLO (p99 52 ms, no errors) on the same six replicas.
    busy_after = _replicas(after, "feed")
    assert max(busy_after.values()) < 0.85
    assert slo_passes(after)
    assert mean(endpoint(after, "feed.timeline")["latency"]["p99"]) < 0.25 * mean(
        endpoint(before, "feed.timeline")["latency"]["p99"])


def test_a_crashed_pod_in_rotation_refuses_its_share_and_a_health_check_ejects_it():
    before = run("no_health_check")
    after = run("no_health_check", *fix_of("no_health_check"))
    cart = next(s for s in before["stations"] if s["name"] == "cart")
    # About 9% of pod-time is down (MTBF 5 min, MTTR 30 s): 7.27 of 8 up.
    assert mean(cart["replicas_up"]) == pytest.approx(8 * 300 / 330, rel=0.03)
    # Without a health check the balancer keeps sending each down pod its
    # eighth: 9.7% of requests refused (measured).
    add = endpoint(before, "cart.add")
    assert mean(add["errors_by_cause"]["connection_refused"]) > 0.07 * 1500
    assert not slo_passes(before)
    # Probes every 2 s, two failures to eject: a crash costs ~3 s of its
    # share instead of the restart (1.1% measured), and each crash is ejected.
    cart_after = next(s for s in after["stations"] if s["name"] == "cart")
    assert mean(cart_after["ejections"]) > 0.8 * mean(cart_after["crashes"])
    assert mean(endpoint(after, "cart.add")["error_rate"]) < 0.2 * mean(add["error_rate"])
    assert slo_passes(after)
    assert not any(r["flagged"] for r in after["recoveries"])


def test_an_autoscaler_too_slow_for_a_flash_sale_and_a_scheduled_floor_that_is_not():
    before = run("flash_sale_autoscale")
    after = run("flash_sale_autoscale", *fix_of("flash_sale_autoscale"))
    shop = next(s for s in before["stations"] if s["name"] == "shop")
    # The fleet grows a step per 90 s of provisioning (4 -> 27 measured)
    # while the queue overflows: 21% of requests fail, p99 2.1 s.
    assert shop["autoscaled"] and mean(shop["scale_outs"]) >= 15
    assert mean(shop["replicas_peak"]) > 20
    buy = endpoint(before, "shop.buy")
    assert mean(buy["error_rate"]) > 0.1
    assert mean(buy["errors_by_cause"]["queue_full"]) > 0
    assert not slo_passes(before)
    # The replica count is in the time series: 4 before the sale.
    up = before["timeseries"]["stations"]["shop"]["replicas_up"]
    assert up[30] == 4 and max(up) > 20
    # A floor of 24 from 6 minutes: ready before the sale, no errors, and
    # fewer replicas on average than pre-scaling all day (17.2 vs 24).
    shop_after = next(s for s in after["stations"] if s["name"] == "shop")
    assert slo_passes(after)
    assert mean(endpoint(after, "shop.buy")["error_rate"]) == 0
    assert mean(shop_after["replicas_up"]) < 20

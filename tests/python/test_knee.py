"""capsim.knee: where latency leaves its plateau and where each SLO first
fails, from a load sweep; validated on M/M/1, whose p99 is ln(100)/(mu - lambda)."""

from __future__ import annotations

import math

import numpy as np
import pytest

import capsim
from capsim.cli import main

from conftest import mm1

MU = 100.0  # exp(10ms) service
RATES = [10, 20, 30, 40, 50, 60, 70, 80, 90]


def p99(rate: float) -> float:
    return math.log(100) / (MU - rate)


@pytest.fixture(scope="module")
def sweep():
    tree = mm1(duration="400s", replications=5)
    tree["slo"] = [{"endpoint": "server.work", "p99": "100ms"},
                   {"endpoint": "server.work", "error_rate": 0.01}]
    return capsim.sweep(capsim.Scenario(tree), {"traffic.clients.rate": [f"{r}/s" for r in RATES]},
                        progress=False)


def _interpolated_crossing(level: float) -> float:
    """Where the exact curve, sampled at the sweep's loads and joined by
    straight lines as the knee is, reaches `level`."""
    ys = [p99(r) for r in RATES]
    i = next(i for i, y in enumerate(ys) if y >= level)
    return RATES[i - 1] + (level - ys[i - 1]) * (RATES[i] - RATES[i - 1]) / (ys[i] - ys[i - 1])


def test_the_sweep_carries_each_slo_threshold(sweep):
    assert list(sweep["slo_p99"]) == pytest.approx([0.1] * len(RATES))
    assert list(sweep["slo_error_rate"]) == pytest.approx([0.01] * len(RATES))


def test_mm1_knee_is_where_p99_doubles_within_its_ci(sweep):
    k = capsim.knee(sweep, x="traffic.clients.rate")
    assert (k.endpoint, k.metric, k.unit) == ("server.work", "p99", "/s")
    assert k.plateau_at == 10
    # The plateau is a measurement: within its CI of ln(100)/90 s.
    row = sweep.sort_values("arrival_rate").iloc[0]
    assert abs(k.plateau - p99(10)) < row["p99_ci"]
    # Against the exact curve through the same grid (same interpolation):
    expected = _interpolated_crossing(2 * p99(10))
    assert k.low < expected < k.high
    # and the continuous exact knee, (mu + lambda0) / 2 = 55/s, also inside.
    assert k.low < (MU + 10) / 2 < k.high
    assert k.low < k.load < k.high


def test_each_slo_is_first_violated_where_theory_says(sweep):
    k = capsim.knee(sweep, x="traffic.clients.rate")
    slos = k.slos.set_index("metric")
    p = slos.loc["p99"]
    # p99 = 100 ms at lambda = mu - ln(100)/0.1 = 53.95/s: met at 50, failed at 60.
    assert (p["last_met"], p["first_violated"]) == (50, 60)
    assert p["low"] < MU - math.log(100) / 0.1 < p["high"]
    assert p["low"] < _interpolated_crossing(0.1) < p["high"]
    e = slos.loc["error_rate"]  # M/M/1 with an unbounded queue never errs
    assert e["first_violated"] is None or np.isnan(e["first_violated"])


def test_the_measured_arrival_rate_is_the_default_axis(sweep):
    k = capsim.knee(sweep)
    assert k.x == "arrival_rate" and k.unit == "/s"
    assert k.load == pytest.approx(capsim.knee(sweep, x="traffic.clients.rate").load, rel=0.02)
    assert "server.work p99 leaves its" in k.summary() and "/s" in k.summary()
    assert k.to_dict()["slos"][0]["metric"] == "p99"


def test_no_knee_inside_a_sweep_that_stays_on_the_plateau(sweep):
    low = sweep[sweep["arrival_rate"] < 35]
    k = capsim.knee(low)
    assert k.load is None
    assert "not within the sweep" in k.summary()


def test_bad_arguments_are_explained(sweep):
    with pytest.raises(ValueError, match="no endpoint 'server.wrok'"):
        capsim.knee(sweep, "server.wrok")
    with pytest.raises(ValueError, match="factor must be above 1"):
        capsim.knee(sweep, factor=1.0)
    with pytest.raises(ValueError, match="at least 2 loads"):
        capsim.knee(sweep[sweep["point"] == 0])


def test_capsim_sweep_prints_the_knee_and_slo_loads_for_a_load_sweep(tmp_path, capsys):
    f = tmp_path / "mm1.toml"
    f.write_text('[run]\nduration = "200s"\nwarmup = "10s"\nreplications = 3\n'
                 '[services.server]\nworkers = 1\n[services.server.endpoints.work]\n'
                 'steps = [ { cpu = "exp(10ms)" } ]\n'
                 '[traffic.clients]\nrate = "50/s"\nendpoint = "server.work"\n'
                 '[[slo]]\nendpoint = "server.work"\np99 = "100ms"\n')
    assert main(["sweep", str(f), "--grid", "traffic.clients.rate=10/s..90/s:9"]) == 0
    out = capsys.readouterr().out
    assert "Knee: server.work p99 leaves its" in out
    assert "SLO server.work p99 < 100ms: met at 50/s, first violated at 60/s" in out
    # Not a load sweep: no knee.
    assert main(["sweep", str(f), "--grid", "services.server.workers=1,2,3"]) == 0
    assert "Knee" not in capsys.readouterr().out

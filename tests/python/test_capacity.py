"""capsim.capacity and `capsim capacity`: the highest load meeting the SLOs,
checked against the M/M/1 closed form."""

from __future__ import annotations

import json
import math

import pytest

import capsim
from capsim.capacity import slo_override
from capsim.cli import main

from conftest import mm1

# M/M/1 with 10 ms mean service: the response time is exponential with rate
# mu - lambda, so p99 < 100 ms holds while lambda < 100 - ln(100) / 0.1.
ANALYTIC = 100 - math.log(100) / 0.1  # 53.95/s


def test_capacity_of_an_mm1_brackets_the_closed_form():
    sc = capsim.Scenario(mm1(duration="300s", replications=5))
    cap = capsim.capacity(sc, over="traffic.clients.rate", slo="server.work p99 < 100ms",
                          progress=False)
    assert cap.unit == "/s"
    assert cap.low <= cap.value <= cap.high
    assert cap.low <= ANALYTIC <= cap.high
    assert cap.value == pytest.approx(ANALYTIC, rel=0.05)
    assert cap.high - cap.low < 0.2 * ANALYTIC
    # Every load below the estimate that was tried passed, every one above failed.
    pts = cap.points
    assert pts[pts.load <= cap.value]["passes"].all()
    assert not pts[pts.load > cap.value]["passes"].any()


def test_slos_are_written_as_people_write_them():
    assert slo_override("api.get p99.9 < 1s") == 'slo=[{ endpoint = "api.get", p999 = "1s" }]'
    assert slo_override([{"endpoint": "a.b", "error_rate": "1%"}, "a.b p50 < 5ms"]) == (
        'slo=[{ endpoint = "a.b", error_rate = "1%" }, { endpoint = "a.b", p50 = "5ms" }]')
    with pytest.raises(ValueError, match="metric < threshold"):
        slo_override("api.get p99 300ms")


def test_capacity_needs_slos():
    with pytest.raises(ValueError, match="needs SLOs"):
        capsim.capacity(capsim.Scenario(mm1(duration="20s")), over="traffic.clients.rate")


def test_cli_capacity_json(tmp_path, capsys):
    f = tmp_path / "s.toml"
    f.write_text('[run]\nduration = "200s"\nwarmup = "10s"\nreplications = 4\n'
                 '[services.s]\nworkers = 1\n[services.s.endpoints.e]\n'
                 'steps = [ { cpu = "exp(10ms)" } ]\n'
                 '[traffic.t]\nrate = "30/s"\nendpoint = "s.e"\n')
    assert main(["capacity", str(f), "--over", "traffic.t.rate", "--slo", "s.e p99 < 100ms",
                 "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["low"] <= ANALYTIC <= data["high"]
    assert main(["capacity", str(f), "--over", "traffic.t.rate", "--slo", "s.e p99 < 1ms",
                 "--quiet"]) == 1
    assert main(["capacity", str(f), "--over", "traffic.t.rate"]) == 2

"""capsim.sweep and `capsim sweep`: grids, one tidy DataFrame, common random
numbers, executors, progress."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import pytest

import capsim
from capsim.cli import main
from capsim.cli_sweep import parse_grid
from capsim.sweep import grid_points

from conftest import mm1


def small() -> capsim.Scenario:
    tree = mm1(duration="60s", replications=2)
    tree["slo"] = [{"endpoint": "server.work", "p99": "100ms"}]
    return capsim.Scenario(tree)


def test_a_dict_grid_runs_every_combination_first_key_slowest():
    points = grid_points({"a": [1, 2], "b": ["x", "y", "z"]})
    assert points == [{"a": 1, "b": "x"}, {"a": 1, "b": "y"}, {"a": 1, "b": "z"},
                      {"a": 2, "b": "x"}, {"a": 2, "b": "y"}, {"a": 2, "b": "z"}]


def test_a_list_grid_runs_exactly_its_points_in_either_spelling():
    assert grid_points([{"a": 1}, ["a=2", "b=5ms"]]) == [{"a": 1}, {"a": "2", "b": "5ms"}]
    with pytest.raises(ValueError, match="KEY=VALUE"):
        grid_points([["a"]])
    with pytest.raises(TypeError, match="list of values"):
        grid_points({"a": "100/s"})


def test_sweep_returns_one_row_per_point_and_endpoint_with_the_values_as_columns():
    df = capsim.sweep(small(), {"traffic.clients.rate": ["20/s", "50/s", "80/s"]},
                      progress=False)
    assert len(df) == 3
    assert list(df["traffic.clients.rate"]) == ["20/s", "50/s", "80/s"]
    for col in ("point", "endpoint", "p99", "p99_ci", "throughput", "slo_pass", "ok",
                "busiest", "busiest_utilization", "seed"):
        assert col in df.columns
    # The load went where the grid said, and latency grows with it.
    assert df["arrival_rate"].tolist() == pytest.approx([20, 50, 80], rel=0.1)
    assert df["p99"].is_monotonic_increasing
    assert df["slo_pass"].tolist() == [True, True, False]


def test_every_point_uses_the_same_seed_so_equal_points_give_equal_numbers():
    # Common random numbers: the same scenario at two grid points is the
    # same run, bit for bit; only the grid's change moves the numbers.
    df = capsim.sweep(small(), [{"services.server.cores": 1}, {"services.server.cores": 1},
                                {"services.server.cores": 2}], progress=False)
    assert df["seed"].nunique() == 1
    assert df.loc[0, "p99"] == df.loc[1, "p99"]
    assert df.loc[0, "arrival_rate"] == df.loc[2, "arrival_rate"]  # same arrivals
    assert df.loc[2, "p99"] == df.loc[0, "p99"]  # one worker: a second core is idle


def test_the_result_does_not_depend_on_the_executor():
    grid = {"traffic.clients.rate": ["30/s", "60/s"]}
    default = capsim.sweep(small(), grid, progress=False)
    with ThreadPoolExecutor(max_workers=1) as pool:
        single = capsim.sweep(small(), grid, executor=pool, progress=False)
    pd.testing.assert_frame_equal(default, single)


def test_progress_callback_counts_every_point():
    seen = []
    capsim.sweep(small(), {"services.server.cores": [1, 2, 3]},
                 progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 3), (2, 3), (3, 3)]


def test_a_bad_point_is_refused_before_anything_runs():
    with pytest.raises(capsim.ScenarioError, match="wrokers"):
        capsim.sweep(small(), {"services.server.wrokers": [1, 2]}, progress=False)


@pytest.mark.parametrize("text, values", [
    ("k=2,4,8", [2, 4, 8]),
    ("k=100/s..400/s:4", ["100/s", "200/s", "300/s", "400/s"]),
    ("k=2..8:4", [2, 4, 6, 8]),
    ("k=0.5,exp(5ms)", [0.5, "exp(5ms)"]),
    ("k=1ms..2ms:3", ["1ms", "1.5ms", "2ms"]),
])
def test_grid_arguments(text, values):
    assert parse_grid(text) == ("k", values)


@pytest.mark.parametrize("text, message", [
    ("k", "KEY=A,B,C"), ("k=1/s..2ms:3", "same unit"), ("k=1..2", "count"),
    ("k=1..2:1", "at least 2"), ("k=a..b:3", "numbers"),
])
def test_bad_grid_arguments_say_what_is_wrong(text, message):
    with pytest.raises(ValueError, match=message):
        parse_grid(text)


SCENARIO = """
[run]
duration = "60s"
warmup = "10s"
replications = 2
seed = 3
[services.server]
workers = 1
[services.server.endpoints.work]
steps = [ { cpu = "exp(10ms)" } ]
[traffic.clients]
rate = "50/s"
endpoint = "server.work"
[[slo]]
endpoint = "server.work"
p99 = "100ms"
"""


@pytest.fixture
def scenario_file(tmp_path):
    f = tmp_path / "s.toml"
    f.write_text(SCENARIO)
    return str(f)


def test_cli_sweep_writes_parquet_and_csv(scenario_file, tmp_path, capsys):
    out = tmp_path / "r.parquet"
    assert main(["sweep", scenario_file, "--grid", "traffic.clients.rate=20/s..80/s:3",
                 "--grid", "services.server.cores=1,2", "--out", str(out)]) == 0
    df = pd.read_parquet(out)
    assert len(df) == 6
    assert set(df["services.server.cores"]) == {1, 2}
    assert "6 points" in capsys.readouterr().err
    csv = tmp_path / "r.csv"
    assert main(["sweep", scenario_file, "--grid", "services.server.cores=1,2", "--out",
                 str(csv), "--quiet"]) == 0
    assert len(pd.read_csv(csv)) == 2


def test_cli_sweep_prints_a_table_and_exits_0_even_where_slos_fail(scenario_file, capsys):
    assert main(["sweep", scenario_file, "--grid", "traffic.clients.rate=20/s,90/s"]) == 0
    out = capsys.readouterr().out
    assert "pass" in out and "FAIL" in out


def test_cli_sweep_bad_input_exits_2(scenario_file, capsys):
    assert main(["sweep", scenario_file, "--grid", "traffic.clients.rate=1..2"]) == 2
    assert main(["sweep", scenario_file, "--grid", "services.server.cores=1",
                 "--out", "x.xlsx"]) == 2
    assert main(["sweep", scenario_file, "--grid", "services.server.wrokers=1"]) == 2
    err = capsys.readouterr().err
    assert "count" in err and ".parquet" in err and "wrokers" in err

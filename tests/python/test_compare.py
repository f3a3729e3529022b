"""capsim.compare and `capsim compare`: paired differences under common
random numbers, significance, SLO verdicts of the after variant."""

from __future__ import annotations

import json

import pytest

import capsim
from capsim.cli import main
from capsim.student_t import mean_ci, t975

from conftest import mm1


def base(**run) -> capsim.Scenario:
    tree = mm1(duration="100s", replications=4)
    tree["slo"] = [{"endpoint": "server.work", "p99": "150ms"}]
    return capsim.Scenario(tree)


def test_a_change_the_requests_never_feel_gives_exactly_zero_difference():
    # One worker: a second core stays idle. Under common random numbers the
    # pairs are the same runs, so every delta is 0, not noise around 0.
    cmp = capsim.compare(base(), {"services.server.cores": 2}, progress=False)
    assert (cmp.table["delta"] == 0).all()
    assert not cmp.table["significant"].any()


def test_a_real_improvement_is_significant_and_better():
    cmp = capsim.compare(base(), {"services.server.workers": 2, "services.server.cores": 2},
                         progress=False)
    t = cmp.table.set_index("metric")
    for metric in ("p50", "p95"):
        assert t.loc[metric, "significant"] and t.loc[metric, "better"]
        assert t.loc[metric, "after"] < t.loc[metric, "before"]
    assert t.loc["p50", "delta"] == pytest.approx(t.loc["p50", "after"] - t.loc["p50", "before"])
    assert cmp.ok


def test_pairs_use_consecutive_seeds_and_pair_zero_is_the_engines_replication_zero():
    sc = base()
    cmp = capsim.compare(sc, {"services.server.cores": 2}, replications=3, seed=40,
                         progress=False)
    assert cmp.seeds == [40, 41, 42]
    p99 = cmp.replicates.query("variant == 'before' and replication == 0 and metric == 'p99'")
    alone = sc.run(replications=1, seed=40).endpoints.loc[0, "p99"]
    assert p99["value"].iloc[0] == alone


def test_the_after_variant_failing_its_slo_makes_the_comparison_fail():
    cmp = capsim.compare(base(), {"traffic.clients.rate": "90/s"}, replications=3,
                         progress=False)
    assert not cmp.ok
    after = cmp.slos.set_index("variant").loc["after"]
    assert not after["pass"]
    worse = cmp.table.set_index("metric").loc["p99"]
    assert worse["significant"] and worse["better"] is False


def test_student_t_matches_the_tables():
    assert t975(1) == pytest.approx(12.7062, abs=1e-4)
    assert t975(4) == pytest.approx(2.7764, abs=1e-4)
    assert t975(60) == pytest.approx(2.0003, abs=1e-4)
    mean, half = mean_ci([1.0, 2.0, 3.0])
    assert mean == 2.0 and half == pytest.approx(4.302653 * 1 / 3 ** 0.5)


BEFORE = """
[run]
duration = "60s"
warmup = "10s"
replications = 3
seed = 5
[services.s]
workers = 1
[services.s.endpoints.e]
steps = [ { cpu = "exp(10ms)" } ]
[traffic.t]
rate = "{rate}"
endpoint = "s.e"
[[slo]]
endpoint = "s.e"
p99 = "150ms"
"""


@pytest.fixture
def files(tmp_path):
    before, after = tmp_path / "before.toml", tmp_path / "after.toml"
    before.write_text(BEFORE.replace("{rate}", "40/s"))
    after.write_text(BEFORE.replace("{rate}", "90/s"))
    return str(before), str(after)


def test_cli_two_files_exit_1_when_after_fails_its_slo(files, capsys):
    assert main(["compare", *files]) == 1
    out = capsys.readouterr().out
    assert "worse" in out and "FAIL" in out and "p99" in out


def test_cli_one_file_with_after_overrides_and_json(files, capsys):
    assert main(["compare", files[0], "--after", "services.s.workers=2",
                 "--after", "services.s.cores=2", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] and data["replications"] == 3 and data["seeds"] == [5, 6, 7]
    p50 = next(r for r in data["table"] if r["metric"] == "p50")
    assert p50["better"] is True


def test_cli_compare_bad_input_exits_2(files, capsys):
    assert main(["compare", files[0]]) == 2
    assert main(["compare", files[0], "--after", "services.s.wrokers=2"]) == 2
    assert main(["compare", files[0], files[1], "--replications", "1"]) == 2
    err = capsys.readouterr().err
    assert "--after" in err and "wrokers" in err and "at least 2" in err

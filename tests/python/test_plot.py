"""Charts: every kind renders, with titles, unit labels and data, as PNG
and SVG, from Python and from `capsim plot`."""

from __future__ import annotations

import matplotlib
import pytest
from matplotlib.figure import Figure

import capsim
from capsim import plot
from capsim.cli import main

from conftest import mm1

matplotlib.use("Agg")


def tiered() -> dict:
    """An API calling a database, a spike in traffic and an SLO."""
    return {
        "run": {"duration": "40s", "warmup": "5s", "replications": 2, "seed": 9},
        "services": {
            "api": {"workers": 8, "cores": 2, "endpoints": {"get": {"steps": [
                {"cpu": "exp(2ms)"}, {"call": "db.q"}]}}},
            "db": {"workers": 4, "cores": 1, "endpoints": {"q": {"steps": [{"cpu": "exp(5ms)"}]}}},
        },
        "traffic": {"web": {"endpoint": "api.get", "shape": {
            "kind": "spike", "base": "60/s", "peak": "150/s", "start": "15s", "rise": "2s",
            "hold": "10s", "decay": "2s"}}},
        "slo": [{"endpoint": "api.get", "p99": "100ms"}],
    }


@pytest.fixture(scope="module")
def result():
    return capsim.Scenario(tiered()).run()


@pytest.fixture(scope="module")
def sweep2d():
    return capsim.sweep(capsim.Scenario(mm1(duration="40s", replications=2)),
                        {"traffic.clients.rate": ["30/s", "60/s"],
                         "services.server.cores": [1, 2]}, progress=False)


def lines_with_data(ax) -> list:
    return [line for line in ax.get_lines() if len(line.get_xdata()) > 1]


def test_timeline_has_five_labelled_panels_on_one_time_axis(result):
    fig = result.plot.timeline()
    axes = fig.axes
    assert len(axes) == 5
    assert [a.get_ylabel() for a in axes] == ["requests/s", "latency (ms)", "errors (%)",
                                              "queued requests", "utilisation (%)"]
    assert axes[-1].get_xlabel().startswith("time (s)")
    assert all(lines_with_data(a) for a in axes)
    assert "api.get" in fig._suptitle.get_text()
    labels = [line.get_label() for line in axes[4].get_lines()]
    assert "db cores" in labels  # the busiest station is drawn
    # The traffic panel shows the spike: the arrival rate rises from 60 to 150/s.
    arrivals = axes[0].get_lines()[0].get_ydata()
    assert max(arrivals) > 2 * arrivals[10]


def test_timeline_draws_the_replica_count_of_an_autoscaled_service():
    tree = tiered()
    tree["services"]["db"]["autoscale"] = {"target": 0.5, "min": 1, "max": 6,
                                           "interval": "2s", "provisioning": "2s"}
    fig = capsim.Scenario(tree).run().plot.timeline()
    right = fig.axes[-1]
    assert right.get_ylabel() == "replicas up"
    [line] = [ln for ln in right.get_lines() if ln.get_label() == "db replicas"]
    # The spike (150/s x 5 ms on one core a replica) asks for more than one.
    assert min(line.get_ydata()) == 1 and max(line.get_ydata()) > 1


def test_timeline_before_after_overlays_both_runs(result):
    after = capsim.Scenario(tiered()).with_({"services.db.cores": 2}).run()
    fig = result.plot.timeline(other=after)
    lines = fig.axes[1].get_lines()
    assert len(lines) == 4  # p50 and p99, before and after
    before, after_lines = lines[:2], lines[2:]
    # A series keeps its colour across the runs; before is dashed, after solid.
    assert [ln.get_color() for ln in before] == [ln.get_color() for ln in after_lines]
    assert {ln.get_linestyle() for ln in before} == {"--"}
    assert {ln.get_linestyle() for ln in after_lines} == {"-"}
    legend = [t.get_text() for t in fig.axes[1].get_legend().get_texts()]
    assert legend == ["p50", "p99", "before", "after"]


def test_timeline_puts_latency_on_a_log_scale_when_runs_differ_by_orders(result):
    # At a 300/s peak the database (5 ms on one core) is 1.5x overloaded:
    # seconds of queueing before, milliseconds after.
    slow = capsim.Scenario(tiered()).with_({"traffic.web.shape.peak": "300/s"}).run()
    assert result.plot.timeline().axes[1].get_yscale() == "linear"
    fig = slow.plot.timeline(other=result)
    assert fig.axes[1].get_yscale() == "log"
    assert fig.axes[1].get_ylabel() == "latency (ms, log scale)"
    assert max(ln.get_ydata().max() for ln in fig.axes[1].get_lines()) > 1000


def test_utilization_marks_the_bottleneck(result):
    fig = result.plot.utilization()
    ax = fig.axes[0]
    assert ax.get_xlabel() == "utilisation (%)"
    texts = [t.get_text() for t in ax.texts]
    marked = [t for t in texts if "bottleneck" in t]
    assert len(marked) == 1
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    busiest = result.busiest
    assert f"{busiest['station']} {busiest['resource']}" in ticks
    assert len(ax.patches) == len(ticks)


def test_attribution_stacks_components_for_all_and_the_tail(result):
    fig = result.plot.attribution()
    assert len(fig.axes) == 2
    for ax in fig.axes:
        assert ax.get_xlabel() == "mean time per request (ms)"
        assert any(p.get_width() > 0 for p in ax.patches)
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert {"cpu", "cpu_wait", "worker_wait"} <= set(legend)


def test_before_after_shows_each_percentile_with_its_change(result):
    after = capsim.Scenario(tiered()).with_({"services.db.cores": 2}).run()
    fig = result.plot.before_after(after)
    ax = fig.axes[0]
    assert ax.get_ylabel() in ("latency (ms)", "latency (s)")
    # Bar labels as people write latencies, never in e-notation.
    values = [t.get_text() for t in ax.texts]
    assert len(values) == 10 and all(v.endswith((" ms", " s", " µs")) for v in values)
    assert not any("e+" in v or "e-" in v for v in values)
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks[0].startswith("p50\n") and ticks[-1].startswith("p99.9\n")
    assert all("%" in t for t in ticks)
    assert len(ax.patches) == 10  # five percentiles, two bars each


def test_hockey_stick_draws_percentiles_with_ci_bands():
    df = capsim.sweep(capsim.Scenario(mm1(duration="40s", replications=3)),
                      {"traffic.clients.rate": ["20/s", "40/s", "60/s", "80/s"]},
                      progress=False)
    fig = plot.hockey_stick(df, slo="100ms")
    ax = fig.axes[0]
    assert ax.get_xlabel() == "offered load (requests/s)"
    assert "latency (ms" in ax.get_ylabel()
    names = [line.get_label() for line in lines_with_data(ax)]
    assert names == ["p50", "p95", "p99", "SLO 100 ms"]
    assert all(len(line.get_xdata()) == 4 for line in ax.get_lines()[:3])
    assert len(ax.collections) == 3  # one CI band per percentile


def test_hockey_stick_refuses_a_two_key_sweep(sweep2d):
    with pytest.raises(ValueError, match="one key"):
        plot.hockey_stick(sweep2d, x="traffic.clients.rate")


def test_heatmap_has_one_annotated_cell_per_point(sweep2d):
    fig = plot.heatmap(sweep2d, x="traffic.clients.rate", y="services.server.cores")
    ax = fig.axes[0]
    assert ax.get_xlabel() == "traffic.clients.rate"
    assert ax.get_ylabel() == "services.server.cores"
    assert len(ax.texts) == 4
    assert "(ms)" in fig.axes[1].get_ylabel()  # the colour bar says the unit


@pytest.mark.parametrize("suffix, magic", [(".png", b"\x89PNG"), (".svg", b"<?xml")])
def test_charts_save_as_png_and_svg(result, tmp_path, suffix, magic):
    path = plot.save(result.plot.utilization(), tmp_path / f"u{suffix}")
    assert path.read_bytes().startswith(magic)
    with pytest.raises(ValueError, match=".png, .svg"):
        plot.save(Figure(), tmp_path / "u.jpg")


def test_cli_plot_from_a_scenario_a_report_and_a_sweep(result, tmp_path, capsys):
    scenario = tmp_path / "s.toml"
    scenario.write_text(capsim.Scenario(tiered()).to_toml())
    out = tmp_path / "t.png"
    assert main(["plot", str(scenario), "-o", str(out)]) == 0
    assert out.read_bytes().startswith(b"\x89PNG")
    report = tmp_path / "r.json"
    result.to_json(report)
    assert main(["plot", str(report), "--kind", "attribution", "-o", str(tmp_path / "a.svg")]) == 0
    assert main(["plot", str(scenario), "--kind", "before-after", "--after",
                 "services.db.cores=2", "-o", str(tmp_path / "ba.png")]) == 0
    sweep = tmp_path / "sw.csv"
    assert main(["sweep", str(scenario), "--grid", "traffic.web.shape.peak=100/s..200/s:3",
                 "--out", str(sweep), "--quiet"]) == 0
    assert main(["plot", str(sweep), "--kind", "hockey", "-o", str(tmp_path / "h.png")]) == 0
    assert (tmp_path / "h.png").stat().st_size > 10_000


def test_cli_plot_bad_input_exits_2(result, tmp_path, capsys):
    report = tmp_path / "r.json"
    result.to_json(report)
    assert main(["plot", str(report), "--kind", "hockey"]) == 2
    assert main(["plot", str(report), "-o", str(tmp_path / "x.jpg")]) == 2
    assert main(["plot", str(tmp_path / "missing.json")]) == 2
    err = capsys.readouterr().err
    assert "a sweep" in err and ".png" in err and "no such file" in err


def test_duration_text_writes_latencies_as_people_do():
    from capsim.plot import duration_text
    assert [duration_text(x) for x in (9.41, 0.0657, 0.000412, float("nan"))] == [
        "9.41 s", "65.7 ms", "412 µs", ""]

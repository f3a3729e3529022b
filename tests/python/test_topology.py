"""Topology: cycles refused everywhere, `capsim graph`, `Scenario.graph()`, `extends`, `capsim show`."""

from __future__ import annotations

import json
import shutil

import pytest

import capsim
from capsim import graph as graph_module
from capsim.cli import main

CYCLE = """
[services.a.endpoints.x]
steps = [ { call = "b.y" } ]
[services.b.endpoints.y]
steps = [ { call = "a.x" } ]
[traffic.web]
rate = "10/s"
endpoint = "a.x"
"""

BASE = """name = "base"
[run]
duration = "20s"
[services.api]
replicas = 2
workers = 8
[services.api.endpoints.get]
steps = [ { cpu = "exp(4ms)" }, { loop = 3, steps = [ { call = "db.read" } ] } ]
[services.db.endpoints.read]
steps = [ { cpu = "exp(1ms)" } ]
[services.legacy.endpoints.old]
steps = [ { cpu = "1ms" } ]
[traffic.web]
rate = "100/s"
endpoint = "api.get"
"""

needs_graphviz = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz not installed")


@pytest.fixture
def files(tmp_path):
    (tmp_path / "bases").mkdir()
    (tmp_path / "bases" / "base.toml").write_text(BASE)
    (tmp_path / "whatif.toml").write_text(
        'extends = "bases/base.toml"\n[services.api]\nreplicas = 6\n')
    (tmp_path / "cycle.toml").write_text(CYCLE)
    return tmp_path


def test_load_refuses_a_call_cycle_with_the_cycle_spelled_out(files):
    with pytest.raises(capsim.ScenarioError) as e:
        capsim.load(files / "cycle.toml")
    d = e.value.diagnostics[0]
    assert d["message"].startswith("call cycle a.x → b.y → a.x")
    assert (d["line"], d["column"]) == (3, 20)
    assert d["path"] == "services.a.endpoints.x.steps[0].call"


def test_a_dict_scenario_with_a_cycle_is_refused_by_key_path():
    tree = {"services": {"a": {"endpoints": {"x": {"steps": [{"call": "a.x"}]}}}},
            "traffic": {"web": {"rate": "1/s", "endpoint": "a.x"}}}
    with pytest.raises(capsim.ScenarioError) as e:
        capsim.Scenario(tree)
    d = e.value.diagnostics[0]
    assert d["path"] == "services.a.endpoints.x.steps[0].call"
    assert d["line"] == 0
    assert "a.x calls itself" in d["message"]


@pytest.mark.parametrize("command", ["run", "graph", "show"])
def test_every_command_exits_2_on_a_cycle(files, command, capsys):
    assert main([command, str(files / "cycle.toml")]) == 2
    assert "call cycle a.x → b.y → a.x" in capsys.readouterr().err


def test_warnings_are_kept_on_the_scenario(files):
    sc = capsim.load(files / "bases" / "base.toml")
    assert [w["message"].split(":")[0] for w in sc.warnings] == [
        "service legacy is never used"]


def test_graph_dot_and_endpoint_metrics(files):
    g = capsim.load(files / "whatif.toml").graph()
    assert g.dot.startswith('digraph "whatif" {')
    assert 'label="api  6×8w×1c"' in g.dot
    assert '"endpoint:api.get" -> "endpoint:db.read" [label="×3"]' in g.dot
    rows = {r["endpoint"]: r for r in g.endpoints}
    assert rows["api.get"]["entry"] and rows["api.get"]["depth"] == 1
    assert rows["api.get"]["fan_out"] == 3
    assert rows["db.read"]["depth"] == 0


def test_unbounded_fan_out_is_none(tmp_path):
    tree = {"services": {"a": {"endpoints": {"x": {"steps": [
        {"loop": "exp(3)", "steps": [{"call": "b.y"}]}]}}},
        "b": {"endpoints": {"y": {"steps": [{"cpu": "1ms"}]}}}},
        "traffic": {"web": {"rate": "1/s", "endpoint": "a.x"}}}
    rows = {r["endpoint"]: r for r in capsim.Scenario(tree).graph().endpoints}
    assert rows["a.x"]["fan_out"] is None
    assert rows["a.x"]["depth"] == 1


def test_graph_without_graphviz_shows_dot_text(files, monkeypatch):
    monkeypatch.setattr(graph_module, "dot_program", lambda: None)
    g = capsim.load(files / "whatif.toml").graph()
    assert g._repr_svg_() is None
    assert g._repr_html_().startswith("<p>Graphviz is not installed")
    with pytest.raises(graph_module.GraphvizMissing):
        g.render("png")


@needs_graphviz
def test_graph_renders_svg_inline(files):
    g = capsim.load(files / "whatif.toml").graph()
    assert "<svg" in g._repr_svg_()
    assert "<svg" in g._repr_html_()


def test_cli_graph_writes_dot_to_stdout_and_files(files, capsys):
    assert main(["graph", str(files / "whatif.toml"), "--quiet"]) == 0
    assert capsys.readouterr().out.startswith('digraph "whatif"')
    out = files / "g.dot"
    assert main(["graph", str(files / "whatif.toml"), "-o", str(out), "--quiet"]) == 0
    assert out.read_text().startswith('digraph "whatif"')


def test_cli_graph_set_changes_the_labels(files, capsys):
    assert main(["graph", str(files / "whatif.toml"), "--set", "services.api.workers=64",
                 "--quiet"]) == 0
    assert 'label="api  6×64w×1c"' in capsys.readouterr().out


@needs_graphviz
@pytest.mark.parametrize("suffix,magic", [(".svg", b"<?xml"), (".png", b"\x89PNG")])
def test_cli_graph_renders_svg_and_png(files, suffix, magic):
    out = files / f"g{suffix}"
    assert main(["graph", str(files / "whatif.toml"), "-o", str(out), "--quiet"]) == 0
    assert out.read_bytes().startswith(magic)


def test_cli_graph_without_graphviz_writes_nothing(files, monkeypatch, capsys):
    monkeypatch.setattr(graph_module, "dot_program", lambda: None)
    out = files / "g.png"
    assert main(["graph", str(files / "whatif.toml"), "-o", str(out)]) == 2
    assert "apt-get install graphviz" in capsys.readouterr().err
    assert not out.exists()


def test_cli_graph_refuses_an_unknown_format(files, capsys):
    assert main(["graph", str(files / "whatif.toml"), "-o", str(files / "g.jpg")]) == 2
    assert ".dot, .svg or .png" in capsys.readouterr().err


def test_cli_graph_stats(files, capsys):
    assert main(["graph", str(files / "whatif.toml"), "--stats", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows[0]["endpoint"] == "api.get"


def test_cli_show_prints_the_resolved_scenario(files, capsys):
    assert main(["show", str(files / "whatif.toml"), "--set", "run.seed=7", "--quiet"]) == 0
    text = capsys.readouterr().out
    assert "extends" not in text.split("\n", 2)[2]
    assert 'name = "whatif"' in text and "replicas = 6" in text and "seed = 7" in text
    resolved = files / "resolved.toml"
    resolved.write_text(text)
    assert capsim.load(resolved).name == "whatif"


def test_to_toml_of_a_dict_that_extends_a_file(files, monkeypatch):
    monkeypatch.chdir(files)
    sc = capsim.Scenario({"extends": "bases/base.toml", "run": {"seed": 5}}, name="mine")
    text = sc.to_toml()
    assert 'name = "mine"' in text and "seed = 5" in text
    assert sc.name == "mine"


def test_extends_recursion_is_refused(tmp_path):
    (tmp_path / "a.toml").write_text('extends = "b.toml"\n')
    (tmp_path / "b.toml").write_text('extends = "a.toml"\n')
    with pytest.raises(capsim.ScenarioError, match="extends comes back to itself"):
        capsim.load(tmp_path / "a.toml")

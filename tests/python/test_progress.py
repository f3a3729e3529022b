"""Progress bars (capsim.progress): drawn for a person watching a terminal
or a notebook, never into a pipe or a log, where they would be noise."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
import types
from pathlib import Path

import pandas as pd
import pytest

from capsim import progress

from conftest import ROOT

SWEEP = [sys.executable, "-m", "capsim", "sweep", str(ROOT / "scenarios" / "checkout.toml"),
         "--grid", "services.api.replicas=2,3", "--duration", "25s", "--set", "run.warmup=5s", "--replications", "1",
         "--quiet"]
BAR = "━"  # rich's bar glyph


def _sweep_stderr(on_a_terminal: bool, out: Path) -> str:
    """The stderr of a two-point `capsim sweep -o out.csv`."""
    cmd = SWEEP[:-1] + ["-o", str(out)]
    if not on_a_terminal:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
        assert proc.returncode in (0, 1), proc.stderr  # 1: an SLO failed at a point
        assert set(pd.read_csv(out)["services.api.replicas"]) == {2, 3}
        return proc.stderr
    parent, child = pty.openpty()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=child)
    os.close(child)
    chunks = []
    while True:
        try:
            data = os.read(parent, 65536)
        except OSError:  # EIO: the child closed its end
            break
        if not data:
            break
        chunks.append(data)
    proc.communicate(timeout=300)
    os.close(parent)
    assert proc.returncode in (0, 1)
    assert set(pd.read_csv(out)["services.api.replicas"]) == {2, 3}
    return b"".join(chunks).decode("utf-8", "replace")


def test_a_sweep_into_a_pipe_draws_no_bar(tmp_path):
    assert BAR not in _sweep_stderr(on_a_terminal=False, out=tmp_path / "s.csv")


def test_a_sweep_on_a_terminal_draws_a_bar(tmp_path):
    err = _sweep_stderr(on_a_terminal=True, out=tmp_path / "s.csv")
    assert BAR in err and "2/2" in err


def test_a_notebook_counts_as_watching(monkeypatch):
    import ipywidgets  # noqa: F401  (imported before IPython is faked below)

    class ZMQInteractiveShell:  # the Jupyter kernel's shell, by name
        pass

    fake = types.ModuleType("IPython")
    fake.get_ipython = lambda: ZMQInteractiveShell()
    monkeypatch.setitem(sys.modules, "IPython", fake)
    assert progress.in_notebook()
    assert progress.interactive()


def test_an_explicit_choice_wins_and_a_callback_gets_done_and_total(monkeypatch):
    monkeypatch.setattr(progress, "interactive", lambda: True)
    seen = []
    with progress.reporter(False, 3, "x") as tick:
        tick(1)  # no bar, no error
    with progress.reporter(lambda d, t: seen.append((d, t)), 3, "x") as tick:
        tick(2)
    assert seen == [(2, 3)]


@pytest.mark.parametrize("value", [None, False])
def test_in_a_test_run_nothing_is_interactive(value):
    # pytest captures stderr: the default (None) must read that as a pipe.
    assert not progress.interactive()
    with progress.reporter(value, 2, "x") as tick:
        tick(1)

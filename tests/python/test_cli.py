"""The capsim command line: output, JSON, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from capsim.cli import main

SCENARIO = """
[run]
duration = "50s"
replications = 2
[services.s]
workers = 2
cores = 2
[services.s.endpoints.e]
steps = [ { cpu = "exp(5ms)" } ]
[traffic.t]
rate = "100/s"
endpoint = "s.e"
[[slo]]
endpoint = "s.e"
p99 = "{p99}"
"""


@pytest.fixture
def scenario(tmp_path):
    def make(p99: str = "1s"):
        f = tmp_path / "s.toml"
        f.write_text(SCENARIO.replace("{p99}", p99))
        return str(f)
    return make


def test_run_prints_tables_and_exits_0(scenario, capsys):
    assert main(["run", scenario()]) == 0
    out = capsys.readouterr().out
    assert "s.e" in out and "Busiest" in out and "pass" in out


def test_failed_slo_exits_1(scenario, capsys):
    assert main(["run", scenario("1ms")]) == 1
    assert "FAIL" in capsys.readouterr().out


def test_bad_input_exits_2_with_location(scenario, capsys):
    assert main(["run", scenario(), "--set", "services.s.wrokers=3"]) == 2
    err = capsys.readouterr().err
    assert "wrokers" in err and 'did you mean "workers"' in err


def test_json_is_the_report(scenario, capsys):
    assert main(["run", scenario(), "--json", "--seed", "5", "--replications", "3"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["run"]["seed"] == 5 and report["run"]["replications"] == 3


def test_quiet_prints_nothing(scenario, capsys):
    assert main(["run", scenario(), "--quiet"]) == 0
    assert capsys.readouterr().out == ""


def test_missing_file_exits_2(tmp_path, capsys):
    assert main(["run", str(tmp_path / "nope.toml")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_console_script_version():
    out = subprocess.run([sys.executable, "-m", "capsim.cli", "--version"], capture_output=True,
                         text=True, check=True)
    assert out.stdout.startswith("capsim ")


def test_ctrl_c_stops_a_long_run_promptly(tmp_path):
    import signal
    import time
    long = tmp_path / "long.toml"
    long.write_text(SCENARIO.replace("{p99}", "1s").replace('duration = "50s"', 'duration = "1000000s"'))
    # A job started in the background by a non-interactive shell (as CI may
    # be) inherits SIGINT ignored, and Python keeps it so; restore the
    # default, as a terminal has it, so the test sees Ctrl-C as a user would.
    proc = subprocess.Popen([sys.executable, "-m", "capsim.cli", "run", str(long)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    # Interrupt once the run is under way, not during start-up: an interrupt
    # inside `import pandas` ends Python before capsim's handler exists. A
    # busy CI machine can take seconds to get there, so wait for the CPU
    # time the imports cannot account for, not for a fixed delay.
    def cpu_seconds() -> float:
        fields = Path(f"/proc/{proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    deadline = time.monotonic() + 60
    while cpu_seconds() < 4.0 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.1)
    start = time.monotonic()
    proc.send_signal(signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
        proc.communicate()
    assert proc.returncode == 130
    assert "interrupted" in err
    assert time.monotonic() - start < 5


def test_run_prints_validation_warnings_on_stderr_and_keeps_json_clean(tmp_path):
    f = tmp_path / "w.toml"
    f.write_text(SCENARIO.replace("{p99}", "1s").replace('duration = "50s"', 'duration = "5s"')
                 + "[services.idle.endpoints.x]\nsteps = [ { cpu = \"1ms\" } ]\n")
    proc = subprocess.run([sys.executable, "-m", "capsim.cli", "run", str(f), "--json"],
                          capture_output=True, text=True)
    assert proc.returncode == 0
    assert "warning: service idle is never used" in proc.stderr
    assert json.loads(proc.stdout)["schema"] == "capsim.report/1"


def test_run_prints_the_laws_beside_the_simulation(root, capsys):
    from capsim.cli import main
    mm1 = str(root / "scenarios" / "mm1.toml")
    assert main(["run", mm1, "--duration", "500s", "--replications", "5"]) == 0
    out = capsys.readouterr().out
    assert "Laws vs simulation (open estimates, docs/analysis.md): 7 of 7 predictions agree" in out
    assert "Where the estimates miss" not in out
    assert main(["run", mm1, "--duration", "500s", "--replications", "2"]) == 0
    assert "run 3 or more replications for a verdict" in capsys.readouterr().out
    checkout = str(root / "scenarios" / "checkout.toml")
    assert main(["run", checkout, "--replications", "3"]) in (0, 1)  # 1: an SLO failed
    out = capsys.readouterr().out
    assert "Where the estimates miss, and why" in out and "nested holding" in out


def test_run_shows_a_shed_column_only_when_a_queue_sheds(root, capsys):
    from capsim.cli import main
    f = str(root / "scenarios" / "unbounded_queue.toml")
    assert main(["run", f, "--replications", "1"]) == 1  # the p99 SLO fails
    assert " shed " not in capsys.readouterr().out
    assert main(["run", f, "--replications", "1", "--set", "services.api.queue_timeout=500ms"]) == 0
    assert " shed " in capsys.readouterr().out


def test_run_lists_each_server_of_a_sharded_database(root, capsys):
    from capsim.cli import main
    f = str(root / "scenarios" / "hot_shard.toml")
    assert main(["run", f, "--replications", "1", "--duration", "30s"]) == 1  # the p99 SLO fails
    out = capsys.readouterr().out
    assert "profiles.shard[1] (primary)" in out and "stale reads" not in out
    assert main(["run", f, "--replications", "1", "--duration", "30s",
                 "--set", "databases.profiles.replicas=2"]) == 0
    out = capsys.readouterr().out
    assert "profiles.shard[3].replica[1] (replica)" in out and "stale reads" in out

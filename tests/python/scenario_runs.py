"""Running the shipped scenarios and their documented fixes, for the
scenario tests: a scenario's header comment names its fix as `--set`
arguments, which fix_of reads, so the test runs exactly what the comment
tells a user to run."""

from __future__ import annotations

from pathlib import Path

import capsim

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def run(name: str, *fix: str) -> dict:
    return capsim.load(SCENARIOS / f"{name}.toml", list(fix)).run().report


def endpoint(report: dict, name: str) -> dict:
    return next(e for e in report["endpoints"] if e["name"] == name)


def database(report: dict, name: str) -> dict:
    return next(d for d in report["databases"] if d["name"] == name)


def mean(est: dict) -> float:
    return est["mean"]


def slo_passes(report: dict) -> bool:
    return all(s["pass"] for s in report["slos"])


def fix_of(name: str) -> list[str]:
    """The --set arguments the scenario's header documents, read from the file."""
    text = (SCENARIOS / f"{name}.toml").read_text()
    lines = [ln.lstrip("# ").rstrip(" \\") for ln in text.splitlines() if ln.startswith("#")]
    out = []
    for ln in lines:
        if ln.startswith("--set "):
            value = ln[len("--set "):]
            out.append(value[1:-1] if value.startswith("'") else value)
        elif "--set " in ln:
            value = ln.split("--set ", 1)[1]
            out.append(value[1:-1] if value.startswith("'") else value)
    assert out, f"{name}.toml documents no fix"
    return out

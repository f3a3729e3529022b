# capsim — capacity-planning simulator.
# SPDX-License-Identifier: MIT
"""What the peer benchmarks share: the workloads (kept equal to
bench/scenarios/*.toml, so every implementation simulates the same system)
and the command line that runs one workload and prints its JSON line."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable

# name: (servers, arrival rate /s, mean CPU s)
STATIONS = {
    "mm1": (1, 90.0, 0.010),
    "mm8": (8, 720.0, 0.010),
}
# The chain: gateway -> api -> fan-out of 3 db calls; (servers, mean CPU s).
CHAIN = {"rate": 600.0, "gateway": (64, 0.001), "api": (64, 0.002), "db": (10, 0.005),
         "fan_out": 3}
NAMES = [*STATIONS, "chain"]


def main(doc: str, run_once: Callable[[str, float, int], dict],
         durations: dict[str, float]) -> None:
    """Parse `WORKLOAD [--duration S] [--seed N] [--repeat N]`, run the
    workload `--repeat` times (default simulated time: `durations`, sized so
    a slow peer takes a few seconds) and print the fastest run as JSON."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("workload", choices=NAMES)
    parser.add_argument("--duration", type=float, help="simulated seconds")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=1, help="keep the fastest of N runs")
    args = parser.parse_args()
    duration = args.duration or durations[args.workload]
    runs = [run_once(args.workload, duration, args.seed) for _ in range(max(1, args.repeat))]
    best = min(runs, key=lambda r: r["cpu_s"])
    best["walls"] = [r["wall_s"] for r in runs]
    print(json.dumps(best))

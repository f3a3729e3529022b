# capsim — capacity-planning simulator.
# SPDX-License-Identifier: MIT
"""Turn the JSON that bench/run collected into the results table, check the
targets, print both and write bench/RESULTS.md. Standard library only.

    python report.py RAW_DIR BUILD_DIR [--write RESULTS.md]

RAW_DIR holds one JSON object per file: <workload>.<implementation>.json for
throughput, memory.<workload>.json for memory, and loadavg.before/after.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import subprocess
from pathlib import Path

WORKLOADS = [("mm1", "M/M/1, rho 0.9"), ("mm8", "M/M/8, rho 0.9"),
             ("chain", "chain: call + fan-out 3")]
IMPLEMENTATIONS = [("capsim", "capsim"), ("interpreter", "capsim, step interpreter"),
                   ("bare", "bare C++ loop"), ("simpy", "SimPy 4"), ("ciw", "Ciw")]
TARGET_VS_SIMPY = 100.0   # capsim / SimPy on M/M/1, requests per second
TARGET_VS_BARE = 0.40     # capsim / bare loop, every workload
TARGET_BYTES = 256.0      # memory per in-flight request

NOTES = """\
## How it was measured

- One command, `bench/run`, builds the drivers in Release, installs the peers
  from `bench/requirements.txt` when missing, and runs every implementation on
  the same workloads in the same session, each pinned to one core
  (`taskset -c 0`).
- **capsim** goes through its normal path: `scenario::load_file` on
  `bench/scenarios/*.toml` -> `compile` -> `run_replication` (one replication on
  the calling thread), with its always-on latency histograms, per-window time
  series (1 s windows, the default), time-weighted station gauges and latency
  attribution. Best of 3 runs. M/M/1 and M/M/8 are plain stations (one cpu
  step on workers with cores of their own), which capsim serves without its
  step interpreter; **capsim, step interpreter** is the same model with that
  shortcut off (`capsim_bench --generic`), what an endpoint of more than one
  step costs. Both give the same report bit for bit. capsim draws a step's or
  a source's random numbers 32 at a time; the bare loop draws them one at a
  time, as written.
- **bare C++ loop** (`bench/bare_mm1.cpp`, `bench/bare_chain.cpp`): a
  hand-written event loop per workload, the limit on this machine: binary-heap
  calendar of (time, sequence) events, capsim's xoshiro256** generator and
  exponential inversion, a FIFO per station, every latency recorded into a
  `capsim::Histogram`. It simulates the same system event by event (no Lindley
  recursion) but does nothing else: no time series, no gauges, no
  attribution, no general step interpreter. Best of 3 runs.
- **SimPy 4** (`bench/peers/simpy_bench.py`): the documentation's idiom, a
  source process and one process per request, a `simpy.Resource` of capacity c
  per service, `env.timeout` for CPU. The chain is faithful: gateway holds its
  worker across `yield env.process(api())`, api holds its worker across
  `yield env.all_of([...3 db calls...])`. Every frame's latency is appended to a
  per-endpoint list. Best of 3 runs; events are SimPy's own scheduled-event
  counter.
- **Ciw** (`bench/peers/ciw_bench.py`): `ciw.create_network` with
  `ciw.dists.Exponential` and `number_of_servers`, `simulate_until_max_time`;
  latencies are taken from Ciw's per-visit data records inside the timed
  section. Best of 3 runs. Ciw does not report an event count.
  **The chain is an approximation in Ciw**: a Ciw customer is at one node at a
  time, so gateway cannot hold its server during the call to api and there is
  no fork/join. Ciw runs the closest model, a process-based route gateway ->
  api -> db -> db -> db: the same servers and the same work per request (db
  at utilisation 0.9), but the three db calls are sequential and no worker is
  held across a call. Its throughput is comparable, its latency is not.
- Workloads: every service has workers == cores, so CPU never waits for a core
  and one c-server station per service is an exact model in every peer. The
  chain's db (10 workers, 3 x 5 ms per request at 600/s) is the bottleneck at
  utilisation 0.9; gateway and api have 64 workers (about 12 busy).
- **Compare requests per second**, not events per second: the implementations
  count events differently (capsim about 2 per M/M/1 request, SimPy 6, Ciw
  none). Rates are requests completed per **CPU second** of the process
  (`CLOCK_PROCESS_CPUTIME_ID`, `time.process_time()`): on a shared machine wall
  time also counts time spent waiting for the core. "core share" is CPU / wall;
  when it is near 1 the per-wall-second rates equal these. Ratios use the CPU
  rates. Run-to-run noise on a shared machine is a few percent even on the
  best of 3: a ratio within about 3 points of its target is neither a clear
  pass nor a clear fail. A busy machine also slows the Python peers more than
  the C++ drivers (cache pressure), which flatters the ratio to SimPy: trust
  runs whose core share is near 1.
- **Memory per in-flight request**: `capsim_bench --memory` runs an overloaded
  variant through the same path, resets the peak RSS (`/proc/self/clear_refs`)
  after loading and compiling, and divides the growth of peak RSS (`VmHWM`)
  during the run by the requests in flight at its end. M/M/1: arrivals at
  1,000,000/s for 1 s into one 10 ms server, so about a million requests wait.
  Chain: 95,000/s for 1 s with 100,000 workers at gateway and api, so every
  request is in flight with all 8 of its tasks (gateway and api frames, 3 arms,
  3 db calls) while db works through the backlog.
"""


def load(raw: Path) -> tuple[dict, dict]:
    runs, memory = {}, {}
    for f in sorted(raw.glob("*.json")):
        data = json.loads(f.read_text())
        parts = f.stem.split(".")
        if parts[0] == "memory":
            memory[parts[1]] = data
        else:
            runs[(parts[0], parts[1])] = data
    return runs, memory


def rate(r: dict | None) -> float | None:
    if not r or not r.get("cpu_s"):
        return None
    return r["requests"] / r["cpu_s"]


def machine(build: Path, raw: Path) -> list[tuple[str, str]]:
    fields: dict[str, str] = {}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = line.partition(":")
            fields.setdefault(key.strip(), value.strip())
    except OSError:
        pass
    cpu = fields.get("model name", "unknown")
    if "cpu family" in fields:
        cpu += (f" (family {fields['cpu family']}, model {fields.get('model', '?')}, "
                f"{float(fields.get('cpu MHz', 0)):.0f} MHz)")
    compiler, flags = "unknown", ""
    cache = build / "CMakeCache.txt"
    if cache.exists():
        text = cache.read_text()
        m = re.search(r"^CMAKE_CXX_COMPILER:\w+=(.*)$", text, re.M)
        if m:
            try:
                compiler = subprocess.run([m.group(1), "--version"], capture_output=True,
                                          text=True, check=False).stdout.splitlines()[0]
            except (OSError, IndexError):
                compiler = m.group(1)
        f = re.search(r"^CMAKE_CXX_FLAGS_RELEASE:\w+=(.*)$", text, re.M)
        flags = f.group(1) if f else ""
    # What the engine was really compiled with: the build type's flags and
    # the project's own (-ffp-contract=off, ...), as Ninja passes them.
    ninja = build / "build.ninja"
    if ninja.exists():
        f = re.search(r"^build engine/\S+\.o:.*\n(?:  .*\n)*?  FLAGS = (.*)$", ninja.read_text(), re.M)
        if f:  # warnings change no code
            flags = " ".join(x for x in f.group(1).split() if not x.startswith("-W"))
    if (raw / "commit").exists():  # recorded by bench/run when it started
        commit, _, dirty = (raw / "commit").read_text().partition("\n")
        dirty = dirty.strip()
    else:
        # Read-only git: --no-optional-locks keeps status from refreshing the index.
        here = Path(__file__).resolve().parent
        git = ["git", "--no-optional-locks", "-C", str(here)]
        commit = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True, check=False).stdout.strip() or "unknown"
        dirty = subprocess.run([*git, "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, check=False).stdout.strip()
    mem = ""
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        mem = f"{kb / 1024 / 1024:.0f} GiB"
    except (OSError, AttributeError):
        pass
    return [
        ("CPU", cpu),
        ("cores", f"{os.cpu_count()} online; every run pinned to one"),
        ("memory", mem),
        ("OS", f"{platform.system()} {platform.release()}"),
        ("compiler", f"{compiler}, Release ({flags})"),
        ("Python", platform.python_version()),
        ("capsim", f"commit {commit}" + (" with uncommitted changes" if dirty else "")),
        ("date", (raw / "date").read_text().strip() if (raw / "date").exists() else
         datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")),
    ]


def fmt(x: float | None, spec: str = ",.0f") -> str:
    return "—" if x is None else format(x, spec)


def table(runs: dict) -> list[str]:
    rows = ["| workload | implementation | requests/s | events/s | events/request "
            "| requests/wall-s | core share | mean latency | vs SimPy | vs bare loop |",
            "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|"]
    for w, wname in WORKLOADS:
        simpy_rate, bare_rate = rate(runs.get((w, "simpy"))), rate(runs.get((w, "bare")))
        for impl, iname in IMPLEMENTATIONS:
            r = runs.get((w, impl))
            if not r:
                continue
            rr = rate(r)
            ev = r["events"] / r["cpu_s"] if r.get("events") else None
            label = iname + (" (approximation)" if impl == "ciw" and w == "chain" else "")
            rows.append(
                f"| {wname} | {label} | {fmt(rr)} | {fmt(ev)} | "
                f"{fmt(r.get('events_per_request'), '.2f')} | {fmt(r['requests'] / r['wall_s'])} | "
                f"{r['cpu_s'] / r['wall_s']:.2f} | "
                f"{r['mean_latency_s'] * 1e3:.1f} ms | "
                f"{fmt(rr / simpy_rate if simpy_rate else None, ',.1f')}x | "
                f"{fmt(100 * rr / bare_rate if bare_rate else None, '.1f')}% |")
    return rows


def targets(runs: dict, memory: dict) -> list[tuple[str, str, bool | None]]:
    out = []
    cap, simpy = rate(runs.get(("mm1", "capsim"))), rate(runs.get(("mm1", "simpy")))
    ratio = cap / simpy if cap and simpy else None
    out.append((f"capsim >= {TARGET_VS_SIMPY:.0f}x SimPy 4 on M/M/1", f"{fmt(ratio, ',.1f')}x",
                None if ratio is None else ratio >= TARGET_VS_SIMPY))
    for w, wname in WORKLOADS:
        cap, bare = rate(runs.get((w, "capsim"))), rate(runs.get((w, "bare")))
        share = cap / bare if cap and bare else None
        out.append((f"capsim >= {TARGET_VS_BARE:.0%} of the bare loop, {wname}",
                    f"{fmt(100 * share if share else None, '.1f')}%",
                    None if share is None else share >= TARGET_VS_BARE))
    # Checked on the step interpreter's request (a Task and a Request), the
    # larger: a plain station's job is smaller.
    m = memory.get("mm1-interpreter") or memory.get("mm1")
    b = m["bytes_per_in_flight_request"] if m else None
    out.append((f"memory per in-flight request <= {TARGET_BYTES:.0f} bytes "
                f"(M/M/1 through the step interpreter)",
                f"{fmt(b, ',.0f')} bytes", None if b is None else b <= TARGET_BYTES))
    return out


def memory_lines(memory: dict) -> list[str]:
    lines = []
    for w, what in (("mm1", "M/M/1, a plain station (one PlainJob per request)"),
                    ("mm1-interpreter", "M/M/1 through the step interpreter "
                                        "(a Task and a Request per request)"),
                    ("chain", "chain (8 tasks per request)")):
        m = memory.get(w)
        if not m:
            continue
        lines.append(
            f"- {what}: {m['bytes_per_in_flight_request']:,.0f} bytes per in-flight request "
            f"({m['in_flight_at_end']:,} requests and {m['peak_tasks']:,} tasks in flight; "
            f"peak RSS grew {(m['peak_rss_bytes'] - m['rss_before_bytes']) / 2**20:,.1f} MiB; "
            f"{m['bytes_per_peak_task']:,.0f} bytes per task)")
    if lines:
        m = next(iter(memory.values()))
        lines.append(f"- for reference: sizeof(capsim::Task) = {m['sizeof_task']} bytes, "
                     f"sizeof(capsim::Request) = {m['sizeof_request']} bytes, "
                     f"sizeof(capsim::PlainJob) = {m.get('sizeof_plain_job', '?')} bytes")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("raw", type=Path)
    parser.add_argument("build", type=Path)
    parser.add_argument("--write", type=Path)
    args = parser.parse_args()
    runs, memory = load(args.raw)

    rows = table(runs)
    checks = targets(runs, memory)
    verdict = {True: "met", False: "MISSED", None: "not measured"}
    check_lines = [f"- {name}: **{value}**, {verdict[ok]}" for name, value, ok in checks]
    mem = memory_lines(memory)
    load_before = (args.raw / "loadavg.before").read_text().split()[:3] \
        if (args.raw / "loadavg.before").exists() else []
    load_after = (args.raw / "loadavg.after").read_text().split()[:3] \
        if (args.raw / "loadavg.after").exists() else []

    print("\n".join(rows))
    print("\nTargets (histograms on, one core):")
    for name, value, ok in checks:
        print(f"  [{verdict[ok]:>12}] {name}: {value}")
    print("\nMemory per in-flight request:")
    print("\n".join("  " + line[2:] for line in mem))

    if args.write:
        info = machine(args.build, args.raw)
        if load_before:
            info.append(("load average", f"{' '.join(load_before)} before, "
                                         f"{' '.join(load_after)} after (1, 5, 15 min)"))
        doc = ["# Benchmark results", "",
               "Written by `bench/run`; rerun it to refresh. Simulated requests per CPU second "
               "of one core, histograms on. Profile notes: [PROFILE.md](PROFILE.md).", "",
               "## Machine", ""]
        doc += [f"- {k}: {v}" for k, v in info]
        doc += ["", "## Results", ""] + rows
        doc += ["", "## Targets", ""] + check_lines
        doc += ["", "## Memory per in-flight request", ""] + mem
        doc += ["", NOTES]
        args.write.write_text("\n".join(doc))
        print(f"\nwrote {args.write}")


if __name__ == "__main__":
    main()

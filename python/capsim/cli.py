"""The capsim command line: `capsim run FILE`.

Exit codes: 0 ok, 1 an SLO failed or the system was unstable, 2 bad input.
"""

from __future__ import annotations

import argparse
import sys
import time

from rich.console import Console
from rich.table import Table

import capsim
from capsim.check import add_command as add_check_command
from capsim.scale import add_command as add_scale_command
from capsim.cli_capacity import add_command as add_capacity_command
from capsim.cli_compare import add_command as add_compare_command
from capsim.cli_plot import add_command as add_plot_command
from capsim.cli_scenario import add_commands as add_scenario_commands
from capsim.cli_sweep import add_command as add_sweep_command
from capsim.cli_format import ci as _ci, ms as _ms, pct as _pct, rate as _rate
from capsim.cli_policies import print_policies
from capsim.errors import ScenarioError
from capsim.scenario import load

EXAMPLES = """examples:
  capsim run scenarios/checkout.toml
  capsim run scenarios/checkout.toml --set services.api.replicas=8 --replications 10
  capsim run scenarios/checkout.toml --json > report.json
"""

MAIN_EXAMPLES = EXAMPLES + """  capsim check scenarios/checkout.toml
  capsim sweep scenarios/mm1.toml --grid traffic.clients.rate=10/s..90/s:9 --plot hockey.png
  capsim capacity scenarios/mm1.toml --over traffic.clients.rate --slo 'server.work p99 < 100ms'
  capsim compare scenarios/checkout.toml --after services.db.cores=16
  capsim plot scenarios/checkout.toml --kind timeline -o spike.png

Every command takes --help. Exit codes: 0 ok, 1 an SLO failed (run, compare,
capacity when nothing meets the SLOs), 2 bad input.
"""


def print_report(report: dict, console: Console, wall: float) -> None:
    run = report["run"]
    status = report["status"]
    style = "bold green" if status == "ok" else "bold red"
    console.print(f"[bold]{report['scenario']}[/]  [{style}]{status}[/]  "
                  f"{run['replications']} replication(s) × {run['duration']:g}s "
                  f"(warm-up {run['warmup']:g}s), seed {run['seed']}, "
                  f"{run['events']:,} events in {wall:.2f}s wall", highlight=False)
    if report["slos"]:
        t = Table(title="SLOs", title_justify="left")
        for c in ("objective", "value", "verdict"):
            t.add_column(c)
        for s in report["slos"]:
            fmt = _pct if s["metric"] == "error_rate" else _ms
            verdict = "[green]pass[/]" if s["pass"] else "[red]FAIL[/]"
            if not s["confident"]:
                verdict += " (CI spans threshold)"
            t.add_row(s["text"], _ci(s["value"], fmt), verdict)
        console.print(t)
    t = Table(title="Endpoints (mean ± 95% CI over replications)", title_justify="left")
    for c in ("endpoint", "arrivals", "throughput", "errors", "p50", "p95", "p99", "p99.9", "max"):
        t.add_column(c, justify="left" if c == "endpoint" else "right")
    for e in report["endpoints"]:
        lat = e["latency"]
        t.add_row(e["name"] + ("" if e["entry"] else " (internal)"),
                  _rate(e["arrival_rate"]["mean"]), _rate(e["throughput"]["mean"]),
                  _pct(e["error_rate"]["mean"]), _ms(lat["p50"]["mean"]), _ms(lat["p95"]["mean"]),
                  _ci(lat["p99"], _ms), _ms(lat["p999"]["mean"]), _ms(lat["max"]["mean"]))
    console.print(t)
    if len(report["sources"]) > 1:
        t = Table(title="Clients (end to end, by traffic source)", title_justify="left")
        for c in ("source", "class", "rate", "errors", "p50", "p99", "p99.9"):
            t.add_column(c, justify="left" if c in ("source", "class") else "right")
        for s in report["sources"]:
            lat = s["latency"]
            t.add_row(s["name"], s["class"], _rate(s["arrival_rate"]["mean"]),
                      _pct(s["error_rate"]["mean"]), _ms(lat["p50"]["mean"]),
                      _ci(lat["p99"], _ms), _ms(lat["p999"]["mean"]))
        console.print(t)
    t = Table(title="Stations", title_justify="left")
    shedding = any(s.get("shed", {}).get("mean") for s in report["stations"])
    for c in ("station", "capacity", "workers (loops) busy", "peak", "cores busy", "peak ",
              "throughput", "queue mean", "queue max", "wait", "rejected") + (
                  ("shed",) if shedding else ()):
        t.add_column(c, justify="left" if c == "station" else "right")
    for s in report["stations"]:
        # An async service's concurrency is its event loops, not its in-flight cap.
        if s.get("mode") == "async":
            capacity = f"{s['replicas']}×{s['loops']}loop×{s['cores']}c"
            busy, peak = _pct(s["loop_utilization"]["mean"]), "-"
        else:
            capacity = f"{s['replicas']}×{s['workers']}w×{s['cores']}c"
            busy, peak = _pct(s["worker_utilization"]["mean"]), _pct(s["peak_worker_utilization"])
        t.add_row(s["name"], capacity, busy, peak,
                  _pct(s["core_utilization"]["mean"]), _pct(s["peak_core_utilization"]),
                  _rate(s["throughput"]["mean"]), f"{s['waiting']['mean']:.3g}",
                  f"{s['waiting_max']['mean']:.3g}", _ms(s["wait"]["mean"]),
                  _rate(s["rejected"]["mean"]),
                  *((_rate(s["shed"]["mean"]),) if shedding else ()))
        for r in _hot_replicas(s):
            t.add_row(f"  {r['name']}", "", _pct(r["worker_utilization"]["mean"]), "",
                      _pct(r["core_utilization"]["mean"]), "", _rate(r["throughput"]["mean"]),
                      "", "", "", "", *(("",) if shedding else ()))
    console.print(t)
    for s in report["stations"]:
        if s.get("crashes", {}).get("mean"):
            console.print(
                f"Crashes at [bold]{s['name']}[/]: {s['crashes']['mean']:.3g} per run, "
                f"{s['replicas_up']['mean']:.3g} of {s['replicas']} replicas up on average; "
                f"lost in flight {_rate(s['crashed']['mean'])}, refused by a down replica "
                f"{_rate(s['refused']['mean'])}, ejected by the health check "
                f"{s['ejections']['mean']:.3g} time(s)", highlight=False)
    _print_data_tier(report, console)
    print_policies(report, console)
    _print_attribution(report, console)
    _print_analytic(report, console)
    for s in report["saturated"]:
        console.print(f"[red]Saturated[/]: [bold]{s['station']}[/] {s['resource']} from "
                      f"t={s['first']:g}s ({s['windows']} window(s) at >= 99%)", highlight=False)
    b = report["busiest"]
    console.print(f"Busiest: [bold]{b['station']}[/] {b['resource']} at {_pct(b['utilization'])}",
                  highlight=False)


_SKEW = 0.10  # a replica this much busier than its service's mean is worth a line


def _hot_replicas(station: dict, most: int = 5) -> list[dict]:
    """The busiest replicas of a service whose load is uneven: always for
    consistent hashing (load follows keys), else only when one replica is
    10 points busier than the mean. At most `most` lines, busiest first."""
    reps = station.get("per_replica", [])
    if not reps:
        return []
    mean = station["worker_utilization"]["mean"]
    hot = sorted(reps, key=lambda r: -r["worker_utilization"]["mean"])
    if station.get("balancer") != "consistent_hash" and \
            hot[0]["worker_utilization"]["mean"] - mean < _SKEW:
        return []
    return hot[:most]


def _print_data_tier(report: dict, console: Console) -> None:
    if report.get("pools"):
        t = Table(title="Connection pools (per replica × replicas)", title_justify="left")
        for c in ("pool", "size", "in use", "peak", "wait", "waiting", "timeouts", "refused"):
            t.add_column(c, justify="left" if c == "pool" else "right")
        for p in report["pools"]:
            size = f"{p['size']}×{p['replicas']}" if p["size"] else "none"
            t.add_row(p["name"], size, f"{p['in_use']['mean']:.3g}",
                      _pct(p["peak_utilization"]) if p["size"] else "-", _ms(p["wait"]["mean"]),
                      f"{p['waiting']['mean']:.3g}", _rate(p["timeouts"]["mean"]),
                      _rate(p["refused"]["mean"]))
        console.print(t)
    if report.get("databases"):
        t = Table(title="Databases (a sharded or replicated one: each server below it)",
                  title_justify="left")
        replicated = any(d.get("replicas") for d in report["databases"])
        for c in ("database", "cores busy", "peak", "queries", "work/query", "wait/query",
                  "connections", "max", "refused") + (("stale reads",) if replicated else ()):
            t.add_column(c, justify="left" if c == "database" else "right")
        for d in report["databases"]:
            stale = (_ci(d["stale_read_ratio"], _pct) if d.get("replicas") else "-",)
            t.add_row(d["name"], _pct(d["core_utilization"]["mean"]),
                      _pct(d["peak_core_utilization"]), _rate(d["throughput"]["mean"]),
                      _ms(d["query_work"]["mean"]), _ms(d["query_wait"]["mean"]),
                      f"{d['connections']['mean']:.3g}",
                      f"{d['connections_max']['mean']:.3g}/{d['max_connections']}",
                      _rate(d["refused"]["mean"]), *(stale if replicated else ()))
            # A hot shard hides in the average: each server gets its own line.
            for m in d.get("members", []):
                t.add_row(f"  {m['name']} ({m['role']})", _pct(m["core_utilization"]["mean"]),
                          "", _rate(m["throughput"]["mean"]), "", "", "", "", "",
                          *(("",) if replicated else ()))
        console.print(t)
    if report.get("caches"):
        t = Table(title="Caches", title_justify="left")
        early = any(c["early_refreshes"]["mean"] > 0 for c in report["caches"])
        cols = ["cache", "gets", "hit ratio", "coalesced"] + (["early refresh"] if early else [])
        for c in cols + ["evictions", "busy"]:
            t.add_column(c, justify="left" if c == "cache" else "right")
        for c in report["caches"]:
            row = [c["name"], _rate(c["gets"]["mean"]), _ci(c["hit_ratio"], _pct),
                   _rate(c["coalesced"]["mean"])]
            if early:
                row.append(_rate(c["early_refreshes"]["mean"]))
            t.add_row(*row, _rate(c["evictions"]["mean"]), _pct(c["utilization"]["mean"]))
        console.print(t)
    if report.get("queues"):
        t = Table(title="Message queues", title_justify="left")
        for c in ("queue", "enqueued", "acked", "retried", "dead letters", "rejected", "depth",
                  "max", "wait", "job p99"):
            t.add_column(c, justify="left" if c == "queue" else "right")
        for q in report["queues"]:
            t.add_row(f"{q['name']} → {q['consumer']}", _rate(q["enqueued"]["mean"]),
                      _rate(q["acked"]["mean"]), _rate(q["retried"]["mean"]),
                      _rate(q["dead_lettered"]["mean"]), _rate(q["rejected"]["mean"]),
                      f"{q['depth']['mean']:.3g}", f"{q['depth_max']['mean']:.3g}",
                      _ms(q["queue_wait"]["mean"]), _ms(q["job_latency"]["p99"]["mean"]))
        console.print(t)
    if report.get("externals"):
        t = Table(title="External dependencies", title_justify="left")
        for c in ("external", "calls", "errors", "429s", "latency"):
            t.add_column(c, justify="left" if c == "external" else "right")
        for x in report["externals"]:
            t.add_row(x["name"], _rate(x["calls"]["mean"]), _pct(x["error_rate"]["mean"]),
                      _rate(x["rate_limited"]["mean"]), _ms(x["latency"]["mean"]))
        console.print(t)


def _top(attribution: dict, n: int = 3) -> str:
    parts = [(k, v["mean"]) for k, v in attribution.items() if v["mean"]]
    total = sum(v for _, v in parts)
    if not total:
        return "-"
    parts = sorted((kv for kv in parts if kv[1] / total >= 0.005), key=lambda kv: -kv[1])
    return ", ".join(f"{k} {v / total:.0%}" for k, v in parts[:n])


def _print_attribution(report: dict, console: Console) -> None:
    t = Table(title="Where the time went (share of mean latency)", title_justify="left")
    for c in ("endpoint", "all requests", "slowest 1% (above p99)"):
        t.add_column(c)
    for e in report["endpoints"]:
        if e["entry"]:
            t.add_row(e["name"], _top(e["attribution"]), _top(e["attribution_tail"]))
    console.print(t)


def _quantity(name: str, x: float) -> str:
    if "utilization" in name:
        return _pct(x)
    if name == "throughput":
        return _rate(x)
    if name in ("wait", "latency_mean"):
        return _ms(x)
    return f"{x:.3g}"


def _print_analytic(report: dict, console: Console) -> None:
    """The operational laws beside the simulation: how many predictions
    agree, and the ones that do not with what breaks their assumptions."""
    a = report.get("analytic")
    if not a:
        return
    rows = a["comparison"]
    judged = [r for r in rows if r["verdict"] != "no ci"]
    agree = sum(r["verdict"] == "agree" for r in judged)
    if a["method"] == "saturated":
        console.print("Laws vs simulation: the offered load exceeds a capacity, so there are "
                      "no steady-state estimates to compare (see `capsim check`)",
                      highlight=False)
        return
    if not judged:
        console.print(f"Laws vs simulation: {len(rows)} predictions; run 3 or more replications "
                      "for a verdict", highlight=False)
        return
    console.print(f"Laws vs simulation ({a['method']} estimates, docs/analysis.md): {agree} of "
                  f"{len(judged)} predictions agree within the 99.9% CI", highlight=False)
    off = [r for r in judged if r["verdict"] == "disagree"]
    if not off:
        return
    t = Table(title="Where the estimates miss, and why", title_justify="left")
    for c in ("", "quantity", "analytic", "simulated", "why"):
        t.add_column(c, justify="right" if c in ("analytic", "simulated") else "left")
    for r in off:
        q = r["quantity"]
        t.add_row(r["name"], q.replace("_", " "), _quantity(q, r["analytic"]),
                  _quantity(q, r["simulated"]["mean"]), ", ".join(r["reasons"]))
    console.print(t)


def _overrides(args: argparse.Namespace) -> list[str]:
    out = list(args.set or [])
    if args.seed is not None:
        out.append(f"run.seed={args.seed}")
    if args.replications is not None:
        out.append(f"run.replications={args.replications}")
    if args.duration is not None:
        out.append(f"run.duration={args.duration}")
    return out


def cmd_run(args: argparse.Namespace, out: Console, err: Console) -> int:
    try:
        sc = load(args.file, _overrides(args))
    except ScenarioError as e:
        err.print(str(e), highlight=False, markup=False)
        return 2
    if not args.quiet:
        # On stderr, so --json output stays parseable.
        for w in sc.warnings:
            err.print(w["text"], highlight=False, markup=False)
    start = time.perf_counter()
    res = sc.run(threads=args.threads)
    wall = time.perf_counter() - start
    if args.json:
        sys.stdout.write(res.to_json())
    elif not args.quiet:
        print_report(res.report, out, wall)
    return 0 if res.ok else 1


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="capsim", description="Capacity-planning simulator: what breaks first at 10x traffic.",
        epilog=MAIN_EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--version", action="version", version=f"capsim {capsim.__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    r = sub.add_parser("run", help="run a scenario and print its report", epilog=EXAMPLES,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    r.add_argument("file", help="scenario TOML file")
    r.add_argument("--set", action="append", metavar="KEY=VALUE",
                   help="override a scenario key, e.g. services.api.replicas=8 (repeatable)")
    r.add_argument("--seed", type=int, help="random seed (run.seed)")
    r.add_argument("--replications", type=int, help="independent replications (run.replications)")
    r.add_argument("--duration", help="simulated time per replication, e.g. 60s (run.duration)")
    r.add_argument("--threads", type=int, default=0, help="worker threads (default: all cores)")
    r.add_argument("--json", action="store_true", help="print the JSON report (docs/report.md)")
    r.add_argument("--quiet", action="store_true", help="print nothing; use the exit code")
    r.set_defaults(func=cmd_run)
    add_scenario_commands(sub)
    add_check_command(sub)
    add_scale_command(sub)
    add_sweep_command(sub)
    add_capacity_command(sub)
    add_compare_command(sub)
    add_plot_command(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    # Off a terminal rich would wrap at 80 columns; reports piped to a file
    # or a CI log read better unwrapped.
    out = Console() if sys.stdout.isatty() else Console(width=160)
    err = Console(stderr=True) if sys.stderr.isatty() else Console(stderr=True, width=160)
    try:
        return args.func(args, out, err)
    except KeyboardInterrupt:
        err.print("interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())

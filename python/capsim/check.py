"""`capsim check FILE...`: validate scenarios and print what the operational
laws say about each (demands, bottleneck, headroom, bounds) and the topology
warnings, without simulating.

Exit codes: 0 every file valid, 2 any bad input (the same diagnostics as
`capsim run`); every file is checked even after one fails.
"""

from __future__ import annotations

import argparse
import json
import sys

from rich.console import Console
from rich.table import Table

from capsim.analysis import Analysis, rate_words
from capsim.errors import ScenarioError
from capsim.scenario import load

EXAMPLES = """examples:
  capsim check scenarios/checkout.toml
  capsim check scenarios/*.toml --quiet
  capsim check scenarios/checkout.toml --set services.db.cores=16
  capsim check scenarios/checkout.toml --json > analysis.json
"""

_METHODS = {
    "open": "open network: M/M/c per station (Jackson), worker pools as M/M/c queues",
    "closed": "closed network: exact MVA (multi-server stations load-dependent)",
    "saturated": "none: the offered load exceeds a capacity, so queues grow without bound",
}


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{x * 100:.3g}%"


def _s(x: float | None) -> str:
    if x is None:
        return "-"
    if x == 0:
        return "0"
    if x >= 1:
        return f"{x:.3g}s"
    return f"{x * 1000:.3g}ms" if x >= 1e-5 else f"{x * 1e6:.3g}µs"


def _rate(x: float | None) -> str:
    return "-" if x is None else f"{x:,.4g}/s"


def _demand(r: dict) -> str:
    return f"{r['demand']:.3g} calls" if r["resource"] == "rate_limit" else _s(r["demand"])


def _admitted(s: dict) -> str:
    a = s.get("admitted")
    return _rate(a) if a is not None and s["rate"] is not None and a < s["rate"] else "all"


def _capacity(r: dict) -> str:
    if r["resource"] == "rate_limit":
        each = f"{r['replicas']}×{r['per_replica']:g}/s = " if r["replicas"] > 1 else ""
        return f"{each}{r['capacity']:g}/s"
    return f"{r['replicas']}×{r['per_replica']:g} {r['resource']}"


def print_check(a: Analysis, out: Console) -> None:
    d = a.data
    run = d["run"]
    out.print(f"[bold]{d['scenario']}[/]  valid; analysed without simulating  "
              f"(run: {run['duration']:g}s, warm-up {run['warmup']:g}s, "
              f"{run['replications']} replication(s), seed {run['seed']})", highlight=False)

    t = Table(title="Traffic (mean over the measured window; peak = highest rate in it)",
              title_justify="left")
    limited = any(_admitted(s) != "all" for s in d["sources"])
    for c in ("source", "kind", "mean", "peak") + (("admitted",) if limited else ()) + (
            "mix", "no-load response", "estimated"):
        t.add_column(c, justify="left" if c in ("source", "kind", "mix") else "right")
    for s in d["sources"]:
        kind = s["kind"] if s["kind"] != "closed" else (
            f"closed: {s['users']} users, think {_s(s['think'])}")
        mix = ", ".join(f"{m['endpoint']} {m['weight']:.0%}" if len(s["mix"]) > 1
                        else m["endpoint"] for m in s["mix"])
        t.add_row(s["name"], kind, _rate(s["rate"]), _rate(s["peak_rate"]),
                  *((_admitted(s),) if limited else ()), mix, _s(s["response0"]),
                  _s(s["response"]))
    out.print(t)

    t = Table(title="Capacity (bottleneck law), in the order resources saturate",
              title_justify="left")
    for c in ("station", "capacity", "demand/request", "saturates at", "busy (mean)",
              "busy (peak)"):
        t.add_column(c, justify="left" if c == "station" else "right")
    for r in d["saturation_order"]:
        peak = r["peak_utilization"]
        t.add_row(r["station"], _capacity(r), _demand(r), rate_words(r["x_max"]),
                  _pct(r["utilization"]),
                  f"[red]{_pct(peak)}[/]" if peak is not None and peak >= 1 else _pct(peak))
    out.print(t)

    t = Table(title="Endpoints (per execution; response includes nested calls)",
              title_justify="left")
    for c in ("endpoint", "rate", "cpu", "delay", "no-load response", "estimated response"):
        t.add_column(c, justify="left" if c == "endpoint" else "right")
    for e in d["endpoints"]:
        t.add_row(e["name"], _rate(e["rate"]), _s(e["cpu"]), _s(e["delay"]), _s(e["response0"]),
                  _s(e["response"]))
    out.print(t)

    if d["closed"]:
        c = d["closed"]
        x, r = c["throughput"], c["response"]
        out.print(f"Closed workload: {c['users']:g} users, think {_s(c['think'])}; "
                  f"N* = {c['n_star']:.3g} (beyond it the bottleneck caps throughput); "
                  f"throughput {_rate(x['lower'])}..{_rate(x['upper'])} (asymptotic), "
                  f"{_rate(x['balanced_lower'])}..{_rate(x['balanced_upper'])} (balanced "
                  f"job{'' if c['balanced_exact'] else ', approximate'}); response ≥ "
                  f"{_s(r['lower'])}", highlight=False)
        if d["mva"]:
            out.print(f"MVA: throughput {_rate(d['mva']['throughput'])}, response "
                      f"{_s(d['mva']['response'])}", highlight=False)

    out.print(f"[bold]Bottleneck[/]: {a.summary()}", highlight=False)
    headroom = d["headroom"]
    if headroom is not None:
        style = "green" if headroom >= 1.5 else ("yellow" if headroom >= 1 else "red")
        out.print(f"Headroom: [{style}]{headroom:.3g}×[/] the mean offered load", highlight=False)
    peaks = [r for r in d["saturation_order"] if not r["sheds"]
             and r["peak_utilization"] is not None and r["peak_utilization"] >= 1]
    if peaks and a.method != "saturated":
        names = ", ".join(f"{r['station']} {r['resource']} ({_pct(r['peak_utilization'])})"
                          for r in peaks)
        out.print(f"[red]At the peak[/] the load exceeds {names}: queues grow while it lasts "
                  "(simulate to see how far and how long)", highlight=False)
    out.print(f"Estimates at the mean offered load: {_METHODS.get(a.method, a.method)}",
              highlight=False)
    for n in d["notes"]:
        out.print(f"[yellow]Note[/]: {n}", highlight=False)
    if d["slos"]:
        out.print("SLOs (checked by `capsim run`): " + "; ".join(d["slos"]), highlight=False)


def _check_one(path: str, args: argparse.Namespace, out: Console,
               err: Console) -> tuple[int, dict | None]:
    try:
        sc = load(path, list(args.set or []))
    except ScenarioError as e:
        err.print(str(e), highlight=False, markup=False)
        return 2, None
    try:
        a = sc.analyze()
    except RuntimeError as e:  # a model the engine accepts but that never finishes
        err.print(f"{path}: error: {e}", highlight=False, markup=False)
        return 2, None
    if args.json:
        return 0, {"file": path, **a.data, "warnings": sc.warnings}
    if not args.quiet:
        print_check(a, out)
        for w in sc.warnings:
            out.print(w["text"], style="yellow", highlight=False, markup=False, soft_wrap=True)
    return 0, None


def cmd_check(args: argparse.Namespace, out: Console, err: Console) -> int:
    rc, docs = 0, []
    for i, path in enumerate(args.file):
        if i and not (args.json or args.quiet):
            out.print()
        code, doc = _check_one(path, args, out, err)
        rc = max(rc, code)
        if doc is not None:
            docs.append(doc)
    if args.json:
        # One file gives one object, several an array: `check f --json | jq .x_max` keeps working.
        text = json.dumps(docs[0] if len(args.file) == 1 and docs else docs, indent=2)
        if docs or len(args.file) > 1:
            sys.stdout.write(text + "\n")
    return rc


def add_command(sub: argparse._SubParsersAction) -> None:
    c = sub.add_parser("check", help="validate scenarios and print their bounds, without simulating",
                       description="Validate scenarios and print, for each, its service demands, the "
                                   "bottleneck law's maximum throughput, the order in which "
                                   "resources saturate, the headroom and, for closed sources, "
                                   "MVA and its bounds, then its topology warnings (stations no "
                                   "traffic reaches). Nothing is simulated.",
                       epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    c.add_argument("file", nargs="+", help="scenario TOML file(s)")
    c.add_argument("--set", action="append", metavar="KEY=VALUE",
                   help="override a scenario key, e.g. services.api.replicas=8 (repeatable)")
    c.add_argument("--json", action="store_true",
                   help="print the analysis as JSON (docs/analysis.md), with the file "
                        "and its warnings; an array for several files")
    c.add_argument("--quiet", action="store_true", help="print nothing; use the exit code")
    c.set_defaults(func=cmd_check)

"""`capsim capacity FILE --over KEY`: the highest load that meets the SLOs."""

from __future__ import annotations

import argparse
import json
import sys
import time

from rich.console import Console
from rich.table import Table

from capsim.capacity import capacity
from capsim.errors import ScenarioError

EXAMPLES = """examples:
  capsim capacity scenarios/mm1.toml --over traffic.clients.rate
  capsim capacity scenarios/mm1.toml --over traffic.clients.rate --slo 'server.work p99 < 100ms'
  capsim capacity scenarios/checkout.toml --over traffic.shoppers.shape.peak --replications 5
  capsim capacity scenarios/mm1.toml --over traffic.clients.rate --lo 10/s --hi 200/s --json

The estimate is the highest load whose mean meets every SLO; the 95% interval
runs from the highest load where every SLO passes with its whole confidence
interval below the threshold to the lowest where one fails with its whole
interval above (docs/python.md#capacity-at-slo). Exit 1 when even the lowest
load tried fails the SLOs, 2 on bad input.
"""


def cmd_capacity(args: argparse.Namespace, out: Console, err: Console) -> int:
    from capsim.scenario import load
    try:
        sc = load(args.file, list(args.set or []))
        start = time.perf_counter()
        cap = capacity(sc, args.over, slo=args.slo or None, lo=args.lo, hi=args.hi,
                       rel_tol=args.tolerance, replications=args.replications, seed=args.seed,
                       duration=args.duration,
                       progress=False if args.quiet or args.json else None)
        wall = time.perf_counter() - start
    except ScenarioError as e:
        err.print(str(e), highlight=False, markup=False)
        return 2
    except ValueError as e:
        err.print(f"capsim capacity: {e}", highlight=False, markup=False)
        return 2
    found = cap.value == cap.value
    if args.json:
        sys.stdout.write(json.dumps(cap.to_dict(), indent=2) + "\n")
    elif not args.quiet:
        t = Table(title=f"Loads tried ({cap.replications} replications each; ratio = worst SLO "
                        "value / threshold, < 1 passes)", title_justify="left")
        for c in ("load", "ratio", "95% CI", "verdict"):
            t.add_column(c, justify="right" if c != "verdict" else "left")
        for _, p in cap.points.iterrows():
            verdict = ("[green]pass[/]" if p["sure_pass"] else "pass (not sure)" if p["passes"]
                       else "[red]FAIL[/]" if p["sure_fail"] else "fail (not sure)")
            if p["unstable"]:
                verdict = "[red]unstable[/]"
            t.add_row(cap.format(p["load"]), f"{p['ratio']:.3g}",
                      f"{p['ratio_low']:.3g}..{p['ratio_high']:.3g}", verdict)
        out.print(t)
        out.print(f"[bold]Capacity at SLO[/]: {cap} — {len(cap.points)} loads in {wall:.1f}s "
                  "wall", highlight=False)
    return 0 if found else 1


def add_command(sub: argparse._SubParsersAction) -> None:
    c = sub.add_parser("capacity", help="find the highest load that still meets the SLOs",
                       description="Search the key --over (a rate, users, a spike's peak) for "
                                   "the highest value at which every SLO passes, with a 95% "
                                   "confidence interval; every load runs with the same seed.",
                       epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    c.add_argument("file", help="scenario TOML file")
    c.add_argument("--over", required=True, metavar="KEY",
                   help="the load to search, e.g. traffic.web.rate")
    c.add_argument("--slo", action="append", metavar="'EP METRIC < X'",
                   help="an SLO replacing the scenario's, e.g. 'api.get p99 < 300ms' "
                        "(repeatable)")
    c.add_argument("--lo", help="a load to start from (default: the scenario's value)")
    c.add_argument("--hi", help="another load to start from")
    c.add_argument("--tolerance", type=float, default=0.02,
                   help="relative precision of each bound (default 0.02)")
    c.add_argument("--set", action="append", metavar="KEY=VALUE",
                   help="override a scenario key (repeatable)")
    c.add_argument("--replications", type=int,
                   help="replications per load (default: the file's, at least 3)")
    c.add_argument("--seed", type=int, help="random seed, the same at every load (run.seed)")
    c.add_argument("--duration", help="simulated time per replication (run.duration)")
    c.add_argument("--json", action="store_true", help="print the result as JSON")
    c.add_argument("--quiet", action="store_true", help="print nothing; use the exit code")
    c.set_defaults(func=cmd_capacity)

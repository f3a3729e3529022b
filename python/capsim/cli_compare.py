"""`capsim compare`: a before/after table with paired deltas and their
significance; exit 1 when the after variant fails an SLO."""

from __future__ import annotations

import argparse
import json
import math
import sys

from rich.console import Console
from rich.table import Table

from capsim.cli_format import ms, pct, rate
from capsim.compare import Comparison, compare
from capsim.errors import ScenarioError

EXAMPLES = """examples:
  capsim compare before.toml after.toml
  capsim compare scenarios/n_plus_one.toml --after 'services.api.endpoints.order.steps[1].loop=1'
  capsim compare scenarios/checkout.toml --after services.db.cores=16 --replications 8 --json

Replication r of both variants runs with seed + r, one replication each, so
each pair shares its random numbers; a delta is significant when its 95%
t-interval over the pairs excludes 0. Exit 1 when the after variant fails
an SLO (or is unstable), 2 on bad input.
"""

_FORMAT = {"p50": ms, "p95": ms, "p99": ms, "error_rate": pct, "throughput": rate}


def _signed(x: float, fmt) -> str:
    if x != x:
        return "-"
    return ("+" if x > 0 else "−" if x < 0 else "") + fmt(abs(x))


def print_comparison(c: Comparison, out: Console, show_internal: bool) -> None:
    b, a = c.labels
    out.print(f"[bold]{b}[/] vs [bold]{a}[/]: {c.replications} paired replications "
              f"(seeds {c.seeds[0]}..{c.seeds[-1]})", highlight=False)
    t = Table(title="Endpoints (mean over replications; Δ = after − before, paired 95% CI)",
              title_justify="left")
    for col in ("endpoint", "metric", b, a, "Δ", "Δ 95% CI", "change", "verdict"):
        t.add_column(col, justify="left" if col in ("endpoint", "metric", "verdict") else "right")
    rows = c.table if show_internal else c.table[c.table.entry]
    last = None
    for _, r in rows.iterrows():
        fmt = _FORMAT[r["metric"]]
        if not r["significant"]:
            verdict = "[dim]no significant change[/]"
        else:
            verdict = "[green]better[/]" if r["better"] else "[red]worse[/]"
        rel = "-" if r["relative"] != r["relative"] or math.isinf(r["relative"]) \
            else f"{r['relative']:+.1%}"
        t.add_row(r["endpoint"] if r["endpoint"] != last else "", r["metric"], fmt(r["before"]),
                  fmt(r["after"]), _signed(r["delta"], fmt),
                  "-" if r["delta_ci"] != r["delta_ci"] else "±" + fmt(r["delta_ci"]), rel,
                  verdict)
        last = r["endpoint"]
    out.print(t)
    if len(c.slos):
        t = Table(title="SLOs", title_justify="left")
        for col in ("objective", b, a):
            t.add_column(col)
        wide = c.slos.pivot_table(index="slo", columns="variant", values="pass", sort=False)
        for slo, verdicts in wide.iterrows():
            t.add_row(slo, *["[green]pass[/]" if verdicts[v] else "[red]FAIL[/]" for v in (b, a)])
        out.print(t)
    if c.unstable:
        out.print(f"[red]{a} was unstable[/]: in-flight requests passed run.max_in_flight",
                  highlight=False)


def cmd_compare(args: argparse.Namespace, out: Console, err: Console) -> int:
    from capsim.scenario import load
    if len(args.files) > 2:
        err.print("capsim compare: give one file (with --after) or two files",
                  highlight=False, markup=False)
        return 2
    if len(args.files) == 1 and not args.after and not args.before:
        err.print("capsim compare: with one file, say what changes with --after KEY=VALUE "
                  "(or --before)", highlight=False, markup=False)
        return 2
    common = list(args.set or [])
    try:
        before = load(args.files[0], common + list(args.before or []))
        after = load(args.files[-1], common + list(args.after or []))
        c = compare(before, after, replications=args.replications, seed=args.seed,
                    duration=args.duration,
                    progress=False if args.quiet or args.json else None)
    except ScenarioError as e:
        err.print(str(e), highlight=False, markup=False)
        return 2
    except ValueError as e:
        err.print(f"capsim compare: {e}", highlight=False, markup=False)
        return 2
    if args.json:
        sys.stdout.write(json.dumps(c.to_dict(), indent=2) + "\n")
    elif not args.quiet:
        print_comparison(c, out, args.all)
    return 0 if c.ok else 1


def add_command(sub: argparse._SubParsersAction) -> None:
    c = sub.add_parser("compare", help="compare two variants, paired replication by replication",
                       description="Run a before and an after variant with the same seeds "
                                   "(common random numbers) and print p50/p95/p99, errors and "
                                   "throughput per endpoint, with the paired difference, its "
                                   "95%% confidence interval and whether it is significant.",
                       epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    c.add_argument("files", nargs="+", metavar="FILE",
                   help="before.toml after.toml, or one file with --before/--after overrides")
    c.add_argument("--before", action="append", metavar="KEY=VALUE",
                   help="override a key in the before variant only (repeatable)")
    c.add_argument("--after", action="append", metavar="KEY=VALUE",
                   help="override a key in the after variant only (repeatable)")
    c.add_argument("--set", action="append", metavar="KEY=VALUE",
                   help="override a key in both variants (repeatable)")
    c.add_argument("--replications", type=int,
                   help="paired replications (default: the before file's, at least 3)")
    c.add_argument("--seed", type=int, help="seed of the first pair (default: the before file's)")
    c.add_argument("--duration", help="simulated time per replication, e.g. 60s (run.duration)")
    c.add_argument("--all", action="store_true", help="include internal endpoints")
    c.add_argument("--json", action="store_true", help="print the comparison as JSON")
    c.add_argument("--quiet", action="store_true", help="print nothing; use the exit code")
    c.set_defaults(func=cmd_compare)

"""`capsim plot FILE --kind KIND -o out.png`: a chart from a scenario (run
first), a saved report (capsim run --json) or a sweep (capsim sweep --out)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pandas as pd
from rich.console import Console

from capsim.errors import ScenarioError

EXAMPLES = """examples:
  capsim plot scenarios/checkout.toml -o timeline.png            # runs it, draws the spike
  capsim plot scenarios/checkout.toml --kind utilization -o util.svg
  capsim run scenarios/checkout.toml --json > r.json && capsim plot r.json --kind attribution
  capsim plot scenarios/checkout.toml --kind before-after \\
      --after 'services.api.endpoints.checkout.steps[1].loop=1' -o fix.png
  capsim plot before.json after.json --kind before-after -o fix.png
  capsim sweep scenarios/mm1.toml --grid traffic.clients.rate=10/s..90/s:9 --out load.parquet
  capsim plot load.parquet --kind hockey --slo 50ms -o hockey.png
  capsim plot grid.parquet --kind heatmap --metric p99 -o grid.png

A .toml file is run first (its own replications, or --replications); a .json
file is a saved report; a .parquet or .csv file is a sweep. Kinds:
  timeline       arrival rate, p50/p99, errors, queues, utilisation over time
  utilization    every station's utilisation, the bottleneck marked
  attribution    where the time went, all requests and the slowest 1%
  before-after   latency percentiles of two runs side by side
  hockey         latency percentiles vs offered load (a sweep over one key)
  heatmap        one metric over a sweep of two keys
"""

RUN_KINDS = ("timeline", "utilization", "attribution", "before-after")
SWEEP_KINDS = ("hockey", "heatmap")


def _grid_keys(df: pd.DataFrame) -> list[str]:
    """The sweep's grid keys: the columns between ``point`` and ``endpoint``."""
    cols = list(df.columns)
    return cols[cols.index("point") + 1:cols.index("endpoint")]


def _result(path: str, overrides: list[str], args: argparse.Namespace):
    """A run: a saved report as it is, a scenario run now."""
    from capsim.result import Result
    from capsim.scenario import load
    if Path(path).suffix.lower() == ".json":
        return Result.from_json(Path(path))
    return load(path, overrides).run(replications=args.replications, seed=args.seed,
                                     duration=args.duration)


def _sweep_figure(args: argparse.Namespace, kind: str):
    from capsim import plot
    path = Path(args.files[0])
    df = pd.read_parquet(path) if path.suffix.lower() == ".parquet" else pd.read_csv(path)
    keys = _grid_keys(df)
    if kind == "hockey":
        if args.x is None and len(keys) > 1:
            raise ValueError(f"the sweep has {len(keys)} keys ({', '.join(keys)}): a hockey "
                             "stick needs one; try --kind heatmap")
        return plot.hockey_stick(df, args.endpoint, x=args.x or "arrival_rate", slo=args.slo)
    if len(keys) != 2 and (args.x is None or args.y is None):
        raise ValueError(f"a heatmap needs two keys; the sweep has {len(keys)}: give --x and --y")
    return plot.heatmap(df, x=args.x or keys[0], y=args.y or keys[1], metric=args.metric,
                        endpoint=args.endpoint)


def _run_figure(args: argparse.Namespace, kind: str):
    from capsim import plot
    common = list(args.set or [])
    first = _result(args.files[0], common + list(args.before or []), args)
    if kind == "before-after":
        if len(args.files) == 2:
            second = _result(args.files[1], common + list(args.after or []), args)
        elif args.after:
            second = _result(args.files[0], common + list(args.after), args)
        else:
            raise ValueError("before-after needs two files, or one .toml with --after KEY=VALUE")
        return plot.before_after(first, second, args.endpoint)
    if kind == "timeline":
        return plot.timeline(first, args.endpoint)
    return getattr(plot, kind)(first)


def cmd_plot(args: argparse.Namespace, out: Console, err: Console) -> int:
    from capsim import plot
    suffixes = {Path(f).suffix.lower() for f in args.files}
    is_sweep = bool(suffixes & {".parquet", ".csv"})
    kind = args.kind or ("hockey" if is_sweep else "timeline")
    output = args.output or f"{Path(args.files[0]).stem}-{kind}.png"
    try:
        missing = [f for f in args.files if not Path(f).is_file()]
        if missing:
            raise ValueError(f"cannot read {missing[0]}: no such file")
        if is_sweep != (kind in SWEEP_KINDS):
            raise ValueError(f"--kind {kind} draws " + (
                "a sweep (.parquet or .csv)" if kind in SWEEP_KINDS else
                "a run (.toml or .json)") + f", not {', '.join(args.files)}")
        if len(args.files) > (2 if kind == "before-after" else 1):
            raise ValueError(f"--kind {kind} takes one file")
        if Path(output).suffix.lower() not in (".png", ".svg", ".pdf"):
            raise ValueError(f"cannot draw {output}: the suffix must be .png, .svg or .pdf")
        fig = _sweep_figure(args, kind) if is_sweep else _run_figure(args, kind)
    except ScenarioError as e:
        err.print(str(e), highlight=False, markup=False)
        return 2
    except (ValueError, KeyError, OSError) as e:
        err.print(f"capsim plot: {e}", highlight=False, markup=False)
        return 2
    plot.save(fig, output)
    if args.json:
        sys.stdout.write(json.dumps({"kind": kind, "output": output}) + "\n")
    elif not args.quiet:
        err.print(f"wrote {output}", highlight=False, markup=False)
    return 0


def add_command(sub: argparse._SubParsersAction) -> None:
    c = sub.add_parser("plot", help="draw a chart of a run or a sweep (PNG, SVG)",
                       description="Draw a chart for a design doc from a scenario (run first), "
                                   "a saved JSON report or a sweep file.",
                       epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    c.add_argument("files", nargs="+", metavar="FILE",
                   help=".toml, .json (a report), .parquet or .csv (a sweep); two for "
                        "before-after")
    c.add_argument("--kind", choices=RUN_KINDS + SWEEP_KINDS,
                   help="the chart (default: timeline for a run, hockey for a sweep)")
    c.add_argument("-o", "--output", metavar="FILE",
                   help="where to write: .png, .svg or .pdf (default: FILE-KIND.png)")
    c.add_argument("--endpoint", help="the endpoint to draw (default: the first with an SLO)")
    c.add_argument("--set", action="append", metavar="KEY=VALUE",
                   help="override a scenario key (repeatable)")
    c.add_argument("--before", action="append", metavar="KEY=VALUE",
                   help="before-after: override a key in the before run only")
    c.add_argument("--after", action="append", metavar="KEY=VALUE",
                   help="before-after: override a key in the after run only")
    c.add_argument("--replications", type=int, help="replications (run.replications)")
    c.add_argument("--seed", type=int, help="random seed (run.seed)")
    c.add_argument("--duration", help="simulated time per replication (run.duration)")
    c.add_argument("--x", help="sweep: the x key (hockey: default the offered load)")
    c.add_argument("--y", help="heatmap: the y key")
    c.add_argument("--metric", default="p99", help="heatmap: the column to colour (default p99)")
    c.add_argument("--slo", help="hockey: a latency threshold to draw, e.g. 300ms")
    c.add_argument("--json", action="store_true", help="print what was written as JSON")
    c.add_argument("--quiet", action="store_true", help="print nothing; use the exit code")
    c.set_defaults(func=cmd_plot)

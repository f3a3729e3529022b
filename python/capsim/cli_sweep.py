"""`capsim sweep FILE --grid KEY=VALUES ...`: a sweep from the command line,
written to Parquet or CSV, printed as a table, or drawn."""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from capsim.cli_format import ms, pct, rate
from capsim.errors import ScenarioError
from capsim.quantity import join, split

EXAMPLES = """examples:
  capsim sweep scenarios/checkout.toml --grid services.api.replicas=2,4,8
  capsim sweep scenarios/mm1.toml --grid traffic.clients.rate=10/s..90/s:9 --out load.parquet
  capsim sweep scenarios/no_pool.toml --grid services.api.replicas=4,8 \\
      --grid services.api.pools.db.size=5,10,20 --replications 3 --out grid.csv
  capsim sweep scenarios/mm1.toml --grid traffic.clients.rate=10/s..90/s:9 --plot hockey.png

A range A..B:N gives N evenly spaced values from A to B; both ends carry the
same unit (100/s..2000/s:10, 1ms..50ms:5, 5k/s..20k/s:4). Whole numbers
without a unit stay whole (2..64:7). A list A,B,C gives exactly those.
Every point runs with the same seed (common random numbers).
"""

def _scalar(text: str) -> Any:
    """'8' -> 8, '0.5' -> 0.5, anything else (units, laws) stays as written."""
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def parse_grid(text: str) -> tuple[str, list[Any]]:
    """"key=A,B,C" or "key=A..B:N" -> (key, values)."""
    key, sep, spec = text.partition("=")
    if not sep or not key.strip() or not spec.strip():
        raise ValueError(f"--grid wants KEY=A,B,C or KEY=A..B:N, not {text!r}")
    key = key.strip()
    if ".." not in spec:
        return key, [_scalar(v.strip()) for v in spec.split(",") if v.strip()]
    ends, colon, count = spec.rpartition(":")
    if not colon:
        raise ValueError(f"--grid {key}: a range needs a count, A..B:N, not {spec!r}")
    lo_text, _, hi_text = ends.partition("..")
    try:
        (a, unit), (b, hi_unit) = split(lo_text), split(hi_text)
    except ValueError:
        raise ValueError(f"--grid {key}: the ends of {spec!r} must be numbers (with a unit)") \
            from None
    if hi_unit != unit:
        raise ValueError(f"--grid {key}: both ends of {spec!r} need the same unit "
                         f"({lo_text!r} vs {hi_text!r})")
    try:
        n = int(count)
    except ValueError:
        raise ValueError(f"--grid {key}: the count in {spec!r} must be a whole number") from None
    if n < 2:
        raise ValueError(f"--grid {key}: a range needs at least 2 values, not {n}")
    values = [a + (b - a) * i / (n - 1) for i in range(n)]
    if not unit and a.is_integer() and b.is_integer():
        return key, list(dict.fromkeys(int(round(v)) for v in values))
    return key, [join(v, unit) for v in values]


def _print_table(df, keys: list[str], out: Console) -> None:
    t = Table(title="Sweep (mean over replications; entry endpoints)", title_justify="left")
    for c in keys + ["endpoint", "arrivals", "throughput", "errors", "p50", "p99", "SLOs"]:
        t.add_column(c, justify="left" if c == "endpoint" else "right")
    for _, r in df[df.entry].iterrows():
        slo = "-" if r["slo_pass"] is None else ("[green]pass[/]" if r["slo_pass"] else
                                                "[red]FAIL[/]")
        if r["unstable"]:
            slo += " [red](unstable)[/]"
        t.add_row(*[str(r[k]) for k in keys], r["endpoint"], rate(r["arrival_rate"]),
                  rate(r["throughput"]), pct(r["error_rate"]), ms(r["p50"]), ms(r["p99"]), slo)
    out.print(t)


_WRITERS = {
    ".parquet": lambda df, path: df.to_parquet(path, index=False),
    ".csv": lambda df, path: df.to_csv(path, index=False),
    ".json": lambda df, path: df.to_json(path, orient="records", indent=1),
}


def _write_check(path: str) -> None:
    if Path(path).suffix.lower() not in _WRITERS:
        raise ValueError(f"cannot write {path}: the suffix must be .parquet, .csv or .json")


def cmd_sweep(args: argparse.Namespace, out: Console, err: Console) -> int:
    from capsim.scenario import load
    from capsim.sweep import sweep

    try:
        grid = dict(parse_grid(g) for g in args.grid)
        if args.out:
            _write_check(args.out)
        if args.plot:
            _plot_check(args.plot, len(grid))
    except ValueError as e:
        err.print(f"capsim sweep: {e}", highlight=False, markup=False)
        return 2
    try:
        sc = load(args.file, list(args.set or []))
        start = time.perf_counter()
        df = sweep(sc, grid, replications=args.replications, seed=args.seed,
                   duration=args.duration, threads=args.threads or None,
                   progress=None if not (args.quiet or args.json) else False)
        wall = time.perf_counter() - start
    except ScenarioError as e:
        err.print(str(e), highlight=False, markup=False)
        return 2
    keys = list(grid)
    knee = _load_knee(df, keys)
    if args.out:
        _WRITERS[Path(args.out).suffix.lower()](df, args.out)
    if args.plot:
        from capsim import plot
        fig = (plot.hockey_stick(df, x=keys[0], slo=_latency_slo(sc, df), knee=knee)
               if len(keys) == 1 else plot.heatmap(df, x=keys[0], y=keys[1]))
        plot.save(fig, args.plot)
    if args.json:
        sys.stdout.write(df.to_json(orient="records", indent=1) + "\n")
    elif not args.quiet:
        if not args.out:
            _print_table(df, keys, out)
        if knee is not None:
            _print_knee(knee, keys[0], out)
        points = df["point"].nunique()
        wrote = [p for p in (args.out, args.plot) if p]
        err.print(f"{points} points in {wall:.2f}s wall" +
                  (f"; wrote {', '.join(wrote)}" if wrote else ""), highlight=False)
    return 0


def _load_knee(df, keys: list[str]):
    """The knee of a sweep over one load key (the entry endpoint's arrival
    rate grows along it), read against that key; None for other sweeps."""
    from capsim.knee import knee
    from capsim.plot import default_endpoint
    from capsim.quantity import magnitude
    if len(keys) != 1 or df["point"].nunique() < 3:
        return None
    rows = df[df["endpoint"] == default_endpoint(df)]
    loads = rows["arrival_rate"].to_numpy(float)
    if not (loads.min() > 0 and loads.max() > 1.5 * loads.min()):
        return None
    if any(math.isnan(magnitude(v)) for v in rows[keys[0]]):
        return None
    try:
        return knee(df, x=keys[0])
    except ValueError:  # no plateau to measure (no latency at the lowest load)
        return None


def _print_knee(k, key: str, out: Console) -> None:
    u = k.unit
    out.print(f"[bold]Knee[/]: {k.summary()}", highlight=False)
    for _, s in k.slos.iterrows():
        slo = f"{s['endpoint']} {s['metric']} < " + (
            pct(s["threshold"]) if s["metric"] == "error_rate" else ms(s["threshold"]))
        if s["first_violated"] is None or (isinstance(s["first_violated"], float)
                                           and math.isnan(s["first_violated"])):
            out.print(f"SLO {slo}: met at every {key} swept", highlight=False)
        elif s["last_met"] is None or (isinstance(s["last_met"], float)
                                       and math.isnan(s["last_met"])):
            out.print(f"SLO {slo}: violated already at the lowest {key}", highlight=False)
        else:
            out.print(f"SLO {slo}: met at {s['last_met']:.4g}{u}, first violated at "
                      f"{s['first_violated']:.4g}{u} (crosses at about {s['violated_at']:.4g}{u})",
                      highlight=False)


def _latency_slo(sc, df) -> str | None:
    """The p99 SLO of the endpoint the hockey stick draws, to draw with it."""
    from capsim.plot import default_endpoint
    endpoint = default_endpoint(df)
    return next((t["p99"] for t in sc.get("slo", []) if t.get("endpoint") == endpoint
                 and "p99" in t), None)


def _plot_check(path: str, keys: int) -> None:
    if Path(path).suffix.lower() not in (".png", ".svg", ".pdf"):
        raise ValueError(f"cannot draw {path}: the suffix must be .png, .svg or .pdf")
    if keys > 2:
        raise ValueError("--plot draws a sweep over one key (hockey stick) or two (heatmap), "
                         f"not {keys}")


def add_command(sub: argparse._SubParsersAction) -> None:
    c = sub.add_parser("sweep", help="run a scenario over a grid of overrides",
                       description="Run the scenario at every combination of the --grid values "
                                   "(on all cores, the same seed at every point) and write one "
                                   "row per point and endpoint. Exits 0 whether or not the SLOs "
                                   "pass at a point: finding where they fail is the point.",
                       epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    c.add_argument("file", help="scenario TOML file")
    c.add_argument("--grid", action="append", required=True, metavar="KEY=VALUES",
                   help="a key and its values: A,B,C or A..B:N (repeatable: every combination)")
    c.add_argument("--set", action="append", metavar="KEY=VALUE",
                   help="override a scenario key at every point (repeatable)")
    c.add_argument("--replications", type=int, help="replications per point (run.replications)")
    c.add_argument("--seed", type=int, help="random seed, the same at every point (run.seed)")
    c.add_argument("--duration", help="simulated time per replication, e.g. 60s (run.duration)")
    c.add_argument("--threads", type=int, default=0,
                   help="threads per run (default: the cores shared among the points)")
    c.add_argument("-o", "--out", metavar="FILE",
                   help="write the DataFrame to FILE: .parquet, .csv or .json")
    c.add_argument("--plot", metavar="FILE",
                   help="draw the hockey stick (one key) or a heatmap (two) to .png or .svg")
    c.add_argument("--json", action="store_true", help="print the rows as JSON records")
    c.add_argument("--quiet", action="store_true", help="print nothing; use the exit code")
    c.set_defaults(func=cmd_sweep)

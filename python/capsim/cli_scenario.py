"""Commands that look at a scenario without running it: `capsim graph`, `capsim show`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

from capsim.errors import ScenarioError
from capsim.graph import FORMATS, GraphvizMissing
from capsim.scenario import load

GRAPH_EXAMPLES = """examples:
  capsim graph scenarios/checkout.toml | dot -Tsvg > checkout.svg
  capsim graph scenarios/checkout.toml -o checkout.svg
  capsim graph scenarios/checkout.toml --set services.api.replicas=8 -o checkout.png
  capsim graph scenarios/checkout.toml --stats
"""


def _print_warnings(sc, err: Console) -> None:
    for w in sc.warnings:
        err.print(w["text"], highlight=False, markup=False)


def _count(x: float | None) -> str:
    return "unbounded" if x is None else f"{x:g}"


def cmd_graph(args: argparse.Namespace, out: Console, err: Console) -> int:
    try:
        sc = load(args.file, list(args.set or []))
    except ScenarioError as e:
        err.print(str(e), highlight=False, markup=False)
        return 2
    if not args.quiet:
        _print_warnings(sc, err)
    graph = sc.graph()
    if args.stats:
        if args.json:
            sys.stdout.write(json.dumps(graph.endpoints, indent=2) + "\n")
            return 0
        out.print("[bold]Endpoints[/]: call depth and worst-case fan-out per request")
        t = Table()
        for c in ("endpoint", "entry", "depth", "fan-out"):
            t.add_column(c, justify="left" if c == "endpoint" else "right")
        for e in graph.endpoints:
            t.add_row(e["endpoint"], "yes" if e["entry"] else "", _count(e["depth"]),
                      _count(e["fan_out"]))
        out.print(t)
        return 0
    if args.output is None:
        sys.stdout.write(graph.dot)
        return 0
    fmt = Path(args.output).suffix.lstrip(".").lower()
    if fmt not in FORMATS + ("gv",):
        err.print(f"capsim graph: cannot write {args.output}: the suffix must be .dot, .svg or "
                  ".png", highlight=False, markup=False)
        return 2
    try:
        graph.save(args.output)
    except GraphvizMissing as e:
        err.print(f"capsim graph: nothing written to {args.output}: {e}", highlight=False,
                  markup=False)
        return 2
    except (OSError, RuntimeError) as e:
        err.print(f"capsim graph: cannot write {args.output}: {e}", highlight=False,
                  markup=False)
        return 2
    if not args.quiet:
        err.print(f"wrote {args.output}", highlight=False, markup=False)
    return 0


def cmd_show(args: argparse.Namespace, out: Console, err: Console) -> int:
    try:
        sc = load(args.file, list(args.set or []))
        text = sc.to_toml()
    except ScenarioError as e:
        err.print(str(e), highlight=False, markup=False)
        return 2
    if not args.quiet:
        _print_warnings(sc, err)
    sets = "".join(f" --set {s}" for s in args.set or [])
    sys.stdout.write(f"# capsim show {args.file}{sets}\n"
                     "# bases merged, overrides applied; keys in alphabetical order\n" + text)
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Register `graph` and `show` on the capsim command line."""
    g = sub.add_parser("graph", help="draw a scenario's topology (DOT, SVG or PNG)",
                       description="Write the graph of traffic sources, services, endpoints "
                       "and stores as Graphviz DOT (to stdout, or -o FILE.dot), or render it "
                       "to SVG/PNG with Graphviz's `dot` when it is installed.",
                       epilog=GRAPH_EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    g.add_argument("file", help="scenario TOML file")
    g.add_argument("--set", action="append", metavar="KEY=VALUE",
                   help="override a scenario key, e.g. services.api.replicas=8 (repeatable)")
    g.add_argument("-o", "--output", metavar="FILE",
                   help="write to FILE; .dot, .svg or .png (default: DOT on stdout)")
    g.add_argument("--stats", action="store_true",
                   help="print each endpoint's call depth and worst-case fan-out instead")
    g.add_argument("--json", action="store_true", help="with --stats: print JSON")
    g.add_argument("--quiet", action="store_true", help="no warnings or progress messages")
    g.set_defaults(func=cmd_graph)

    s = sub.add_parser("show", help="print a scenario fully resolved, as TOML",
                       description="Validate a scenario and print it as the loader sees it: "
                       "its bases (extends) merged in and its --set overrides applied.",
                       epilog="examples:\n  capsim show whatif.toml\n"
                       "  capsim show whatif.toml --set services.api.replicas=8 > resolved.toml\n",
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    s.add_argument("file", help="scenario TOML file")
    s.add_argument("--set", action="append", metavar="KEY=VALUE",
                   help="override a scenario key, e.g. services.api.replicas=8 (repeatable)")
    s.add_argument("--quiet", action="store_true", help="no warnings")
    s.set_defaults(func=cmd_show)

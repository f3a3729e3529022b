"""The terminal tables for policies (timeouts, retries, breakers) and for
recovery after failure windows, part of `capsim run`'s report."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from capsim.cli_format import pct, rate as _rate


def _num(x: float | None) -> str:
    return "-" if x is None else f"{x:.3g}"


def print_policies(report: dict, console: Console) -> None:
    policies = report.get("policies") or []
    if policies:
        t = Table(title="Policies (timeouts, retries, breakers, bulkheads)", title_justify="left")
        for c in ("step", "calls", "attempts/call", "retries", "timeouts", "zombies",
                  "cancelled", "short-circuited", "bulkhead full", "fallbacks", "failed", "open"):
            t.add_column(c, justify="left" if c == "step" else "right")
        for p in policies:
            t.add_row(p["name"], _rate(p["calls"]["mean"]), _num(p["attempts_per_call"]["mean"]),
                      _rate(p["retries"]["mean"]), _rate(p["timeouts"]["mean"]),
                      _rate(p["zombies"]["mean"]), _rate(p["cancelled"]["mean"]),
                      _rate(p["short_circuited"]["mean"]), _rate(p["bulkhead_full"]["mean"]),
                      _rate(p["fallbacks"]["mean"]),
                      _rate(p["failed"]["mean"]), pct(p["open_fraction"]["mean"]))
        console.print(t)
    faults = report.get("faults") or []
    if faults:
        t = Table(title="Injected faults", title_justify="left")
        for c in ("fault", "kind", "target", "occurrences", "time on", "calls hit"):
            t.add_column(c, justify="left" if c in ("fault", "kind", "target") else "right")
        for f in faults:
            target = f["target"] + (f" from {f['from']}" if f["from"] and f["kind"] != "partition"
                                    else f" | {f['from']}" if f["from"] else "")
            t.add_row(f["name"] + (" (random)" if f["random"] else ""), f["kind"], target,
                      _num(f["occurrences"]["mean"]), f"{f['active']['mean']:.3g}s",
                      _rate(f["hits"]["mean"]))
        console.print(t)
    for r in report.get("recoveries") or []:
        random = r.get("random")
        what = (f"{r['trigger']} (random)" if random
                else f"{r['trigger']} ({r['start']:g}s-{r['end']:g}s)")
        unit = "occurrence(s)" if random else "replication(s)"
        if r["flagged"]:
            console.print(
                f"[red]Did not recover[/] within {r['within']:g}s after {what}: "
                f"{r['not_recovered']} {unit} still degraded at the end, {r['late']} late "
                "(a degradation that outlives its trigger: a metastable failure; see the "
                "policies above)", highlight=False)
        elif r["recovered"]:
            t = r["recovery_time"]["mean"]
            console.print(f"Recovered after {what} in {t:g}s (within {r['within']:g}s)",
                          highlight=False)

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
    for r in report.get("recoveries") or []:
        what = f"{r['trigger']} ({r['start']:g}s-{r['end']:g}s)"
        if r["flagged"]:
            console.print(
                f"[red]Did not recover[/] within {r['within']:g}s after {what}: "
                f"{r['not_recovered']} replication(s) still degraded at the end, {r['late']} late "
                "(a degradation that outlives its trigger: a metastable failure; see the "
                "policies above)", highlight=False)
        elif r["recovered"]:
            t = r["recovery_time"]["mean"]
            console.print(f"Recovered after {what} in {t:g}s (within {r['within']:g}s)",
                          highlight=False)

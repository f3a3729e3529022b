"""A run's summary as HTML, for Jupyter: status, SLO verdicts, the entry
endpoints' latency and the busiest station, in one glance."""

from __future__ import annotations

from html import escape

from capsim.cli_format import ci, ms, pct, rate

_CSS = ("<style>.capsim-result table{border-collapse:collapse;margin:4px 0 10px}"
        ".capsim-result th,.capsim-result td{padding:2px 10px;text-align:right}"
        ".capsim-result th:first-child,.capsim-result td:first-child{text-align:left}"
        ".capsim-result .pass{color:#1a7f37;font-weight:bold}"
        ".capsim-result .fail{color:#cf222e;font-weight:bold}</style>")


def _table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _verdict(ok: bool, text: str) -> str:
    return f'<span class="{"pass" if ok else "fail"}">{escape(text)}</span>'


def report_html(report: dict) -> str:
    """The HTML shown for a :class:`capsim.Result` in a notebook."""
    run = report["run"]
    parts = [_CSS, '<div class="capsim-result">',
             f"<p><b>{escape(report['scenario'])}</b> "
             f"{_verdict(report['status'] == 'ok', report['status'])} — "
             f"{run['replications']} replication(s) × {run['duration']:g} s "
             f"(warm-up {run['warmup']:g} s), seed {run['seed']}</p>"]
    if report["slos"]:
        rows = []
        for s in report["slos"]:
            fmt = pct if s["metric"] == "error_rate" else ms
            verdict = _verdict(s["pass"], "pass" if s["pass"] else "FAIL")
            if not s["confident"]:
                verdict += " <small>(CI spans the threshold)</small>"
            rows.append([escape(s["text"]), escape(ci(s["value"], fmt)), verdict])
        parts.append("<b>SLOs</b>" + _table(["objective", "value (±95% CI)", "verdict"], rows))
    rows = []
    for e in report["endpoints"]:
        if not e["entry"]:
            continue
        lat = e["latency"]
        rows.append([escape(e["name"]), rate(e["throughput"]["mean"]),
                     pct(e["error_rate"]["mean"]), ms(lat["p50"]["mean"]),
                     ms(lat["p95"]["mean"]), escape(ci(lat["p99"], ms)),
                     ms(lat["p999"]["mean"])])
    parts.append("<b>Entry endpoints</b> (mean over replications)" + _table(
        ["endpoint", "throughput", "errors", "p50", "p95", "p99", "p99.9"], rows))
    b = report["busiest"]
    util = pct(b["utilization"])
    line = f"<p><b>Busiest</b>: {escape(b['station'])} {escape(b['resource'])} at {util}"
    if report["saturated"]:
        first = report["saturated"][0]
        line += (f"; <span class=\"fail\">saturated</span>: {escape(first['station'])} "
                 f"{escape(first['resource'])} from t={first['first']:g} s")
    parts.append(line + "</p>")
    parts.append("<small>More: <code>.endpoints</code>, <code>.stations</code>, "
                 "<code>.attribution</code>, <code>.timeseries</code>, "
                 "<code>.plot.timeline()</code></small></div>")
    return "".join(parts)

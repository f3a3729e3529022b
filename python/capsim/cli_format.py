"""How the command line writes numbers: seconds as ms/s/µs, fractions as
percentages, rates per second; "-" for no value."""

from __future__ import annotations

import math
from collections.abc import Callable


def ms(x: float | None) -> str:
    """A duration in seconds, in the unit that reads best: 12.3ms, 1.50s."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    if abs(x) < 5e-9:  # below the display's resolution (and PS rounding noise)
        return "0"
    if x >= 10:
        return f"{x:.1f}s"
    if x >= 1:
        return f"{x:.2f}s"
    v = x * 1000
    return f"{v:.3g}ms" if v >= 0.01 else f"{v * 1000:.3g}µs"


def ci(est: dict, fmt: Callable[[float], str]) -> str:
    """An estimate {"mean", "ci"} as "m ±h"."""
    m, h = est["mean"], est["ci"]
    if m is None:
        return "-"
    return fmt(m) if h is None else f"{fmt(m)} ±{fmt(h)}"


def pct(x: float | None) -> str:
    """A fraction as a percentage, 3 significant digits."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    return f"{x * 100:.3g}%"


def rate(x: float | None) -> str:
    """Events per second: 812.5/s, 12.3k/s."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    return f"{x / 1000:.3g}k/s" if x >= 10000 else f"{x:.4g}/s"

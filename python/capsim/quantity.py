"""Numbers with units as scenarios write them ("250ms", "2.5k/s"): split
into a number and its unit to step through a range, and read as seconds or
events per second to place on an axis. The engine alone validates them."""

from __future__ import annotations

import math
import re
from typing import Any

_NUMBER = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(.*?)\s*$")
_DURATION = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "sec": 1.0,
             "m": 60.0, "min": 60.0, "h": 3600.0}
_PREFIX = {"": 1.0, "k": 1e3, "M": 1e6}


def split(value: Any) -> tuple[float, str]:
    """``"2.5k/s"`` -> ``(2.5, "k/s")``, ``8`` -> ``(8.0, "")``; ValueError
    for anything that does not start with a number."""
    if isinstance(value, bool):
        raise ValueError(f"not a number: {value!r}")
    if isinstance(value, (int, float)):
        return float(value), ""
    m = _NUMBER.match(str(value))
    if m is None:
        raise ValueError(f"{value!r} is not a number with a unit")
    return float(m.group(1)), m.group(2)


def join(number: float, unit: str) -> str | float | int:
    """The inverse of :func:`split`: a unitless whole number stays an int."""
    if not unit:
        return int(number) if float(number).is_integer() else number
    return f"{number:.6g}{unit}"


def magnitude(value: Any) -> float:
    """A value in base units: seconds for durations, events per second for
    rates, the number itself otherwise; NaN when it is not a number."""
    try:
        number, unit = split(value)
    except ValueError:
        return math.nan
    if unit in _DURATION:
        return number * _DURATION[unit]
    prefix, slash, per = unit.replace(" ", "").partition("/")
    if slash and prefix in _PREFIX and per in _DURATION:
        return number * _PREFIX[prefix] / _DURATION[per]
    return number

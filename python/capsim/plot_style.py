"""The look shared by capsim's charts, and saving them.

Figures are built with ``matplotlib.figure.Figure``, never through pyplot:
no global state, nothing opened on a display, safe under the Agg backend
and in threads, and a notebook shows the returned figure exactly once.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import matplotlib
from cycler import cycler
from matplotlib.figure import Figure

# Okabe and Ito's palette: distinguishable with the common colour-vision
# deficiencies and in greyscale print.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000",
           "#F0E442"]
BEFORE = "#999999"
ALERT = "#D55E00"

STYLE = {
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "font.size": 10,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "grid.linewidth": 0.6,
    "axes.prop_cycle": cycler(color=PALETTE),
    "legend.frameon": False,
    "legend.fontsize": 9,
    "lines.linewidth": 1.8,
    "svg.fonttype": "none",  # SVG text stays text: searchable, editable in a doc
}

F = TypeVar("F", bound=Callable[..., Figure])


def styled(fn: F) -> F:
    """Build the chart under capsim's style, whatever the caller's rcParams."""
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Figure:
        with matplotlib.rc_context(STYLE):
            return fn(*args, **kwargs)
    return wrapper  # type: ignore[return-value]


class Chart(Figure):
    """A Figure that shows itself in Jupyter. IPython draws figures only
    once pyplot has hooked its inline backend in; charts made without
    pyplot (see above) would otherwise show as "<Figure size ...>"."""

    def _repr_png_(self) -> bytes:
        buffer = io.BytesIO()
        with matplotlib.rc_context(STYLE):
            self.savefig(buffer, format="png", dpi=100)
        return buffer.getvalue()


def figure(width: float, height: float) -> Chart:
    return Chart(figsize=(width, height), layout="constrained")


def save(fig: Figure, path: str | Path, **kwargs: Any) -> Path:
    """Write `fig` to `path`; the suffix picks the format (.png, .svg, .pdf)."""
    path = Path(path)
    if path.suffix.lower() not in (".png", ".svg", ".pdf"):
        raise ValueError(f"cannot save a chart as {path.name}: use .png, .svg or .pdf")
    with matplotlib.rc_context(STYLE):
        fig.savefig(path, **kwargs)
    return path

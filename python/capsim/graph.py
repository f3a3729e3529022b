"""A scenario's topology: Graphviz DOT, rendered inline in Jupyter."""

from __future__ import annotations

import html
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

FORMATS = ("dot", "svg", "png")


class GraphvizMissing(RuntimeError):
    """Rendering needs Graphviz's ``dot`` program, which is not on PATH."""

    def __init__(self) -> None:
        super().__init__("rendering SVG or PNG needs Graphviz's `dot` program, which is not "
                         "installed (Debian/Ubuntu: apt-get install graphviz; macOS: brew "
                         "install graphviz); DOT text needs nothing")


def dot_program() -> str | None:
    """The path of Graphviz's ``dot``, or None when it is not installed."""
    return shutil.which("dot")


def render(dot: str, fmt: str) -> bytes:
    """DOT text rendered by Graphviz to ``svg`` or ``png`` bytes."""
    if fmt not in ("svg", "png"):
        raise ValueError(f"cannot render to {fmt!r}: use 'svg' or 'png'")
    program = dot_program()
    if program is None:
        raise GraphvizMissing()
    done = subprocess.run([program, f"-T{fmt}"], input=dot.encode(), capture_output=True,
                          check=False, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"dot failed: {done.stderr.decode(errors='replace').strip()}")
    return done.stdout


def write_atomically(path: str | os.PathLike, data: bytes) -> None:
    """Write through a temporary file in the same directory, so a failure
    never leaves a partial file where the user asked for one."""
    target = Path(path)
    fd, tmp = tempfile.mkstemp(dir=target.parent or ".", prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class Graph:
    """The topology of a scenario, as :meth:`capsim.Scenario.graph` returns it.

    ``dot`` is the Graphviz text: traffic sources, each service as a box
    labelled with its capacity (replicas×workers w×cores c) around its
    endpoints, stores and externals; calls solid, forwards dashed, uses
    dotted, edges labelled with repeat counts and branch probabilities.
    ``endpoints`` gives each endpoint's call depth and worst-case fan-out
    (None when unbounded). In Jupyter the graph draws itself when Graphviz
    is installed, and shows its DOT text otherwise.
    """

    def __init__(self, dot: str, endpoints: list[dict[str, Any]]):
        self.dot = dot
        self.endpoints = endpoints

    def render(self, fmt: str = "svg") -> bytes:
        """The graph drawn by Graphviz as ``svg`` or ``png`` bytes."""
        return render(self.dot, fmt)

    def save(self, path: str | os.PathLike) -> None:
        """Write the graph; the format follows the suffix (.dot, .svg, .png)."""
        fmt = Path(path).suffix.lstrip(".").lower() or "dot"
        if fmt == "gv":
            fmt = "dot"
        if fmt not in FORMATS:
            raise ValueError(f"unknown graph format {fmt!r}: use a .dot, .svg or .png file")
        write_atomically(path, self.dot.encode() if fmt == "dot" else render(self.dot, fmt))

    def _repr_svg_(self) -> str | None:
        if dot_program() is None:
            return None
        return self.render("svg").decode()

    def _repr_html_(self) -> str:
        svg = self._repr_svg_()
        if svg is not None:
            return svg
        return ("<p>Graphviz is not installed; the topology as DOT:</p><pre>"
                + html.escape(self.dot) + "</pre>")

    def __str__(self) -> str:
        return self.dot

    def __repr__(self) -> str:
        return f"<capsim.Graph: {len(self.endpoints)} endpoint(s); .dot holds the DOT text>"

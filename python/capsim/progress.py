"""Progress bars for long work: shown in a terminal or a notebook, never in
a pipe, a log or a test, where they would only add noise."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Union

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

#: ``None``: a bar when interactive; ``True``/``False``: always/never;
#: a callable: ``progress(done, total)`` instead of a bar.
ProgressArg = Union[bool, None, Callable[[int, int], None]]


def in_notebook() -> bool:
    """True inside a Jupyter kernel (IPython's ZMQ shell)."""
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    shell = ipython.get_ipython()
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


def _notebook_bar_available() -> bool:
    # rich draws a live bar in Jupyter through an ipywidgets Output; without
    # it rich only warns, so no bar is better than a warning in every cell.
    try:
        import ipywidgets  # noqa: F401
    except ImportError:
        return False
    return True


def interactive() -> bool:
    """Whether someone is watching: stderr is a terminal, or a notebook."""
    if in_notebook():
        return _notebook_bar_available()
    return sys.stderr.isatty()


@contextmanager
def reporter(progress: ProgressArg, total: int, description: str) -> Iterator[Callable[[int], None]]:
    """A context giving ``tick(done)`` that reports `done` of `total`."""
    if callable(progress):
        callback = progress
        yield lambda done: callback(done, total)
        return
    if not (interactive() if progress is None else progress):
        yield lambda done: None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True)) as bar:
        task = bar.add_task(description, total=total)
        yield lambda done: bar.update(task, completed=done)

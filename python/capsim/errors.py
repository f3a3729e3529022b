"""Errors raised by capsim."""

from __future__ import annotations


class ScenarioError(ValueError):
    """A scenario failed validation.

    ``diagnostics`` lists every problem found (one pass, not only the first),
    each a dict with ``file``, ``line``, ``column``, ``path`` (the key path,
    e.g. ``services.api.endpoints.checkout.steps[2].cpu``), ``message``,
    ``expected``, ``suggestion`` and ``text`` (the formatted message).
    """

    def __init__(self, diagnostics: list[dict]):
        self.diagnostics = diagnostics
        errors = [d for d in diagnostics if d["severity"] == "error"]
        super().__init__("\n".join(d["text"] for d in errors) or "invalid scenario")

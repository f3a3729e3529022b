"""Shared fixtures: small scenarios that run in well under a second."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def mm1(rate: str = "50/s", duration: str = "200s", replications: int = 3) -> dict:
    """An M/M/1 station at utilisation rate x 10ms."""
    return {
        "run": {"duration": duration, "warmup": "10s", "replications": replications, "seed": 11},
        "services": {"server": {"workers": 1, "cores": 1,
                                "endpoints": {"work": {"steps": [{"cpu": "exp(10ms)"}]}}}},
        "traffic": {"clients": {"rate": rate, "endpoint": "server.work"}},
    }


@pytest.fixture
def mm1_tree() -> dict:
    return mm1()


@pytest.fixture
def root() -> Path:
    return ROOT

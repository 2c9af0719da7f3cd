"""How long tests wait on slow starts (Ray actors, CLI subprocesses) before calling them hung.

The waits are guards against a hang, never a claim about speed: on a busy 2-core machine starting a Ray actor
that imports torch can take a minute. `DAILIES_TEST_PATIENCE` scales every such wait (default 3).
"""

from __future__ import annotations

import os

PATIENCE = float(os.environ.get("DAILIES_TEST_PATIENCE", "3"))


def patient(seconds: float) -> float:
    """`seconds` of a quiet machine, stretched by the patience factor."""
    return seconds * PATIENCE

"""The fake Discord's sense of time: a clock tests can stop and move, and snowflake ids minted from it."""

from __future__ import annotations

import datetime as dt
import itertools
import time
from collections.abc import Callable

DISCORD_EPOCH_MS = 1_420_070_400_000
LOW_BITS = 22  # worker, process and increment: the part of a snowflake below its timestamp


class ManualClock:
    """Wall-clock seconds that stand still until a test moves them, so the 3 s and 15 min rules never
    depend on how busy the machine is."""

    def __init__(self, start: float | None = None) -> None:
        self._now = time.time() if start is None else start

    def __call__(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        self._now += seconds

    def utcnow(self) -> dt.datetime:
        """This clock as discord.py's `utils.utcnow` reads time (Interaction.is_expired, created_at)."""
        return dt.datetime.fromtimestamp(self._now, dt.UTC)


class Snowflakes:
    """Discord ids: milliseconds since Discord's epoch in the high bits, so an id says when it was made."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._counter = itertools.count(1)

    def mint(self, at: float | None = None) -> int:
        """A new id made at `at` (epoch seconds; default now). Ids made in the same millisecond differ."""
        ms = int((self._clock() if at is None else at) * 1000) - DISCORD_EPOCH_MS
        return (ms << LOW_BITS) | (next(self._counter) % (1 << LOW_BITS))


def snowflake_time(snowflake: int) -> float:
    """When an id was made, in epoch seconds."""
    return ((snowflake >> LOW_BITS) + DISCORD_EPOCH_MS) / 1000


def iso(seconds: float) -> str:
    return dt.datetime.fromtimestamp(seconds, dt.UTC).isoformat()

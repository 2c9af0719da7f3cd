"""Keeping the bot inside Discord's limits before Discord has to say no: a global request pace (every REST call,
through discord.py's `http_trace` hook) and a pace for progress edits, per channel and overall.

discord.py already waits out each route's bucket from Discord's headers; it does not pace the global limit
(50 requests a second per bot), and every 429 counts towards the invalid requests that get an IP banned.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable
from typing import Any

import aiohttp

# Below Discord's 50 a second, leaving room for the clock skew between us and Discord.
REQUESTS_PER_SECOND = 40
# Progress edits are cosmetic: across all channels they take at most this share of the global pace.
EDITS_PER_SECOND = 10.0
# Interaction endpoints (callbacks, follow-ups on an interaction's token) are not bound by the global limit.
EXEMPT_PATHS = ("/interactions/", "/webhooks/")


class RequestPacer:
    """At most `per_second` REST requests in any one-second window, in the order they asked."""

    def __init__(self, per_second: int = REQUESTS_PER_SECOND, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_second = per_second
        self._clock = clock
        self._sent: deque[float] = deque()
        self._lock = asyncio.Lock()

    async def wait(self) -> None:
        async with self._lock:
            while True:
                now = self._clock()
                while self._sent and self._sent[0] <= now - 1.0:
                    self._sent.popleft()
                if len(self._sent) < self.per_second:
                    self._sent.append(now)
                    return
                await asyncio.sleep(self._sent[0] + 1.0 - now)

    def trace_config(self) -> aiohttp.TraceConfig:
        """The hook discord.py offers (`Client(http_trace=...)`): every request waits for its turn here."""
        config = aiohttp.TraceConfig()

        async def on_request_start(session: Any, context: Any, params: aiohttp.TraceRequestStartParams) -> None:
            if not any(part in params.url.path for part in EXEMPT_PATHS):
                await self.wait()

        config.on_request_start.append(on_request_start)
        return config


class EditPacer:
    """Turns for progress edits: one per channel every `channel_interval` seconds (Discord buckets edits per
    channel), and at most `per_second` across all channels, so many renders at once slow their progress
    messages down instead of crowding out takes and answers."""

    def __init__(
        self,
        *,
        channel_interval: float = 1.0,
        per_second: float = EDITS_PER_SECOND,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.channel_interval = channel_interval
        self._spacing = 1.0 / per_second
        self._clock = clock
        self._last: dict[int, float] = {}
        self._locks: dict[int, asyncio.Lock] = {}
        self._next_global = float("-inf")

    def note(self, channel_id: int) -> None:
        """Something was just posted in this channel (the progress message itself): the next edit waits."""
        self._last[channel_id] = self._clock()

    async def turn(self, channel_id: int) -> None:
        lock = self._locks.setdefault(channel_id, asyncio.Lock())
        async with lock:
            wait = self._last.get(channel_id, float("-inf")) + self.channel_interval - self._clock()
            if wait > 0:
                await asyncio.sleep(wait)
            now = self._clock()
            slot = max(now, self._next_global)
            self._next_global = slot + self._spacing
            if slot > now:
                await asyncio.sleep(slot - now)
            self._last[channel_id] = self._clock()

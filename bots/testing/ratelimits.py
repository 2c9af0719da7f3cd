"""Discord's rate limits: a bucket per route and major parameter, a global limit per bot, real headers and 429s.

discord.py reads these headers to wait before a bucket runs dry, and sleeps `retry_after` on a 429, so its own
rate-limit handling runs against the fake as it does against Discord.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Limit:
    requests: int
    per_s: float


# Per route template and major parameter (channel, guild, or webhook and token). Discord does not publish its
# numbers; these are the commonly observed ones (5 messages per 5 s in a channel).
ROUTE_LIMITS: dict[str, Limit] = {
    "POST /channels/{channel_id}/messages": Limit(5, 5.0),
    "PATCH /channels/{channel_id}/messages/{message_id}": Limit(5, 5.0),
    "DELETE /channels/{channel_id}/messages/{message_id}": Limit(5, 1.0),
    "POST /channels/{channel_id}/threads": Limit(10, 10.0),
    "PATCH /channels/{channel_id}": Limit(5, 5.0),
    "PUT /channels/{channel_id}/thread-members/{user_id}": Limit(10, 10.0),
    "PUT /channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me": Limit(1, 0.25),
    "GET /guilds/{guild_id}/members/{user_id}": Limit(5, 1.0),
    "POST /users/@me/channels": Limit(10, 10.0),
    "POST /webhooks/{webhook_id}/{webhook_token}": Limit(5, 2.0),
    "PATCH /webhooks/{webhook_id}/{webhook_token}/messages/{message_id}": Limit(5, 2.0),
    "DELETE /webhooks/{webhook_id}/{webhook_token}/messages/{message_id}": Limit(5, 2.0),
}
DEFAULT_LIMIT = Limit(20, 1.0)
GLOBAL_LIMIT = Limit(50, 1.0)  # requests per second per bot, interaction endpoints excepted
# Slack added to Reset-After, as Discord rounds it up: a client that sleeps exactly that long is never early.
RESET_SLACK_S = 0.001


@dataclass
class Window:
    """A fixed window: opened by its first request, closed `per_s` later."""

    limit: Limit
    opened: float
    used: int = 0

    def closes(self) -> float:
        return self.opened + self.limit.per_s


@dataclass
class Verdict:
    """Headers for the answer, and the 429 body when the request was refused."""

    headers: dict[str, str] = field(default_factory=dict)
    refused: dict[str, Any] | None = None


class RateLimiter:
    """Counts requests per bucket in fixed windows; refuses the one over the limit with a 429."""

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        limits: dict[str, Limit] | None = None,
        global_limit: Limit | None = GLOBAL_LIMIT,
        enabled: bool = True,
    ) -> None:
        self._clock = clock
        self._limits = ROUTE_LIMITS if limits is None else limits
        self._global_limit = global_limit
        self.enabled = enabled
        self._windows: dict[str, Window] = {}

    def check(self, route: str, major: str, *, exempt_from_global: bool) -> Verdict:
        """Count one request to `route` (its template, e.g. "POST /channels/{channel_id}/messages")."""
        if not self.enabled:
            return Verdict()
        now = self._clock()
        if not exempt_from_global and self._global_limit is not None:
            window = self._window("global", self._global_limit, now)
            if window.used >= window.limit.requests:
                return _refuse_global(window.closes() - now)
        limit = self._limits.get(route, DEFAULT_LIMIT)
        window = self._window(f"{route}|{major}", limit, now)
        bucket = hashlib.sha1(route.encode()).hexdigest()[:16]
        if window.used >= limit.requests:
            return _refuse(limit, bucket, window.closes() - now)
        window.used += 1
        if not exempt_from_global and self._global_limit is not None:
            self._windows["global"].used += 1
        return Verdict(_headers(limit, bucket, limit.requests - window.used, window.closes() - now))

    def _window(self, key: str, limit: Limit, now: float) -> Window:
        window = self._windows.get(key)
        if window is None or now >= window.closes():
            window = self._windows[key] = Window(limit, now)
        return window


def _seconds(value: float) -> float:
    return math.ceil((max(value, 0.0) + RESET_SLACK_S) * 1000) / 1000


def _headers(limit: Limit, bucket: str, remaining: int, reset_after: float) -> dict[str, str]:
    after = _seconds(reset_after)
    return {
        "X-RateLimit-Limit": str(limit.requests),
        "X-RateLimit-Remaining": str(max(remaining, 0)),
        "X-RateLimit-Reset": f"{time.time() + after:.3f}",
        "X-RateLimit-Reset-After": f"{after:.3f}",
        "X-RateLimit-Bucket": bucket,
    }


def _refuse(limit: Limit, bucket: str, reset_after: float) -> Verdict:
    after = _seconds(reset_after)
    headers = _headers(limit, bucket, 0, reset_after)
    headers.update({"Retry-After": str(math.ceil(after)), "X-RateLimit-Scope": "user", "Via": "1.1 google"})
    return Verdict(headers, {"message": "You are being rate limited.", "retry_after": after, "global": False})


def _refuse_global(reset_after: float) -> Verdict:
    after = _seconds(reset_after)
    headers = {
        "Retry-After": str(math.ceil(after)),
        "X-RateLimit-Global": "true",
        "X-RateLimit-Scope": "global",
        "Via": "1.1 google",
    }
    return Verdict(headers, {"message": "You are being rate limited.", "retry_after": after, "global": True})

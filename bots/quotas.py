"""Per-member and per-server render limits: concurrency in memory (one lease per running request), daily
counts persisted in SQLite and charged per render (each variation and critic retry counts)."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bots.sqlite_store import SqliteStore

SCHEMA = """
CREATE TABLE IF NOT EXISTS render_counts (
    scope TEXT NOT NULL,      -- 'user' or 'guild'
    key TEXT NOT NULL,        -- the user or guild id
    day TEXT NOT NULL,        -- UTC date, YYYY-MM-DD
    renders INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (scope, key, day)
)
"""


@dataclass(frozen=True)
class Limits:
    user_concurrency: int = 2
    guild_concurrency: int = 8
    user_daily: int = 50
    guild_daily: int = 500

    @classmethod
    def from_settings(cls, settings) -> Limits:
        return cls(
            user_concurrency=settings.discord_user_concurrency,
            guild_concurrency=settings.discord_guild_concurrency,
            user_daily=settings.discord_user_daily,
            guild_daily=settings.discord_guild_daily,
        )


class Lease:
    """One admitted render; release it when the render ends, however it ends."""

    def __init__(self, quotas: Quotas, guild: str, user: str) -> None:
        self._quotas = quotas
        self.guild = guild
        self.user = user
        self._released = False

    def release(self) -> None:
        if not self._released:
            self._released = True
            self._quotas._release(self.guild, self.user)


class Quotas(SqliteStore):
    """Admits a render if the member and the server are under their concurrency and daily limits."""

    schema = (SCHEMA,)

    def __init__(self, path: Path, limits: Limits, *, today: Callable[[], dt.date] | None = None) -> None:
        super().__init__(path)
        self.limits = limits
        self._today = today or (lambda: dt.datetime.now(dt.UTC).date())
        self._active_users: Counter[str] = Counter()
        self._active_guilds: Counter[str] = Counter()
        self._lock = asyncio.Lock()

    async def _count(self, scope: str, key: str, day: str) -> int:
        row = await self._one("SELECT renders FROM render_counts WHERE scope=? AND key=? AND day=?", (scope, key, day))
        return int(row[0]) if row else 0

    async def usage(self, guild: str, user: str) -> dict[str, int]:
        day = self._today().isoformat()
        return {
            "user_today": await self._count("user", user, day),
            "guild_today": await self._count("guild", guild, day),
            "user_active": self._active_users[user],
            "guild_active": self._active_guilds[guild],
        }

    async def acquire(self, guild: str, user: str) -> Lease | str:
        """A lease for one request, or one friendly line saying which limit was reached. The lease counts
        against concurrency only: each render the request makes is charged on its own (`charge`)."""
        async with self._lock:
            limits = self.limits
            if self._active_users[user] >= limits.user_concurrency:
                return (
                    f"You already have {self._active_users[user]} render(s) going "
                    f"(limit {limits.user_concurrency}); wait for one to finish."
                )
            if self._active_guilds[guild] >= limits.guild_concurrency:
                return f"This server has {self._active_guilds[guild]} renders going; try again in a moment."
            if (why := await self._over_daily(guild, user)) is not None:
                return why
            self._active_users[user] += 1
            self._active_guilds[guild] += 1
            return Lease(self, guild, user)

    async def charge(self, guild: str, user: str) -> str | None:
        """Count one render against the member's and the server's day; None, or the line saying it is over."""
        async with self._lock:
            if (why := await self._over_daily(guild, user)) is not None:
                return why
            await self._write_many(
                "INSERT INTO render_counts (scope, key, day, renders) VALUES (?, ?, ?, 1) "
                "ON CONFLICT(scope, key, day) DO UPDATE SET renders = renders + 1",
                [("user", user, self._today().isoformat()), ("guild", guild, self._today().isoformat())],
            )
            return None

    async def _over_daily(self, guild: str, user: str) -> str | None:
        limits, day = self.limits, self._today().isoformat()
        if await self._count("user", user, day) >= limits.user_daily:
            return f"You've used your {limits.user_daily} renders for today (UTC); they reset at midnight."
        if await self._count("guild", guild, day) >= limits.guild_daily:
            return f"This server has used its {limits.guild_daily} renders for today (UTC)."
        return None

    def _release(self, guild: str, user: str) -> None:
        self._active_users[user] -= 1
        self._active_guilds[guild] -= 1

"""👍/👎 on posted takes: which message shows which take, and who voted what, in SQLite."""

from __future__ import annotations

from pathlib import Path

import aiosqlite
import discord

UP, DOWN = "👍", "👎"

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS take_messages (
        message_id TEXT PRIMARY KEY, thread_id TEXT NOT NULL, take_id TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS votes (
        message_id TEXT NOT NULL, user_id TEXT NOT NULL, emoji TEXT NOT NULL,
        PRIMARY KEY (message_id, user_id, emoji))""",
)


class VoteStore:
    """Counts reactions on take messages so a team's favourite can go to the storyboard."""

    def __init__(self, path: Path) -> None:
        self._path = Path(path)
        self._db: aiosqlite.Connection | None = None

    async def open(self) -> VoteStore:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        self._db = await aiosqlite.connect(self._path)
        for statement in SCHEMA:
            await self._db.execute(statement)
        await self._db.commit()
        return self

    async def close(self) -> None:
        if self._db is not None:
            await self._db.close()
            self._db = None

    async def remember(self, message: discord.Message, take_id: str) -> None:
        assert self._db is not None, "VoteStore.open() first"
        await self._db.execute(
            "INSERT OR REPLACE INTO take_messages VALUES (?, ?, ?)", (str(message.id), str(message.channel.id), take_id)
        )
        await self._db.commit()

    async def take_of(self, message_id: int) -> tuple[str, str] | None:
        """(thread_id, take_id) of a take message."""
        assert self._db is not None, "VoteStore.open() first"
        async with self._db.execute(
            "SELECT thread_id, take_id FROM take_messages WHERE message_id=?", (str(message_id),)
        ) as cursor:
            row = await cursor.fetchone()
        return (row[0], row[1]) if row else None

    async def vote(self, message_id: int, user_id: int, emoji: str, *, added: bool) -> bool:
        """Record a 👍/👎 on a take message; False when it is not a take or not a counted emoji."""
        assert self._db is not None, "VoteStore.open() first"
        if emoji not in (UP, DOWN) or await self.take_of(message_id) is None:
            return False
        if added:
            await self._db.execute(
                "INSERT OR IGNORE INTO votes VALUES (?, ?, ?)", (str(message_id), str(user_id), emoji)
            )
        else:
            await self._db.execute(
                "DELETE FROM votes WHERE message_id=? AND user_id=? AND emoji=?", (str(message_id), str(user_id), emoji)
            )
        await self._db.commit()
        return True

    async def tally(self, thread_id: str) -> dict[str, int]:
        """take_id -> 👍 minus 👎, over every message that showed the take in this thread."""
        assert self._db is not None, "VoteStore.open() first"
        query = """
            SELECT m.take_id, COALESCE(SUM(CASE v.emoji WHEN ? THEN 1 WHEN ? THEN -1 ELSE 0 END), 0)
            FROM take_messages m LEFT JOIN votes v ON v.message_id = m.message_id
            WHERE m.thread_id = ? GROUP BY m.take_id"""
        async with self._db.execute(query, (UP, DOWN, thread_id)) as cursor:
            rows = await cursor.fetchall()
        return {take_id: int(score) for take_id, score in rows}

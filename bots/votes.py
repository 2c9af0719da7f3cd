"""👍/👎 on posted takes: which message shows which take, and who voted what, in SQLite."""

from __future__ import annotations

import discord

from bots.sqlite_store import SqliteStore

UP, DOWN = "👍", "👎"

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS take_messages (
        message_id TEXT PRIMARY KEY, thread_id TEXT NOT NULL, take_id TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS votes (
        message_id TEXT NOT NULL, user_id TEXT NOT NULL, emoji TEXT NOT NULL,
        PRIMARY KEY (message_id, user_id, emoji))""",
)


class VoteStore(SqliteStore):
    """Counts reactions on take messages so a team's favourite can go to the storyboard."""

    schema = SCHEMA

    async def remember(self, message: discord.Message, take_id: str) -> None:
        await self._write(
            "INSERT OR REPLACE INTO take_messages VALUES (?, ?, ?)", (str(message.id), str(message.channel.id), take_id)
        )

    async def take_of(self, message_id: int) -> tuple[str, str] | None:
        """(thread_id, take_id) of a take message."""
        row = await self._one("SELECT thread_id, take_id FROM take_messages WHERE message_id=?", (str(message_id),))
        return (row[0], row[1]) if row else None

    async def vote(self, message_id: int, user_id: int, emoji: str, *, added: bool) -> bool:
        """Record a 👍/👎 on a take message; False when it is not a take or not a counted emoji."""
        if emoji not in (UP, DOWN) or await self.take_of(message_id) is None:
            return False
        if added:
            sql = "INSERT OR IGNORE INTO votes VALUES (?, ?, ?)"
        else:
            sql = "DELETE FROM votes WHERE message_id=? AND user_id=? AND emoji=?"
        await self._write(sql, (str(message_id), str(user_id), emoji))
        return True

    async def tally(self, thread_id: str) -> dict[str, int]:
        """take_id -> 👍 minus 👎, over every message that showed the take in this thread."""
        query = """
            SELECT m.take_id, COALESCE(SUM(CASE v.emoji WHEN ? THEN 1 WHEN ? THEN -1 ELSE 0 END), 0)
            FROM take_messages m LEFT JOIN votes v ON v.message_id = m.message_id
            WHERE m.thread_id = ? GROUP BY m.take_id"""
        rows = await self._all(query, (UP, DOWN, thread_id))
        return {take_id: int(score) for take_id, score in rows}

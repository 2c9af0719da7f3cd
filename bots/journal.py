"""Which project threads have a run in flight, persisted so a restarted bot can finish and deliver them."""

from __future__ import annotations

from dataclasses import dataclass

from bots.sqlite_store import SqliteStore

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs_in_flight (
    thread_id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    kind TEXT NOT NULL
)
"""


@dataclass(frozen=True)
class InFlight:
    thread_id: str
    user_id: str
    kind: str


class RunJournal(SqliteStore):
    """One row per thread while a Studio call runs there; a row left at start-up is a run a crash cut off."""

    schema = (SCHEMA,)

    async def begin(self, thread_id: str, user_id: str, kind: str) -> None:
        await self._write("INSERT OR REPLACE INTO runs_in_flight VALUES (?, ?, ?)", (thread_id, user_id, kind))

    async def end(self, thread_id: str) -> None:
        await self._write("DELETE FROM runs_in_flight WHERE thread_id=?", (thread_id,))

    async def left_over(self) -> list[InFlight]:
        rows = await self._all("SELECT thread_id, user_id, kind FROM runs_in_flight")
        return [InFlight(*row) for row in rows]

"""Which project threads have a run in flight, persisted so a restarted bot can finish and deliver them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import aiosqlite

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


class RunJournal:
    """One row per thread while a Studio call runs there; a row left at start-up is a run a crash cut off."""

    def __init__(self, path: Path) -> None:
        self._path = Path(path)
        self._db: aiosqlite.Connection | None = None

    async def open(self) -> RunJournal:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        self._db = await aiosqlite.connect(self._path)
        await self._db.execute(SCHEMA)
        await self._db.commit()
        return self

    async def close(self) -> None:
        if self._db is not None:
            await self._db.close()
            self._db = None

    async def begin(self, thread_id: str, user_id: str, kind: str) -> None:
        assert self._db is not None, "RunJournal.open() first"
        await self._db.execute("INSERT OR REPLACE INTO runs_in_flight VALUES (?, ?, ?)", (thread_id, user_id, kind))
        await self._db.commit()

    async def end(self, thread_id: str) -> None:
        assert self._db is not None, "RunJournal.open() first"
        await self._db.execute("DELETE FROM runs_in_flight WHERE thread_id=?", (thread_id,))
        await self._db.commit()

    async def left_over(self) -> list[InFlight]:
        assert self._db is not None, "RunJournal.open() first"
        async with self._db.execute("SELECT thread_id, user_id, kind FROM runs_in_flight") as cursor:
            rows = await cursor.fetchall()
        return [InFlight(*row) for row in rows]

"""Which runs are in flight, one row per run with its progress message, so a restarted bot can finish and
deliver them and remove what the old process left on screen."""

from __future__ import annotations

from dataclasses import dataclass

from bots.sqlite_store import SqliteStore

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS runs (
        run_id INTEGER PRIMARY KEY AUTOINCREMENT,
        thread_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        progress_message_id TEXT)""",
    # Before one row per run there was one per thread: carry such rows over, once.
    "CREATE TABLE IF NOT EXISTS runs_in_flight (thread_id TEXT PRIMARY KEY, user_id TEXT NOT NULL, kind TEXT NOT NULL)",
    "INSERT INTO runs (thread_id, user_id, kind) SELECT thread_id, user_id, kind FROM runs_in_flight",
    "DROP TABLE runs_in_flight",
)


@dataclass(frozen=True)
class InFlight:
    run_id: int
    thread_id: str
    user_id: str
    kind: str
    progress_message_id: str | None


class RunJournal(SqliteStore):
    """A row while a Studio call runs; a row left at start-up is a run a crash cut off."""

    schema = SCHEMA

    async def begin(self, thread_id: str, user_id: str, kind: str) -> int:
        """Journal a run; returns its id."""
        db = self._conn()
        cursor = await db.execute(
            "INSERT INTO runs (thread_id, user_id, kind) VALUES (?, ?, ?)", (thread_id, user_id, kind)
        )
        await db.commit()
        assert cursor.lastrowid is not None
        return int(cursor.lastrowid)

    async def progress(self, run_id: int, message_id: int) -> None:
        """The run's progress message, for a later start to remove if this process dies."""
        await self._write("UPDATE runs SET progress_message_id=? WHERE run_id=?", (str(message_id), run_id))

    async def end(self, run_id: int) -> None:
        await self._write("DELETE FROM runs WHERE run_id=?", (run_id,))

    async def left_over(self) -> list[InFlight]:
        rows = await self._all("SELECT run_id, thread_id, user_id, kind, progress_message_id FROM runs ORDER BY run_id")
        return [InFlight(*row) for row in rows]

"""The one SQLite connection pattern the bot's small stores share: open with schema, committed writes, reads."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Self

import aiosqlite


class SqliteStore:
    """A store over one aiosqlite connection; subclasses name their tables in `schema`."""

    schema: tuple[str, ...] = ()

    def __init__(self, path: Path) -> None:
        self._path = Path(path)
        self._db: aiosqlite.Connection | None = None

    async def open(self) -> Self:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        self._db = await aiosqlite.connect(self._path)
        for statement in self.schema:
            await self._db.execute(statement)
        await self._db.commit()
        return self

    async def close(self) -> None:
        if self._db is not None:
            await self._db.close()
            self._db = None

    def _conn(self) -> aiosqlite.Connection:
        assert self._db is not None, f"{type(self).__name__}.open() first"
        return self._db

    async def _write(self, sql: str, params: Sequence[Any] = ()) -> None:
        """Run one statement and commit it."""
        db = self._conn()
        await db.execute(sql, params)
        await db.commit()

    async def _write_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Run one statement per row and commit them together."""
        db = self._conn()
        await db.executemany(sql, rows)
        await db.commit()

    async def _one(self, sql: str, params: Sequence[Any] = ()) -> aiosqlite.Row | None:
        async with self._conn().execute(sql, params) as cursor:
            return await cursor.fetchone()

    async def _all(self, sql: str, params: Sequence[Any] = ()) -> list[aiosqlite.Row]:
        async with self._conn().execute(sql, params) as cursor:
            return list(await cursor.fetchall())

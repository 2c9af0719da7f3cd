"""The conversation checkpointer: LangGraph's async SQLite saver in the data folder, strict about types."""

from __future__ import annotations

import types
import typing
from collections import OrderedDict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import ormsgpack
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer, _msgpack_default
from langgraph.checkpoint.serde.jsonplus import _option as MSGPACK_OPTIONS
from pydantic import BaseModel

from agent.state import AgentState, TakeRecord


def state_types(root: type[BaseModel] = AgentState) -> set[tuple[str, str]]:
    """(module, name) of every pydantic model reachable from the state: the only classes a checkpoint may revive."""
    found: set[tuple[str, str]] = set()
    pending: list[Any] = [root]
    visited: set[int] = set()
    while pending:
        typ = pending.pop()
        if id(typ) in visited:
            continue
        visited.add(id(typ))
        if isinstance(typ, type) and issubclass(typ, BaseModel):
            found.add((typ.__module__, typ.__qualname__))
            pending.extend(field.annotation for field in typ.model_fields.values())
            continue
        origin = typing.get_origin(typ)
        if origin is typing.Annotated:
            pending.append(typing.get_args(typ)[0])
        elif origin is not None or isinstance(typ, types.UnionType):
            pending.extend(arg for arg in typing.get_args(typ) if not isinstance(arg, str | int | float | bool))
    return found


KEEP_CHECKPOINTS = 24


MEMO_RECORDS = 4096


class StateSerializer(JsonPlusSerializer):
    """LangGraph's msgpack serializer (same bytes), remembering the encoding of each take record it wrote.

    A thread's takes are frozen and carried from checkpoint to checkpoint as the same objects, so every
    checkpoint re-encoded every take the thread ever made: most of a turn's overhead as threads grew.
    The memo holds the object itself beside its encoding, so an id is never confused with a later object.
    """

    def __init__(self) -> None:
        super().__init__(allowed_msgpack_modules=sorted(state_types()))
        self._memo: OrderedDict[int, tuple[TakeRecord, ormsgpack.Ext]] = OrderedDict()

    def _default(self, obj: Any) -> Any:
        if type(obj) is not TakeRecord:
            return _msgpack_default(obj)
        hit = self._memo.get(id(obj))
        if hit is not None and hit[0] is obj:
            self._memo.move_to_end(id(obj))
            return hit[1]
        ext = _msgpack_default(obj)
        self._memo[id(obj)] = (obj, ext)
        if len(self._memo) > MEMO_RECORDS:
            self._memo.popitem(last=False)
        return ext

    def dumps_typed(self, obj: Any) -> tuple[str, bytes]:
        if obj is None or isinstance(obj, bytes | bytearray):
            return super().dumps_typed(obj)
        try:
            return "msgpack", ormsgpack.packb(obj, default=self._default, option=MSGPACK_OPTIONS)
        except ormsgpack.MsgpackEncodeError:
            return super().dumps_typed(obj)


def serializer() -> JsonPlusSerializer:
    """msgpack with an explicit allowlist, so pydantic state round-trips whatever LANGGRAPH_STRICT_MSGPACK says."""
    return StateSerializer()


def _redact(url: str) -> str:
    """The URL without its password, for error messages."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.password is None:
        return url
    return parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@")).geturl()


@asynccontextmanager
async def _open_postgres(url: str) -> AsyncIterator[BaseCheckpointSaver]:
    """LangGraph's Postgres saver over a small connection pool: several bot processes share conversations."""
    try:
        import psycopg
        from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
        from psycopg.rows import dict_row
        from psycopg_pool import AsyncConnectionPool, PoolTimeout
    except ImportError:
        raise RuntimeError("a postgresql:// checkpoint_url needs: pip install 'dailies[scale]'") from None

    try:  # one direct connection first: a pool retries a dead server until its timeout
        probe = await psycopg.AsyncConnection.connect(url, connect_timeout=10)
        await probe.close()
    except psycopg.OperationalError as exc:
        reason = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
        raise ConnectionError(f"cannot reach the Postgres checkpointer at {_redact(url)}: {reason}") from None
    kwargs = {"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row}
    pool = AsyncConnectionPool(url, kwargs=kwargs, min_size=1, max_size=8, open=False)
    try:
        await pool.open(wait=True, timeout=15)
    except PoolTimeout as exc:
        await pool.close()
        raise ConnectionError(f"cannot reach the Postgres checkpointer at {_redact(url)}: {exc}") from None
    try:
        saver = AsyncPostgresSaver(pool, serde=serializer())
        await saver.setup()
        yield saver
    finally:
        await pool.close()


CACHED_THREADS = 256


def cached_sqlite_saver(conn: Any, serde: JsonPlusSerializer) -> BaseCheckpointSaver:
    """LangGraph's async SQLite saver that remembers the newest checkpoint of recent threads as objects.

    Every run starts by reading its thread's newest checkpoint, and a run paused before its first render
    (so a kill can be recovered) reads it again: decoding the whole state each time was most of a turn's
    overhead. The checkpoint is still written to SQLite at every put (a restart reads it from there); only
    reads of the newest checkpoint, with no pending writes, come from memory. One process per file.
    """
    from langgraph.checkpoint.base import CheckpointTuple, copy_checkpoint, get_checkpoint_id, get_checkpoint_metadata
    from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

    class CachedSqliteSaver(AsyncSqliteSaver):
        def __init__(self) -> None:
            super().__init__(conn, serde=serde)
            self._newest: OrderedDict[tuple[str, str], CheckpointTuple] = OrderedDict()
            self._has_writes: dict[tuple[str, str], str] = {}  # the checkpoint of a thread that has pending writes

        def _forget(self, thread_id: str) -> None:
            for key in [k for k in self._newest if k[0] == thread_id]:
                del self._newest[key]

        async def aget_tuple(self, config: Any) -> CheckpointTuple | None:
            key = (str(config["configurable"]["thread_id"]), config["configurable"].get("checkpoint_ns", ""))
            cached = self._newest.get(key)
            wanted = get_checkpoint_id(config)
            if cached is not None and wanted in (None, cached.checkpoint["id"]):
                self._newest.move_to_end(key)
                return cached._replace(checkpoint=copy_checkpoint(cached.checkpoint))
            return await super().aget_tuple(config)

        async def aput(self, config: Any, checkpoint: Any, metadata: Any, new_versions: Any) -> Any:
            saved = await super().aput(config, checkpoint, metadata, new_versions)
            key = (str(saved["configurable"]["thread_id"]), saved["configurable"]["checkpoint_ns"])
            if self._has_writes.get(key) == checkpoint["id"]:
                self._newest.pop(key, None)  # its pending writes (an interrupt, a finished task) live in SQLite
                return saved
            parent_id = config["configurable"].get("checkpoint_id")
            parent = {"configurable": {"thread_id": key[0], "checkpoint_ns": key[1], "checkpoint_id": parent_id}}
            self._newest[key] = CheckpointTuple(
                saved,
                copy_checkpoint(checkpoint),
                get_checkpoint_metadata(config, metadata),
                parent if parent_id else None,
                [],
            )
            self._newest.move_to_end(key)
            while len(self._newest) > CACHED_THREADS:
                self._newest.popitem(last=False)
            return saved

        async def aput_writes(self, config: Any, writes: Any, task_id: str, task_path: str = "") -> None:
            key = (str(config["configurable"]["thread_id"]), str(config["configurable"].get("checkpoint_ns", "")))
            self._has_writes[key] = str(config["configurable"]["checkpoint_id"])
            self._newest.pop(key, None)
            await super().aput_writes(config, writes, task_id, task_path)

        async def adelete_thread(self, thread_id: str) -> None:
            self._forget(str(thread_id))
            await super().adelete_thread(thread_id)

    return CachedSqliteSaver()


@asynccontextmanager
async def open_checkpointer(url: str | None, sqlite_path: Path) -> AsyncIterator[BaseCheckpointSaver]:
    """Postgres when a postgresql:// `url` is given, else SQLite in the file `sqlite_path`."""
    if url:
        if not url.startswith(("postgresql://", "postgres://")):
            raise ValueError(f"checkpoint_url must be a postgresql:// URL, not {_redact(url)!r}")
        async with _open_postgres(url) as saver:
            yield saver
        return
    import aiosqlite

    sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    async with aiosqlite.connect(str(sqlite_path)) as conn:
        # WAL with synchronous=NORMAL: a killed process loses nothing committed, and a commit costs no fsync.
        await conn.execute("PRAGMA journal_mode=WAL")
        await conn.execute("PRAGMA synchronous=NORMAL")
        saver = cached_sqlite_saver(conn, serializer())
        await saver.setup()
        yield saver


async def prune(saver: BaseCheckpointSaver, thread_id: str, keep: int = KEEP_CHECKPOINTS) -> None:
    """Drop all but the newest `keep` checkpoints of a thread (SQLite): every checkpoint holds the whole
    state, so without this the file grows by the state's size at every step. Other savers are left alone."""
    from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

    if not isinstance(saver, AsyncSqliteSaver):
        return
    async with saver.lock:
        await saver.conn.execute(
            "DELETE FROM checkpoints WHERE thread_id = ? AND checkpoint_id NOT IN "
            "(SELECT checkpoint_id FROM checkpoints WHERE thread_id = ? ORDER BY checkpoint_id DESC LIMIT ?)",
            (thread_id, thread_id, keep),
        )
        await saver.conn.execute(
            "DELETE FROM writes WHERE thread_id = ? AND checkpoint_id NOT IN "
            "(SELECT checkpoint_id FROM checkpoints WHERE thread_id = ?)",
            (thread_id, thread_id),
        )
        await saver.conn.commit()

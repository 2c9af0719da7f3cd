"""The conversation checkpointer: LangGraph's async SQLite saver in the data folder, strict about types."""

from __future__ import annotations

import functools
import types
import typing
from collections import OrderedDict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import ormsgpack
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.serde.jsonplus import EXT_PYDANTIC_V2, JsonPlusSerializer, _msgpack_default
from langgraph.checkpoint.serde.jsonplus import _option as MSGPACK_OPTIONS
from pydantic import BaseModel

from agent.state import AgentState


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
MEMO_RECORDS = 4096  # frozen records remembered each way: a few MB for thousands of takes


@functools.cache
def _is_record_type(cls: type) -> bool:
    """A frozen pydantic model: its instances are safe to share and encode the same way every time."""
    return issubclass(cls, BaseModel) and bool(cls.model_config.get("frozen"))


def _is_record(obj: Any) -> bool:
    return _is_record_type(type(obj))


class StateSerializer(JsonPlusSerializer):
    """LangGraph's msgpack serializer (same bytes), remembering the frozen records it wrote and read.

    Every checkpoint holds the whole state, and a thread's takes, turns and attributed changes are frozen
    records carried from checkpoint to checkpoint as the same objects: without a memo every step re-encoded,
    and every run re-decoded, everything the thread ever did. Writes remember each record's encoding (keyed
    by the object, held beside it so an id is never confused with a later object); reads remember the record
    decoded from each exact encoding (frozen, so one object can serve every read). What is written does not
    change: a restart decodes the same bytes with LangGraph's own hook.
    """

    def __init__(self) -> None:
        super().__init__(allowed_msgpack_modules=sorted(state_types()))
        self._encoded: OrderedDict[int, tuple[BaseModel, ormsgpack.Ext]] = OrderedDict()
        self._decoded: OrderedDict[bytes, BaseModel] = OrderedDict()

    def _default(self, obj: Any) -> Any:
        if not _is_record(obj):
            return _msgpack_default(obj)
        hit = self._encoded.get(id(obj))
        if hit is not None and hit[0] is obj:
            self._encoded.move_to_end(id(obj))
            return hit[1]
        ext = _msgpack_default(obj)
        self._encoded[id(obj)] = (obj, ext)
        if len(self._encoded) > MEMO_RECORDS:
            self._encoded.popitem(last=False)
        return ext

    def _ext_hook(self, code: int, data: bytes) -> Any:
        if code != EXT_PYDANTIC_V2:
            return self._unpack_ext_hook(code, data)
        hit = self._decoded.get(data)
        if hit is not None:
            self._decoded.move_to_end(data)
            return hit
        obj = self._unpack_ext_hook(code, data)  # LangGraph's hook: the allowlist decides what may be built
        if _is_record(obj):
            self._decoded[data] = obj
            if len(self._decoded) > MEMO_RECORDS:
                self._decoded.popitem(last=False)
        return obj

    def dumps_typed(self, obj: Any) -> tuple[str, bytes]:
        if obj is None or isinstance(obj, bytes | bytearray):
            return super().dumps_typed(obj)
        try:
            return "msgpack", ormsgpack.packb(obj, default=self._default, option=MSGPACK_OPTIONS)
        except ormsgpack.MsgpackEncodeError:
            return super().dumps_typed(obj)

    def loads_typed(self, data: tuple[str, bytes]) -> Any:
        kind, payload = data
        if kind != "msgpack":
            return super().loads_typed(data)
        return ormsgpack.unpackb(payload, ext_hook=self._ext_hook, option=ormsgpack.OPT_NON_STR_KEYS)


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
    from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

    sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    async with aiosqlite.connect(str(sqlite_path)) as conn:
        # WAL with synchronous=NORMAL: a killed process loses nothing committed, and a commit costs no fsync.
        await conn.execute("PRAGMA journal_mode=WAL")
        await conn.execute("PRAGMA synchronous=NORMAL")
        saver = AsyncSqliteSaver(conn, serde=serializer())
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

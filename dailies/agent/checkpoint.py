"""The conversation checkpointer: LangGraph's async SQLite saver in the data folder, strict about types."""

from __future__ import annotations

import types
import typing
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer
from pydantic import BaseModel

from dailies.agent.state import AgentState
from dailies.settings import Settings


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


def serializer() -> JsonPlusSerializer:
    """msgpack with an explicit allowlist, so pydantic state round-trips whatever LANGGRAPH_STRICT_MSGPACK says."""
    return JsonPlusSerializer(allowed_msgpack_modules=sorted(state_types()))


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
async def open_checkpointer(settings: Settings) -> AsyncIterator[BaseCheckpointSaver]:
    """The checkpointer the settings name: Postgres when checkpoint_url says so, else SQLite in the data folder."""
    url = settings.checkpoint_url
    if url:
        if not url.startswith(("postgresql://", "postgres://")):
            raise ValueError(f"checkpoint_url must be a postgresql:// URL, not {_redact(url)!r}")
        async with _open_postgres(url) as saver:
            yield saver
        return
    import aiosqlite
    from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

    settings.ensure_data_dir()
    async with aiosqlite.connect(str(settings.checkpoint_path)) as conn:
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

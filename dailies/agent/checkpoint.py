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


def serializer() -> JsonPlusSerializer:
    """msgpack with an explicit allowlist, so pydantic state round-trips whatever LANGGRAPH_STRICT_MSGPACK says."""
    return JsonPlusSerializer(allowed_msgpack_modules=sorted(state_types()))


@asynccontextmanager
async def open_checkpointer(settings: Settings) -> AsyncIterator[BaseCheckpointSaver]:
    """The checkpointer the settings name: SQLite in the data folder (embedded default)."""
    import aiosqlite
    from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

    settings.ensure_data_dir()
    async with aiosqlite.connect(str(settings.checkpoint_path)) as conn:
        saver = AsyncSqliteSaver(conn, serde=serializer())
        await saver.setup()
        yield saver

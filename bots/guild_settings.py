"""Per-server and per-member defaults set with /settings, stored as JSON rows in SQLite."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from agent.state import ThreadOptions
from bots.sqlite_store import SqliteStore
from generator.guide import parse_guide
from generator.vocabulary import AspectRatio

Backend = Literal["previz", "diffusers"]

SCHEMA = """
CREATE TABLE IF NOT EXISTS defaults (
    scope TEXT NOT NULL,   -- 'guild' or 'user'
    key TEXT NOT NULL,     -- 'guild_id' or 'guild_id:user_id'
    data TEXT NOT NULL,
    PRIMARY KEY (scope, key)
)
"""


class Defaults(BaseModel):
    """Defaults for new shots; None means 'not set here, fall back'."""

    model_config = ConfigDict(extra="forbid")

    backend: Backend | None = Field(None, description="Generator backend; the studio refuses ones it does not serve.")
    model: str | None = Field(None, min_length=1, max_length=200, description="Model of that backend.")
    aspect_ratio: AspectRatio | None = None
    duration_s: float | None = Field(None, ge=0.5, le=60)
    critique: bool | None = Field(None, description="Off: takes are posted as rendered, without the critic.")
    approval_for_final: bool | None = Field(
        None, description="Ask a person before a final render (on top of DAILIES_APPROVE_FINAL_RENDERS)."
    )
    animatic: bool | None = Field(None, description="Off: a model-rendered shot is posted without its animatic.")
    guide: str | None = Field(
        None, max_length=20, description="Camera guide: previz[:STRENGTH], auto or off (over DAILIES_GUIDE)."
    )

    @field_validator("guide")
    @classmethod
    def _known_guide(cls, value: str | None) -> str | None:
        return None if value is None else str(parse_guide(value))

    def over(self, base: Defaults) -> Defaults:
        """These defaults, with unset fields taken from `base`."""
        mine = self.model_dump(exclude_none=True)
        if self.backend is not None and self.model is None and base.backend != self.backend:
            mine["model"] = None  # another backend's model does not carry over
        return base.model_copy(update=mine)

    def options(self, *, approve_final_allowed: bool = True, **explicit: object) -> ThreadOptions:
        """These defaults as the agent's per-thread options; `explicit` values (a command's own options) win."""
        chosen = {k: v for k, v in explicit.items() if v is not None}
        approve = bool(self.approval_for_final) and approve_final_allowed
        return ThreadOptions(
            backend=self.backend,
            model=self.model,
            aspect_ratio=chosen.get("aspect_ratio", self.aspect_ratio),  # type: ignore[arg-type]
            duration_s=chosen.get("duration_s", self.duration_s),  # type: ignore[arg-type]
            critique=self.critique is not False,
            approve_final=approve,
            guide=self.guide,
            animatic=self.animatic,
        )

    def describe(self) -> str:
        shown = self.model_dump(exclude_none=True)
        return ", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in shown.items()) or "nothing set"


SERVER_FALLBACK = Defaults(approval_for_final=False)


class GuildSettingsStore(SqliteStore):
    """Reads and writes server and member defaults."""

    schema = (SCHEMA,)

    async def _get(self, scope: str, key: str) -> Defaults:
        row = await self._one("SELECT data FROM defaults WHERE scope=? AND key=?", (scope, key))
        return Defaults.model_validate_json(row[0]) if row else Defaults()

    async def _put(self, scope: str, key: str, value: Defaults) -> None:
        await self._write(
            "INSERT INTO defaults (scope, key, data) VALUES (?, ?, ?) "
            "ON CONFLICT(scope, key) DO UPDATE SET data = excluded.data",
            (scope, key, value.model_dump_json()),
        )

    async def guild(self, guild_id: str) -> Defaults:
        return await self._get("guild", guild_id)

    async def user(self, guild_id: str, user_id: str) -> Defaults:
        return await self._get("user", f"{guild_id}:{user_id}")

    async def update_guild(self, guild_id: str, **changes) -> Defaults:
        value = (await self.guild(guild_id)).model_copy(update=changes)
        value = Defaults.model_validate(value.model_dump())
        await self._put("guild", guild_id, value)
        return value

    async def update_user(self, guild_id: str, user_id: str, **changes) -> Defaults:
        value = (await self.user(guild_id, user_id)).model_copy(update=changes)
        value = Defaults.model_validate(value.model_dump())
        await self._put("user", f"{guild_id}:{user_id}", value)
        return value

    async def effective(self, guild_id: str | None, user_id: str) -> Defaults:
        """Member defaults over server defaults over the built-in fallback."""
        if guild_id is None:
            return SERVER_FALLBACK
        server = (await self.guild(guild_id)).over(SERVER_FALLBACK)
        return (await self.user(guild_id, user_id)).over(server)

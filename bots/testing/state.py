"""What the fake Discord knows: guilds, channels, threads, messages, reactions, commands, and the bots it
dispatches gateway events to."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bots.testing import payloads as p
from bots.testing.clock import Snowflakes, iso, snowflake_time
from bots.testing.lifecycle import Ledger
from bots.testing.routes import (
    MISSING_PERMISSIONS,
    THREAD_ARCHIVED,
    TOO_LARGE,
    UNKNOWN_CHANNEL,
    DiscordError,
)


@dataclass
class Request:
    """One REST call as a handler sees it."""

    method: str
    params: dict[str, str]
    json: Any = None
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)


class FakeState:
    """The fake's world. Handlers read and change it; gateway events go to every attached bot."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self.ids = Snowflakes(clock)
        self.ledger = Ledger(clock)
        self.guilds: dict[int, dict[str, Any]] = {}
        self.channels: dict[int, dict[str, Any]] = {}
        self.messages: dict[int, dict[str, Any]] = {}
        self.reactions: dict[tuple[int, str], list[dict[str, Any]]] = {}
        self.thread_members: dict[int, set[int]] = {}
        self.commands: dict[str, list[dict[str, Any]]] = {}  # "global" or a guild id -> the synced commands
        self.forbidden: set[int] = set()  # channels where the bot lost its permissions
        self.dm_closed: set[int] = set()  # users who do not accept direct messages from the bot
        self.gateways: list[Any] = []  # discord.py ConnectionStates that receive gateway events

    def new_id(self) -> int:
        return self.ids.mint()

    # ---- lookups ------------------------------------------------------------------------------
    def channel(self, channel_id: int | str) -> dict[str, Any]:
        found = self.channels.get(int(channel_id))
        if found is None:
            raise DiscordError(*UNKNOWN_CHANNEL)
        return found

    def guild_of(self, channel: dict[str, Any]) -> dict[str, Any] | None:
        guild_id = channel.get("guild_id")
        return self.guilds.get(int(guild_id)) if guild_id else None

    def member(self, guild: dict[str, Any], user_id: str) -> dict[str, Any] | None:
        return next((m for m in guild["members"] if m["user"]["id"] == str(user_id)), None)

    def upload_limit(self, channel: dict[str, Any]) -> int:
        guild = self.guild_of(channel)
        return p.UPLOAD_LIMITS[int(guild.get("premium_tier", 0)) if guild else 0]

    # ---- rules shared by routes ---------------------------------------------------------------
    def writable(self, channel: dict[str, Any], *, reopens: bool) -> None:
        """Raise what Discord answers when the bot may not write here. An archived thread that is not locked
        reopens when a message is sent to it (`reopens`); every other action there is refused."""
        if int(channel["id"]) in self.forbidden:
            raise DiscordError(*MISSING_PERMISSIONS)
        meta = channel.get("thread_metadata")
        if meta is None:
            return
        if meta["locked"]:  # the bot never has Manage Threads in the fake
            raise DiscordError(*(THREAD_ARCHIVED if meta["archived"] else MISSING_PERMISSIONS))
        if meta["archived"]:
            if not reopens:
                raise DiscordError(*THREAD_ARCHIVED)
            self.set_archived(channel, False)

    def check_upload(self, channel: dict[str, Any], files: dict[str, tuple[str, bytes]]) -> None:
        if sum(len(blob) for _, blob in files.values()) > self.upload_limit(channel):
            raise DiscordError(*TOO_LARGE)

    def set_archived(self, thread: dict[str, Any], archived: bool, *, soon: bool = True) -> None:
        thread["thread_metadata"].update(archived=archived, archive_timestamp=iso(self.clock()))
        self.dispatch("thread_update", thread, soon=soon)

    # ---- builders -----------------------------------------------------------------------------
    def message(
        self,
        channel_id: int,
        payload: dict[str, Any] | None,
        *,
        author: dict[str, Any] | None = None,
        files: dict[str, tuple[str, bytes]] | None = None,
        message_id: int | None = None,
    ) -> dict[str, Any]:
        """Store and return a message as Discord returns it (attachments from the uploaded files)."""
        payload = payload or {}
        message_id = message_id or self.new_id()
        data = {
            "id": str(message_id),
            "channel_id": str(channel_id),
            "author": author or p.bot_user(),
            "content": payload.get("content") or "",
            "timestamp": iso(snowflake_time(message_id)),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": self.attachments(message_id, files or {}),
            "embeds": payload.get("embeds") or [],
            "components": payload.get("components") or [],
            "pinned": False,
            "type": 0,
            "flags": payload.get("flags") or 0,
        }
        channel = self.channels.get(channel_id)
        if channel and channel.get("guild_id"):
            data["guild_id"] = channel["guild_id"]
        if channel is not None:
            channel["last_message_id"] = str(message_id)
        self.messages[message_id] = data
        return data

    def attachments(self, message_id: int, files: dict[str, tuple[str, bytes]]) -> list[dict[str, Any]]:
        found = []
        for filename, blob in files.values():
            url = f"https://cdn.invalid/{message_id}/{filename}"
            found.append(
                {"id": str(self.new_id()), "filename": filename, "size": len(blob), "url": url, "proxy_url": url}
            )
        return found

    def edit(
        self, message: dict[str, Any], body: dict[str, Any], files: dict[str, tuple[str, bytes]] | None = None
    ) -> dict[str, Any]:
        """Apply an edit (checked already): `attachments` lists those to keep by id, new files are added."""
        for key in ("content", "embeds", "components"):
            if key in body:
                message[key] = body[key] if body[key] is not None else ("" if key == "content" else [])
        if "attachments" in body or files:
            have = {att["id"]: att for att in message["attachments"]}
            listed = body.get("attachments")
            keep = [str(att.get("id")) for att in listed or []] if "attachments" in body else list(have)
            added = self.attachments(int(message["id"]), files or {})
            message["attachments"] = [have[i] for i in keep if i in have] + added
        message["edited_timestamp"] = iso(self.clock())
        return message

    def thread(self, parent: dict[str, Any], name: str, kind: int) -> dict[str, Any]:
        thread = p.thread_channel(self.new_id(), int(parent["id"]), int(parent["guild_id"]), name, p.BOT_ID, kind=kind)
        return self.add_thread(thread)

    def add_thread(self, thread: dict[str, Any], *, soon: bool = True) -> dict[str, Any]:
        """Register a thread and tell the bots (THREAD_CREATE), as Discord does when one is made."""
        self.channels[int(thread["id"])] = thread
        self.thread_members.setdefault(int(thread["id"]), set()).add(int(thread["owner_id"]))
        self.dispatch("thread_create", {**thread, "newly_created": True}, soon=soon)
        return thread

    # ---- gateway ------------------------------------------------------------------------------
    def dispatch(self, event: str, data: dict[str, Any], *, soon: bool = True) -> None:
        """Send a gateway event to every attached bot: right after the current REST answer (`soon`), or now."""
        for gateway in self.gateways:
            parse = getattr(gateway, f"parse_{event}")
            if soon:
                asyncio.get_running_loop().call_soon(parse, dict(data))
            else:
                parse(dict(data))

    def guild_create(self, guild_id: int) -> dict[str, Any]:
        """A GUILD_CREATE payload: the guild with its channels and its active threads."""
        data = dict(self.guilds[guild_id])
        threads = [
            c
            for c in self.channels.values()
            if c.get("guild_id") == str(guild_id) and not c.get("thread_metadata", {"archived": True})["archived"]
        ]
        return {**data, "threads": threads}

"""A fake Discord REST server on 127.0.0.1 that records every call, plus gateway payload builders."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

BOT_ID = 900000000000000001
APP_ID = 900000000000000002
OWNER_ID = 900000000000000003
EPOCH_ISO = "2026-01-01T00:00:00.000000+00:00"


@dataclass
class Call:
    """One REST call the bot made, as the server saw it."""

    method: str
    path: str
    at: float
    json: Any = None
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)
    status: int = 0
    result: Any = None  # the JSON the fake answered with

    @property
    def content(self) -> str | None:
        return (self.json or {}).get("content") if isinstance(self.json, dict) else None


def _json(data: Any, status: int = 200) -> web.Response:
    # discord.py parses JSON only when Content-Type is exactly application/json (no charset).
    return web.Response(body=json.dumps(data).encode(), status=status, headers={"Content-Type": "application/json"})


def _error(status: int, code: int, message: str) -> web.Response:
    return _json({"code": code, "message": message}, status)


class FakeDiscord:
    """Implements the routes the bot uses; unknown routes answer 404 and are recorded in `unknown`."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.unknown: list[str] = []
        self.messages: dict[int, dict[str, Any]] = {}
        self.channels: dict[int, dict[str, Any]] = {}
        self.guilds: dict[int, dict[str, Any]] = {}
        self.reactions: dict[tuple[int, str], list[dict[str, Any]]] = {}
        self.archived: set[int] = set()
        self.forbidden: set[int] = set()
        self._originals: dict[str, int] = {}
        self._ids = itertools.count(950000000000000000)
        self._runner: web.AppRunner | None = None
        self.base_url = ""
        self.changed = asyncio.Event()

    # ---- lifecycle -------------------------------------------------------------------------
    async def start(self) -> str:
        app = web.Application(client_max_size=200 * 1024 * 1024)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._dispatch)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{port}/api/v10"
        return self.base_url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def new_id(self) -> int:
        return next(self._ids)

    # ---- queries for tests -----------------------------------------------------------------
    def find(self, method: str, contains: str = "") -> list[Call]:
        return [c for c in self.calls if c.method == method and contains in c.path]

    async def wait_for(self, predicate, timeout: float = 20.0) -> Call:
        """Wait until a recorded call satisfies `predicate`; return it."""
        deadline = time.monotonic() + timeout
        while True:
            for call in self.calls:
                if predicate(call):
                    return call
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no matching call within {timeout} s; calls: {self.summary(content=True)}")
            self.changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.changed.wait(), timeout=min(remaining, 0.5))

    def summary(self, *, content: bool = False) -> list[str]:
        return [f"{c.method} {c.path}" + (f" {(c.content or '')[:80]!r}" if content else "") for c in self.calls]

    # ---- dispatch --------------------------------------------------------------------------
    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["tail"]
        call = Call(method=request.method, path=path, at=time.monotonic(), query=dict(request.query))
        await self._read_body(request, call)
        self.calls.append(call)
        self.changed.set()
        parts = path.strip("/").split("/")
        for handler in (
            self._identity,
            self._commands,
            self._interaction_callback,
            self._webhooks,
            self._threads,
            self._reactions,
            self._messages,
            self._channel,
            self._guild,
        ):
            response = handler(request.method, parts, call)
            if response is not None:
                call.status = response.status
                if response.body and response.content_type == "application/json":
                    call.result = json.loads(response.body)
                return response
        self.unknown.append(f"{request.method} {path}")
        call.status = 404
        return _error(404, 0, f"fake discord: unknown route {request.method} {path}")

    async def _read_body(self, request: web.Request, call: Call) -> None:
        ctype = request.headers.get("Content-Type", "")
        if ctype.startswith("multipart/"):
            reader = await request.multipart()
            async for part in reader:
                data = await part.read()
                if part.name == "payload_json":
                    call.json = json.loads(data)
                elif part.filename is not None:
                    call.files[part.name or ""] = (part.filename, bytes(data))
        elif request.can_read_body:
            raw = await request.read()
            call.json = json.loads(raw) if raw else None

    # ---- builders --------------------------------------------------------------------------
    def message(self, channel_id: int, payload: dict[str, Any] | None, *, author: dict | None = None) -> dict:
        payload = payload or {}
        message_id = self.new_id()
        attachments = []
        for index, att in enumerate(payload.get("attachments", [])):
            attachments.append(
                {
                    "id": str(self.new_id()),
                    "filename": att.get("filename", f"file{index}"),
                    "size": att.get("size", 0),
                    "url": f"https://cdn.invalid/{message_id}/{att.get('filename', index)}",
                    "proxy_url": f"https://cdn.invalid/{message_id}/{att.get('filename', index)}",
                }
            )
        data = {
            "id": str(message_id),
            "channel_id": str(channel_id),
            "author": author or bot_user(),
            "content": payload.get("content") or "",
            "timestamp": EPOCH_ISO,
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": attachments,
            "embeds": payload.get("embeds") or [],
            "components": payload.get("components") or [],
            "pinned": False,
            "type": 0,
            "flags": payload.get("flags", 0),
        }
        channel = self.channels.get(channel_id)
        if channel and channel.get("guild_id"):
            data["guild_id"] = channel["guild_id"]
        self.messages[message_id] = data
        return data

    def _message_with_files(self, channel_id: int, call: Call) -> dict:
        payload = dict(call.json or {})
        atts = payload.get("attachments") or []
        for index, (name, (filename, blob)) in enumerate(call.files.items()):
            if index < len(atts):
                atts[index] = {**atts[index], "filename": filename, "size": len(blob)}
            else:
                atts.append({"filename": filename, "size": len(blob), "field": name})
        payload["attachments"] = atts
        return self.message(channel_id, payload)

    def _edit(self, message_id: int, call: Call) -> web.Response:
        message = self.messages.get(message_id)
        if message is None:
            return _error(404, 10008, "Unknown Message")
        body = call.json if isinstance(call.json, dict) else {}
        if "attachments" in body:
            # As Discord: the list names the attachments to keep (by id); new files come as multipart parts.
            have = {att["id"]: att for att in message["attachments"]}
            kept = [have.get(str(att.get("id"))) for att in body["attachments"] if "id" in att]
            if any(att is None for att in kept):
                return _error(400, 50035, "Invalid Form Body: unknown attachment id")
            added = [
                {"id": str(self.new_id()), "filename": filename, "size": len(blob), "url": "", "proxy_url": ""}
                for filename, blob in call.files.values()
            ]
            message["attachments"] = [*kept, *added]
        for key in ("content", "embeds", "components", "flags"):
            if key in body:
                message[key] = body[key]
        message["edited_timestamp"] = EPOCH_ISO
        return _json(message)

    def _check_channel(self, channel_id: int) -> web.Response | None:
        if channel_id in self.forbidden:
            return _error(403, 50013, "Missing Permissions")
        if channel_id in self.archived:
            return _error(400, 50083, "Thread is archived")
        return None

    # ---- routes ----------------------------------------------------------------------------
    def _identity(self, method: str, parts: list[str], call: Call) -> web.Response | None:
        if method == "GET" and parts == ["users", "@me"]:
            return _json(bot_user())
        if method == "GET" and parts == ["oauth2", "applications", "@me"]:
            return _json(
                {
                    "id": str(APP_ID),
                    "name": "Dailies",
                    "description": "",
                    "icon": None,
                    "bot_public": True,
                    "bot_require_code_grant": False,
                    "owner": user(OWNER_ID, "owner"),
                    "verify_key": "0" * 64,
                    "flags": 0,
                }
            )
        return None

    def _commands(self, method: str, parts: list[str], call: Call) -> web.Response | None:
        if parts[:1] == ["applications"] and parts[-1] == "commands" and method == "PUT":
            commands = [
                {**cmd, "id": str(self.new_id()), "application_id": str(APP_ID), "version": "1"}
                for cmd in (call.json or [])
            ]
            return _json(commands)
        return None

    def _interaction_callback(self, method: str, parts: list[str], call: Call) -> web.Response | None:
        if parts[:1] == ["interactions"] and parts[-1] == "callback" and method == "POST":
            body = call.json or {}
            reply: dict[str, Any] = {"interaction": {"id": parts[1], "type": 2}}
            if body.get("type") == 4:
                message = self._message_with_files(0, call) if call.files else self.message(0, body.get("data"))
                reply["resource"] = {"type": 4, "message": message}
                reply["interaction"]["response_message_id"] = message["id"]
            return _json(reply)
        return None

    def _webhooks(self, method: str, parts: list[str], call: Call) -> web.Response | None:
        if parts[:1] != ["webhooks"] or len(parts) < 3:
            return None
        token = parts[2]
        if len(parts) == 3 and method == "POST":  # follow-up
            return _json(self._message_with_files(0, call) if call.files else self.message(0, call.json))
        if len(parts) == 5 and parts[3] == "messages":
            target = parts[4]
            if target == "@original":
                if token not in self._originals:
                    self._originals[token] = int(self.message(0, {})["id"])
                msg_id = self._originals[token]
            else:
                msg_id = int(target)
            if method == "PATCH":
                return self._edit(msg_id, call)
            if method == "GET":
                return _json(self.messages[msg_id])
            if method == "DELETE":
                self.messages.pop(msg_id, None)
                return web.Response(status=204)
        return None

    def _threads(self, method: str, parts: list[str], call: Call) -> web.Response | None:
        if parts[:1] == ["channels"] and parts[-1] == "threads" and method == "POST":
            parent_id = int(parts[1])
            if (denied := self._check_channel(parent_id)) is not None:
                return denied
            parent = self.channels.get(parent_id, {})
            body = call.json or {}
            thread = thread_channel(
                self.new_id(), parent_id, int(parent.get("guild_id", 0)), body.get("name", "thread"), BOT_ID
            )
            self.channels[int(thread["id"])] = thread
            return _json(thread)
        return None

    def _reactions(self, method: str, parts: list[str], call: Call) -> web.Response | None:
        if parts[:1] == ["channels"] and len(parts) >= 6 and parts[4] == "reactions":
            message_id, emoji = int(parts[3]), parts[5]
            if method == "PUT":
                self.reactions.setdefault((message_id, emoji), []).append(bot_user())
                return web.Response(status=204)
            if method == "GET":
                return _json(self.reactions.get((message_id, emoji), []))
        return None

    def _messages(self, method: str, parts: list[str], call: Call) -> web.Response | None:
        if parts[:1] != ["channels"] or len(parts) < 3 or parts[2] != "messages":
            return None
        channel_id = int(parts[1])
        if len(parts) == 3 and method == "POST":
            if (denied := self._check_channel(channel_id)) is not None:
                return denied
            return _json(self._message_with_files(channel_id, call))
        if len(parts) == 4:
            message_id = int(parts[3])
            if method == "PATCH":
                if (denied := self._check_channel(channel_id)) is not None:
                    return denied
                return self._edit(message_id, call)
            if method == "GET":
                found = self.messages.get(message_id)
                return _json(found) if found else _error(404, 10008, "Unknown Message")
            if method == "DELETE":
                self.messages.pop(message_id, None)
                return web.Response(status=204)
        return None

    def _channel(self, method: str, parts: list[str], call: Call) -> web.Response | None:
        if parts[:1] == ["channels"] and len(parts) == 2 and method == "GET":
            found = self.channels.get(int(parts[1]))
            return _json(found) if found else _error(404, 10003, "Unknown Channel")
        return None

    def _guild(self, method: str, parts: list[str], call: Call) -> web.Response | None:
        if parts[:1] == ["guilds"] and len(parts) == 2 and method == "GET":
            found = self.guilds.get(int(parts[1]))
            return _json(found) if found else _error(404, 10004, "Unknown Guild")
        if parts[:1] == ["guilds"] and len(parts) == 4 and parts[2] == "members" and method == "GET":
            guild = self.guilds.get(int(parts[1]))
            if guild is None:
                return _error(404, 10004, "Unknown Guild")
            found = next((m for m in guild["members"] if m["user"]["id"] == parts[3]), None)
            return _json(found) if found else _error(404, 10007, "Unknown Member")
        return None

    def register_guild(self, guild: dict[str, Any]) -> None:
        self.guilds[int(guild["id"])] = guild
        for channel in guild.get("channels", []) + guild.get("threads", []):
            self.channels[int(channel["id"])] = {**channel, "guild_id": guild["id"]}


# ---- gateway payload builders --------------------------------------------------------------
def user(user_id: int, name: str, *, bot: bool = False) -> dict[str, Any]:
    return {"id": str(user_id), "username": name, "discriminator": "0", "avatar": None, "global_name": name, "bot": bot}


def bot_user() -> dict[str, Any]:
    return user(BOT_ID, "dailies", bot=True)


def member(
    user_id: int, name: str, roles: tuple[int, ...] = (), permissions: int = 0, nick: str | None = None
) -> dict[str, Any]:
    return {
        "user": user(user_id, name),
        "nick": nick,
        "roles": [str(r) for r in roles],
        "joined_at": EPOCH_ISO,
        "deaf": False,
        "mute": False,
        "flags": 0,
        "permissions": str(permissions),
    }


def text_channel(channel_id: int, guild_id: int, name: str, *, nsfw: bool = False) -> dict[str, Any]:
    return {
        "id": str(channel_id),
        "type": 0,
        "guild_id": str(guild_id),
        "name": name,
        "position": 0,
        "permission_overwrites": [],
        "nsfw": nsfw,
        "parent_id": None,
        "topic": None,
        "rate_limit_per_user": 0,
    }


def thread_channel(
    thread_id: int, parent_id: int, guild_id: int, name: str, owner_id: int, *, archived: bool = False
) -> dict[str, Any]:
    return {
        "id": str(thread_id),
        "type": 11,
        "guild_id": str(guild_id),
        "parent_id": str(parent_id),
        "owner_id": str(owner_id),
        "name": name,
        "rate_limit_per_user": 0,
        "message_count": 0,
        "member_count": 1,
        "last_message_id": None,
        "thread_metadata": {
            "archived": archived,
            "auto_archive_duration": 1440,
            "archive_timestamp": EPOCH_ISO,
            "locked": False,
        },
    }


ALL_PERMISSIONS = (1 << 50) - 1
# view channel, send, embed, attach, history, reactions, app commands, public threads, send in threads.
EVERYONE_PERMISSIONS = 0x48_8001_CC41


def guild(
    guild_id: int,
    *,
    channels: list[dict[str, Any]],
    members: list[dict[str, Any]],
    roles: list[dict[str, Any]] = (),
    premium_tier: int = 0,
    owner_id: int = OWNER_ID,
) -> dict[str, Any]:
    everyone = {
        "id": str(guild_id),
        "name": "@everyone",
        "permissions": str(EVERYONE_PERMISSIONS),
        "position": 0,
        "color": 0,
        "hoist": False,
        "managed": False,
        "mentionable": False,
    }
    bot_member = member(BOT_ID, "dailies")
    bot_member["user"]["bot"] = True
    return {
        "id": str(guild_id),
        "name": f"guild-{guild_id}",
        "owner_id": str(owner_id),
        "premium_tier": premium_tier,
        "roles": [everyone, *roles],
        "channels": channels,
        "threads": [],
        "members": [bot_member, *members],
        "member_count": len(members) + 1,
        "emojis": [],
        "stickers": [],
        "features": [],
        "large": False,
        "unavailable": False,
    }


def role(role_id: int, name: str, *, permissions: int = 0) -> dict[str, Any]:
    return {
        "id": str(role_id),
        "name": name,
        "permissions": str(permissions),
        "position": 1,
        "color": 0,
        "hoist": False,
        "managed": False,
        "mentionable": True,
    }


class Interactions:
    """Builds interaction payloads with fresh ids and tokens."""

    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake
        self.app_permissions = ALL_PERMISSIONS  # the bot's permissions in the channel, sent with every interaction

    def _base(self, kind: int, guild_id: int | None, channel: dict[str, Any], who: dict[str, Any]) -> dict[str, Any]:
        """A guild interaction from a member, or (guild_id None) a direct message from a user."""
        interaction_id = self.fake.new_id()
        payload: dict[str, Any] = {
            "id": str(interaction_id),
            "application_id": str(APP_ID),
            "type": kind,
            "token": f"tok{interaction_id}",
            "version": 1,
            "channel_id": channel["id"],
            "channel": channel,
            "app_permissions": str(self.app_permissions),
            "locale": "en-US",
            "entitlements": [],
            "attachment_size_limit": 10 * 1024 * 1024,
        }
        if guild_id is None:
            person = who.get("user", who)
            payload.update(user=person, context=1, authorizing_integration_owners={"1": person["id"]})
        else:
            payload.update(
                guild_id=str(guild_id),
                member=who,
                guild_locale="en-US",
                context=0,
                authorizing_integration_owners={"0": str(guild_id)},
            )
        return payload

    def slash(
        self,
        name: str,
        options: dict[str, Any],
        *,
        guild_id: int | None,
        channel: dict,
        who: dict,
        group: str | None = None,
    ) -> dict[str, Any]:
        payload = self._base(2, guild_id, channel, who)
        opts = [{"name": k, "type": _option_type(v), "value": v} for k, v in options.items()]
        if group is not None:
            opts = [{"name": name, "type": 1, "options": opts}]
            name = group
        payload["data"] = {"id": str(self.fake.new_id()), "name": name, "type": 1, "options": opts}
        return payload

    def button(
        self, custom_id: str, *, guild_id: int | None, channel: dict, who: dict, message: dict
    ) -> dict[str, Any]:
        payload = self._base(3, guild_id, channel, who)
        payload["data"] = {"custom_id": custom_id, "component_type": 2}
        payload["message"] = message
        return payload

    def modal(
        self, custom_id: str, fields: dict[str, str], *, guild_id: int | None, channel: dict, who: dict
    ) -> dict[str, Any]:
        payload = self._base(5, guild_id, channel, who)
        payload["data"] = {
            "custom_id": custom_id,
            "components": [
                {"type": 1, "components": [{"type": 4, "custom_id": key, "value": value}]}
                for key, value in fields.items()
            ],
        }
        return payload


def button_row(*custom_ids: str) -> list[dict[str, Any]]:
    """The components of a message showing buttons with these custom_ids."""
    buttons = [{"type": 2, "style": 2, "label": cid.split(":")[2], "custom_id": cid} for cid in custom_ids]
    return [{"type": 1, "components": buttons}]


def _option_type(value: Any) -> int:
    if isinstance(value, bool):
        return 5
    if isinstance(value, int):
        return 4
    if isinstance(value, float):
        return 10
    return 3


def message_create(
    fake: FakeDiscord, channel: dict, who: dict, content: str, *, guild_id: int | None
) -> dict[str, Any]:
    """A MESSAGE_CREATE payload from a member in a channel or thread, or (guild_id None) in a DM.

    As Discord does, `mentions` resolves each `<@id>` / `<@!id>` of a user it knows (a member of the guild, or
    in a DM one of its two people), with the member's guild fields; unknown ids are left out."""
    data = fake.message(int(channel["id"]), {"content": content}, author=who.get("user", who))
    if guild_id is not None:
        data["guild_id"] = str(guild_id)
        data["member"] = {k: v for k, v in who.items() if k != "user"}
        known = {m["user"]["id"]: m for m in fake.guilds[guild_id]["members"]}
    else:
        known = {u["id"]: {"user": u} for u in (who.get("user", who), bot_user())}
    mentioned = dict.fromkeys(re.findall(r"<@!?(\d+)>", content))
    data["mentions"] = [
        {**known[i]["user"], **({"member": {k: v for k, v in known[i].items() if k != "user"}} if guild_id else {})}
        for i in mentioned
        if i in known
    ]
    return data


def dm_channel(channel_id: int, recipient: dict[str, Any]) -> dict[str, Any]:
    """A direct-message channel between the bot and one user."""
    return {"id": str(channel_id), "type": 1, "recipients": [recipient.get("user", recipient)], "last_message_id": None}


def reaction_add(message_id: int, channel_id: int, guild_id: int, who: dict, emoji: str) -> dict[str, Any]:
    return {
        "user_id": who["user"]["id"],
        "channel_id": str(channel_id),
        "message_id": str(message_id),
        "guild_id": str(guild_id),
        "member": who,
        "emoji": {"id": None, "name": emoji},
        "burst": False,
        "type": 0,
    }

"""A fake Discord on 127.0.0.1, as strict as Discord: it validates payloads (50035), keeps the interaction
lifecycle (10062, 40060, 50027), rate-limits per route and globally (429 with real headers), refuses uploads
over a server's limit (413), knows channel and thread types, and sends THREAD_CREATE/THREAD_UPDATE to the
bots attached to it. It records every call; tests and benchmarks read the record.

Tests and `bench/discord_load.py` use it as `from bots.testing import fake_discord as fd`: the server, and
the payload builders (`fd.member`, `fd.thread_channel`, `fd.Interactions`, `fd.message_create`, ...).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from bots.testing import app_routes, channel_routes, interaction_routes
from bots.testing.events import Interactions, message_create
from bots.testing.payloads import (
    ALL_PERMISSIONS,
    ANNOUNCEMENT,
    ANNOUNCEMENT_THREAD,
    APP_ID,
    BOT_ID,
    EVERYONE_PERMISSIONS,
    FORUM,
    OWNER_ID,
    bot_user,
    button_row,
    dm_channel,
    guild,
    member,
    reaction_add,
    role,
    text_channel,
    thread_channel,
    user,
)
from bots.testing.ratelimits import Limit, RateLimiter
from bots.testing.routes import UNAUTHORIZED, DiscordError, major_parameters, match
from bots.testing.state import FakeState, Request

__all__ = [
    "ALL_PERMISSIONS",
    "ANNOUNCEMENT",
    "ANNOUNCEMENT_THREAD",
    "APP_ID",
    "BOT_ID",
    "EVERYONE_PERMISSIONS",
    "FORUM",
    "OWNER_ID",
    "Call",
    "FakeDiscord",
    "Interactions",
    "bot_user",
    "button_row",
    "dm_channel",
    "guild",
    "member",
    "message_create",
    "reaction_add",
    "role",
    "text_channel",
    "thread_channel",
    "user",
]

HANDLERS: dict[str, Callable[[FakeState, Request], tuple[int, Any]]] = {
    name: handler
    for module in (app_routes, channel_routes, interaction_routes)
    for name, handler in vars(module).items()
    if callable(handler) and not name.startswith("_")
}


@dataclass
class Call:
    """One REST call the bot made, as the server saw it, and how it was answered."""

    method: str
    path: str
    at: float  # time.monotonic() when it arrived
    json: Any = None
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)
    route: str = ""  # the route template, e.g. "POST /channels/{channel_id}/messages"
    status: int = 0
    result: Any = None  # the JSON the fake answered with
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def content(self) -> str | None:
        return (self.json or {}).get("content") if isinstance(self.json, dict) else None

    @property
    def invalid(self) -> bool:
        """What Discord counts towards its ban on invalid requests: 401, 403 and 429 answers."""
        return self.status in (401, 403) or (self.status == 429 and self.headers.get("X-RateLimit-Scope") != "shared")


Hook = Callable[[Call], None]


class FakeDiscord:
    """The server. `clock` (wall seconds) drives interaction ids and their 3 s and 15-minute rules; tests pass
    a ManualClock so those rules never depend on machine load. Rate limits run on `rate_clock`."""

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.time,
        rate_clock: Callable[[], float] = time.monotonic,
        rate_limits: bool = True,
        limits: dict[str, Limit] | None = None,
        token: str | None = None,
        patience: float = 1.0,
    ) -> None:
        self.state = FakeState(clock)
        self.patience = patience  # stretches every wait_for timeout: a hang guard on a busy machine, not a bound
        self.clock = clock
        self.limiter = RateLimiter(clock=rate_clock, limits=limits, enabled=rate_limits)
        self.token = token  # when set, the only bot token accepted (others get 401)
        self.calls: list[Call] = []
        self.unknown: list[str] = []
        self._hooks: list[tuple[Callable[[Call], bool], Hook]] = []
        self._runner: web.AppRunner | None = None
        self.base_url = ""
        self.changed = asyncio.Event()

    # ---- the world, for tests -------------------------------------------------------------------
    @property
    def channels(self) -> dict[int, dict[str, Any]]:
        return self.state.channels

    @property
    def messages(self) -> dict[int, dict[str, Any]]:
        return self.state.messages

    @property
    def guilds(self) -> dict[int, dict[str, Any]]:
        return self.state.guilds

    @property
    def forbidden(self) -> set[int]:
        return self.state.forbidden

    def new_id(self) -> int:
        return self.state.new_id()

    def register_guild(self, data: dict[str, Any]) -> None:
        self.state.guilds[int(data["id"])] = data
        for channel in data.get("channels", []) + data.get("threads", []):
            self.state.channels[int(channel["id"])] = {**channel, "guild_id": data["id"]}

    def connect(self, connection: Any) -> None:
        """Attach a bot's gateway state (`bot._connection`): it gets GUILD_CREATE for every guild now, and
        every later gateway event."""
        self.state.gateways.append(connection)
        for guild_id in self.state.guilds:
            connection._add_guild_from_data(self.state.guild_create(guild_id))

    def disconnect(self, connection: Any) -> None:
        with contextlib.suppress(ValueError):
            self.state.gateways.remove(connection)

    def add_thread(self, thread: dict[str, Any]) -> dict[str, Any]:
        """A thread that exists before the test (made by the bot earlier): stored, and THREAD_CREATE sent now."""
        return self.state.add_thread(thread, soon=False)

    def set_thread(self, thread_id: int, **metadata: bool) -> None:
        """Archive or lock a thread (as auto-archive or a moderator would); the bots get THREAD_UPDATE."""
        thread = self.state.channels[int(thread_id)]
        thread["thread_metadata"].update(metadata)
        self.state.dispatch("thread_update", thread, soon=False)

    def message(self, channel_id: int, payload: dict[str, Any] | None, *, author: dict | None = None) -> dict:
        """A message already in a channel (the bot's own by default)."""
        return self.state.message(channel_id, payload, author=author)

    # ---- rules on interactions -------------------------------------------------------------------
    def expect_unanswered(self, payload: dict[str, Any]) -> None:
        """This interaction cannot be answered (a test made it too old): do not report it."""
        self.state.ledger.by_id[int(payload["id"])].expected_unanswered = True

    def unanswered(self) -> list[str]:
        """Interactions a member would see fail: no response within its window, or "thinking…" forever."""
        return self.state.ledger.unanswered()

    def shown_for(self, payload: dict[str, Any]) -> dict[str, Any] | None:
        """The message a member sees as the answer to their interaction (the one that replaced "thinking…")."""
        record = self.state.ledger.by_id[int(payload["id"])]
        return self.state.messages.get(record.original) if record.original is not None else None

    def invalid_requests(self) -> list[Call]:
        return [c for c in self.calls if c.invalid]

    def before(self, predicate: Callable[[Call], bool], action: Hook, *, times: int = 1) -> None:
        """Run `action(call)` before answering the next `times` calls that match (it may move the clock, or
        raise a DiscordError that becomes the answer)."""
        remaining = [times]

        def once(call: Call) -> None:
            if remaining[0] > 0:
                remaining[0] -= 1
                action(call)

        self._hooks.append((predicate, once))

    # ---- lifecycle -------------------------------------------------------------------------------
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
        self.state.gateways.clear()
        if self._runner is not None:
            await self._runner.cleanup()

    # ---- queries for tests -----------------------------------------------------------------------
    def find(self, method: str, contains: str = "") -> list[Call]:
        return [c for c in self.calls if c.method == method and contains in c.path]

    async def wait_for(self, predicate: Callable[[Call], bool], timeout: float = 20.0) -> Call:
        """Wait until a recorded call satisfies `predicate`; return it (`timeout` is stretched by `patience`)."""
        timeout *= self.patience
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
        """ "METHOD /path" per call (with the status and the start of its content when `content`)."""
        return [
            f"{c.method} {c.path}" + (f" -> {c.status} {(c.content or '')[:80]!r}" if content else "")
            for c in self.calls
        ]

    # ---- dispatch --------------------------------------------------------------------------------
    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["tail"]
        call = Call(method=request.method, path=path, at=time.monotonic(), query=dict(request.query))
        await self._read_body(request, call)
        self.calls.append(call)
        self.changed.set()
        status, body, headers = self._answer(request, call)
        call.status, call.result, call.headers = status, body, headers
        if status == 204:
            return web.Response(status=204, headers=headers)
        # discord.py parses JSON only when Content-Type is exactly application/json (no charset).
        return web.Response(
            body=json.dumps(body).encode(), status=status, headers={**headers, "Content-Type": "application/json"}
        )

    def _answer(self, request: web.Request, call: Call) -> tuple[int, Any, dict[str, str]]:
        found = match(call.method, call.path)
        if found is None:
            self.unknown.append(f"{call.method} {call.path}")
            return 404, {"code": 0, "message": f"fake discord: unknown route {call.method} {call.path}"}, {}
        route, params = found
        call.route = route.key
        if not route.exempt_from_global and not self._authorized(request.headers.get("Authorization", "")):
            status, code, message = UNAUTHORIZED
            return status, {"code": code, "message": message}, {}
        verdict = self.limiter.check(route.key, major_parameters(params), exempt_from_global=route.exempt_from_global)
        if verdict.refused is not None:
            return 429, verdict.refused, verdict.headers
        try:
            for predicate, hook in list(self._hooks):
                if predicate(call):
                    hook(call)
            req = Request(call.method, params, call.json, call.files, call.query)
            status, body = HANDLERS[route.handler](self.state, req)
        except DiscordError as error:
            return error.status, error.body(), verdict.headers
        return status, body, verdict.headers

    def _authorized(self, header: str) -> bool:
        scheme, _, token = header.partition(" ")
        return scheme == "Bot" and bool(token) and (self.token is None or token == self.token)

    async def _read_body(self, request: web.Request, call: Call) -> None:
        ctype = request.headers.get("Content-Type", "")
        if ctype.startswith("multipart/"):
            reader = await request.multipart()
            async for part in reader:
                data = await part.read()  # type: ignore[union-attr]
                if part.name == "payload_json":
                    call.json = json.loads(data)
                elif part.filename is not None:  # type: ignore[union-attr]
                    call.files[part.name or ""] = (part.filename, bytes(data))  # type: ignore[union-attr]
        elif request.can_read_body:
            raw = await request.read()
            call.json = json.loads(raw) if raw else None

"""The fake Discord refuses what Discord refuses: form limits (50035), the interaction lifecycle (10062, 40060,
50027), rate limits (429 with headers), uploads over the limit (413), channel and thread rules."""

from __future__ import annotations

import contextlib
import json
from typing import Any

import aiohttp
import discord
import pytest

from bots.testing import fake_discord as fd
from bots.testing.ratelimits import Limit
from tests.bots.conftest import CHANNEL_ID, GUILD_ID, TOKEN, make_guild

ANNOUNCE_ID, FORUM_ID = 800000000000000012, 800000000000000013


class Stopwatch:
    """A rate-limit clock that stands still until moved."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@contextlib.asynccontextmanager
async def serving(clock, **options: Any):
    """A started fake (the test guild plus an announcement and a forum channel) and a raw HTTP session."""
    watch = Stopwatch()
    fake = fd.FakeDiscord(clock=clock, rate_clock=watch, token=TOKEN, **options)
    data = make_guild()
    data["channels"] += [
        fd.text_channel(ANNOUNCE_ID, GUILD_ID, "news", kind=fd.ANNOUNCEMENT),
        fd.text_channel(FORUM_ID, GUILD_ID, "ideas", kind=fd.FORUM),
    ]
    fake.register_guild(data)
    await fake.start()
    fake.watch = watch  # type: ignore[attr-defined]
    try:
        async with aiohttp.ClientSession() as session:
            fake.session = session  # type: ignore[attr-defined]
            yield fake
    finally:
        await fake.stop()


@pytest.fixture
async def server(clock) -> Any:
    async with serving(clock) as fake:
        yield fake


async def send(fake, method: str, path: str, body: Any = None, *, token: str = TOKEN, files: dict | None = None):
    """One raw request; returns (status, JSON body, headers)."""
    headers = {"Authorization": f"Bot {token}"}
    if files:
        form = aiohttp.FormData()
        form.add_field("payload_json", json.dumps(body or {}), content_type="application/json")
        for index, (name, blob) in enumerate(files.items()):
            form.add_field(f"files[{index}]", blob, filename=name)
        data: Any = form
    else:
        data = None if body is None else json.dumps(body)
        headers["Content-Type"] = "application/json"
    async with fake.session.request(method, fake.base_url + path, data=data, headers=headers) as response:
        text = await response.text()
        return response.status, (json.loads(text) if text else None), dict(response.headers)


def _errors_at(body: dict, *path: str) -> list[str]:
    node = body["errors"]
    for part in path:
        node = node[part]
    return [e["code"] for e in node["_errors"]]


# ---- forms -------------------------------------------------------------------------------------------
async def test_message_limits_answer_50035_with_nested_errors(server):
    path = f"/channels/{CHANNEL_ID}/messages"
    status, body, _ = await send(server, "POST", path, {"content": "x" * 2001})
    assert (status, body["code"]) == (400, 50035) and _errors_at(body, "content") == ["BASE_TYPE_MAX_LENGTH"]
    embed = {"title": "t" * 257, "fields": [{"name": "n", "value": ""}] + [{"name": "a", "value": "b"}] * 25}
    status, body, _ = await send(server, "POST", path, {"embeds": [embed]})
    assert _errors_at(body, "embeds", "0", "title") == ["BASE_TYPE_MAX_LENGTH"]
    assert _errors_at(body, "embeds", "0", "fields") == ["BASE_TYPE_BAD_LENGTH"]  # 26 fields
    assert _errors_at(body, "embeds", "0", "fields", "0", "value") == ["BASE_TYPE_BAD_LENGTH"]  # empty value
    big = [{"description": "d" * 4000}, {"description": "d" * 2001}]
    status, body, _ = await send(server, "POST", path, {"embeds": big})
    assert _errors_at(body, "embeds") == ["MAX_EMBED_SIZE_EXCEEDED"]
    button = {"type": 2, "style": 2, "label": "l" * 81, "custom_id": "c" * 101}
    rows = [{"type": 1, "components": [button] * 6}] * 6
    status, body, _ = await send(server, "POST", path, {"components": rows})
    assert _errors_at(body, "components") == ["BASE_TYPE_BAD_LENGTH"]
    assert _errors_at(body, "components", "0", "components") == ["BASE_TYPE_BAD_LENGTH"]
    assert _errors_at(body, "components", "0", "components", "0", "label") == ["BASE_TYPE_MAX_LENGTH"]
    assert "COMPONENT_CUSTOM_ID_DUPLICATED" in _errors_at(body, "components", "0", "components", "1", "custom_id")
    status, body, _ = await send(server, "POST", path, {"content": ""})
    assert (status, body["code"]) == (400, 50006)
    assert server.messages == {}  # nothing refused was stored


async def test_discord_py_sees_the_nested_error(server, monkeypatch):
    monkeypatch.setattr(discord.http.Route, "BASE", server.base_url)
    client = discord.Client(intents=discord.Intents.none())
    await client.login(TOKEN)
    try:
        with pytest.raises(discord.HTTPException) as raised:
            await client.http.send_message(
                CHANNEL_ID, params=discord.http.handle_message_parameters(content="x" * 2001)
            )
        assert raised.value.code == 50035 and "content" in raised.value.text and "2000" in raised.value.text
    finally:
        await client.close()


async def test_thread_modal_and_command_limits(server):
    status, body, _ = await send(server, "POST", f"/channels/{CHANNEL_ID}/threads", {"name": "n" * 101, "type": 11})
    assert _errors_at(body, "name") == ["BASE_TYPE_BAD_LENGTH"]
    group = {
        "name": "settings",
        "description": "d",
        "type": 1,
        "options": [
            {"name": "server", "description": "d", "type": 1, "default_member_permissions": "32", "options": []}
        ],
    }
    status, body, _ = await send(server, "PUT", f"/applications/{fd.APP_ID}/commands", [group])
    assert status == 400 and _errors_at(body, "0", "options", "0", "default_member_permissions") == ["UNKNOWN_FIELD"]
    bad = {"name": "Shot", "description": "", "type": 1}
    status, body, _ = await send(server, "PUT", f"/applications/{fd.APP_ID}/commands", [bad, bad])
    assert "APPLICATION_COMMAND_INVALID_NAME" in _errors_at(body, "0", "name")
    assert _errors_at(body, "0", "description") == ["BASE_TYPE_BAD_LENGTH"]
    assert "APPLICATION_COMMANDS_DUPLICATE_NAME" in _errors_at(body, "1", "name")
    status, _, _ = await send(server, "PUT", f"/applications/{fd.APP_ID}/guilds/123/commands", [])
    assert status == 403  # a guild the bot is not in: 50001 Missing Access


# ---- the interaction lifecycle ---------------------------------------------------------------------
def _slash(server, *, age: float = 0.0) -> dict:
    members = {m["user"]["username"]: m for m in server.guilds[GUILD_ID]["members"]}
    return fd.Interactions(server).slash(
        "help", {}, guild_id=GUILD_ID, channel=server.channels[CHANNEL_ID], who=members["ana"], age=age
    )


async def test_an_interaction_answered_after_3_s_is_unknown(server):
    payload = _slash(server, age=3.5)
    status, body, _ = await send(
        server, "POST", f"/interactions/{payload['id']}/{payload['token']}/callback", {"type": 5}
    )
    assert (status, body["code"]) == (404, 10062)
    assert len(server.unanswered()) == 1
    server.expect_unanswered(payload)
    assert server.unanswered() == []


async def test_one_initial_response_then_a_15_minute_token(server, clock):
    payload = _slash(server)
    callback = f"/interactions/{payload['id']}/{payload['token']}/callback"
    followup = f"/webhooks/{fd.APP_ID}/{payload['token']}"
    status, _, _ = await send(server, "POST", followup, {"content": "too early"})
    assert status == 404  # no follow-up before the initial response
    assert (await send(server, "POST", callback, {"type": 5, "data": {"flags": 64}}))[0] == 200
    assert server.unanswered() == [f"/help (id {payload['id']}): deferred, never answered"]
    status, body, _ = await send(server, "POST", callback, {"type": 4, "data": {"content": "again"}})
    assert (status, body["code"]) == (400, 40060)
    # The first follow-up replaces "thinking…" and keeps its visibility (ephemeral), whatever it asks for.
    status, first, _ = await send(server, "POST", followup, {"content": "done", "flags": 0})
    assert status == 200 and first["flags"] & 64 and not first["flags"] & 128 and first["content"] == "done"
    status, second, _ = await send(server, "POST", followup, {"content": "and public"})
    assert second["id"] != first["id"] and second["flags"] == 0
    assert server.unanswered() == []
    clock.advance(15 * 60)
    status, body, _ = await send(server, "POST", followup, {"content": "late"})
    assert (status, body["code"]) == (401, 50027)
    assert [c.status for c in server.invalid_requests()] == [401]


async def test_a_public_deferral_stays_public(server):
    payload = _slash(server)
    await send(server, "POST", f"/interactions/{payload['id']}/{payload['token']}/callback", {"type": 5})
    _, message, _ = await send(
        server, "POST", f"/webhooks/{fd.APP_ID}/{payload['token']}", {"content": "x", "flags": 64}
    )
    assert message["flags"] & 64 == 0  # the refusal meant to be private went public


async def test_interaction_ids_carry_their_time(server, clock, monkeypatch):
    monkeypatch.setattr(discord.utils, "utcnow", clock.utcnow)
    monkeypatch.setattr(discord.http.Route, "BASE", server.base_url)
    client = discord.Client(intents=discord.Intents.none())
    await client.login(TOKEN)
    try:
        old = discord.Interaction(data=_slash(server, age=16 * 60), state=client._connection)
        new = discord.Interaction(data=_slash(server), state=client._connection)
        assert old.is_expired() and not new.is_expired()
        clock.advance(15 * 60)
        assert new.is_expired()
    finally:
        await client.close()
    for interaction in (old, new):
        server.expect_unanswered({"id": interaction.id})


# ---- rate limits ----------------------------------------------------------------------------------
async def test_route_buckets_send_discords_headers_and_429(server):
    path = f"/channels/{CHANNEL_ID}/messages"
    for expected in (4, 3, 2, 1, 0):
        status, _, headers = await send(server, "POST", path, {"content": "hi"})
        assert status == 200 and headers["X-RateLimit-Remaining"] == str(expected)
        assert headers["X-RateLimit-Limit"] == "5" and float(headers["X-RateLimit-Reset-After"]) == pytest.approx(
            5, abs=0.01
        )
    status, body, headers = await send(server, "POST", path, {"content": "one too many"})
    assert status == 429 and body["global"] is False and body["retry_after"] == pytest.approx(5, abs=0.01)
    assert headers["X-RateLimit-Scope"] == "user" and headers["Via"] and headers["X-RateLimit-Bucket"]
    assert (await send(server, "PATCH", f"/channels/{CHANNEL_ID}", {}))[0] == 403  # another bucket
    server.watch.now += 5.0
    assert (await send(server, "POST", path, {"content": "next window"}))[0] == 200
    assert [c.status for c in server.invalid_requests()] == [429, 403]


async def test_the_global_limit_spares_interaction_endpoints(clock):
    async with serving(clock, limits={"GET /channels/{channel_id}": Limit(100, 1.0)}) as server:
        for _ in range(50):
            assert (await send(server, "GET", f"/channels/{CHANNEL_ID}"))[0] == 200
        status, body, headers = await send(server, "GET", "/users/@me")
        assert status == 429 and body["global"] is True and headers["X-RateLimit-Global"] == "true"
        payload = _slash(server)
        callback = f"/interactions/{payload['id']}/{payload['token']}/callback"
        assert (await send(server, "POST", callback, {"type": 4, "data": {"content": "ok"}}))[0] == 200
        server.watch.now += 1.0
        assert (await send(server, "GET", "/users/@me"))[0] == 200


async def test_discord_py_waits_out_the_buckets_it_is_told_about(clock, monkeypatch):
    """Real time, short windows: discord.py's own handling keeps it under the limit, so no 429 is ever sent."""
    fake = fd.FakeDiscord(clock=clock, token=TOKEN, limits={"POST /channels/{channel_id}/messages": Limit(2, 0.3)})
    fake.register_guild(make_guild())
    monkeypatch.setattr(discord.http.Route, "BASE", await fake.start())
    client = discord.Client(intents=discord.Intents.none())
    await client.login(TOKEN)
    try:
        for index in range(7):
            await client.http.send_message(
                CHANNEL_ID, params=discord.http.handle_message_parameters(content=str(index))
            )
    finally:
        await client.close()
        await fake.stop()
    posts = fake.find("POST", "/messages")
    assert [c.status for c in posts] == [200] * 7 and fake.invalid_requests() == []
    assert posts[-1].at - posts[0].at >= 0.9  # three windows of 0.3 s were waited out


# ---- uploads, channel types, threads -----------------------------------------------------------------
async def test_an_edit_keeps_the_attachments_it_names_and_refuses_unknown_ones(server):
    path = f"/channels/{CHANNEL_ID}/messages"
    status, posted, _ = await send(server, "POST", path, {"content": "clip"}, files={"a.mp4": b"1", "b.png": b"2"})
    assert status == 200 and [a["filename"] for a in posted["attachments"]] == ["a.mp4", "b.png"]
    edit = f"{path}/{posted['id']}"
    status, body, _ = await send(server, "PATCH", edit, {"attachments": [{"id": "123"}]})
    assert (status, body["code"]) == (400, 50035) and _errors_at(body, "attachments", "0", "id")
    assert len(server.messages[int(posted["id"])]["attachments"]) == 2  # nothing changed
    keep = posted["attachments"][1]["id"]
    status, body, _ = await send(server, "PATCH", edit, {"attachments": [{"id": keep}]})
    assert status == 200 and [a["filename"] for a in body["attachments"]] == ["b.png"]
    status, body, _ = await send(server, "PATCH", edit, {"content": "gone", "attachments": []})
    assert status == 200 and body["attachments"] == [] and body["content"] == "gone"


async def test_an_upload_over_the_servers_limit_is_413(server):
    path = f"/channels/{CHANNEL_ID}/messages"
    status, body, _ = await send(
        server, "POST", path, {"content": "clip"}, files={"a.mp4": b"0" * (10 * 1024 * 1024 + 1)}
    )
    assert (status, body["code"]) == (413, 40005)
    server.guilds[GUILD_ID]["premium_tier"] = 2  # 50 MiB
    assert (await send(server, "POST", path, {"content": "clip"}, files={"a.mp4": b"0" * (10 * 1024 * 1024 + 1)}))[
        0
    ] == 200


async def test_threads_follow_their_channel_type(server):
    status, body, _ = await send(server, "POST", f"/channels/{ANNOUNCE_ID}/threads", {"name": "n", "type": 11})
    assert (status, body["code"]) == (400, 50024)
    status, news, _ = await send(server, "POST", f"/channels/{ANNOUNCE_ID}/threads", {"name": "n", "type": 10})
    assert status == 201 and news["type"] == 10
    status, body, _ = await send(server, "POST", f"/channels/{news['id']}/threads", {"name": "n", "type": 11})
    assert body["code"] == 50024  # no thread in a thread
    status, body, _ = await send(server, "POST", f"/channels/{FORUM_ID}/threads", {"name": "n"})
    assert _errors_at(body, "message") == ["BASE_TYPE_REQUIRED"]
    status, post, _ = await send(
        server, "POST", f"/channels/{FORUM_ID}/threads", {"name": "n", "message": {"content": "hi"}}
    )
    assert status == 201 and post["message"]["id"] == post["id"] and post["type"] == 11
    status, body, _ = await send(server, "POST", f"/channels/{FORUM_ID}/messages", {"content": "hi"})
    assert (status, body["code"]) == (400, 50008)


async def test_archived_threads_reopen_on_a_post_but_locked_ones_stay_shut(server):
    thread = server.add_thread(fd.thread_channel(server.new_id(), CHANNEL_ID, GUILD_ID, "t", fd.BOT_ID))
    message = server.message(int(thread["id"]), {"content": "take"})
    server.set_thread(int(thread["id"]), archived=True)
    path = f"/channels/{thread['id']}/messages"
    status, body, _ = await send(server, "PATCH", f"{path}/{message['id']}", {"content": "edit"})
    assert (status, body["code"]) == (400, 50083)  # nothing but a new message (or a delete) in an archived thread
    assert (await send(server, "POST", path, {"content": "hello"}))[0] == 200
    assert thread["thread_metadata"]["archived"] is False
    server.set_thread(int(thread["id"]), archived=True, locked=True)
    status, body, _ = await send(server, "POST", path, {"content": "hello"})
    assert (status, body["code"]) == (400, 50083)
    assert (await send(server, "PATCH", f"/channels/{thread['id']}", {"archived": False}))[0] == 403
    server.set_thread(int(thread["id"]), locked=False)
    assert (await send(server, "PATCH", f"/channels/{thread['id']}", {"archived": False}))[0] == 200


async def test_a_wrong_token_is_401_and_counted_invalid(server):
    assert (await send(server, "GET", "/users/@me", token="stolen"))[0] == 401
    assert [c.status for c in server.invalid_requests()] == [401]


async def test_thread_create_reaches_the_bots_attached(server, monkeypatch):
    monkeypatch.setattr(discord.http.Route, "BASE", server.base_url)
    client = discord.Client(intents=discord.Intents.none())
    await client.login(TOKEN)
    try:
        server.connect(client._connection)
        channel = client.get_channel(CHANNEL_ID)
        thread = await channel.create_thread(name="🎬 fox", type=discord.ChannelType.public_thread)
        assert client.get_channel(thread.id) is not None  # THREAD_CREATE arrived and was cached
        assert server.channels[thread.id]["owner_id"] == str(fd.BOT_ID)
    finally:
        await client.close()


async def test_each_interaction_has_its_own_callback_bucket(server):
    for _ in range(30):  # more than any route's default bucket: answering many members at once is never limited
        payload = _slash(server)
        callback = f"/interactions/{payload['id']}/{payload['token']}/callback"
        assert (await send(server, "POST", callback, {"type": 5}))[0] == 200
        await send(server, "POST", f"/webhooks/{fd.APP_ID}/{payload['token']}", {"content": "done"})
    assert server.invalid_requests() == []

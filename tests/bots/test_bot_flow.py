"""End to end on the fake Discord server and the real agent: /shot, refinement, Approve, /reel."""

from __future__ import annotations

import itertools
import time

import pytest

from bots.pacing import EditPacer
from tests.bots.conftest import CHANNEL_ID, is_take_post

pytestmark = pytest.mark.slow
INTERVAL = 0.25


def _mp4(call) -> tuple[str, bytes]:
    return next((name, blob) for name, blob in call.files.values() if name.endswith(".mp4"))


def _custom_ids(payload: dict) -> list[str]:
    return [c["custom_id"] for row in payload.get("components", []) for c in row.get("components", [])]


def _record_edit_turns(pacer: EditPacer, monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, float]]:
    """(channel, when) of every progress-edit turn the bot's pacer gives, on the clock the fake server stamps."""
    turns: list[tuple[int, float]] = []
    real_turn = pacer.turn

    async def turn(channel_id: int) -> None:
        await real_turn(channel_id)
        turns.append((channel_id, time.monotonic()))

    monkeypatch.setattr(pacer, "turn", turn)
    return turns


async def test_shot_refine_approve_reel(make_world, studio, settings, monkeypatch):
    world = await make_world(studio, progress_interval=INTERVAL)
    fake = world.fake
    turns = _record_edit_turns(world.bot.runner.pacer, monkeypatch)
    limit = min(10 * 1024 * 1024, settings.max_upload_bytes)

    # /shot -> deferred ack before anything else it does (the fake's own clock holds the 3 s rule; a wall-clock
    # bound here measured the machine's load, not the bot)
    calls_before = len(fake.calls)
    slash = world.slash("shot", prompt="a red fox trots through the snow, slow pan left, 2 seconds")
    ack = await fake.wait_for(lambda c: c.method == "POST" and c.path.startswith(f"/interactions/{slash['id']}/"))
    assert ack.json["type"] == 5  # deferred channel message
    assert fake.calls[calls_before] is ack, fake.summary()[calls_before:]

    # a project thread opens in the channel
    created = await fake.wait_for(lambda c: c.method == "POST" and c.path == f"/channels/{CHANNEL_ID}/threads")
    thread = next(ch for ch in fake.channels.values() if ch.get("name") == created.json["name"])
    world.add_thread(thread)
    thread_id = int(thread["id"])

    # the take is posted as a normal message with the clip, a spec card and persistent buttons
    post = await fake.wait_for(is_take_post(thread_id), timeout=120)
    await world.bot.drain()
    name, blob = _mp4(post)
    assert blob[4:8] == b"ftyp" and 0 < len(blob) <= limit
    embed = post.json["embeds"][0]
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert {"seed", "model", "critique"} <= fields.keys()
    assert fields["camera movement"] == "pan left"
    assert len(str(embed)) < 6000
    ids = _custom_ids(post.json)
    assert len(ids) == 7 and all(i.startswith("dailies:take:") for i in ids)
    take_id = ids[0].split(":")[3]
    assert name == f"take-{take_id}.mp4"
    assert post.json["allowed_mentions"]["parse"] == []

    # progress: one message, edited no faster than the interval, then removed
    progress_post = next(
        c
        for c in fake.calls
        if c.method == "POST"
        and c.path == f"/channels/{thread_id}/messages"
        and "reading your shot" in (c.content or "")
    )
    progress_id = progress_post.result["id"]
    edits = [c for c in fake.calls if c.method == "PATCH" and c.path.endswith(f"/messages/{progress_id}")]
    assert edits, "the progress message was never edited"
    # Paced when sent: every edit took a turn, the turns an interval apart from the post on (when the edits
    # reached the server varies with the machine's load, and two of them can arrive closer than they left).
    thread_turns = [at for channel, at in turns if channel == thread_id]
    assert len(edits) <= len(thread_turns)
    times = [progress_post.at, *thread_turns]
    assert all(b - a >= INTERVAL for a, b in itertools.pairwise(times)), times
    assert any("step" in (c.content or "") or "queue" in (c.content or "") for c in edits)
    assert fake.find("DELETE", f"/channels/{thread_id}/messages/{progress_id}")

    # a refinement typed in the thread by another member -> a new take with the attributed change
    before = len([c for c in fake.calls if is_take_post(thread_id)(c)])
    world.say(world.fake.channels[thread_id], "make it night", who=world.ben)
    change = await fake.wait_for(lambda c: "@ben: time of day" in (c.content or "") and "-> night" in c.content)
    assert change.json["allowed_mentions"]["parse"] == []
    await fake.wait_for(
        lambda c: is_take_post(thread_id)(c) and len([x for x in fake.calls if is_take_post(thread_id)(x)]) > before,
        timeout=120,
    )
    await world.bot.drain()
    second = [c for c in fake.calls if is_take_post(thread_id)(c)][-1]
    assert {f["name"]: f["value"] for f in second.json["embeds"][0]["fields"]}["time of day"] == "night"

    # Approve (a button pressed on the first take's message) -> the storyboard
    message = fake.messages[int(post.result["id"])]
    world.press(f"dailies:take:approve:{take_id}:{world.ana['user']['id']}", message, who=world.ben)
    await fake.wait_for(lambda c: "approved take" in (c.content or ""))
    board = await studio.storyboard(str(thread_id))
    assert [s.take_id for s in board.shots] == [take_id]

    # /reel -> one mp4 within the limit
    world.slash("reel", channel=world.fake.channels[thread_id])
    reel = await fake.wait_for(
        lambda c: c.path == f"/channels/{thread_id}/messages" and any(n == "reel.mp4" for n, _ in c.files.values()),
        timeout=60,
    )
    await world.bot.drain()
    _, reel_bytes = _mp4(reel)
    assert reel_bytes[4:8] == b"ftyp" and len(reel_bytes) <= limit
    assert fake.unknown == []

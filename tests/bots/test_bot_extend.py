"""Extend through the fake server: a take continuing the pressed one; its id is never usable from another server."""

from __future__ import annotations

import pytest

from bots.testing import fake_discord as fd
from tests.bots.conftest import CHANNEL_ID, OTHER_GUILD_ID, is_take_post

pytestmark = pytest.mark.slow


def _ids(payload: dict) -> list[str]:
    return [c["custom_id"] for row in payload.get("components", []) for c in row.get("components", [])]


def _fields(post) -> dict[str, str]:
    return {f["name"]: f["value"] for f in post.json["embeds"][0]["fields"]}


async def test_extend_posts_a_take_that_continues_the_pressed_one(make_world, studio):
    world = await make_world(studio, progress_interval=0.05)
    fake = world.fake
    world.slash("shot", prompt="a paper boat on a pond, slow dolly in, 1 second")
    created = await fake.wait_for(lambda c: c.method == "POST" and c.path == f"/channels/{CHANNEL_ID}/threads")
    thread = fake.channels[int(created.result["id"])]
    thread_id = int(thread["id"])
    world.add_thread(thread)
    first = await fake.wait_for(is_take_post(thread_id), timeout=120)
    await world.bot.drain()
    take1 = _ids(first.json)[0].split(":")[3]
    owner = world.ana["user"]["id"]
    extend_id = f"dailies:take:extend:{take1}:{owner}"
    assert extend_id in _ids(first.json)

    # Ben presses Extend on Ana's take: a deferred update at once (type 6), then a new take in the thread.
    calls_before = len(fake.calls)
    press = world.press(extend_id, fake.messages[int(first.result["id"])], who=world.ben)
    ack = await fake.wait_for(lambda c: c.path == f"/interactions/{press['id']}/{press['token']}/callback")
    assert ack.json["type"] == 6 and fake.calls[calls_before] is ack, fake.summary()[calls_before:]
    await fake.wait_for(lambda c: len([x for x in fake.calls if is_take_post(thread_id)(x)]) >= 2, timeout=120)
    await world.bot.drain()
    second = [c for c in fake.calls if is_take_post(thread_id)(c)][1]
    take2 = _ids(second.json)[0].split(":")[3]
    assert take2 != take1
    # Its buttons carry the new take's id (and Ben, who asked for it, as their owner).
    assert _ids(second.json) == [
        f"dailies:take:{a}:{take2}:{world.ben['user']['id']}"
        for a in ("reroll", "variations", "refine", "approve", "extend", "final", "delete")
    ]
    # Attributed: who asked, and which take it continues.
    assert f"continues take `{take1}` (@ben)" in second.content and "for ben" in second.content

    # The agent rendered it as a continuation: conditioned on the first take's clip, same duration.
    source, extended = await studio.take(str(thread_id), take1), await studio.take(str(thread_id), take2)
    assert source is not None and extended is not None
    assert extended.kind == "extend" and extended.source_take_id == take1 and extended.author == "ben"
    assert extended.request.condition is not None and extended.request.condition.path == source.take.path
    assert extended.take.duration_s == pytest.approx(source.take.duration_s, abs=0.1)
    assert float(_fields(second)["duration s"]) == pytest.approx(1.0)
    assert fake.unknown == []

    # A take id from this server pressed in another server (a forged or copied button on a bot message there):
    # looked up in that place's own project, it is not found; nothing is rendered, approved or shown.
    other_channel, eve = world.other_guild()
    elsewhere = fd.thread_channel(fake.new_id(), int(other_channel["id"]), OTHER_GUILD_ID, "🎬 elsewhere", fd.BOT_ID)
    fake.channels[int(elsewhere["id"])] = elsewhere
    world.add_thread(elsewhere)
    before = len(fake.calls)
    for action in ("reroll", "approve", "extend"):
        custom_id = f"dailies:take:{action}:{take1}:{eve['user']['id']}"
        bait = fake.message(int(elsewhere["id"]), {"content": "take", "components": fd.button_row(custom_id)})
        payload = world.press(custom_id, bait, who=eve, channel=elsewhere, guild_id=OTHER_GUILD_ID)
        answer = await fake.wait_for(
            lambda c, p=payload: c.method == "POST" and c.path == f"/webhooks/{fd.APP_ID}/{p['token']}"
        )
        await world.bot.drain()
        assert answer.json["flags"] & 64 and "can't find take" in answer.json["content"]
        assert "paper boat" not in answer.json["content"]
    posted = [c for c in fake.calls[before:] if c.method == "POST" and c.path.startswith("/channels/")]
    assert posted == []  # nothing in either thread
    assert await studio.takes(elsewhere["id"]) == [] and (await studio.storyboard(elsewhere["id"])).shots == []
    assert [r.take_id for r in await studio.takes(str(thread_id))] == [take1, take2]

"""Fair use on Discord: renders charged one by one to the member's id, reels admitted like renders, final renders
and their answers for the take's requester (or moderators), /cancel for the run's owner, no render role in DMs."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from bots.testing import fake_discord as fd
from tests.bots.conftest import ANA_ID, GUILD_ID
from tests.bots.test_bot_takes import _first_take, _ids, _next_take, _take_posts

pytestmark = pytest.mark.slow


async def _answer(world, payload):
    call = await world.fake.wait_for(
        lambda c: c.method == "POST" and c.path == f"/webhooks/{payload['application_id']}/{payload['token']}"
    )
    await world.bot.drain()
    return call


async def _today(world, who) -> int:
    return (await world.bot.quotas.usage(str(GUILD_ID), who["user"]["id"]))["user_today"]


async def test_each_render_is_charged_and_reels_are_admitted_and_reused(make_world, studio):
    world = await make_world(studio)
    thread, post = await _first_take(world, "a heron in a marsh, static camera, 1 second")
    thread_id = int(thread["id"])
    assert await _today(world, world.ana) == 1
    world.slash("variations", channel=thread, count=2)
    await _next_take(world, thread, 3)
    assert await _today(world, world.ana) == 3  # one request, two renders: two charged
    take1 = _ids(post.json)[0].split(":")[3]
    await studio.approve(str(thread_id), take1, "ana")

    reels = lambda: [c for c in world.fake.calls if "The reel" in (c.content or "") and c.path.endswith("/messages")]  # noqa: E731
    payload = world.slash("reel", channel=thread, who=world.ben)
    await world.fake.wait_for(lambda c: len(reels()) == 1, timeout=120)
    await _answer(world, payload)
    assert await _today(world, world.ben) == 1  # a cut is charged like a render
    payload = world.slash("reel", channel=thread, who=world.ben)
    await world.fake.wait_for(lambda c: len(reels()) == 2, timeout=120)
    await _answer(world, payload)
    assert await _today(world, world.ben) == 1  # the same board: the same reel, not cut or charged again
    assert (await world.bot.quotas.usage(str(GUILD_ID), world.ben["user"]["id"]))["user_active"] == 0


async def test_a_reel_over_quota_is_refused(make_world, settings, studio):
    world = await make_world(studio, settings_=settings.model_copy(update={"discord_user_daily": 1}))
    thread, post = await _first_take(world, "a heron in a marsh, static camera, 1 second")
    await studio.approve(str(thread["id"]), _ids(post.json)[0].split(":")[3], "ana")
    payload = world.slash("reel", channel=thread)  # ana used her one render on the take
    answer = await _answer(world, payload)
    assert "for today" in answer.json["content"] and answer.json["flags"] & 64
    assert not [c for c in world.fake.calls if "The reel" in (c.content or "")]


async def test_final_renders_and_their_answers_are_the_requesters_or_a_moderators(make_world, studio):
    world = await make_world(studio)
    thread, post = await _first_take(world, "a heron in a marsh, static camera, 1 second")
    thread_id = int(thread["id"])
    message = world.fake.messages[int(post.result["id"])]
    ids = _ids(post.json)
    final = next(i for i in ids if ":final:" in i)
    take = final.split(":")[3]
    payload = world.press(final, message, who=world.ben)
    answer = await _answer(world, payload)
    assert "Only the person who asked" in answer.json["content"] and answer.json["flags"] & 64
    payload = world.slash("render", channel=thread, who=world.ben)  # the current take is ana's too
    assert "Only the person who asked" in (await _answer(world, payload)).json["content"]
    assert len(_take_posts(world.fake, thread_id)) == 1

    confirm = f"dailies:take:confirm:{take}:{ANA_ID}"  # a final render ana asked for waits for a yes
    asked = world.fake.message(thread_id, {"content": "final?", "components": fd.button_row(confirm)})
    payload = world.press(confirm, asked, who=world.ben)
    assert "Only the person who asked" in (await _answer(world, payload)).json["content"]

    world.press(final, message, who=world.mod)  # moderators may
    await _next_take(world, thread, 2)


async def test_cancel_is_for_the_runs_owner_or_a_moderator(make_world, studio):
    world = await make_world(studio)
    thread, _ = await _first_take(world, "a heron in a marsh, static camera, 1 second")
    running = SimpleNamespace(owner=SimpleNamespace(id=ANA_ID), status="rendering")
    world.bot.runner.active[str(thread["id"])] = running  # ana's run, as the runner records it
    payload = world.slash("cancel", channel=thread, who=world.ben)
    assert "Only the person who asked" in (await _answer(world, payload)).json["content"]
    payload = world.slash("cancel", channel=thread, who=world.mod)
    assert "Only the person" not in (await _answer(world, payload)).json["content"]
    del world.bot.runner.active[str(thread["id"])]


async def test_dms_render_for_nobody_when_a_render_role_is_set(make_world, settings):
    cfg = settings.model_copy(update={"discord_allow_dms": True, "discord_render_role": "directors"})
    world = await make_world(None, settings_=cfg)  # no studio: nothing may reach it
    payload = world.dm_slash("shot", world.mod, prompt="a fox in the snow")
    answer = await world.fake.wait_for(
        lambda c: (
            c.path.endswith(payload["token"])
            or (c.path.endswith(f"{payload['id']}/{payload['token']}/callback") and "role" in str(c.json))
        )
    )
    await world.bot.drain()
    assert "directors" in str(answer.json)
    assert (await world.bot.quotas.usage(f"dm-{world.mod['user']['id']}", world.mod["user"]["id"]))["user_today"] == 0

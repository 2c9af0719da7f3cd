"""Take buttons, the Refine modal, votes and favourites, persistence across a restart, /queue and /cancel."""

from __future__ import annotations

import asyncio

import pytest

from bots.testing import fake_discord as fd
from tests.bots.conftest import CHANNEL_ID, GUILD_ID, is_take_post
from tests.patience import patient

pytestmark = pytest.mark.slow


def _ids(payload: dict) -> list[str]:
    return [c["custom_id"] for row in payload.get("components", []) for c in row.get("components", [])]


def _take_posts(fake, thread_id: int) -> list:
    return [c for c in fake.calls if is_take_post(thread_id)(c)]


async def _first_take(world, prompt: str):
    world.slash("shot", prompt=prompt)
    created = await world.fake.wait_for(lambda c: c.method == "POST" and c.path == f"/channels/{CHANNEL_ID}/threads")
    thread = world.fake.channels[int(created.result["id"])]
    world.add_thread(thread)
    post = await world.fake.wait_for(is_take_post(int(thread["id"])), timeout=120)
    await world.bot.drain()
    return thread, post


async def _next_take(world, thread, count: int):
    await world.fake.wait_for(lambda c: len(_take_posts(world.fake, int(thread["id"]))) >= count, timeout=120)
    await world.bot.drain()
    return _take_posts(world.fake, int(thread["id"]))


async def test_refine_modal_votes_favourite_and_restart(make_world, studio):
    world = await make_world(studio, progress_interval=0.05)
    fake = world.fake
    thread, post = await _first_take(world, "a heron in a marsh, static camera, 1 second")
    thread_id = int(thread["id"])
    ids = _ids(post.json)
    take1 = ids[0].split(":")[3]
    message1 = fake.messages[int(post.result["id"])]

    # Refine opens a modal (the modal is the interaction's answer: type 9) ...
    press = world.press(next(i for i in ids if ":refine:" in i), message1, who=world.ben)
    modal = await fake.wait_for(lambda c: c.path.startswith(f"/interactions/{press['id']}/"))
    assert modal.json["type"] == 9 and modal.json["data"]["custom_id"] == f"dailies:refine:{take1}"
    # ... whose submission refines the shot, attributed to whoever submitted it.
    world.submit(f"dailies:refine:{take1}", {"change": "make it night"}, channel=thread, who=world.ben)
    await fake.wait_for(lambda c: "@ben: time of day" in (c.content or ""))
    posts = await _next_take(world, thread, 2)
    message2 = fake.messages[int(posts[1].result["id"])]
    take2 = _ids(posts[1].json)[0].split(":")[3]

    # 👍 from two members on take 2, 👎 on take 1: the favourite goes to the storyboard.
    for who, message, emoji in ((world.ana, message2, "👍"), (world.ben, message2, "👍"), (world.mod, message1, "👎")):
        world.bot._connection.parse_message_reaction_add(
            fd.reaction_add(int(message["id"]), thread_id, GUILD_ID, who, emoji)
        )
    deadline = asyncio.get_running_loop().time() + patient(10)
    while await world.bot.votes.tally(str(thread_id)) != {take1: -1, take2: 2}:  # listeners run as their own tasks
        assert asyncio.get_running_loop().time() < deadline, await world.bot.votes.tally(str(thread_id))
        await asyncio.sleep(0.05)
    world.slash("storyboard", channel=thread, add_favourite=True)
    await fake.wait_for(  # the storyboard is posted in the thread, for the team to see
        lambda c: c.path == f"/channels/{thread_id}/messages" and "🗂️" in str(c.json.get("embeds"))
    )
    assert [s.take_id for s in (await studio.storyboard(str(thread_id))).shots] == [take2]

    # A restart: a new bot process answers the buttons of takes the old one posted.
    await world.bot.close()
    restarted = await make_world(studio, progress_interval=0.05)
    restarted.add_thread(thread)
    restarted.press(f"dailies:take:approve:{take1}:{world.ana['user']['id']}", message1, who=world.ana)
    await fake.wait_for(lambda c: f"approved take `{take1}`" in (c.content or ""))
    assert [s.take_id for s in (await studio.storyboard(str(thread_id))).shots] == [take2, take1]

    # Re-roll from the first take's buttons: a new take with a new seed.
    restarted.press(f"dailies:take:reroll:{take1}:{world.ana['user']['id']}", message1, who=world.ben)
    posts = await _next_take(restarted, thread, 3)
    seeds = [{f["name"]: f["value"] for f in p.json["embeds"][0]["fields"]}["seed"] for p in posts]
    assert seeds[2] != seeds[0]

    # /variations posts every take of the run, the critic's pick marked.
    restarted.slash("variations", channel=thread, count=2)
    posts = await _next_take(restarted, thread, 5)
    assert sum("critic's pick" in (p.content or "") for p in posts[3:]) == 1

    # /queue answers privately; /cancel with nothing running says so.
    payload = restarted.slash("queue", channel=thread)
    answer = await fake.wait_for(lambda c: c.path.endswith(payload["token"]) and c.method == "POST")
    assert answer.json["flags"] & 64 and "today" in answer.json["content"]
    payload = restarted.slash("cancel", channel=thread)
    answer = await fake.wait_for(lambda c: c.path.endswith(payload["token"]) and c.method == "POST")
    assert "Nothing is rendering" in answer.json["content"]
    assert fake.unknown == []


async def test_final_render_asks_for_approval_where_the_server_wants_it(make_world, settings):
    from agent.studio import Studio

    cfg = settings.model_copy(update={"attempt_budget": 1, "approve_final_renders": True})
    async with Studio.open(cfg.studio_config()) as studio:
        world = await make_world(studio, settings_=cfg, progress_interval=0.05)
        fake = world.fake
        await world.bot.defaults.update_guild(str(GUILD_ID), approval_for_final=True)
        thread, post = await _first_take(world, "a kite over a beach, tilt up, 1 second")
        take1 = _ids(post.json)[0].split(":")[3]
        message1 = fake.messages[int(post.result["id"])]
        owner = world.ana["user"]["id"]

        world.press(f"dailies:take:final:{take1}:{owner}", message1)
        ask = await fake.wait_for(lambda c: "needs a yes" in (c.content or ""), timeout=60)
        await world.bot.drain()
        assert _ids(ask.json) == [f"dailies:take:confirm:{take1}:{owner}", f"dailies:take:decline:{take1}:{owner}"]
        assert len(_take_posts(fake, int(thread["id"]))) == 1  # nothing rendered before the yes
        # The yes is ana's (she asked) or a moderator's: here a moderator's (test_bot_fair_use: not ben's).
        world.press(_ids(ask.json)[0], fake.messages[int(ask.result["id"])], who=world.mod)
        posts = await _next_take(world, thread, 2)
        final = await studio.take(thread["id"], _ids(posts[1].json)[0].split(":")[3])
        assert final is not None and final.kind == "final"

        # Without the server's approval setting the bot answers the approval itself.
        await world.bot.defaults.update_guild(str(GUILD_ID), approval_for_final=False)
        reroll = await studio.reroll(thread["id"], take1, "ana")
        final_id = f"dailies:take:final:{reroll.take_id}:{owner}"
        world.press(final_id, fake.message(int(thread["id"]), {"components": fd.button_row(final_id)}))
        posts = await _next_take(world, thread, 3)
        assert sum("needs a yes" in (c.content or "") for c in fake.calls) == 1

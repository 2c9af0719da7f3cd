"""Over-long text and Discord markup through every way text reaches the bot: plain thread messages, /shot,
/refine and the Refine modal. One friendly line, the thread's shot untouched, and no markup in any spec."""

from __future__ import annotations

import pytest

from agent.director.intake import MAX_MESSAGE_CHARS
from bots.testing import fake_discord as fd
from tests.bots.conftest import BEN_ID, CHANNEL_ID, GUILD_ID, MOD_ROLE_ID, is_take_post

pytestmark = pytest.mark.slow

LONG = ("a red fox running through the snow " * 100)[:3000]
CAROL_ID = 700000000000000009
TRACES = ("@everyone", "@here", "<@", "<#", "<:", "</")


def _project(world) -> dict:
    project = fd.thread_channel(world.fake.new_id(), CHANNEL_ID, GUILD_ID, "🎬 fox", fd.BOT_ID)
    world.fake.channels[int(project["id"])] = project
    world.add_thread(project)
    return project


def _takes_posted(world, thread_id: int) -> int:
    return len([c for c in world.fake.calls if is_take_post(thread_id)(c)])


async def _next_take(world, thread_id: int, already: int):
    post = await world.fake.wait_for(
        lambda c: is_take_post(thread_id)(c) and _takes_posted(world, thread_id) > already, timeout=120
    )
    await world.bot.drain()
    return post


def _answer_to(payload: dict):
    return lambda c: c.method == "POST" and c.path == f"/webhooks/{fd.APP_ID}/{payload['token']}"


def _is_limit_line(text: str) -> bool:
    return f"{len(LONG):,} characters" in text and f"at most {MAX_MESSAGE_CHARS:,}" in text and "\n" not in text


async def test_long_text_gets_one_line_everywhere_and_the_shot_is_kept(make_world, studio, settings):
    # The operator allows 4000 characters; the director reads at most 2000, so that is what the bot accepts.
    cfg = settings.model_copy(update={"discord_max_prompt_chars": 4000})
    world = await make_world(studio, settings_=cfg, progress_interval=0.05)
    project = _project(world)
    thread_id = int(project["id"])
    world.say(project, "a red fox in the snow, 1 second")
    await _next_take(world, thread_id, 0)
    spec, takes = await studio.spec(str(thread_id)), len(await studio.takes(str(thread_id)))

    world.say(project, LONG)  # a plain message in the thread
    in_thread = f"/channels/{thread_id}/messages"
    reply = await world.fake.wait_for(
        lambda c: c.method == "POST" and c.path == in_thread and "characters" in (c.content or "")
    )
    assert _is_limit_line(reply.content) and reply.json["allowed_mentions"]["parse"] == []
    refine = world.slash("refine", channel=project, change=LONG)
    take_id = (await studio.takes(str(thread_id)))[0].take_id
    modal = world.submit(f"dailies:refine:{take_id}", {"change": LONG}, channel=project)
    shot = world.slash("shot", prompt=LONG)
    for payload in (refine, modal, shot):
        answer = await world.fake.wait_for(_answer_to(payload))
        assert answer.json["flags"] & 64 and _is_limit_line(answer.json["content"]), answer.json
    await world.bot.drain()
    assert not world.fake.find("POST", "/threads")  # /shot opened nothing
    assert await studio.spec(str(thread_id)) == spec and len(await studio.takes(str(thread_id))) == takes
    assert (await world.bot.quotas.usage(str(GUILD_ID), world.ana["user"]["id"]))["user_active"] == 0

    before = _takes_posted(world, thread_id)
    world.say(project, "make it night")  # the conversation goes on where it was
    await _next_take(world, thread_id, before)
    after = await studio.spec(str(thread_id))
    assert after is not None and after.subject == "a red fox" and after.time_of_day == "night"
    assert world.fake.unknown == []


async def test_member_mentions_become_display_names_and_other_markup_vanishes(make_world, studio):
    world = await make_world(studio, progress_interval=0.05)
    # Carol is in the server but not in the bot's member cache: Discord resolves her in the message itself.
    world.fake.guilds[GUILD_ID]["members"].append(fd.member(CAROL_ID, "carol_99", nick="Carol"))
    project = _project(world)
    thread_id = int(project["id"])
    world.say(
        project,
        f"@everyone <@{CAROL_ID}> juggling on a rooftop <@&{MOD_ROLE_ID}> <#{CHANNEL_ID}> <:party:1122> "
        "<@700000000000000404> </shot:99> @here, 1 second",
    )
    await _next_take(world, thread_id, 0)
    spec = await studio.spec(str(thread_id))
    assert spec is not None and spec.subject == "Carol" and spec.setting == "a rooftop"
    state = await studio.state(str(thread_id))
    seen = spec.model_dump_json() + " ".join(t.text for t in state.conversation)
    assert not any(trace in seen for trace in TRACES) and "carol_99" not in seen

    # /refine text comes unresolved from Discord: the bot asks the server who each mention is; a member
    # becomes their name, an id that is nobody here is removed.
    before = _takes_posted(world, thread_id)
    payload = world.slash("refine", channel=project, change=f"swap Carol for <@{BEN_ID}> <@700000000000000404>")
    await world.fake.wait_for(_answer_to(payload))
    await _next_take(world, thread_id, before)
    spec = await studio.spec(str(thread_id))
    assert spec is not None and spec.subject == "ben"
    state = await studio.state(str(thread_id))
    assert state.conversation[-1].text == "swap Carol for ben"
    lookups = [c for c in world.fake.calls if c.method == "GET" and "/members/" in c.path]
    assert [c.path.rsplit("/", 1)[1] for c in lookups] == [str(BEN_ID), "700000000000000404"]
    assert world.fake.unknown == []

"""Every interaction gets its answer, privately where it is meant to be private, within Discord's rules: after
a deferral, after an upload Discord refuses, after the 15-minute token died, after the thread was lost."""

from __future__ import annotations

import discord
import pytest

from bots.replies import reply_ephemeral
from bots.testing import fake_discord as fd
from bots.testing.routes import DiscordError
from tests.bots.conftest import CHANNEL_ID, GUILD_ID, is_take_post

FOX = "a red fox in the snow, static camera, 1 second"


def _answer_to(payload: dict):
    return lambda c: c.method == "POST" and c.path == f"/webhooks/{fd.APP_ID}/{payload['token']}"


def _project(world) -> dict:
    return world.fake.add_thread(fd.thread_channel(world.fake.new_id(), CHANNEL_ID, GUILD_ID, "🎬 fox", fd.BOT_ID))


def _takes(world, thread_id: int) -> int:
    return len([c for c in world.fake.calls if is_take_post(thread_id)(c)])


async def _project_with_take(world) -> tuple[dict, int]:
    project = _project(world)
    thread_id = int(project["id"])
    world.say(project, FOX)
    await world.fake.wait_for(is_take_post(thread_id), timeout=120)
    await world.bot.drain()
    return project, thread_id


def _is_reel(thread_id: int):
    return lambda c: c.method == "POST" and c.path == f"/channels/{thread_id}/messages" and "reel.mp4" in str(c.files)


# ---- defect 1: /render and /variations answer their "thinking…" -------------------------------------
@pytest.mark.slow
async def test_render_and_variations_answer_the_member(make_world, studio):
    world = await make_world(studio, progress_interval=0.05)
    project, thread_id = await _project_with_take(world)
    for name, options, takes in (("render", {}, 2), ("variations", {"count": 2}, 4)):
        payload = world.slash(name, channel=project, **options)
        await world.fake.wait_for(lambda c, n=takes: _takes(world, thread_id) >= n, timeout=120)
        await world.bot.drain()
        shown = world.fake.shown_for(payload)
        assert shown is not None and "watch the thread" in shown["content"] and shown["flags"] & 64, name
    assert world.fake.unanswered() == []


# ---- defect 2: refusals stay private ----------------------------------------------------------------
async def test_storyboard_and_reel_refuse_privately(make_world, studio):
    world = await make_world(studio)
    for name in ("storyboard", "reel"):
        payload = world.slash(name)  # in the text channel, not a project thread
        await world.fake.wait_for(lambda c, p=payload: f"/{p['token']}" in c.path and c.status == 200)
        await world.bot.drain()
        shown = world.fake.shown_for(payload)
        assert shown["flags"] & 64 and "project thread" in shown["content"], name
    payload = world.slash("storyboard", channel=_project(world), add_favourite=True)  # no take yet
    await world.fake.wait_for(_answer_to(payload))
    await world.bot.drain()
    shown = world.fake.shown_for(payload)
    assert shown["flags"] & 64 and "no take yet" in shown["content"]


# ---- defect 3: /reel always answers ----------------------------------------------------------------
@pytest.mark.slow
async def test_reel_answers_when_the_upload_is_refused_and_after_the_token_died(make_world, studio, clock):
    world = await make_world(studio, progress_interval=0.05)
    project, thread_id = await _project_with_take(world)
    take_id = (await studio.takes(str(thread_id)))[0].take_id
    await studio.approve(str(thread_id), take_id, "ana")

    def too_large(call) -> None:
        raise DiscordError(413, 40005, "Request entity too large")

    world.fake.before(_is_reel(thread_id), too_large)
    payload = world.slash("reel", channel=project)
    await world.fake.wait_for(_answer_to(payload), timeout=60)
    await world.bot.drain()
    shown = world.fake.shown_for(payload)
    assert shown["flags"] & 64 and "upload limit" in shown["content"]

    # Cutting and uploading outlive the interaction's 15 minutes: the reel names the member in the thread.
    world.fake.before(_is_reel(thread_id), lambda call: clock.advance(16 * 60))
    payload = world.slash("reel", channel=project)
    await world.fake.wait_for(lambda c: _is_reel(thread_id)(c) and c.status == 200, timeout=60)
    ana = world.ana["user"]["id"]
    told = await world.fake.wait_for(lambda c: (c.content or "").startswith(f"<@{ana}> 🎞️ Reel posted"))
    await world.bot.drain()
    assert told.path == f"/channels/{thread_id}/messages" and [
        str(u) for u in told.json["allowed_mentions"]["users"]
    ] == [ana]
    assert told.json["allowed_mentions"]["parse"] == []  # that member alone is pinged
    assert not [c for c in world.fake.calls if c.status == 401]  # nothing sent on the dead token
    world.fake.expect_unanswered(payload)  # its "thinking…" outlived the token: the thread carries the answer


# ---- defects 4 and 6: a thread lost mid-run ------------------------------------------------------------
def _first_edit_in(thread_id: int):
    return lambda c: c.method == "PATCH" and c.path.startswith(f"/channels/{thread_id}/messages/")


@pytest.mark.slow
async def test_a_lost_thread_ends_the_run_after_one_refused_request(make_world, studio):
    world = await make_world(studio, progress_interval=0.05)
    project = _project(world)
    thread_id = int(project["id"])
    world.fake.before(_first_edit_in(thread_id), lambda call: world.fake.forbidden.add(thread_id))
    payload = world.slash("refine", channel=project, change=FOX)
    told = await world.fake.wait_for(lambda c: _answer_to(payload)(c) and "couldn't post" in (c.content or ""))
    await world.bot.drain()
    assert told.json["flags"] & 64
    refused = world.fake.invalid_requests()
    assert [c.status for c in refused] == [403]  # one refused edit, then silence in that thread
    assert not [c for c in world.fake.calls if c.at > refused[0].at and f"/channels/{thread_id}/" in c.path]
    assert (await world.bot.quotas.usage(str(GUILD_ID), world.ana["user"]["id"]))["user_active"] == 0
    assert await world.bot.journal.left_over() == [] and world.bot.runner.active == {}


@pytest.mark.slow
async def test_after_the_token_died_the_member_is_told_by_direct_message(make_world, studio, clock):
    world = await make_world(studio, progress_interval=0.05)
    project = _project(world)
    thread_id = int(project["id"])

    def lose_it_late(call) -> None:  # a render that ran past 15 minutes, then the thread refused the bot
        clock.advance(16 * 60)
        world.fake.forbidden.add(thread_id)

    world.fake.before(_first_edit_in(thread_id), lose_it_late)
    world.slash("refine", channel=project, change=FOX)
    dm_id = int(world.ana["user"]["id"]) + 1
    dm = await world.fake.wait_for(lambda c: c.method == "POST" and c.path == f"/channels/{dm_id}/messages")
    await world.bot.drain()
    assert "couldn't post in this thread" in dm.content and dm.json["allowed_mentions"]["parse"] == []
    assert [c.status for c in world.fake.invalid_requests()] == [403]  # no 401 on the dead token


# ---- smaller: 2,000 characters; an unexpected failure is not "done" ---------------------------------------
async def test_private_answers_are_cut_to_discords_2000_characters(make_world):
    world = await make_world(None)
    payload = world.interactions.slash("help", {}, guild_id=GUILD_ID, channel=world.channel, who=world.ana)
    interaction = discord.Interaction(data=payload, state=world.bot._connection)
    assert await reply_ephemeral(interaction, "x" * 2500)
    shown = world.fake.shown_for(payload)
    assert len(shown["content"]) == 2000 and shown["content"].endswith("…") and shown["flags"] & 64


class ExplodingStudio:
    """A studio with a bug: every turn raises."""

    async def send(self, *args, **kwargs):
        raise RuntimeError("a bug in the agent")


async def test_an_unexpected_failure_is_reported_not_marked_done(make_world):
    world = await make_world(ExplodingStudio(), progress_interval=0.05)
    project = _project(world)
    world.say(project, FOX)
    said = await world.fake.wait_for(lambda c: "Something went wrong" in (c.content or ""))
    await world.bot.drain()
    assert said.path == f"/channels/{project['id']}/messages"
    assert not [c for c in world.fake.calls if "done" in (c.content or "")]
    assert world.fake.find("DELETE", f"/channels/{project['id']}/messages/")  # the progress message is gone

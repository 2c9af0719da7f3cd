"""Project threads where Discord puts them: text, announcement and forum channels; the member who asked is
in the thread; a thread Discord archived after a quiet day is reopened, a locked one is not."""

from __future__ import annotations

import pytest

from bots.testing import fake_discord as fd
from tests.bots.conftest import is_take_post

pytestmark = pytest.mark.slow

NEWS_ID, FORUM_ID = 800000000000000012, 800000000000000013


def _ids(payload: dict) -> list[str]:
    return [c["custom_id"] for row in payload.get("components", []) for c in row.get("components", [])]


def _thread_edits(world, thread_id: int) -> list:
    return [c for c in world.fake.calls if c.method == "PATCH" and c.path == f"/channels/{thread_id}"]


def _takes(world, thread_id: int) -> list:
    return [c for c in world.fake.calls if is_take_post(thread_id)(c)]


async def _shot_in(world, channel: dict, prompt: str) -> dict:
    """/shot typed in `channel`; returns the thread it opened, once its first take is posted there."""
    before = set(world.fake.channels)
    world.slash("shot", channel=channel, prompt=prompt)
    created = await world.fake.wait_for(
        lambda c: (
            c.method == "POST" and c.path.endswith("/threads") and c.status == 201 and int(c.result["id"]) not in before
        )
    )
    thread = world.fake.channels[int(created.result["id"])]
    await world.fake.wait_for(is_take_post(int(thread["id"])), timeout=120)
    await world.bot.drain()
    return thread


async def test_announcement_and_forum_channels_get_their_own_kind_of_thread(make_world, studio):
    world = await make_world(studio, progress_interval=0.05)
    news = world.add_channel(NEWS_ID, "news", fd.ANNOUNCEMENT)
    thread = await _shot_in(world, news, "a lighthouse at dusk, static camera, 1 second")
    assert thread["type"] == fd.ANNOUNCEMENT_THREAD and thread["parent_id"] == str(NEWS_ID)
    ana = world.ana["user"]["id"]
    assert world.fake.find("PUT", f"/channels/{thread['id']}/thread-members/{ana}")  # the requester is in it

    # In a forum, a project is a post: /shot typed in someone's post opens a new post beside it.
    forum = world.add_channel(FORUM_ID, "ideas", fd.FORUM)
    their_post = world.fake.add_thread(
        fd.thread_channel(world.fake.new_id(), FORUM_ID, int(forum["guild_id"]), "my idea", int(ana))
    )
    post = await _shot_in(world, their_post, "a paper boat on a pond, static camera, 1 second")
    assert post["parent_id"] == str(FORUM_ID) and post["owner_id"] == str(fd.BOT_ID)
    starter = world.fake.messages[int(post["id"])]  # a forum post's first message has the post's id
    assert "Project thread for ana" in starter["content"]
    assert world.fake.find("PUT", f"/channels/{post['id']}/thread-members/{ana}")
    assert world.fake.invalid_requests() == [] and world.fake.unknown == []


async def test_an_archived_project_thread_is_reopened_for_buttons_and_commands(make_world, studio):
    world = await make_world(studio, progress_interval=0.05)
    thread = await _shot_in(world, world.channel, "a kite over a beach, tilt up, 1 second")
    thread_id = int(thread["id"])
    first = _takes(world, thread_id)[0]
    reroll = next(i for i in _ids(first.json) if ":reroll:" in i)

    world.fake.set_thread(thread_id, archived=True)  # a quiet day later, Discord archived it
    world.press(reroll, world.fake.messages[int(first.result["id"])], channel=thread)
    await world.fake.wait_for(lambda c: len(_takes(world, thread_id)) >= 2, timeout=120)
    await world.bot.drain()
    assert [c.json for c in _thread_edits(world, thread_id)] == [{"archived": False}]

    world.fake.set_thread(thread_id, archived=True)
    payload = world.slash("refine", channel=thread, change="make it night")
    await world.fake.wait_for(lambda c: len(_takes(world, thread_id)) >= 3, timeout=120)
    await world.bot.drain()
    assert "watch the thread" in world.fake.shown_for(payload)["content"]
    assert len(_thread_edits(world, thread_id)) == 2
    assert world.fake.invalid_requests() == []

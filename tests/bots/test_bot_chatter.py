"""Chatter in a project thread ("love it!") renders nothing: the thread is told why, no take, no "done" line."""

from __future__ import annotations

import pytest

from agent.nodes.understanding import NOTHING_RENDERED
from tests.bots.conftest import is_take_post

pytestmark = pytest.mark.slow


async def test_love_it_in_the_thread_renders_nothing_and_says_so(make_world, studio):
    world = await make_world(studio, progress_interval=0.05)
    fake = world.fake
    world.slash("shot", prompt="a red fox in the snow, static camera, 1 second")
    created = await fake.wait_for(lambda c: c.method == "POST" and c.path.endswith("/threads") and c.status == 201)
    thread_id = int(created.result["id"])
    await fake.wait_for(is_take_post(thread_id), timeout=120)
    await world.bot.drain()
    takes = len([c for c in fake.calls if is_take_post(thread_id)(c)])

    world.say(fake.channels[thread_id], "love it!", who=world.ben)
    note = await fake.wait_for(lambda c: NOTHING_RENDERED.split(":")[0] in (c.content or ""))
    assert note.path == f"/channels/{thread_id}/messages"
    await world.bot.drain()
    assert len([c for c in fake.calls if is_take_post(thread_id)(c)]) == takes  # no GPU minutes on chatter
    progress = [c for c in fake.calls if c.method == "POST" and "reading your shot" in (c.content or "")][-1]
    progress_id = progress.result["id"]
    assert fake.find("DELETE", f"/channels/{thread_id}/messages/{progress_id}")  # the note told the story
    done = [c for c in fake.calls if c.method == "PATCH" and c.path.endswith(f"/messages/{progress_id}")]
    assert not any("done" in (c.content or "") for c in done)
    assert fake.unknown == []

"""The animatic first, in Discord: a model-backed /shot posts its previz animatic, then the take replaces it.

The studio renders with a real tiny Wan VACE pipeline (random weights, built offline) through the embedded job
queue, so the animatic is a real previz clip and the take a real model clip; the fake Discord server stores
each message as Discord would, so "replaced" is read from the message itself, not from the calls alone.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("torch", reason="the gpu extra (torch) is not installed: pip install -e '.[gpu]'")
pytest.importorskip("diffusers", reason="the gpu extra (diffusers) is not installed: pip install -e '.[gpu]'")

from agent.studio import Studio
from bots.settings import Settings
from generator.diffusers.tiny import make_tiny
from tests.bots.conftest import CHANNEL_ID, GUILD_ID
from tools.reel import probe

pytestmark = pytest.mark.slow
PROMPT = "a red fox trots through the snow, the camera pans left, 1 second"


@pytest.fixture(scope="module")
def vace_folder(tmp_path_factory) -> Path:
    return make_tiny("wan-vace", tmp_path_factory.mktemp("vace") / "wan-vace")


@pytest.fixture
async def model_studio(vace_folder, tmp_path):
    config = Settings(
        data_dir=tmp_path / "data",
        discord_token="fake-token",
        director="offline",
        backend="diffusers",
        model=str(vace_folder),
        attempt_budget=1,
    )
    async with Studio.open(config.studio_config()) as studio:
        yield studio, config


def _clip_post(thread_id: int, filename: str):
    return lambda c: (
        c.method == "POST"
        and c.path == f"/channels/{thread_id}/messages"
        and any(name == filename or name.startswith(filename) for name, _ in c.files.values())
    )


async def _shot_thread(world, **options) -> int:
    world.slash("shot", prompt=PROMPT, **options)
    created = await world.fake.wait_for(lambda c: c.method == "POST" and c.path == f"/channels/{CHANNEL_ID}/threads")
    thread = world.fake.channels[int(created.result["id"])]
    world.add_thread(thread)
    return int(thread["id"])


async def test_the_animatic_is_posted_first_then_the_model_take_replaces_it(make_world, model_studio, tmp_path):
    studio, config = model_studio
    world = await make_world(studio, settings_=config, progress_interval=0.05)
    thread_id = await _shot_thread(world)

    take_post = await world.fake.wait_for(_clip_post(thread_id, "take-"), timeout=300)
    await world.bot.drain()
    animatic_post = next(
        (c for c in world.fake.find("POST", f"/channels/{thread_id}/messages") if "animatic" in (c.content or "")),
        None,
    )
    assert animatic_post is not None, world.fake.summary(content=True)
    assert animatic_post.content.startswith("🎞️ animatic — the take follows")
    assert animatic_post.at < take_post.at
    assert "guided by its camera" in animatic_post.content  # the default guide: the take follows this very clip

    # the animatic is the shot's previz at the take's size and length
    (name, blob), (_, take_blob) = next(iter(animatic_post.files.values())), next(iter(take_post.files.values()))
    assert name == "animatic.mp4"
    (tmp_path / "a.mp4").write_bytes(blob)
    (tmp_path / "t.mp4").write_bytes(take_blob)
    animatic, take = probe(tmp_path / "a.mp4"), probe(tmp_path / "t.mp4")
    assert (animatic.width, animatic.height, animatic.num_frames) == (take.width, take.height, take.num_frames)

    # replaced: the animatic message now points at the take and no longer carries a video
    take_id = take_post.json["components"][0]["components"][0]["custom_id"].split(":")[3]
    stored = world.fake.messages[int(animatic_post.result["id"])]
    assert stored["content"] == f"🎞️ animatic — replaced by take `{take_id}` below"
    assert stored["attachments"] == []
    assert world.fake.unknown == []


async def test_settings_turn_the_animatic_off_and_choose_the_guide(make_world, model_studio):
    studio, config = model_studio
    world = await make_world(studio, settings_=config, progress_interval=0.05)

    world.slash("server-settings", who=world.mod, guide="previz:2")  # a bad value: one line, nothing saved
    refusal = await world.fake.wait_for(lambda c: "/webhooks/" in c.path and "isn't valid" in (c.content or ""))
    assert "camera guide" in refusal.content or "less than 1" in refusal.content
    assert (await world.bot.defaults.guild(str(GUILD_ID))).guide is None

    world.slash("server-settings", who=world.mod, animatic=False)
    await world.fake.wait_for(lambda c: "/webhooks/" in c.path and "animatic: False" in (c.content or ""))
    world.slash("me", group="settings", guide="previz:0.8")
    await world.fake.wait_for(lambda c: "/webhooks/" in c.path and "guide: previz:0.8" in (c.content or ""))

    thread_id = await _shot_thread(world)
    await world.fake.wait_for(_clip_post(thread_id, "take-"), timeout=300)
    await world.bot.drain()
    posts = world.fake.find("POST", f"/channels/{thread_id}/messages")
    assert not any("animatic" in (c.content or "") for c in posts), world.fake.summary(content=True)
    assert not any(name == "animatic.mp4" for c in posts for name, _ in c.files.values())
    (record,) = await studio.takes(str(thread_id))
    assert record.request.guide is not None and record.request.guide.strength == 0.8  # ana's guide, on the take
    assert world.fake.unknown == []


async def test_a_run_without_a_take_keeps_the_animatic_and_says_so(make_world, tmp_path):
    import numpy as np

    from agent.events import AnimaticReady, Error
    from bots.delivery import RunDelivery
    from tools.take import Take
    from tools.testing.footage import write_clip

    world = await make_world(None)
    channel = world.bot.get_channel(CHANNEL_ID)
    owner = world.bot.get_guild(GUILD_ID).get_member(int(world.ana["user"]["id"]))
    clip = write_clip(np.zeros((9, 32, 64, 3), np.uint8), tmp_path / "p.mp4", fps=8)
    fields = dict(seed=1, width=64, height=32, num_frames=9, fps=8, duration_s=1.125, render_s=0.1)
    animatic = Take(path=str(clip), backend="previz", model="previz", bytes=clip.stat().st_size, **fields)

    delivery = world.bot.runner.delivery(channel, owner)  # the bot's own delivery for a run in that channel
    assert isinstance(delivery, RunDelivery)
    await delivery.start()
    await delivery(AnimaticReady(thread_id=str(CHANNEL_ID), take=animatic, guided=False))
    await delivery(Error(thread_id=str(CHANNEL_ID), error_kind="out_of_memory", message="the GPU ran out of memory"))
    await delivery.finish()

    post = next(c for c in world.fake.find("POST", f"/channels/{CHANNEL_ID}/messages") if c.files)
    assert post.content == "🎞️ animatic — the take follows (64×32, 1.125 s, previz: framing and camera, not the look)"
    stored = world.fake.messages[int(post.result["id"])]
    assert stored["content"] == "🎞️ animatic — no model take came this time"
    assert [a["filename"] for a in stored["attachments"]] == ["animatic.mp4"]  # the only picture of the shot stays
    assert world.fake.unknown == []

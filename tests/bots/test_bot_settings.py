"""/settings through the fake Discord server: server and member defaults reach the agent as thread options."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.bots.conftest import CHANNEL_ID, GUILD_ID, is_take_post
from tools.reel import probe


def _fields(call) -> dict[str, str]:
    return {f["name"]: f["value"] for f in call.json["embeds"][0]["fields"]}


def _clip(call, folder: Path):
    name, blob = next((n, b) for n, b in call.files.values() if n.endswith(".mp4"))
    path = folder / name
    path.write_bytes(blob)
    return probe(path)


async def _shot(world, prompt: str, who: dict):
    """/shot in the channel; the first take posted in the thread it opens."""
    before = {int(c.result["id"]) for c in world.fake.find("POST", f"/channels/{CHANNEL_ID}/threads")}
    world.slash("shot", who=who, prompt=prompt)
    created = await world.fake.wait_for(
        lambda c: (
            c.method == "POST" and c.path == f"/channels/{CHANNEL_ID}/threads" and int(c.result["id"]) not in before
        )
    )
    thread = world.fake.channels[int(created.result["id"])]
    world.add_thread(thread)
    post = await world.fake.wait_for(is_take_post(int(thread["id"])), timeout=120)
    await world.bot.drain()
    return post


async def _answer(world, text: str):
    return await world.fake.wait_for(lambda c: "/webhooks/" in c.path and text in (c.content or ""))


def test_member_defaults_over_server_defaults_become_thread_options():
    from bots.guild_settings import SERVER_FALLBACK, Defaults

    server = Defaults(backend="diffusers", model="wan2.1-1.3b", aspect_ratio="9:16", approval_for_final=True)
    member = Defaults(backend="previz", duration_s=2.0, critique=False)
    options = member.over(server.over(SERVER_FALLBACK)).options(aspect_ratio="1:1", duration_s=None)
    assert (options.backend, options.model) == ("previz", None)  # the server's model belongs to its backend
    assert (options.aspect_ratio, options.duration_s, options.critique) == ("1:1", 2.0, False)
    assert options.approve_final is True
    assert server.options(approve_final_allowed=False).approve_final is False
    assert Defaults().over(SERVER_FALLBACK).options().critique is True


def test_animatic_and_camera_guide_defaults_reach_the_thread_options():
    from pydantic import ValidationError

    from bots.guild_settings import SERVER_FALLBACK, Defaults

    assert Defaults().over(SERVER_FALLBACK).options().animatic is None  # None: the operator's DAILIES_ANIMATIC
    assert Defaults().options().guide is None  # None: the operator's DAILIES_GUIDE
    server = Defaults(animatic=False, guide="auto")
    member = Defaults(guide=" Previz : 0.80 ")
    options = member.over(server.over(SERVER_FALLBACK)).options()
    assert (options.animatic, options.guide) == (False, "previz:0.8")
    for bad in ("previz:1.5", "auto:0.5", "sideways"):
        with pytest.raises(ValidationError, match=r"camera guide|only the previz guide|less than 1"):
            Defaults(guide=bad)


@pytest.mark.slow
async def test_server_and_member_defaults_shape_takes(make_world, studio, tmp_path):
    world = await make_world(studio, progress_interval=0.05)
    world.slash("server-settings", who=world.mod, aspect_ratio="9:16", duration=3.0)
    await _answer(world, "Server defaults")

    # the server's 9:16 and 3 s fill what the prompt leaves unset
    post = await _shot(world, "a kite over a beach, the camera tilts up", world.ana)
    fields, clip = _fields(post), _clip(post, tmp_path)
    assert (fields["aspect ratio"], fields["duration s"]) == ("9:16", "3")
    assert clip.height > clip.width and clip.num_frames / clip.fps == pytest.approx(3.0, abs=0.1)
    assert "critique" in fields

    # words in the prompt win over the defaults
    post = await _shot(world, "a kite over a beach, the camera tilts up, 16:9, 1 second", world.ana)
    fields, clip = _fields(post), _clip(post, tmp_path)
    assert (fields["aspect ratio"], fields["duration s"]) == ("16:9", "1")
    assert clip.width > clip.height

    # a member's own defaults beat the server's: critique off -> the take is posted without a critic score
    world.slash("me", who=world.ben, group="settings", critique=False, duration=1.0)
    await _answer(world, "Your defaults")
    post = await _shot(world, "a lantern on a pier at night, static", world.ben)
    fields = _fields(post)
    assert "critique" not in fields and "failed checks" not in fields
    assert "not reviewed by the critic" in post.json["content"]
    assert (fields["aspect ratio"], fields["duration s"]) == ("9:16", "1")

    # a backend this studio does not serve is refused with a friendly line, and not saved
    world.slash("server-settings", who=world.mod, backend="diffusers", model="wan2.1-1.3b")
    refusal = await _answer(world, "can't be used here")
    assert refusal.json["flags"] & 64 and "previz" in refusal.json["content"]
    assert (await world.bot.defaults.guild(str(GUILD_ID))).backend is None
    world.slash("server-settings", who=world.mod, backend="previz")
    await _answer(world, "backend: previz")
    assert world.fake.unknown == []

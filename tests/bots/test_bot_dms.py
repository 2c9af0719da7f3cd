"""Direct messages: refused politely when off; when on, the DM itself is the project (takes, refinements, buttons)."""

from __future__ import annotations

import pytest

from bots.testing import fake_discord as fd
from tests.bots.conftest import is_take_post


def _ids(payload: dict) -> list[str]:
    return [c["custom_id"] for row in payload.get("components", []) for c in row.get("components", [])]


def _answer_to(payload: dict):
    return lambda c: c.method == "POST" and c.path == f"/webhooks/{fd.APP_ID}/{payload['token']}"


def _ack_of(payload: dict):
    return lambda c: c.path == f"/interactions/{payload['id']}/{payload['token']}/callback"


async def test_dms_off_refuse_commands_and_messages_politely(make_world):
    world = await make_world(None)  # no studio: nothing may reach it
    fake = world.fake
    payload = world.dm_slash("shot", world.ana, prompt="a fox in the snow")
    answer = await fake.wait_for(_ack_of(payload))
    await world.bot.drain()
    assert answer.json["type"] == 4 and answer.json["data"]["flags"] & 64
    assert "servers only" in answer.json["data"]["content"]
    payload = world.dm_slash("help", world.ana)
    assert "servers only" in (await fake.wait_for(_ack_of(payload))).json["data"]["content"]

    world.dm_say(world.ana, "hello?")
    dm_id = world.dm(world.ana)["id"]
    reply = await fake.wait_for(lambda c: c.method == "POST" and c.path == f"/channels/{dm_id}/messages")
    await world.bot.drain()
    assert "servers only" in reply.content and reply.json["allowed_mentions"]["parse"] == []
    assert not fake.find("POST", "/threads") and fake.unknown == []


async def test_settings_is_for_servers_even_with_dms_on(make_world, settings):
    world = await make_world(None, settings_=settings.model_copy(update={"discord_allow_dms": True}))
    payload = world.interactions.slash("show", {}, guild_id=None, channel=world.dm(world.ana), who=world.ana)
    payload["data"]["options"] = [{"name": "show", "type": 1, "options": []}]
    payload["data"]["name"] = "settings"
    world.bot._connection.parse_interaction_create(payload)
    answer = await world.fake.wait_for(_ack_of(payload))
    assert "/settings works in servers only" in answer.json["data"]["content"]


@pytest.mark.slow
async def test_a_dm_is_its_own_project(make_world, settings):
    from agent.studio import Studio

    cfg = settings.model_copy(update={"attempt_budget": 1, "discord_allow_dms": True})
    async with Studio.open(cfg.studio_config(), approve_final=False) as studio:
        world = await make_world(studio, settings_=cfg, progress_interval=0.05)
        fake = world.fake
        dm_id = int(world.dm(world.ana)["id"])

        # Before any /shot, small talk renders nothing.
        world.dm_say(world.ana, "hi there")
        hint = await fake.wait_for(lambda c: c.method == "POST" and c.path == f"/channels/{dm_id}/messages")
        await world.bot.drain()
        assert "/shot" in hint.content and await studio.spec(str(dm_id)) is None

        # /shot in the DM: deferred, no thread, the take posted right there with its buttons.
        payload = world.dm_slash("shot", world.ana, prompt="a lantern on a jetty at dusk, static camera, 1 second")
        ack = await fake.wait_for(_ack_of(payload))
        assert ack.json["type"] == 5
        said = await fake.wait_for(_answer_to(payload))
        assert "Shooting here" in said.json["content"] and said.json["flags"] & 64
        first = await fake.wait_for(is_take_post(dm_id), timeout=120)
        await world.bot.drain()
        assert not fake.find("POST", "/threads")
        take1 = _ids(first.json)[0].split(":")[3]
        assert _ids(first.json)[0] == f"dailies:take:reroll:{take1}:{world.ana['user']['id']}"
        assert await studio.take(str(dm_id), take1) is not None  # keyed by the DM channel's id

        # A plain message in the DM refines the shot, attributed.
        world.dm_say(world.ana, "make it night")
        await fake.wait_for(lambda c: "@ana: time of day" in (c.content or "") and str(dm_id) in c.path)
        await fake.wait_for(lambda c: len([x for x in fake.calls if is_take_post(dm_id)(x)]) >= 2, timeout=120)
        await world.bot.drain()

        # The take's buttons work in the DM: Approve puts it on the DM project's storyboard.
        world.dm_press(
            f"dailies:take:approve:{take1}:{world.ana['user']['id']}", fake.messages[int(first.result["id"])], world.ana
        )
        await fake.wait_for(lambda c: f"approved take `{take1}`" in (c.content or ""))
        assert [s.take_id for s in (await studio.storyboard(str(dm_id))).shots] == [take1]
        assert fake.unknown == []

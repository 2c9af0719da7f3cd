"""The bot logs in against the fake server, loads its cogs, syncs only when asked, answers /settings."""

from __future__ import annotations

from tests.bots.conftest import GUILD_ID


async def test_login_does_not_sync_commands(make_world):
    world = await make_world()
    paths = world.fake.summary()
    assert "GET /users/@me" in paths
    assert "GET /oauth2/applications/@me" in paths
    assert not world.fake.find("PUT", "/commands")
    assert world.fake.unknown == []


async def test_sync_on_request_goes_to_the_dev_guild(make_world, settings):
    cfg = settings.model_copy(update={"discord_dev_guild": GUILD_ID})
    world = await make_world(settings_=cfg, sync_commands=True)
    put = world.fake.find("PUT", f"/guilds/{GUILD_ID}/commands")
    assert len(put) == 1
    names = {c["name"] for c in put[0].json}
    assert "settings" in names


async def test_settings_server_and_show(make_world, studio):
    world = await make_world(studio)
    world.slash("server-settings", who=world.mod, aspect_ratio="9:16", duration=3.0)
    call = await world.fake.wait_for(
        lambda c: c.method == "POST" and "/webhooks/" in c.path and "9:16" in (c.content or "")
    )
    assert call.json["flags"] & 64  # ephemeral
    world.slash("server-settings", who=world.ana, aspect_ratio="1:1")
    await world.fake.wait_for(lambda c: "manage this server" in (c.content or ""))
    assert (await world.bot.defaults.guild(str(GUILD_ID))).aspect_ratio == "9:16"

"""The bot logs in against the fake server, loads its cogs, syncs only when asked, answers /settings."""

from __future__ import annotations

import discord

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
    assert {"settings", "server-settings"} <= names


async def test_each_sync_clears_the_other_scope(make_world, settings):
    """A server that once got global commands and dev-guild commands must not show each twice."""
    fake = None
    for dev_guild in (None, GUILD_ID, None):
        cfg = settings.model_copy(update={"discord_dev_guild": dev_guild})
        world = await make_world(settings_=cfg, sync_commands=True)
        fake = world.fake
        scopes = {scope: [c["name"] for c in commands] for scope, commands in fake.state.commands.items()}
        assert [scope for scope, names in scopes.items() if names] == [str(dev_guild) if dev_guild else "global"]
        await world.bot.close()
    assert fake is not None and fake.invalid_requests() == []


async def test_server_settings_carry_their_permission_where_discord_reads_it(make_world):
    world = await make_world(sync_commands=True)
    commands = {c["name"]: c for c in world.fake.state.commands["global"]}
    manage_guild = discord.Permissions(manage_guild=True).value
    assert int(commands["server-settings"]["default_member_permissions"]) == manage_guild
    assert commands["server-settings"]["dm_permission"] is False
    assert commands["settings"]["default_member_permissions"] is None  # /settings show and me: every member
    assert {o["name"] for o in commands["settings"]["options"]} == {"show", "me"}


async def test_the_bot_asks_only_for_the_intents_it_uses(make_world, settings):
    world = await make_world()
    wanted = discord.Intents(guilds=True, guild_messages=True, guild_reactions=True, message_content=True)
    assert world.bot.intents == wanted
    dms = await make_world(settings_=settings.model_copy(update={"discord_allow_dms": True}))
    assert dms.bot.intents.dm_messages and dms.bot.intents.dm_reactions and not dms.bot.intents.members
    quiet = await make_world(settings_=settings.model_copy(update={"discord_message_content": False}))
    assert not quiet.bot.intents.message_content


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

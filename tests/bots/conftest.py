"""Bot fixtures: the fake Discord server, a logged-in DailiesBot pointed at it, a seeded guild."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import discord
import pytest

from bots.bot import DailiesBot
from bots.command_sync import SyncedScopes
from bots.guild_settings import GuildSettingsStore
from bots.journal import RunJournal
from bots.quotas import Limits, Quotas
from bots.settings import Settings
from bots.testing import fake_discord as fd
from bots.testing.clock import ManualClock
from bots.votes import VoteStore
from tests.patience import PATIENCE

GUILD_ID = 800000000000000001
CHANNEL_ID = 800000000000000010
NSFW_CHANNEL_ID = 800000000000000011
MOD_ROLE_ID = 800000000000000020
ANA_ID, BEN_ID, MOD_ID = 700000000000000001, 700000000000000002, 700000000000000003
OTHER_GUILD_ID = 810000000000000001
OTHER_CHANNEL_ID = 810000000000000010
EVE_ID = 710000000000000001
TOKEN = "fake-token"


@dataclass
class World:
    """The fake server, the bot, and the people and places of the test guild."""

    fake: fd.FakeDiscord
    bot: DailiesBot
    interactions: fd.Interactions
    channel: dict[str, Any]
    nsfw_channel: dict[str, Any]
    ana: dict[str, Any]
    ben: dict[str, Any]
    mod: dict[str, Any]

    def slash(self, name: str, who: dict | None = None, channel: dict | None = None, group: str | None = None, **opts):
        payload = self.interactions.slash(
            name, opts, guild_id=GUILD_ID, channel=channel or self.channel, who=who or self.ana, group=group
        )
        self.bot._connection.parse_interaction_create(payload)
        return payload

    def say(self, channel: dict, text: str, who: dict | None = None) -> dict:
        payload = fd.message_create(self.fake, channel, who or self.ana, text, guild_id=GUILD_ID)
        self.bot._connection.parse_message_create(payload)
        return payload

    def press(
        self,
        custom_id: str,
        message: dict,
        who: dict | None = None,
        channel: dict | None = None,
        guild_id: int = GUILD_ID,
    ) -> dict:
        channel = channel or self.fake.channels[int(message["channel_id"])]
        payload = self.interactions.button(
            custom_id, guild_id=guild_id, channel=channel, who=who or self.ana, message=message
        )
        self.bot._connection.parse_interaction_create(payload)
        return payload

    def submit(self, custom_id: str, fields: dict[str, str], channel: dict, who: dict | None = None) -> dict:
        payload = self.interactions.modal(custom_id, fields, guild_id=GUILD_ID, channel=channel, who=who or self.ana)
        self.bot._connection.parse_interaction_create(payload)
        return payload

    def dm(self, who: dict) -> dict[str, Any]:
        """The direct-message channel between the bot and this member (known to the fake server)."""
        channel_id = int(who["user"]["id"]) + 1
        channel = self.fake.channels.setdefault(channel_id, fd.dm_channel(channel_id, who))
        return channel

    def dm_slash(self, name: str, who: dict, **opts: Any) -> dict:
        payload = self.interactions.slash(name, opts, guild_id=None, channel=self.dm(who), who=who)
        self.bot._connection.parse_interaction_create(payload)
        return payload

    def dm_say(self, who: dict, text: str) -> dict:
        payload = fd.message_create(self.fake, self.dm(who), who, text, guild_id=None)
        self.bot._connection.parse_message_create(payload)
        return payload

    def dm_press(self, custom_id: str, message: dict, who: dict) -> dict:
        payload = self.interactions.button(custom_id, guild_id=None, channel=self.dm(who), who=who, message=message)
        self.bot._connection.parse_interaction_create(payload)
        return payload

    def other_guild(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """A second server with one text channel and one member (eve); returns (channel, eve)."""
        data = fd.guild(
            OTHER_GUILD_ID,
            channels=[fd.text_channel(OTHER_CHANNEL_ID, OTHER_GUILD_ID, "elsewhere")],
            members=[fd.member(EVE_ID, "eve")],
        )
        self.fake.register_guild(data)
        self.bot._connection._add_guild_from_data(self.fake.state.guild_create(OTHER_GUILD_ID))
        return self.fake.channels[OTHER_CHANNEL_ID], data["members"][-1]

    def add_thread(self, thread: dict) -> None:
        """A thread the bot opened before this test began: known to the server, announced with THREAD_CREATE."""
        if int(thread["id"]) not in self.fake.channels:
            self.fake.add_thread(thread)
        elif self.bot.get_channel(int(thread["id"])) is None:
            self.bot._connection.parse_thread_create({**thread, "newly_created": True})

    def add_channel(self, channel_id: int, name: str, kind: int) -> dict[str, Any]:
        """Another channel in the test guild (announcement, forum), known to the server and the bot."""
        channel = fd.text_channel(channel_id, GUILD_ID, name, kind=kind)
        self.fake.channels[channel_id] = channel
        self.bot._connection.parse_channel_create(channel)
        return channel


def make_guild(premium_tier: int = 0) -> dict[str, Any]:
    mod_role = fd.role(MOD_ROLE_ID, "mods", permissions=fd.ALL_PERMISSIONS)
    return fd.guild(
        GUILD_ID,
        channels=[
            fd.text_channel(CHANNEL_ID, GUILD_ID, "set"),
            fd.text_channel(NSFW_CHANNEL_ID, GUILD_ID, "after-dark", nsfw=True),
        ],
        members=[
            fd.member(ANA_ID, "ana"),
            fd.member(BEN_ID, "ben"),
            fd.member(MOD_ID, "mod", roles=(MOD_ROLE_ID,), permissions=fd.ALL_PERMISSIONS),
        ],
        roles=[mod_role],
        premium_tier=premium_tier,
    )


@pytest.fixture
def clock() -> ManualClock:
    """The fake Discord's wall clock, standing still unless a test moves it (the 3 s and 15-minute rules)."""
    return ManualClock()


@pytest.fixture
async def fake(clock, monkeypatch) -> AsyncIterator[fd.FakeDiscord]:
    """The strict fake Discord. discord.py reads the same clock (Interaction.is_expired), and every
    interaction a test makes must be answered by its end, as a member would otherwise see it fail."""
    server = fd.FakeDiscord(clock=clock, token=TOKEN, patience=PATIENCE)
    base = await server.start()
    monkeypatch.setattr(discord.http.Route, "BASE", base)
    monkeypatch.setattr(discord.utils, "utcnow", clock.utcnow)
    try:
        yield server
    finally:
        await server.stop()
    left = server.unanswered()
    if left:
        pytest.fail(f"interactions left unanswered: {left}", pytrace=False)


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(data_dir=tmp_path / "data", discord_token=TOKEN)


@pytest.fixture
async def make_world(fake, settings) -> AsyncIterator[Callable[..., Any]]:
    opened: list[tuple[DailiesBot, list[Any]]] = []

    async def build(studio: Any = None, *, settings_: Settings | None = None, **bot_kwargs: Any) -> World:
        cfg = settings_ or settings
        quotas = await Quotas(cfg.data_dir / "bot.sqlite", Limits.from_settings(cfg)).open()
        defaults = await GuildSettingsStore(cfg.data_dir / "bot.sqlite").open()
        votes = await VoteStore(cfg.data_dir / "bot.sqlite").open()
        journal = await RunJournal(cfg.data_dir / "bot.sqlite").open()
        scopes = await SyncedScopes(cfg.data_dir / "bot.sqlite").open()
        bot = DailiesBot(
            studio=studio,
            settings=cfg,
            quotas=quotas,
            defaults=defaults,
            votes=votes,
            journal=journal,
            scopes=scopes,
            **bot_kwargs,
        )
        guild = make_guild()
        if GUILD_ID not in fake.guilds:
            fake.register_guild(guild)  # the bot is in the guild before it logs in (and syncs commands there)
        await bot.login(cfg.discord_token.get_secret_value())
        fake.connect(bot._connection)
        opened.append((bot, [quotas, defaults, votes, journal, scopes]))
        members = {m["user"]["username"]: m for m in guild["members"]}
        return World(
            fake=fake,
            bot=bot,
            interactions=fd.Interactions(fake),
            channel=fake.channels[CHANNEL_ID],
            nsfw_channel=fake.channels[NSFW_CHANNEL_ID],
            ana=members["ana"],
            ben=members["ben"],
            mod=members["mod"],
        )

    yield build
    for bot, stores in opened:
        fake.disconnect(bot._connection)
        await bot.close()
        for store in stores:
            await store.close()


@pytest.fixture
async def studio(settings):
    """The real agent on the embedded defaults (previz renderer, offline director, critic), one attempt."""
    from agent.studio import Studio

    cfg = settings.model_copy(update={"attempt_budget": 1})
    async with Studio.open(cfg.studio_config(), approve_final=False) as opened:
        yield opened


def is_take_post(channel_id: int):
    """A predicate: a message with an mp4 posted in this channel."""
    return lambda c: (
        c.method == "POST"
        and c.path == f"/channels/{channel_id}/messages"
        and any(name.endswith(".mp4") for name, _ in c.files.values())
    )

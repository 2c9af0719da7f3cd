"""`dailies discord [--sync]`: log in to Discord, then run the bot on the settings' renderer, director and data
folder. Logging in comes first, so a bad token, no network or a dev guild the bot is not in is one line and exit
code 2 before any model is loaded."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
from collections.abc import Iterator
from contextlib import AsyncExitStack
from typing import TYPE_CHECKING, TypeVar

from bots.cli.errors import UserError
from bots.settings import Settings

if TYPE_CHECKING:
    from bots.sqlite_store import SqliteStore

MISSING_ACCESS = 50001
Store = TypeVar("Store", bound="SqliteStore")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("discord", help="run the Discord bot (token from DISCORD_TOKEN)")
    parser.add_argument(
        "--sync",
        action="store_true",
        help="sync slash commands before starting (to DAILIES_DISCORD_DEV_GUILD when set, else globally)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    token = settings.discord_token.get_secret_value().strip() if settings.discord_token else ""
    if not token:
        raise UserError("no Discord bot token: set DISCORD_TOKEN (see docs/discord.md)")
    try:
        settings.ensure_data_dir()
    except OSError as exc:
        raise UserError(f"cannot create the data folder {settings.data_dir}: {exc.strerror}") from None
    return asyncio.run(serve(settings, token, sync=args.sync))


@contextlib.contextmanager
def discord_errors(settings: Settings) -> Iterator[None]:
    """Discord's and the network's refusals at start-up, as one line each (UserError: exit code 2)."""
    import aiohttp
    import discord

    try:
        yield
    except discord.LoginFailure:
        raise UserError("Discord rejected the token: check DISCORD_TOKEN") from None
    except discord.PrivilegedIntentsRequired:
        raise UserError(
            "the message_content intent is not enabled for this application: enable it in the "
            "Developer Portal (Bot > Privileged Gateway Intents) or set DAILIES_DISCORD_MESSAGE_CONTENT=false"
        ) from None
    except discord.HTTPException as exc:
        if exc.code == MISSING_ACCESS and settings.discord_dev_guild is not None:
            raise UserError(
                f"cannot sync commands to server {settings.discord_dev_guild}: the bot is not in it (invite it "
                "with the bot and applications.commands scopes, or fix DAILIES_DISCORD_DEV_GUILD)"
            ) from None
        raise UserError(f"Discord refused: {exc.status} {exc.text or exc.response.reason}") from None
    except (discord.GatewayNotFound, discord.ConnectionClosed) as exc:
        raise UserError(f"cannot connect to Discord's gateway: {exc}") from None
    except (aiohttp.ClientError, OSError) as exc:
        raise UserError(f"cannot reach Discord ({type(exc).__name__}: {exc}): check the network") from None


async def log_in(settings: Settings, token: str, *, sync: bool) -> None:
    """Check the token (and, for --sync, that the bot is in the dev guild) with a bare client."""
    import discord

    # Quiet until logged in: a refusal is one line, not discord.py's start-up chatter (voice support, ...).
    logging.getLogger("discord").addHandler(logging.NullHandler())
    client = discord.Client(intents=discord.Intents(guilds=True))
    try:
        with discord_errors(settings):
            await client.login(token)
            if sync and settings.discord_dev_guild is not None and client.application_id is not None:
                await client.http.get_guild_commands(client.application_id, settings.discord_dev_guild)
    finally:
        await client.close()


async def _opened(stack: AsyncExitStack, store: Store) -> Store:
    """Open a store of bot.sqlite and close it with the stack."""
    await store.open()
    stack.push_async_callback(store.close)
    return store


async def serve(settings: Settings, token: str, *, sync: bool) -> int:
    from agent.studio import Studio
    from bots.bot import DailiesBot
    from bots.command_sync import SyncedScopes
    from bots.guild_settings import GuildSettingsStore
    from bots.journal import RunJournal
    from bots.quotas import Limits, Quotas
    from bots.votes import VoteStore
    from tools.queued_renderer import open_queued_renderer

    await log_in(settings, token, sync=sync)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    db = settings.data_dir / "bot.sqlite"
    renderer = await asyncio.to_thread(open_queued_renderer, settings.render_setup())
    try:
        async with AsyncExitStack() as stack:
            quotas = await _opened(stack, Quotas(db, Limits.from_settings(settings)))
            defaults = await _opened(stack, GuildSettingsStore(db))
            votes = await _opened(stack, VoteStore(db))
            journal = await _opened(stack, RunJournal(db))
            scopes = await _opened(stack, SyncedScopes(db))
            studio = await stack.enter_async_context(Studio.open(settings.studio_config(), renderer=renderer))
            bot = DailiesBot(
                studio=studio,
                settings=settings,
                quotas=quotas,
                defaults=defaults,
                votes=votes,
                journal=journal,
                scopes=scopes,
                sync_commands=sync,
            )
            with discord_errors(settings):
                async with bot:
                    await bot.start(token)
    finally:
        await asyncio.to_thread(renderer.close)
    return 0

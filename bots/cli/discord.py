"""`dailies discord [--sync]`: run the Discord bot on the settings' renderer, director and data folder."""

from __future__ import annotations

import argparse
import asyncio
import logging
from contextlib import AsyncExitStack

from bots.cli.errors import UserError
from bots.settings import Settings


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
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return asyncio.run(serve(settings, token, sync=args.sync))


async def serve(settings: Settings, token: str, *, sync: bool) -> int:
    import discord

    from agent.studio import Studio
    from bots.bot import DailiesBot
    from bots.guild_settings import GuildSettingsStore
    from bots.journal import RunJournal
    from bots.quotas import Limits, Quotas
    from bots.votes import VoteStore
    from tools.queued_renderer import open_queued_renderer

    db = settings.data_dir / "bot.sqlite"
    renderer = await asyncio.to_thread(open_queued_renderer, settings.render_setup())
    try:
        async with AsyncExitStack() as stack:
            quotas = await Quotas(db, Limits.from_settings(settings)).open()
            stack.push_async_callback(quotas.close)
            defaults = await GuildSettingsStore(db).open()
            stack.push_async_callback(defaults.close)
            votes = await VoteStore(db).open()
            stack.push_async_callback(votes.close)
            journal = await RunJournal(db).open()
            stack.push_async_callback(journal.close)
            studio = await stack.enter_async_context(Studio.open(settings.studio_config(), renderer=renderer))
            bot = DailiesBot(
                studio=studio,
                settings=settings,
                quotas=quotas,
                defaults=defaults,
                votes=votes,
                journal=journal,
                sync_commands=sync,
            )
            try:
                async with bot:
                    await bot.start(token)
            except discord.LoginFailure:
                raise UserError("Discord rejected the token: check DISCORD_TOKEN") from None
            except discord.PrivilegedIntentsRequired:
                raise UserError(
                    "the message_content intent is not enabled for this application: enable it in the "
                    "Developer Portal (Bot > Privileged Gateway Intents) or set DAILIES_DISCORD_MESSAGE_CONTENT=false"
                ) from None
    finally:
        await asyncio.to_thread(renderer.close)
    return 0

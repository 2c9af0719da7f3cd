"""Syncing slash commands to one scope (the dev guild, or globally) and clearing them from the others, so no
server shows each command twice."""

from __future__ import annotations

import logging

import discord
from discord import app_commands

from bots.sqlite_store import SqliteStore

log = logging.getLogger(__name__)

GLOBAL = "global"
SCHEMA = "CREATE TABLE IF NOT EXISTS synced_scopes (scope TEXT PRIMARY KEY)"


class SyncedScopes(SqliteStore):
    """Where this bot's commands were synced before ("global" or a guild id), kept in bot.sqlite."""

    schema = (SCHEMA,)

    async def all(self) -> list[str]:
        return [row[0] for row in await self._all("SELECT scope FROM synced_scopes")]

    async def remember(self, scope: str) -> None:
        await self._write("INSERT OR IGNORE INTO synced_scopes VALUES (?)", (scope,))

    async def forget(self, scope: str) -> None:
        await self._write("DELETE FROM synced_scopes WHERE scope=?", (scope,))


async def sync_commands(
    tree: app_commands.CommandTree, *, dev_guild: int | None, scopes: SyncedScopes | None
) -> list[app_commands.AppCommand]:
    """Sync to the dev guild when one is set (instant) and clear the global commands, else sync globally and
    clear every guild this bot synced to before. Discord's errors (50001: not in that guild) propagate."""
    client = tree.client
    app_id = client.application_id
    assert app_id is not None, "log in before syncing"
    if dev_guild is not None:
        guild = discord.Object(id=dev_guild)
        tree.copy_global_to(guild=guild)
        synced = await tree.sync(guild=guild)
        target = str(dev_guild)
        await client.http.bulk_upsert_global_commands(app_id, [])
    else:
        synced = await tree.sync()
        target = GLOBAL
    for scope in await scopes.all() if scopes is not None else []:
        if scope in (target, GLOBAL):
            continue
        try:
            await client.http.bulk_upsert_guild_commands(app_id, int(scope), [])
        except discord.Forbidden as exc:  # the bot left that guild: nothing of ours shows there any more
            log.info("could not clear commands in guild %s: %s", scope, exc)
        await scopes.forget(scope)  # type: ignore[union-attr]
    if scopes is not None:
        if target != GLOBAL:
            await scopes.forget(GLOBAL)
        await scopes.remember(target)
    return synced

"""DailiesBot: a commands.Bot that receives the studio, settings and stores, loads the cogs, syncs on request."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bots.guards import place_refusal
from bots.guild_settings import GuildSettingsStore
from bots.journal import RunJournal
from bots.policy import ContentPolicy
from bots.quotas import Quotas
from bots.replies import NO_PINGS, reply_ephemeral
from bots.runner import Runner
from bots.settings import Settings
from bots.votes import VoteStore

log = logging.getLogger(__name__)


class DailiesTree(app_commands.CommandTree):
    """Refuses commands where they may not run (DMs by setting) and turns any failure into one friendly line."""

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        settings: Settings = interaction.client.settings  # type: ignore[attr-defined]
        why = place_refusal(interaction, settings)
        command = interaction.command
        root = getattr(command, "root_parent", None) or command
        if why is None and interaction.guild_id is None and getattr(root, "guild_only", False):
            why = f"/{getattr(root, 'name', 'this')} works in servers only."
        if why is None:
            return True
        await reply_ephemeral(interaction, why)
        return False

    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        if isinstance(error, app_commands.CheckFailure):
            text = str(error) or "You can't use this command here."
        else:
            log.exception("slash command failed", exc_info=error)
            text = "Something went wrong on our side; the crew has been told. Try again in a moment."
        await reply_ephemeral(interaction, text)


class DailiesBot(commands.Bot):
    """The Discord front end: cogs translate events into Studio calls; nothing here renders."""

    def __init__(
        self,
        *,
        studio: Any,
        settings: Settings,
        quotas: Quotas,
        defaults: GuildSettingsStore,
        votes: VoteStore | None = None,
        journal: RunJournal | None = None,
        policy: ContentPolicy | None = None,
        sync_commands: bool = False,
        progress_interval: float = 1.0,
    ) -> None:
        intents = discord.Intents.default()
        intents.message_content = settings.discord_message_content
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents,
            allowed_mentions=NO_PINGS,
            help_command=None,
            tree_cls=DailiesTree,
        )
        self.studio = studio
        self.settings = settings
        self.quotas = quotas
        self.defaults = defaults
        self.votes = votes
        self.journal = journal
        self._recovered = False
        self.policy = policy or ContentPolicy.from_settings(settings)
        self.runner = Runner(self)
        self.sync_on_start = sync_commands
        self.progress_interval = progress_interval
        self._tasks: set[asyncio.Task[Any]] = set()

    async def setup_hook(self) -> None:
        from bots.cogs import load_cogs

        await load_cogs(self)
        if self.sync_on_start:
            synced = await self.sync_commands()
            log.info("synced %d commands", len(synced))

    async def sync_commands(self) -> list[app_commands.AppCommand]:
        """Sync slash commands: to the dev guild when one is set (instant), else globally (up to an hour)."""
        if self.settings.discord_dev_guild is not None:
            guild = discord.Object(id=self.settings.discord_dev_guild)
            self.tree.copy_global_to(guild=guild)
            return await self.tree.sync(guild=guild)
        return await self.tree.sync()

    async def on_ready(self) -> None:
        if not self._recovered:
            self._recovered = True
            await self.recover_runs()

    async def recover_runs(self) -> int:
        """Finish and deliver the runs a previous process left in flight; returns how many were restarted."""
        if self.journal is None:
            return 0
        restarted = 0
        for run in await self.journal.left_over():
            try:
                thread = await self.fetch_channel(int(run.thread_id))
            except discord.HTTPException as exc:
                log.warning("cannot reach thread %s to finish its run: %s", run.thread_id, exc)
                await self.journal.end(run.thread_id)
                continue
            owner = self.get_user(int(run.user_id)) or discord.Object(id=int(run.user_id))
            recovering = self.runner.recover(thread, owner, post_all=run.kind == "post_all")  # type: ignore[arg-type]
            self.spawn(recovering, name=f"recover-{run.thread_id}")  # type: ignore[arg-type]
            restarted += 1
        return restarted

    def spawn(self, coro: Coroutine[Any, Any, Any], *, name: str) -> asyncio.Task[Any]:
        """Run long work as its own task (the handler returns at once); failures are logged, never lost."""
        task = asyncio.create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and (exc := task.exception()) is not None:
            log.error("background task %s failed", task.get_name(), exc_info=exc)

    async def drain(self, timeout: float | None = None) -> None:
        """Wait for the background tasks running now (tests and shutdown)."""
        while self._tasks:
            await asyncio.wait(set(self._tasks), timeout=timeout)
            if timeout is not None:
                return

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        await super().close()

"""DailiesBot: a commands.Bot that receives the studio, settings and stores, loads the cogs, syncs on request."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bots.board import BoardActions
from bots.command_sync import SyncedScopes, sync_commands
from bots.guards import place_refusal
from bots.guild_settings import GuildSettingsStore
from bots.journal import InFlight, RunJournal
from bots.pacing import EditPacer, RequestPacer
from bots.policy import ContentPolicy
from bots.quotas import Quotas
from bots.replies import NO_PINGS, reply_ephemeral
from bots.runner import Runner
from bots.settings import Settings
from bots.studio_port import StudioPort
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


def intents_for(settings: Settings) -> discord.Intents:
    """Only what the bot reads: guilds and their threads, messages and reactions in them (and in DMs when
    DMs are allowed), and message content when plain messages may refine shots."""
    intents = discord.Intents.none()
    intents.guilds = True
    intents.guild_messages = True
    intents.guild_reactions = True
    intents.dm_messages = settings.discord_allow_dms
    intents.dm_reactions = settings.discord_allow_dms
    intents.message_content = settings.discord_message_content
    return intents


class DailiesBot(commands.Bot):
    """The Discord front end: cogs translate events into Studio calls; nothing here renders."""

    def __init__(
        self,
        *,
        studio: StudioPort,
        settings: Settings,
        quotas: Quotas,
        defaults: GuildSettingsStore,
        votes: VoteStore | None = None,
        journal: RunJournal | None = None,
        scopes: SyncedScopes | None = None,
        policy: ContentPolicy | None = None,
        sync_commands: bool = False,
        progress_interval: float = 1.0,
    ) -> None:
        self.pacer = RequestPacer()
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents_for(settings),
            allowed_mentions=NO_PINGS,
            help_command=None,
            tree_cls=DailiesTree,
            http_trace=self.pacer.trace_config(),
        )
        self.studio = studio
        self.settings = settings
        self.quotas = quotas
        self.defaults = defaults
        self.votes = votes
        self.journal = journal
        self.scopes = scopes
        self._recovered = False
        self.policy = policy or ContentPolicy.from_settings(settings)
        self.runner = Runner(
            studio=studio,
            settings=settings,
            quotas=quotas,
            defaults=defaults,
            policy=self.policy,
            spawn=self.spawn,
            pacer=EditPacer(channel_interval=progress_interval),
            journal=journal,
            votes=votes,
        )
        self.board = BoardActions(self.runner)
        self.sync_on_start = sync_commands
        self._tasks: set[asyncio.Task[Any]] = set()

    async def setup_hook(self) -> None:
        from bots.cogs import load_cogs

        await load_cogs(self)
        if self.sync_on_start:
            synced = await self.sync_commands()
            log.info("synced %d commands", len(synced))

    async def sync_commands(self) -> list[app_commands.AppCommand]:
        """Sync slash commands to the dev guild when one is set (instant), else globally (up to an hour), and
        remove them from the scope they were synced to before."""
        return await sync_commands(self.tree, dev_guild=self.settings.discord_dev_guild, scopes=self.scopes)

    async def on_ready(self) -> None:
        if not self._recovered:
            self._recovered = True
            await self.recover_runs()

    async def recover_runs(self) -> int:
        """Finish and deliver the runs a previous process left in flight, once per thread, after removing the
        progress messages it left behind; returns how many threads were restarted."""
        if self.journal is None:
            return 0
        by_thread: dict[str, list[InFlight]] = {}
        for run in await self.journal.left_over():
            by_thread.setdefault(run.thread_id, []).append(run)
        restarted = 0
        for thread_id, runs in by_thread.items():
            for run in runs:
                await self.journal.end(run.run_id)
            try:
                thread = await self.fetch_channel(int(thread_id))
            except discord.HTTPException as exc:
                log.warning("cannot reach thread %s to finish its run: %s", thread_id, exc)
                continue
            await self._remove_old_progress(thread, runs)
            owner_id = int(runs[-1].user_id)
            owner = self.get_user(owner_id) or discord.Object(id=owner_id)
            post_all = any(run.kind == "post_all" for run in runs)
            recovering = self.runner.recover(thread, owner, post_all=post_all)  # type: ignore[arg-type]
            self.spawn(recovering, name=f"recover-{thread_id}")
            restarted += 1
        return restarted

    async def _remove_old_progress(self, thread: Any, runs: list[InFlight]) -> None:
        for run in runs:
            if run.progress_message_id is None:
                continue
            try:
                await thread.get_partial_message(int(run.progress_message_id)).delete()
            except discord.HTTPException as exc:
                log.info("old progress message %s stays: %s", run.progress_message_id, exc)

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

"""Slash commands that make or use takes: /shot, /refine, /render, /variations, /storyboard, /reel."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bots import guards
from bots.project_threads import locked_refusal, open_project_thread, reopen
from bots.replies import NO_PINGS, Notice, reply_ephemeral
from bots.runner import author_name

if TYPE_CHECKING:
    from bots.bot import DailiesBot

Aspect = Literal["16:9", "9:16", "1:1", "4:3", "2.39:1"]


def project_thread(bot: DailiesBot, channel: object) -> guards.ProjectPlace | None:
    """The channel if it is a project: a thread this bot opened, or a direct message when DMs are allowed."""
    bot_id = bot.user.id if bot.user is not None else None
    return guards.project_place(channel, bot_id=bot_id, allow_dms=bot.settings.discord_allow_dms)


class ShotsCog(commands.Cog):
    """Translates shot commands into Studio calls; every handler defers first."""

    def __init__(self, bot: DailiesBot) -> None:
        self.bot = bot

    @app_commands.command(name="shot", description="Describe a shot: opens a project thread and makes the first take")
    @app_commands.describe(prompt="What should we see?", aspect_ratio="Frame shape", duration="Seconds (0.5 to 60)")
    async def shot(
        self,
        interaction: discord.Interaction,
        prompt: app_commands.Range[str, 1, 4000],
        aspect_ratio: Aspect | None = None,
        duration: app_commands.Range[float, 0.5, 60.0] | None = None,
    ) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        runner = self.bot.runner
        thread = project_thread(self.bot, interaction.channel)
        admission = await runner.admit(
            user=interaction.user,
            guild_id=interaction.guild_id,
            channel=interaction.channel,
            text=prompt,
            project=thread is not None,
        )
        if admission.refusal:
            await reply_ephemeral(interaction, admission.refusal)
            return
        # The command's own aspect ratio and duration beat saved defaults; words in the prompt beat both.
        options = await runner.options(
            interaction.guild_id, interaction.user, aspect_ratio=aspect_ratio, duration_s=duration
        )
        if (why := guards.missing_permissions(interaction, opens_thread=thread is None)) is not None:
            if admission.lease is not None:
                admission.lease.release()
            await reply_ephemeral(interaction, why)
            return
        try:
            if thread is None:
                thread = await open_project_thread(interaction.channel, admission.text, interaction.user)
        except (discord.HTTPException, discord.ClientException) as exc:
            if admission.lease is not None:
                admission.lease.release()
            why = f"{exc.text or exc.status}" if isinstance(exc, discord.HTTPException) else str(exc)
            await reply_ephemeral(interaction, f"I couldn't open a thread here ({why}).")
            return
        where = "here, in our messages" if isinstance(thread, discord.DMChannel) else thread.mention
        await interaction.followup.send(f"🎬 Shooting {where}", ephemeral=True, allowed_mentions=NO_PINGS)
        notice = Notice(interaction.user, interaction=interaction, place=thread)
        author, studio = author_name(interaction.user), self.bot.studio
        self.bot.spawn(
            runner.run(
                thread,
                interaction.user,
                lambda sink: studio.send(str(thread.id), author, admission.text, on_event=sink, options=options),
                lease=admission.lease,
                notes=admission.notes,
                notice=notice,
            ),
            name=f"shot-{thread.id}",
        )

    async def _project_or_refuse(self, interaction: discord.Interaction) -> guards.ProjectPlace | None:
        """The project this command was used in, or None after a private refusal (as the initial response
        when nothing was deferred yet: that costs no I/O, so it is well within Discord's 3 s)."""
        thread = project_thread(self.bot, interaction.channel)
        why = "Use this inside a project thread (start one with /shot)." if thread is None else locked_refusal(thread)
        if why is not None:
            await reply_ephemeral(interaction, why)
            return None
        return thread

    async def _in_thread(self, interaction: discord.Interaction) -> guards.ProjectPlace | None:
        """After a private deferral: the project, reopened if Discord archived it, or None after a refusal."""
        if (thread := await self._project_or_refuse(interaction)) is None:
            return None
        opened = await reopen(thread)
        if isinstance(opened, str):
            await reply_ephemeral(interaction, opened)
            return None
        return opened

    @app_commands.command(name="refine", description="Change the shot in this project thread")
    @app_commands.describe(change="What should change? e.g. 'make it night, slower'")
    async def refine(self, interaction: discord.Interaction, change: app_commands.Range[str, 1, 4000]) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        if (thread := await self._in_thread(interaction)) is None:
            return
        await self.bot.runner.refine_from_interaction(interaction, thread, change)

    @app_commands.command(name="render", description="Render the current take at final quality")
    @app_commands.describe(take="Take id (default: the current take)")
    async def render(self, interaction: discord.Interaction, take: str | None = None) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        if (thread := await self._in_thread(interaction)) is None:
            return
        await self.bot.runner.take_job(interaction, thread, "final", take)

    @app_commands.command(name="variations", description="Several takes of the current shot with new seeds")
    @app_commands.describe(count="How many (2 to 4)")
    async def variations(self, interaction: discord.Interaction, count: app_commands.Range[int, 2, 4] = 3) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        if (thread := await self._in_thread(interaction)) is None:
            return
        await self.bot.runner.take_job(interaction, thread, "variations", None, count=count)

    @app_commands.command(name="storyboard", description="Show the storyboard, or add the team's favourite take")
    @app_commands.describe(add_favourite="Approve the take with the most 👍 (minus 👎), then the critic's best")
    async def storyboard(self, interaction: discord.Interaction, add_favourite: bool = False) -> None:
        # Checked before deferring: the first follow-up after a deferral keeps the deferral's visibility.
        if await self._project_or_refuse(interaction) is None:
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        if (thread := await self._in_thread(interaction)) is None:
            return
        await self.bot.board.show(interaction, thread, add_favourite=add_favourite)

    @app_commands.command(name="reel", description="Cut the storyboard into one clip")
    @app_commands.describe(crossfade="Crossfade between shots instead of hard cuts")
    async def reel(self, interaction: discord.Interaction, crossfade: bool = False) -> None:
        if await self._project_or_refuse(interaction) is None:
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        if (thread := await self._in_thread(interaction)) is None:
            return
        self.bot.spawn(self.bot.board.reel(interaction, thread, crossfade), name=f"reel-{thread.id}")

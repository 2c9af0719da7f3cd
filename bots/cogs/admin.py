"""/queue, /cancel and /help."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bots.replies import reply_ephemeral

if TYPE_CHECKING:
    from bots.bot import DailiesBot

HELP = """**Dailies: direct video shots in plain words**
`/shot prompt` opens a project thread and makes the first take.
In the thread, just write what to change ("make it night, slower dolly in"), or use `/refine`.
Under each take: 🎲 Re-roll · 🔀 Variations · ✏️ Refine · ✅ Approve (to the storyboard)
· ⏩ Extend · 🎞️ Final render · 🗑️ Delete.
React 👍/👎 on takes; `/storyboard add_favourite:true` approves the team's favourite.
`/render` final quality · `/variations` · `/storyboard` · `/reel` one clip of the storyboard.
`/queue` where your render is · `/cancel` stop this thread's render · `/settings` your defaults
· `/server-settings` the server's defaults (moderators)."""


class AdminCog(commands.Cog):
    def __init__(self, bot: DailiesBot) -> None:
        self.bot = bot

    @app_commands.command(name="help", description="What Dailies can do")
    async def help(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        await reply_ephemeral(interaction, HELP)

    @app_commands.command(name="queue", description="Where this thread's render is: queue position and ETA")
    async def queue(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        status = self.bot.runner.status_line(str(interaction.channel_id))
        used = await self.bot.quotas.usage(str(interaction.guild_id or "dm"), str(interaction.user.id))
        limits = self.bot.quotas.limits
        mine = f"You have {used['user_active']} render(s) going, {used['user_today']}/{limits.user_daily} today."
        here = status or "Nothing is rendering in this thread."
        await reply_ephemeral(interaction, f"{here}\n{mine}")

    @app_commands.command(name="cancel", description="Stop the render running in this thread")
    async def cancel(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        cancelled = await self.bot.studio.cancel(str(interaction.channel_id))
        await reply_ephemeral(interaction, "🛑 Cancelling." if cancelled else "Nothing is rendering in this thread.")

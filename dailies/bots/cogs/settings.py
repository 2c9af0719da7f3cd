"""/settings: per-server defaults (moderators) and per-member defaults, stored by GuildSettingsStore."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands
from discord.ext import commands
from pydantic import ValidationError

from dailies.bots.policy import quote_user_text
from dailies.bots.replies import NO_PINGS, reply_ephemeral

if TYPE_CHECKING:
    from dailies.bots.bot import DailiesBot

Aspect = Literal["16:9", "9:16", "1:1", "4:3", "2.39:1"]


class SettingsCog(commands.Cog):
    """Reads and writes defaults; nothing else."""

    settings_group = app_commands.Group(name="settings", description="Defaults for new shots", guild_only=True)

    def __init__(self, bot: DailiesBot) -> None:
        self.bot = bot

    @settings_group.command(name="show", description="Show this server's and your defaults")
    async def show(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        guild_id, user_id = str(interaction.guild_id), str(interaction.user.id)
        server = await self.bot.defaults.guild(guild_id)
        mine = await self.bot.defaults.user(guild_id, user_id)
        used = await self.bot.quotas.usage(guild_id, user_id)
        limits = self.bot.quotas.limits
        text = (
            f"**Server defaults:** {quote_user_text(server.describe())}\n"
            f"**Your defaults:** {quote_user_text(mine.describe())}\n"
            f"**Today:** you {used['user_today']}/{limits.user_daily} renders, "
            f"server {used['guild_today']}/{limits.guild_daily}"
        )
        await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_PINGS)

    @settings_group.command(name="server", description="Set this server's defaults (Manage Server)")
    @app_commands.describe(
        aspect_ratio="Frame shape",
        duration="Seconds per shot (0.5 to 60)",
        approval="Ask before each final-quality render",
    )
    @app_commands.default_permissions(manage_guild=True)
    async def server(
        self,
        interaction: discord.Interaction,
        aspect_ratio: Aspect | None = None,
        duration: app_commands.Range[float, 0.5, 60.0] | None = None,
        approval: bool | None = None,
    ) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        perms = getattr(interaction.user, "guild_permissions", None)
        if not (perms and (perms.manage_guild or perms.administrator)):
            await reply_ephemeral(interaction, "Only members who can manage this server can change its defaults.")
            return
        changes = _changes(
            aspect_ratio=aspect_ratio,
            duration_s=duration,
            approval_for_final=approval,
        )
        try:
            value = await self.bot.defaults.update_guild(str(interaction.guild_id), **changes)
        except ValidationError as exc:
            await reply_ephemeral(interaction, f"That setting isn't valid: {exc.errors()[0]['msg']}")
            return
        await reply_ephemeral(interaction, f"Server defaults: {quote_user_text(value.describe())}")

    @settings_group.command(name="me", description="Set your own defaults in this server")
    @app_commands.describe(aspect_ratio="Frame shape", duration="Seconds per shot (0.5 to 60)")
    async def me(
        self,
        interaction: discord.Interaction,
        aspect_ratio: Aspect | None = None,
        duration: app_commands.Range[float, 0.5, 60.0] | None = None,
    ) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        value = await self.bot.defaults.update_user(
            str(interaction.guild_id),
            str(interaction.user.id),
            **_changes(aspect_ratio=aspect_ratio, duration_s=duration),
        )
        await reply_ephemeral(interaction, f"Your defaults: {quote_user_text(value.describe())}")


def _changes(**values: object) -> dict[str, object]:
    return {k: v for k, v in values.items() if v is not None}

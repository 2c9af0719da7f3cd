"""/server-settings (moderators) and /settings show|me (members): defaults stored by GuildSettingsStore."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands
from pydantic import ValidationError

from bots.guild_settings import Backend, Defaults
from bots.policy import quote_user_text
from bots.replies import NO_PINGS, reply_ephemeral
from generator.vocabulary import AspectRatio

if TYPE_CHECKING:
    from bots.bot import DailiesBot

Model = app_commands.Range[str, 1, 200]
Guide = app_commands.Range[str, 1, 20]
GUIDE_HELP = "Camera guide of model takes: previz, previz:0.7 (strength), auto (only to fix a camera) or off"
ANIMATIC_HELP = "With a video model, post the shot's quick previz animatic first"
Duration = app_commands.Range[float, 0.5, 60.0]


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

    # Its own top-level command: Discord reads default_member_permissions only there (a subcommand's is ignored),
    # so moderators see it and others do not, while /settings show and /settings me stay open to everyone.
    @app_commands.command(name="server-settings", description="Set this server's defaults (Manage Server)")
    @app_commands.guild_only()
    @app_commands.describe(
        backend="Renderer: previz (quick animatic) or diffusers (a video model)",
        model="Model of that backend (e.g. wan2.1-1.3b)",
        aspect_ratio="Frame shape, when a prompt doesn't say",
        duration="Seconds per shot (0.5 to 60), when a prompt doesn't say",
        critique="Let the critic review and retry takes",
        approval="Ask before each final-quality render",
        animatic=ANIMATIC_HELP,
        guide=GUIDE_HELP,
    )
    @app_commands.default_permissions(manage_guild=True)
    async def server(
        self,
        interaction: discord.Interaction,
        backend: Backend | None = None,
        model: Model | None = None,
        aspect_ratio: AspectRatio | None = None,
        duration: Duration | None = None,
        critique: bool | None = None,
        approval: bool | None = None,
        animatic: bool | None = None,
        guide: Guide | None = None,
    ) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        perms = getattr(interaction.user, "guild_permissions", None)
        if not (perms and (perms.manage_guild or perms.administrator)):
            await reply_ephemeral(interaction, "Only members who can manage this server can change its defaults.")
            return
        changes = _changes(
            backend=backend,
            model=model,
            aspect_ratio=aspect_ratio,
            duration_s=duration,
            critique=critique,
            approval_for_final=approval,
            animatic=animatic,
            guide=guide,
        )
        guild_id = str(interaction.guild_id)
        await self._save(
            interaction,
            changes,
            current=await self.bot.defaults.guild(guild_id),
            under=None,
            save=functools.partial(self.bot.defaults.update_guild, guild_id),
            heading="Server defaults",
        )

    @settings_group.command(name="me", description="Set your own defaults in this server (they beat the server's)")
    @app_commands.describe(
        backend="Renderer: previz (quick animatic) or diffusers (a video model)",
        model="Model of that backend",
        aspect_ratio="Frame shape, when your prompt doesn't say",
        duration="Seconds per shot (0.5 to 60), when your prompt doesn't say",
        critique="Let the critic review and retry your takes",
        animatic=ANIMATIC_HELP,
        guide=GUIDE_HELP,
    )
    async def me(
        self,
        interaction: discord.Interaction,
        backend: Backend | None = None,
        model: Model | None = None,
        aspect_ratio: AspectRatio | None = None,
        duration: Duration | None = None,
        critique: bool | None = None,
        animatic: bool | None = None,
        guide: Guide | None = None,
    ) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        guild_id, user_id = str(interaction.guild_id), str(interaction.user.id)
        changes = _changes(
            backend=backend,
            model=model,
            aspect_ratio=aspect_ratio,
            duration_s=duration,
            critique=critique,
            animatic=animatic,
            guide=guide,
        )
        await self._save(
            interaction,
            changes,
            current=await self.bot.defaults.user(guild_id, user_id),
            under=await self.bot.defaults.guild(guild_id),
            save=functools.partial(self.bot.defaults.update_user, guild_id, user_id),
            heading="Your defaults",
        )

    async def _save(
        self,
        interaction: discord.Interaction,
        changes: dict[str, object],
        *,
        current: Defaults,
        under: Defaults | None,
        save: Callable[..., Awaitable[Defaults]],
        heading: str,
    ) -> None:
        """Validate the changes over `current`, refuse a backend not served here (as it falls over `under`),
        then `save` them and show the result."""
        try:
            candidate = _apply(current, changes)
        except ValidationError as exc:
            await reply_ephemeral(interaction, f"That setting isn't valid: {exc.errors()[0]['msg']}")
            return
        if (why := self._unserved(candidate if under is None else candidate.over(under))) is not None:
            await reply_ephemeral(interaction, why)
            return
        value = await save(**changes)
        await reply_ephemeral(interaction, f"{heading}: {quote_user_text(value.describe())}")

    def _unserved(self, defaults: Defaults) -> str | None:
        """Why the studio cannot render with this backend/model, or None when it can."""
        from agent.studio import StudioError

        try:
            self.bot.studio.check_options(defaults.options())
        except StudioError as exc:
            return f"That backend can't be used here: {exc}"
        return None


def _changes(**values: object) -> dict[str, object]:
    return {k: v for k, v in values.items() if v is not None}


def _apply(current: Defaults, changes: dict[str, object]) -> Defaults:
    """The defaults after these changes, validated (a new backend drops a model that belongs to the old one)."""
    if "backend" in changes and "model" not in changes and changes["backend"] != current.backend:
        changes["model"] = None
    return Defaults.model_validate({**current.model_dump(), **changes})

"""The buttons under a take and the Refine modal: each press becomes one Studio call."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord.ext import commands

from dailies.bots.buttons import RefineModal, refine_submission
from dailies.bots.guards import is_moderator
from dailies.bots.replies import reply_ephemeral

if TYPE_CHECKING:
    from dailies.bots.bot import DailiesBot

RENDERING_ACTIONS = ("reroll", "variations", "extend", "final", "confirm", "decline")


class TakesCog(commands.Cog):
    """Dispatches take buttons (persistent: they arrive through TakeButton.from_custom_id after a restart)."""

    def __init__(self, bot: DailiesBot) -> None:
        self.bot = bot

    async def on_take_button(self, interaction: discord.Interaction, action: str, take_id: str, owner_id: int) -> None:
        if action == "refine":  # a modal is itself the answer to the interaction: no defer first
            await interaction.response.send_modal(RefineModal(take_id))
            return
        await interaction.response.defer()
        thread = interaction.channel
        if not isinstance(thread, discord.Thread):
            await reply_ephemeral(interaction, "This take's thread is gone.")
            return
        if action == "delete":
            await self._delete(interaction, owner_id)
        elif action == "approve":
            await self.bot.runner.approve(interaction, thread, take_id)
        elif action in RENDERING_ACTIONS:
            await self.bot.runner.take_job(interaction, thread, action, take_id)

    async def _delete(self, interaction: discord.Interaction, owner_id: int) -> None:
        if interaction.user.id != owner_id and not is_moderator(interaction.user):
            await reply_ephemeral(
                interaction, "Only the person who asked for this take, or a moderator, can delete it."
            )
            return
        if interaction.message is not None:
            try:
                await interaction.message.delete()
            except discord.HTTPException as exc:
                await reply_ephemeral(interaction, f"I couldn't delete it ({exc.text or exc.status}).")

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction) -> None:
        """Refine modal submissions, matched by custom_id so they work across restarts."""
        submitted = refine_submission(interaction)
        if submitted is None:
            return
        _take_id, text = submitted  # the refinement applies to the thread's shot
        await interaction.response.defer(ephemeral=True, thinking=True)
        thread = interaction.channel
        if not isinstance(thread, discord.Thread):
            await reply_ephemeral(interaction, "This take's thread is gone.")
            return
        await self.bot.runner.refine_from_interaction(interaction, thread, text)

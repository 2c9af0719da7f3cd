"""The buttons under a take and the Refine modal: each press becomes one Studio call."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
from discord.ext import commands

from bots import guards
from bots.buttons import TAKE_PREFIX, RefineModal, is_take_button, refine_submission
from bots.project_threads import locked_refusal, reopen
from bots.replies import reply_ephemeral

if TYPE_CHECKING:
    from bots.bot import DailiesBot

RENDERING_ACTIONS = ("reroll", "variations", "extend", "final", "confirm", "decline")
NOT_MINE = "That button isn't one I put here, so I won't act on it."
STALE = "That button isn't valid any more; use the buttons under a recent take."


def _custom_ids(message: discord.Message) -> set[str]:
    ids: set[str] = set()
    for row in message.components:
        for child in getattr(row, "children", [row]):
            if (custom_id := getattr(child, "custom_id", None)) is not None:
                ids.add(custom_id)
    return ids


class TakesCog(commands.Cog):
    """Dispatches take buttons (persistent: they arrive through TakeButton.from_custom_id after a restart)."""

    def __init__(self, bot: DailiesBot) -> None:
        self.bot = bot

    def _place(self, channel: object) -> guards.ProjectPlace | None:
        bot_id = self.bot.user.id if self.bot.user is not None else None
        return guards.project_place(channel, bot_id=bot_id, allow_dms=self.bot.settings.discord_allow_dms)

    def _refusal(self, interaction: discord.Interaction) -> str | None:
        """Why this press is not acted on: a DM where DMs are off, a button not on the bot's own message
        (a forged custom_id), a place that is no project, or a locked thread (an archived one is reopened)."""
        if (why := guards.place_refusal(interaction, self.bot.settings)) is not None:
            return why
        message, custom_id = interaction.message, str((interaction.data or {}).get("custom_id", ""))
        bot_id = self.bot.user.id if self.bot.user is not None else None
        if message is None or message.author.id != bot_id or custom_id not in _custom_ids(message):
            return NOT_MINE
        if self._place(interaction.channel) is None:
            return "These buttons work in Dailies project threads only."
        return locked_refusal(interaction.channel)

    async def on_take_button(self, interaction: discord.Interaction, action: str, take_id: str, owner_id: int) -> None:
        if (why := self._refusal(interaction)) is not None:
            await reply_ephemeral(interaction, why)
            return
        if action == "refine":  # a modal is itself the answer to the interaction: no defer first
            await interaction.response.send_modal(RefineModal(take_id))
            return
        await interaction.response.defer()
        place = self._place(interaction.channel)
        assert place is not None  # checked by _refusal
        if action == "delete":  # deleting is the one thing Discord allows in an archived thread
            await self._delete(interaction, owner_id)
            return
        opened = await reopen(place)
        if isinstance(opened, str):
            await reply_ephemeral(interaction, opened)
            return
        place = opened
        if action == "approve":
            await self.bot.board.approve(interaction, place, take_id)
        elif action in RENDERING_ACTIONS:
            await self.bot.runner.take_job(interaction, place, action, take_id)

    async def _delete(self, interaction: discord.Interaction, owner_id: int) -> None:
        if interaction.user.id != owner_id and not guards.is_moderator(interaction.user):
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
        """Refine modal submissions (matched by custom_id so they work across restarts), and Dailies buttons
        whose custom_id no take button understands (old, mangled or forged), which would otherwise fail silently."""
        data: dict[str, Any] = interaction.data or {}  # type: ignore[assignment]
        custom_id = str(data.get("custom_id", ""))
        if interaction.type is discord.InteractionType.component and custom_id.startswith(TAKE_PREFIX):
            # discord.py drops these silently (Discord would show "This interaction failed"): answer them.
            if not is_take_button(custom_id):
                await reply_ephemeral(interaction, STALE)
            elif interaction.message is None or custom_id not in _custom_ids(interaction.message):
                await reply_ephemeral(interaction, NOT_MINE)
            return
        submitted = refine_submission(interaction)
        if submitted is None:
            return
        _take_id, text = submitted  # the refinement applies to the thread's shot
        await interaction.response.defer(ephemeral=True, thinking=True)
        if (why := guards.place_refusal(interaction, self.bot.settings)) is not None:
            await reply_ephemeral(interaction, why)
            return
        place = self._place(interaction.channel)
        if place is None:
            await reply_ephemeral(interaction, "This take's thread is gone.")
            return
        await self.bot.runner.refine_from_interaction(interaction, place, text)

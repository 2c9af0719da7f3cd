"""Answering members safely: no pings but the one meant, ephemeral where possible, within Discord's 2,000
characters, never raising, and never on a dead interaction token."""

from __future__ import annotations

import logging

import discord

log = logging.getLogger(__name__)

NO_PINGS = discord.AllowedMentions.none()
MAX_CONTENT = 2000


def clip_content(text: str) -> str:
    return text if len(text) <= MAX_CONTENT else text[: MAX_CONTENT - 1] + "…"


def is_thinking(interaction: discord.Interaction) -> bool:
    """Deferred with "thinking…": the member waits for an answer that only a follow-up gives."""
    return interaction.response.type is discord.InteractionResponseType.deferred_channel_message


async def reply_ephemeral(interaction: discord.Interaction, text: str) -> bool:
    """Answer privately whether or not the interaction was already acknowledged; never raise.
    False when it could not be answered (its token expired, or Discord refused)."""
    text = clip_content(text)
    try:
        if not interaction.response.is_done():
            await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_PINGS)
        elif interaction.is_expired():
            return False
        else:
            await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_PINGS)
    except discord.HTTPException as exc:
        log.warning("could not answer interaction %s: %s", interaction.id, exc)
        return False
    return True


class Notice:
    """Tells one member something about their request: privately while their interaction's token lives
    (15 minutes), then in the project's place with a mention of that member alone, else by direct message."""

    def __init__(
        self,
        user: discord.abc.User,
        *,
        interaction: discord.Interaction | None = None,
        place: discord.abc.Messageable | None = None,
    ) -> None:
        self.user = user
        self.interaction = interaction
        self.place = place

    async def __call__(self, text: str, *, place_ok: bool = True) -> None:
        """`place_ok=False`: the place refuses the bot, so only the interaction or a DM can carry it."""
        if self.interaction is not None and await reply_ephemeral(self.interaction, text):
            return
        if place_ok and self.place is not None:
            only_them = discord.AllowedMentions(everyone=False, roles=False, users=[self.user])
            try:
                await self.place.send(clip_content(f"<@{self.user.id}> {text}"), allowed_mentions=only_them)
                return
            except discord.HTTPException as exc:
                log.warning("could not tell %s in the thread: %s", self.user.id, exc)
        try:
            await self.user.send(clip_content(text), allowed_mentions=NO_PINGS)
        except (discord.HTTPException, AttributeError) as exc:  # a bare user id (discord.Object) cannot be DMed
            log.warning("could not tell %s by direct message: %s", self.user.id, exc)

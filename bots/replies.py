"""Answering interactions safely: no pings ever, ephemeral where possible, never raising."""

from __future__ import annotations

import logging

import discord

log = logging.getLogger(__name__)

NO_PINGS = discord.AllowedMentions.none()


async def reply_ephemeral(interaction: discord.Interaction, text: str) -> None:
    """Answer privately whether or not the interaction was already acknowledged; never raise."""
    try:
        if interaction.response.is_done():
            await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_PINGS)
        else:
            await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_PINGS)
    except discord.HTTPException as exc:
        log.warning("could not answer interaction %s: %s", interaction.id, exc)

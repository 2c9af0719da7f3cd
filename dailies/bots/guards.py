"""Who may do what, where: render role, DMs, moderators, threads a bot can still post in."""

from __future__ import annotations

import discord

from dailies.settings import Settings


def is_moderator(user: discord.abc.User) -> bool:
    """Members who may delete anyone's takes: Manage Messages (or administrators)."""
    perms = getattr(user, "guild_permissions", None)
    return bool(perms and (perms.manage_messages or perms.administrator))


def render_refusal(user: discord.abc.User, settings: Settings) -> str | None:
    """None when this member may render, else a friendly reason."""
    wanted = settings.discord_render_role
    if not wanted or not isinstance(user, discord.Member) or is_moderator(user):
        return None
    for role in user.roles:
        if str(role.id) == wanted or role.name.casefold() == wanted.casefold():
            return None
    return f"Rendering is open to the “{wanted}” role on this server; ask a moderator if you'd like it."


def place_refusal(interaction: discord.Interaction, settings: Settings) -> str | None:
    """None when commands are allowed in this place (servers always; DMs by setting)."""
    if interaction.guild_id is None and not settings.discord_allow_dms:
        return "Dailies works in servers only here: invite me to one and use /shot in a channel."
    return None


def archived_refusal(channel: object) -> str | None:
    if isinstance(channel, discord.Thread) and (channel.archived or channel.locked):
        return "This project thread is archived or locked; start a new one with /shot."
    return None


def nsfw_channel(channel: object) -> bool:
    """True in NSFW-flagged channels, and in threads of NSFW-flagged channels."""
    if isinstance(channel, discord.Thread):
        channel = channel.parent
    is_nsfw = getattr(channel, "is_nsfw", None)
    return bool(is_nsfw and is_nsfw())

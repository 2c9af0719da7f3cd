"""Who may do what, where: render role, DMs, moderators, project places, threads a bot can still post in."""

from __future__ import annotations

import discord

from bots.settings import Settings


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


DM_REFUSAL = "Dailies works in servers only here: use /shot in a server channel."

ProjectPlace = discord.Thread | discord.DMChannel


def place_refusal(interaction: discord.Interaction, settings: Settings) -> str | None:
    """None when commands are allowed in this place (servers always; DMs by setting)."""
    if interaction.guild_id is None and not settings.discord_allow_dms:
        return DM_REFUSAL
    return None


def project_place(channel: object, *, bot_id: int | None, allow_dms: bool) -> ProjectPlace | None:
    """Where a shot's conversation lives: a thread this bot opened, or a direct message when DMs are allowed.

    A DM is its own project (keyed by the DM channel's id): takes and refinements go there, no thread."""
    if isinstance(channel, discord.Thread) and bot_id is not None and channel.owner_id == bot_id:
        return channel
    if isinstance(channel, discord.DMChannel) and allow_dms:
        return channel
    return None


def guild_id_of(place: object) -> int | None:
    """The server a channel belongs to; None in direct messages."""
    guild = getattr(place, "guild", None)
    return guild.id if guild is not None else None


# What the bot needs where it posts takes: the message, the clip and the spec card.
POSTING = ("send_messages", "attach_files", "embed_links")
PERMISSION_NAMES = {
    "send_messages": "Send Messages",
    "send_messages_in_threads": "Send Messages in Threads",
    "create_public_threads": "Create Public Threads",
    "attach_files": "Attach Files",
    "embed_links": "Embed Links",
}


def missing_permissions(interaction: discord.Interaction, *, opens_thread: bool = False) -> str | None:
    """A friendly line naming what the bot lacks to post takes where this interaction came from, or None.

    Discord sends the bot's own permissions in that channel with every interaction (`app_permissions`)."""
    if interaction.guild_id is None:
        return None
    perms = interaction.app_permissions
    wanted = list(POSTING)
    if opens_thread:
        wanted += ["create_public_threads", "send_messages_in_threads"]
    elif isinstance(interaction.channel, discord.Thread):
        wanted[0] = "send_messages_in_threads"
    lacking = [PERMISSION_NAMES[name] for name in wanted if not getattr(perms, name)]
    if not lacking:
        return None
    return (
        f"I can't post takes here: I'm missing {', '.join(lacking)} in this channel. "
        "Ask a moderator to grant them, or try another channel."
    )


def nsfw_channel(channel: object) -> bool:
    """True in NSFW-flagged channels, and in threads of NSFW-flagged channels."""
    if isinstance(channel, discord.Thread):
        channel = channel.parent
    is_nsfw = getattr(channel, "is_nsfw", None)
    return bool(is_nsfw and is_nsfw())

"""Discord JSON objects as the gateway and REST API shape them: users, members, roles, channels, threads, guilds."""

from __future__ import annotations

from typing import Any

BOT_ID = 900000000000000001
APP_ID = 900000000000000002
OWNER_ID = 900000000000000003
EPOCH_ISO = "2026-01-01T00:00:00.000000+00:00"

# Channel types, as Discord numbers them.
TEXT, DM, ANNOUNCEMENT, ANNOUNCEMENT_THREAD, PUBLIC_THREAD, PRIVATE_THREAD, FORUM = 0, 1, 5, 10, 11, 12, 15
THREAD_TYPES = (ANNOUNCEMENT_THREAD, PUBLIC_THREAD, PRIVATE_THREAD)

ALL_PERMISSIONS = (1 << 50) - 1
MANAGE_THREADS = 1 << 34
# view channel, send, embed, attach, history, reactions, app commands, public threads, send in threads.
EVERYONE_PERMISSIONS = 0x48_8001_CC41

# Upload limit per server boost tier (bytes), as Discord applies it to every attachment of a message.
UPLOAD_LIMITS = {0: 10 * 1024 * 1024, 1: 10 * 1024 * 1024, 2: 50 * 1024 * 1024, 3: 100 * 1024 * 1024}


def user(user_id: int, name: str, *, bot: bool = False) -> dict[str, Any]:
    return {"id": str(user_id), "username": name, "discriminator": "0", "avatar": None, "global_name": name, "bot": bot}


def bot_user() -> dict[str, Any]:
    return user(BOT_ID, "dailies", bot=True)


def member(
    user_id: int, name: str, roles: tuple[int, ...] = (), permissions: int = 0, nick: str | None = None
) -> dict[str, Any]:
    return {
        "user": user(user_id, name),
        "nick": nick,
        "roles": [str(r) for r in roles],
        "joined_at": EPOCH_ISO,
        "deaf": False,
        "mute": False,
        "flags": 0,
        "permissions": str(permissions),
    }


def text_channel(channel_id: int, guild_id: int, name: str, *, nsfw: bool = False, kind: int = TEXT) -> dict[str, Any]:
    """A text channel; `kind` makes it an announcement (5) or forum (15) channel instead."""
    return {
        "id": str(channel_id),
        "type": kind,
        "guild_id": str(guild_id),
        "name": name,
        "position": 0,
        "permission_overwrites": [],
        "nsfw": nsfw,
        "parent_id": None,
        "topic": None,
        "rate_limit_per_user": 0,
        **({"available_tags": [], "default_reaction_emoji": None, "flags": 0} if kind == FORUM else {}),
    }


def thread_channel(
    thread_id: int,
    parent_id: int,
    guild_id: int,
    name: str,
    owner_id: int,
    *,
    archived: bool = False,
    locked: bool = False,
    kind: int = PUBLIC_THREAD,
) -> dict[str, Any]:
    return {
        "id": str(thread_id),
        "type": kind,
        "guild_id": str(guild_id),
        "parent_id": str(parent_id),
        "owner_id": str(owner_id),
        "name": name,
        "rate_limit_per_user": 0,
        "message_count": 0,
        "member_count": 1,
        "last_message_id": None,
        "thread_metadata": {
            "archived": archived,
            "auto_archive_duration": 1440,
            "archive_timestamp": EPOCH_ISO,
            "locked": locked,
        },
    }


def dm_channel(channel_id: int, recipient: dict[str, Any]) -> dict[str, Any]:
    """A direct-message channel between the bot and one user."""
    return {
        "id": str(channel_id),
        "type": DM,
        "recipients": [recipient.get("user", recipient)],
        "last_message_id": None,
    }


def role(role_id: int, name: str, *, permissions: int = 0) -> dict[str, Any]:
    return {
        "id": str(role_id),
        "name": name,
        "permissions": str(permissions),
        "position": 1,
        "color": 0,
        "hoist": False,
        "managed": False,
        "mentionable": True,
    }


def guild(
    guild_id: int,
    *,
    channels: list[dict[str, Any]],
    members: list[dict[str, Any]],
    roles: list[dict[str, Any]] = (),
    premium_tier: int = 0,
    owner_id: int = OWNER_ID,
) -> dict[str, Any]:
    everyone = {**role(guild_id, "@everyone", permissions=EVERYONE_PERMISSIONS), "position": 0, "mentionable": False}
    bot_member = member(BOT_ID, "dailies")
    bot_member["user"]["bot"] = True
    return {
        "id": str(guild_id),
        "name": f"guild-{guild_id}",
        "owner_id": str(owner_id),
        "premium_tier": premium_tier,
        "roles": [everyone, *roles],
        "channels": channels,
        "threads": [],
        "members": [bot_member, *members],
        "member_count": len(members) + 1,
        "emojis": [],
        "stickers": [],
        "features": [],
        "large": False,
        "unavailable": False,
    }


def button_row(*custom_ids: str) -> list[dict[str, Any]]:
    """The components of a message showing buttons with these custom_ids."""
    buttons = [
        {"type": 2, "style": 2, "label": (cid.split(":")[2:3] or [cid])[0][:80], "custom_id": cid} for cid in custom_ids
    ]
    return [{"type": 1, "components": buttons}]


def reaction_add(message_id: int, channel_id: int, guild_id: int, who: dict, emoji: str) -> dict[str, Any]:
    return {
        "user_id": who["user"]["id"],
        "channel_id": str(channel_id),
        "message_id": str(message_id),
        "guild_id": str(guild_id),
        "member": who,
        "emoji": {"id": None, "name": emoji},
        "burst": False,
        "type": 0,
    }

"""Project threads: opening one where a /shot was typed (text, announcement or forum channel), adding the member
who asked, and reopening one that Discord archived after a quiet day."""

from __future__ import annotations

import logging
from typing import TypeVar

import discord

from bots.policy import quote_user_text
from bots.replies import NO_PINGS

log = logging.getLogger(__name__)
P = TypeVar("P")

THREAD_NAME = 90
ARCHIVE_AFTER_MIN = 1440  # a day of quiet
LOCKED = "This project thread is locked by a moderator; start a new one with /shot."
WHERE = "/shot opens project threads in text, announcement and forum channels."


def locked_refusal(place: object) -> str | None:
    """Only a locked thread refuses the bot for good; an archived one is reopened (`reopen`)."""
    if isinstance(place, discord.Thread) and place.locked:
        return LOCKED
    return None


async def reopen(place: P) -> P | str:
    """The place, open: a project thread Discord archived is unarchived (archived=false needs no more than the
    bot's own thread) and returned as Discord now describes it; a locked one gives one friendly line instead."""
    if (why := locked_refusal(place)) is not None:
        return why
    if not isinstance(place, discord.Thread) or not place.archived:
        return place
    try:
        return await place.edit(archived=False)  # type: ignore[return-value]
    except discord.HTTPException as exc:
        reason = quote_user_text(exc.text or str(exc.status), 100)
        return f"I couldn't reopen this archived thread ({reason}); start a new one with /shot."


def thread_name(prompt: str) -> str:
    name = discord.utils.remove_markdown(prompt).replace("\n", " ")[:THREAD_NAME].strip() or "shot"
    return f"🎬 {name}"


async def open_project_thread(channel: object, prompt: str, requester: discord.abc.User) -> discord.Thread:
    """A new project thread: a public thread in a text channel, an announcement thread in an announcement
    channel, a post in a forum. Typed inside someone else's thread, it opens beside that thread.
    Raises discord.HTTPException when Discord refuses, discord.ClientException where no thread can be."""
    if isinstance(channel, discord.Thread):
        channel = channel.parent
    intro = (
        f"Project thread for {quote_user_text(requester.display_name, 40)}: "
        "write here to refine the shot, or use the buttons under each take."
    )
    name = thread_name(prompt)
    if isinstance(channel, discord.ForumChannel):
        created = await channel.create_thread(
            name=name, content=intro, auto_archive_duration=ARCHIVE_AFTER_MIN, allowed_mentions=NO_PINGS
        )
        thread = created.thread
    elif isinstance(channel, discord.TextChannel):
        kind = discord.ChannelType.news_thread if channel.is_news() else discord.ChannelType.public_thread
        thread = await channel.create_thread(name=name, type=kind, auto_archive_duration=ARCHIVE_AFTER_MIN)
        await thread.send(intro, allowed_mentions=NO_PINGS)
    else:
        raise discord.ClientException(WHERE)
    try:  # so the thread shows in their list and its takes reach them after a long render
        await thread.add_user(requester)
    except discord.HTTPException as exc:
        log.warning("could not add %s to thread %s: %s", requester.id, thread.id, exc)
    return thread

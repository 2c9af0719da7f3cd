"""What Discord's refusals mean for a run: a place the bot lost (stop talking there), or one bad request."""

from __future__ import annotations

import discord

from bots.policy import quote_user_text

UNKNOWN_CHANNEL = 10003
UNKNOWN_MESSAGE = 10008
MISSING_ACCESS = 50001
THREAD_ARCHIVED = 50083  # archived or locked: nothing but a new message reopens it, and not a locked one
TOO_LARGE = 40005


def lost_place(exc: BaseException) -> bool:
    """The bot can no longer post or edit in this channel (permissions gone, channel gone, thread locked):
    every further request there would be refused, and Discord bans bots that keep making refused requests."""
    if isinstance(exc, PlaceLost):
        return True
    if not isinstance(exc, discord.HTTPException):
        return False
    return isinstance(exc, discord.Forbidden) or exc.code in (UNKNOWN_CHANNEL, MISSING_ACCESS, THREAD_ARCHIVED)


class PlaceLost(Exception):
    """Raised instead of a request to a channel the run already lost."""

    def __init__(self, cause: discord.HTTPException) -> None:
        super().__init__(str(cause))
        self.cause = cause


def reason_of(exc: BaseException) -> str:
    cause = exc.cause if isinstance(exc, PlaceLost) else exc
    if isinstance(cause, discord.HTTPException):
        return cause.text or f"HTTP {cause.status}"
    return str(cause)


def cant_post(exc: BaseException) -> str:
    """A friendly line for a post the channel refused (missing permission, archived or deleted thread)."""
    return (
        f"I couldn't post in this thread ({quote_user_text(reason_of(exc), 100)}): "
        "check my permissions there, or start a new thread with /shot."
    )

"""One progress message per render, edited in the channel's turn whatever the event rate."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

import discord

from bots.failures import UNKNOWN_MESSAGE, lost_place
from bots.pacing import EditPacer

log = logging.getLogger(__name__)

BAR_WIDTH = 12


def progress_bar(step: int, total: int) -> str:
    filled = 0 if total <= 0 else round(BAR_WIDTH * min(step, total) / total)
    return "▰" * filled + "▱" * (BAR_WIDTH - filled)


def format_eta(seconds: float | None) -> str:
    if seconds is None:
        return ""
    seconds = max(0, round(seconds))
    return f"{seconds // 60}m{seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"


def render_line(step: int, total: int, eta_s: float | None = None, stage: str = "rendering") -> str:
    eta = f" · ETA {format_eta(eta_s)}" if eta_s is not None else ""
    return f"🎬 {stage}: {progress_bar(step, total)} step {step}/{total}{eta}"


def queued_line(position: int | None, eta_s: float | None = None) -> str:
    where = f"#{position} in the queue" if position else "queued"
    eta = f" · starts in ~{format_eta(eta_s)}" if eta_s is not None else ""
    return f"⏳ {where}{eta}"


class ProgressMessage:
    """Posts one message, then edits it with the latest text whenever the channel's turn comes (EditPacer).
    Stops for good when the place is lost (403, deleted channel, archived or locked thread): every refused
    edit counts towards the invalid requests Discord bans bots for."""

    def __init__(
        self,
        post: Callable[[str], Awaitable[discord.Message]],
        *,
        channel_id: int,
        pacer: EditPacer,
        on_lost: Callable[[discord.HTTPException], None] | None = None,
    ) -> None:
        self._post = post
        self._channel_id = channel_id
        self._pacer = pacer
        self._on_lost = on_lost
        self.message: discord.Message | None = None
        self._pending: str | None = None
        self._shown: str | None = None
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._closed = False
        self.gone = False  # the message or its channel is gone: nothing more to edit or delete
        self.edits = 0

    async def start(self, text: str) -> ProgressMessage:
        self.message = await self._post(text)
        self._shown = text
        self._pacer.note(self._channel_id)
        self._task = asyncio.create_task(self._pump(), name="dailies-progress")
        return self

    @property
    def latest(self) -> str:
        return self._pending or self._shown or ""

    def update(self, text: str) -> None:
        """Record the newest text; the pump shows it when the channel's turn comes. Never blocks."""
        if self._closed or text == self._shown:
            return
        self._pending = text
        self._wake.set()

    async def close(self, final: str | None = None) -> None:
        """Show `final` (in turn), then stop editing."""
        if final is not None:
            self.update(final)
        self._closed = True
        self._wake.set()
        if self._task is not None:
            await self._task

    def abandon(self) -> None:
        """Stop at once (the process is going down); the message stays until the next start removes it."""
        self._closed = True
        if self._task is not None:
            self._task.cancel()

    async def delete(self) -> None:
        self._closed = True
        self._wake.set()
        if self._task is not None:
            await self._task
        if self.message is not None and not self.gone:
            with contextlib.suppress(discord.HTTPException):
                await self.message.delete()

    async def _pump(self) -> None:
        while not self.gone:
            await self._wake.wait()
            self._wake.clear()
            if self._pending is not None:
                await self._pacer.turn(self._channel_id)
                text, self._pending = self._pending, None
                if text is not None and text != self._shown and self.message is not None and not self.gone:
                    await self._edit(text)
                if self._pending is not None:
                    self._wake.set()
                    continue
            if self._closed and self._pending is None:
                return

    async def _edit(self, text: str) -> None:
        try:
            await self.message.edit(content=text, allowed_mentions=discord.AllowedMentions.none())  # type: ignore[union-attr]
        except discord.NotFound as exc:
            self.gone = True  # someone deleted the message (or the whole thread)
            if exc.code != UNKNOWN_MESSAGE and self._on_lost is not None:
                self._on_lost(exc)
        except discord.HTTPException as exc:
            if lost_place(exc):
                self.gone = True
                if self._on_lost is not None:
                    self._on_lost(exc)
            else:  # a lost edit is cosmetic: log it, keep rendering
                log.warning("progress edit failed: %s", exc)
        else:
            self.edits += 1
            self._shown = text

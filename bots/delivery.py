"""Turns the agent's event stream for one run into Discord messages: progress, attributed changes, takes.

With a model backend a new shot's previz animatic is posted first; the model take replaces it when it comes
(the animatic message keeps its place and a line pointing at the take, its video is removed).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import discord

from agent.director.base import Change
from agent.events import (
    AnimaticReady,
    ApprovalNeeded,
    CritiqueReady,
    Done,
    Error,
    Event,
    Progress,
    Question,
    Queued,
    Revision,
    SpecChanged,
    TakeReady,
)
from agent.state import TakeRecord
from bots.buttons import take_view
from bots.cards import spec_card
from bots.failures import TOO_LARGE, PlaceLost, lost_place
from bots.pacing import EditPacer
from bots.policy import quote_user_text
from bots.progress import ProgressMessage, queued_line, render_line
from bots.replies import NO_PINGS, clip_content
from bots.upload import FittedClip, fit_clip

log = logging.getLogger(__name__)


def describe_change(change: Change) -> str:
    """'@ana: time of day day -> night', safe to post (user text cannot ping or format)."""

    def show(value: Any) -> str:
        if value is None or value == []:
            return "—"
        if isinstance(value, list):
            value = ", ".join(str(v.get("name", v)) if isinstance(v, dict) else str(v) for v in value)
        return quote_user_text(str(value), 120)

    field = change.field.replace("_", " ")
    said = f"@{quote_user_text(change.author, 40)}: {field} {show(change.old)} -> {show(change.new)}"
    return f"{said} _(the model's suggestion)_" if change.suggested else said


LINEAGE = {"extend": "⏩ continues take", "reroll": "🎲 re-roll of take", "final": "🎞️ final render of take"}


def lineage(record: TakeRecord) -> str | None:
    """Where a take came from, e.g. '⏩ continues take `ab12` (@ana)': who asked is part of the record."""
    prefix = LINEAGE.get(record.kind)
    if prefix is None or record.source_take_id is None:
        return None
    return f"{prefix} `{record.source_take_id}` (@{quote_user_text(record.author, 40)})"


class RunDelivery:
    """Receives one run's events and keeps the thread up to date; `posted` lists the take messages sent.

    Once the thread refuses the bot (permissions, deleted, locked) the delivery stops talking there: `lost`
    holds why, `lost_event` wakes the runner, which ends the run."""

    def __init__(
        self,
        channel: discord.abc.Messageable,
        *,
        owner: discord.abc.User,
        upload_limit: int,
        take_of: Callable[[str], Awaitable[TakeRecord | None]],
        pacer: EditPacer,
        title: str | None = None,
        post_all: bool = False,
        on_posted: Callable[[discord.Message, str], Awaitable[None]] | None = None,
    ) -> None:
        self.channel = channel
        self.owner = owner
        self.upload_limit = upload_limit
        self._take_of = take_of
        self._post_all = post_all
        self._on_posted = on_posted
        self._pacer = pacer
        self.title = title
        self.progress: ProgressMessage | None = None
        self.changes: list[str] = []
        self.posted: list[discord.Message] = []
        self.errors: list[str] = []
        self.question: str | None = None
        self.approval_take: str | None = None
        self.done: list[Done] = []
        self.animatic: discord.Message | None = None  # posted, not yet replaced by the model take
        self.failed = False  # an unexpected error ended the run (already said in the thread)
        self.unchanged = False  # the message changed nothing, nothing rendered (its note said so)
        self.lost: discord.HTTPException | None = None
        self.lost_event = asyncio.Event()

    def _mark_lost(self, exc: discord.HTTPException) -> None:
        if self.lost is None:
            log.warning("lost the thread %s: %s", getattr(self.channel, "id", "?"), exc)
            self.lost = exc
            self.lost_event.set()

    async def _send(self, content: str, **kwargs: Any) -> discord.Message:
        if self.lost is not None:
            raise PlaceLost(self.lost)
        try:
            return await self.channel.send(clip_content(content), allowed_mentions=NO_PINGS, **kwargs)
        except discord.HTTPException as exc:
            if lost_place(exc):
                self._mark_lost(exc)
            raise

    async def say(self, text: str) -> discord.Message | None:
        """A plain line in the thread; never raises (a lost thread is logged)."""
        try:
            return await self._send(text)
        except (discord.HTTPException, PlaceLost) as exc:
            log.warning("could not post to the thread: %s", exc)
            self.errors.append(str(exc))
            return None

    async def ask_approval(self, take_id: str, summary: str) -> None:
        self.approval_take = take_id
        await self._send(
            f"🎞️ A final render of take `{take_id}` needs a yes: {quote_user_text(summary, 1200)}",
            view=take_view(take_id, self.owner.id, actions=("confirm", "decline")),
        )

    async def start(self, text: str = "⏳ reading your shot…") -> None:
        channel_id = int(getattr(self.channel, "id", 0))
        progress = ProgressMessage(self._send, channel_id=channel_id, pacer=self._pacer, on_lost=self._mark_lost)
        self.progress = await progress.start(text)

    @property
    def progress_message_id(self) -> int | None:
        message = self.progress.message if self.progress is not None else None
        return message.id if message is not None else None

    @property
    def status(self) -> str:
        """The newest progress line (queue position, step, ETA)."""
        return self.progress.latest if self.progress is not None else "starting"

    def _show(self, text: str) -> None:
        if self.progress is not None:
            self.progress.update(text)

    async def __call__(self, event: Event) -> None:
        """The EventSink handed to the Studio."""
        try:
            await self._handle(event)
        except (discord.HTTPException, PlaceLost) as exc:  # the runner ends a run whose thread is lost
            log.warning("could not deliver %s event: %s", event.kind, exc)
            self.errors.append(str(exc))

    async def _handle(self, event: Event) -> None:
        if isinstance(event, Queued):
            self._show(queued_line(event.position + 1, event.eta_s))
        elif isinstance(event, Progress):
            label = "rendering" if event.attempt == 1 else f"rendering (attempt {event.attempt})"
            self._show(
                render_line(event.step, event.total, event.eta_s, label if event.stage == "render" else event.stage)
            )
        elif isinstance(event, AnimaticReady):
            await self.post_animatic(event)
        elif isinstance(event, TakeReady):
            self._show(f"👀 take {event.attempt} rendered; the critic is watching…")
        elif isinstance(event, CritiqueReady):
            verdict = "passed" if event.critique.passed else "needs another try"
            self._show(f"📝 critique of take {event.attempt}: {event.critique.score:.2f}, {verdict}")
        elif isinstance(event, Revision):
            self._show(f"🔁 attempt {event.attempt}: {quote_user_text(event.reason, 200)}")
        elif isinstance(event, SpecChanged):
            lines = [describe_change(c) for c in event.changes]
            self.changes.extend(lines)
            notes = [f"_note: {quote_user_text(n, 200)}_" for n in event.notes]
            if lines or notes:
                await self._send("\n".join([*lines, *notes]))
        elif isinstance(event, Question):
            self.question = event.text
            await self._send(f"❓ {quote_user_text(event.text, 1500)}")
        elif isinstance(event, ApprovalNeeded):
            self._show("🎞️ the final render waits for a yes")  # the runner asks, or answers, once the call returns
        elif isinstance(event, Done):
            self.done.append(event)  # posted by deliver() once the run has ended and its state is saved
            self._show("📦 packing the take…")
        elif isinstance(event, Error):
            self.errors.append(event.message)
            await self._send(f"⚠️ {quote_user_text(public_error(event), 1500)}")

    async def deliver(self) -> None:
        """Post the takes of every Done event this run produced (the best one, or all for variations)."""
        for event in self.done:
            ids = (event.take_ids or [event.best_take_id]) if self._post_all else [event.best_take_id]
            for take_id in ids:
                await self.post_take(take_id, best=take_id == event.best_take_id and len(ids) > 1)
        self.done = []

    async def post_take(self, take_id: str, *, best: bool = False, note: str | None = None) -> discord.Message | None:
        record = await self._take_of(take_id)
        if record is None:
            await self._send(f"⚠️ take `{take_id}` is gone.")
            return None
        take, spec, critique = record.take, record.spec, record.critique
        fitted = await fit_clip(take.path, self.upload_limit)
        if not isinstance(fitted, FittedClip):
            await self._send(f"⚠️ {fitted.message}")
            return None
        embed = spec_card(spec, take, take_id=take_id, title=self.title, critique=critique, changes=self.changes)
        head = f"🎬 take `{take_id}` for {quote_user_text(getattr(self.owner, 'display_name', 'you'), 40)}"
        if (origin := lineage(record)) is not None:
            head += f" · {origin}"
        if best:
            head += " · ⭐ the critic's pick"
        if critique is None:
            head += " · not reviewed by the critic"
        if note:
            head += f" · {note}"
        try:
            message = await self._send(
                head,
                embed=embed,
                file=discord.File(fitted.path, filename=f"take-{take_id}.mp4"),
                view=take_view(take_id, self.owner.id),
            )
        except discord.HTTPException as exc:
            if exc.code != TOO_LARGE:
                raise
            # The server's limit shrank under us (boost lost): say so and carry on with the other takes.
            await self.say(f"⚠️ take `{take_id}` is larger than this server's upload limit now; try a shorter shot.")
            return None
        self.posted.append(message)
        await self._retire_animatic(f"🎞️ animatic — replaced by take `{take_id}` below")
        if self._on_posted is not None:
            await self._on_posted(message, take_id)
        return message

    async def post_animatic(self, event: AnimaticReady) -> None:
        """The shot's previz, posted while the model renders: framing and camera to agree on before GPU minutes."""
        take = event.take
        fitted = await fit_clip(take.path, self.upload_limit)
        if not isinstance(fitted, FittedClip):  # a courtesy: the take comes all the same
            log.warning("animatic not posted: %s", fitted.message)
            return
        guided = " and is guided by its camera" if event.guided else ""
        shape = f"{take.width}×{take.height}, {take.duration_s:g} s"
        self.animatic = await self._send(
            f"🎞️ animatic — the take follows{guided} ({shape}, previz: framing and camera, not the look)",
            file=discord.File(fitted.path, filename="animatic.mp4"),
        )

    async def _retire_animatic(self, line: str, *, keep_video: bool = False) -> None:
        """Replace the animatic message's text (and, unless `keep_video`, drop its video); a failed edit is cosmetic."""
        message, self.animatic = self.animatic, None
        if message is None:
            return
        try:
            if keep_video:
                await message.edit(content=line, allowed_mentions=NO_PINGS)
            else:
                await message.edit(content=line, attachments=[], allowed_mentions=NO_PINGS)
        except discord.HTTPException as exc:
            log.warning("could not replace the animatic: %s", exc)

    def abandon(self) -> None:
        """Stop editing at once (the process is going down); the next start removes the progress message."""
        if self.progress is not None:
            self.progress.abandon()

    async def finish(self) -> None:
        """Remove the progress message once something else tells the story; otherwise show that it is done."""
        if self.animatic is not None and self.lost is None:  # no model take came: the animatic stays, says so
            await self._retire_animatic("🎞️ animatic — no model take came this time", keep_video=True)
        if self.progress is None or self.lost is not None:
            return
        if self.posted or self.question or self.errors or self.approval_take or self.failed or self.unchanged:
            await self.progress.delete()
        else:
            await self.progress.close("✅ done")


# Failures whose message Dailies itself wrote for creators; any other may quote a path, a model folder or a
# library's exception text, which stay in the operator's log.
CREATOR_FAILURES = frozenset({"cancelled", "out_of_memory", "invalid_request", "queue_full", "over_quota"})
OUR_SIDE = {
    "model_unavailable": "The video model isn't available right now; the operator's log says why.",
    "critic": "The critic couldn't review this take; the operator's log says why.",
}


def public_error(event: Error) -> str:
    """What a thread is told of a failed run: our own line, or a plain one that points at the operator's log."""
    if event.error_kind in CREATOR_FAILURES:
        return event.message
    log.warning("run in thread %s failed (%s): %s", event.thread_id, event.error_kind, event.message)
    return OUR_SIDE.get(event.error_kind, "The render failed on our side; the operator's log says why.")

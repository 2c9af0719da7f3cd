"""The conversation calls: a message, a reroll, variations, a pick, an extension, a final render and its approval."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from langgraph.types import Command

from agent.clarify import answer_command
from agent.context import Requester
from agent.director.intake import MessageTooLong, clean_message
from agent.events import EventSink
from agent.state import JobKind, ThreadOptions
from agent.studio.reads import ThreadReads
from agent.studio.results import StudioError, TurnResult
from generator.request import Fault

MAX_VARIATIONS = 8


def director_text(text: str) -> str:
    """The message as the director will read it (no chat markup), or a StudioError when it is too long."""
    try:
        return clean_message(text)
    except MessageTooLong as exc:
        raise StudioError(str(exc)) from None


class ConversationCalls(ThreadReads):
    """What creators say and ask for in a thread (mixed into Studio); each call is one run of the graph."""

    async def send(
        self,
        thread_id: str,
        author: str,
        text: str,
        on_event: EventSink | None = None,
        *,
        faults: Sequence[Fault] = (),
        options: ThreadOptions | None = None,
        requester: Requester | None = None,
    ) -> TurnResult:
        """A creator's message: refine the spec, ask one question or render, critique and revise a take.

        `options` (when given) become the thread's defaults from this run on: backend and model, the
        aspect ratio and duration its words leave unset, critique on/off, approval before final renders.
        `faults` (a demo/test aid, off by default) are injected into the first attempt only.
        `requester` (every call that renders takes one): whose queue share and quota each render uses.
        """
        text = director_text(text)
        if not text:
            raise StudioError("say what the shot should show")
        if (pending := await self.pending(thread_id)) is not None and pending.question is not None:
            if options is not None:
                self.check_options(options)
            answer = answer_command(text, author or "someone", options=options, faults=faults)
            # the run that asked goes on with the answer, its renders charged to whoever answered
            return await self._runs.run(thread_id, answer, on_event, requester)
        return await self._runs.job(
            thread_id, "message", author, on_event, options, requester, text=text, faults=tuple(faults)
        )

    async def reroll(
        self,
        thread_id: str,
        take_id: str | None = None,
        author: str = "",
        on_event: EventSink | None = None,
        *,
        options: ThreadOptions | None = None,
        requester: Requester | None = None,
    ) -> TurnResult:
        """The same shot again with a new seed (the current take when `take_id` is None)."""
        return await self._take_job(thread_id, take_id, "reroll", author, on_event, options, requester)

    async def variations(
        self,
        thread_id: str,
        n: int = 3,
        author: str = "",
        on_event: EventSink | None = None,
        *,
        options: ThreadOptions | None = None,
        requester: Requester | None = None,
    ) -> TurnResult:
        """N seeds of the current spec as one request; all N takes come back, the best first in `take_id`."""
        if not 1 <= n <= MAX_VARIATIONS:
            raise StudioError(f"ask for 1 to {MAX_VARIATIONS} variations, not {n}")
        await self._require_described(thread_id)
        return await self._runs.job(thread_id, "variations", author, on_event, options, requester, n=n)

    async def pick(self, thread_id: str, take_id: str, author: str = "") -> TurnResult:
        """Make `take_id` the current take of the shot (e.g. one of the variations); its seed joins the spec."""
        return await self._take_job(thread_id, take_id, "pick", author, None, None, None)

    async def extend(
        self,
        thread_id: str,
        take_id: str | None = None,
        author: str = "",
        text: str | None = None,
        on_event: EventSink | None = None,
        *,
        options: ThreadOptions | None = None,
        requester: Requester | None = None,
    ) -> TurnResult:
        """A new take that continues `take_id` from its last frames; `text` may refine the spec first."""
        text = (director_text(text) or None) if text else None
        return await self._take_job(thread_id, take_id, "extend", author, on_event, options, requester, text=text)

    async def final_render(
        self,
        thread_id: str,
        take_id: str | None = None,
        author: str = "",
        on_event: EventSink | None = None,
        *,
        options: ThreadOptions | None = None,
        requester: Requester | None = None,
    ) -> TurnResult:
        """Render a take at final quality; when approval is on this returns kind 'approval' until `resume`."""
        return await self._take_job(thread_id, take_id, "final", author, on_event, options, requester)

    async def resume(
        self,
        thread_id: str,
        approved: bool,
        author: str = "",
        on_event: EventSink | None = None,
        *,
        requester: Requester | None = None,
    ) -> TurnResult:
        """Answer the approval a final render waits for (also after a restart)."""
        pending = await self.pending(thread_id)
        if pending is None or pending.approval is None:
            raise StudioError("nothing in this thread waits for approval")
        answer = Command(resume={"approved": approved, "author": author})
        return await self._runs.run(thread_id, answer, on_event, requester)

    async def cancel(self, thread_id: str) -> bool:
        """Stop the render this thread is waiting for; the run ends with a 'cancelled' error."""
        return self._runs.cancel(thread_id)

    async def _take_job(
        self,
        thread_id: str,
        take_id: str | None,
        kind: JobKind,
        author: str,
        on_event: EventSink | None,
        options: ThreadOptions | None,
        requester: Requester | None,
        **fields: Any,
    ) -> TurnResult:
        """A job on one take (the current one when `take_id` is None), which must exist."""
        record = await self._require_take(thread_id, take_id)
        return await self._runs.job(
            thread_id, kind, author, on_event, options, requester, take_id=record.take_id, **fields
        )

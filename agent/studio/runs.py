"""Running the graph: one run at a time per thread on its checkpointed state, its events streamed as they come."""

from __future__ import annotations

import asyncio
import inspect
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from langgraph.graph.state import CompiledStateGraph
from langgraph.types import Durability

from agent.checkpoint import prune
from agent.clarify import is_question
from agent.context import Context, Requester
from agent.director.base import Change
from agent.events import ApprovalNeeded, Event, EventSink, SpecChanged
from agent.state import AgentState, Job, JobKind, ThreadOptions, run_reset
from agent.studio.results import TurnResult, approval_summary, turn_result
from generator.base import CancelToken

# A run is checkpointed when it stops ("exit" durability): at its end, at an approval, and at one stop the
# Studio makes just before the run's first render, from where it goes straight on. A process killed
# mid-render therefore resumes just before the render (`Studio.recover`; queued jobs re-attach by job id).
# Checkpointing every step ("sync"/"async") would give the same guarantee at ~1.4 ms of CPU per step on the
# 2-core box, doubling a turn's overhead (docs/decisions.md).
DURABILITY: Durability = "exit"
STOP_BEFORE_FIRST_RENDER = ["render"]
PRUNE_EVERY = 8  # runs per thread between prunes of old checkpoints


async def emit(sink: EventSink | None, event: Event) -> None:
    """Hand an event to a front end's sink, a function or a coroutine function."""
    if sink is None:
        return
    outcome = sink(event)
    if inspect.isawaitable(outcome):
        await outcome


@dataclass
class RunEnd:
    """How a run's stream ended: the last state, the spec changes on the way, and an approval it waits for."""

    values: dict[str, Any] = field(default_factory=dict)
    changes: list[Change] = field(default_factory=list)
    waiting: Any = None


class GraphRuns:
    """Runs the graph for the Studio: serialised per thread, side by side across threads, cancellable."""

    def __init__(
        self,
        graph: CompiledStateGraph,
        *,
        context: Callable[[str, CancelToken | None, Requester | None], Context],
        check_options: Callable[[ThreadOptions], None],
    ) -> None:
        self.graph = graph
        self._context = context
        self._check_options = check_options
        self._locks: dict[str, asyncio.Lock] = {}
        self._cancels: dict[str, CancelToken] = {}
        self._runs: dict[str, int] = {}

    async def job(
        self,
        thread_id: str,
        kind: JobKind,
        author: str,
        on_event: EventSink | None,
        options: ThreadOptions | None,
        requester: Requester | None = None,
        **fields: Any,
    ) -> TurnResult:
        """A new run on the thread: the job (with its per-run fields reset) and the thread's new options."""
        author_id = requester.user if requester is not None else None
        job = Job(kind=kind, author=author or "someone", author_id=author_id, run_id=uuid.uuid4().hex[:12], **fields)
        payload: dict[str, Any] = run_reset(job)
        if options is not None:
            self._check_options(options)
            payload["options"] = options
        return await self.run(thread_id, payload, on_event, requester)

    async def run(
        self, thread_id: str, payload: Any, on_event: EventSink | None, requester: Requester | None = None
    ) -> TurnResult:
        """Run the graph on `payload` (a new job, a Command resuming an approval, or None to finish a cut-off run);
        its renders are queued for, and charged to, `requester`."""
        async with self.lock(thread_id):
            token = CancelToken()
            self._cancels[thread_id] = token
            try:
                end = await self._stream(thread_id, payload, token, on_event, requester)
            finally:
                self._cancels.pop(thread_id, None)
            await self._prune_now_and_then(thread_id)
            # The last values are the checkpointed state (already validated objects): no second read.
            state = AgentState.model_construct(**end.values) if end.values else await self._read_state(thread_id)
            if end.waiting is None or is_question(end.waiting):  # a question ends like any result
                return turn_result(thread_id, state, end.changes)
            summary, take_id = approval_summary(end.waiting)
            await emit(on_event, ApprovalNeeded(thread_id=thread_id, take_id=take_id or "", summary=summary))
            return TurnResult(thread_id=thread_id, kind="approval", take_id=take_id, approval=summary, spec=state.spec)

    def lock(self, thread_id: str) -> asyncio.Lock:
        """The thread's lock: runs (and the Studio's file work on the thread) one at a time."""
        return self._locks.setdefault(thread_id, asyncio.Lock())

    def cancel(self, thread_id: str) -> bool:
        """Stop the render the thread's run waits for; False when nothing runs there."""
        token = self._cancels.get(thread_id)
        if token is None:
            return False
        token.cancel()
        return True

    async def _read_state(self, thread_id: str) -> AgentState:
        snapshot = await self.graph.aget_state({"configurable": {"thread_id": thread_id}})
        return AgentState.model_validate(snapshot.values or {})

    async def _stream(
        self,
        thread_id: str,
        payload: Any,
        token: CancelToken,
        on_event: EventSink | None,
        requester: Requester | None,
    ) -> RunEnd:
        """The run in (at most) two legs: up to just before its first render, then on from that checkpoint."""
        end = RunEnd()
        context = self._context(thread_id, token, requester)
        stopped = await self._leg(thread_id, payload, context, on_event, end, stop_before=STOP_BEFORE_FIRST_RENDER)
        if stopped:
            await self._leg(thread_id, None, context, on_event, end, stop_before=None)
        return end

    async def _leg(
        self,
        thread_id: str,
        payload: Any,
        context: Context,
        on_event: EventSink | None,
        end: RunEnd,
        *,
        stop_before: list[str] | None,
    ) -> bool:
        """Stream one leg into `end`; True when it stopped before a `stop_before` node (not at an approval)."""
        stopped = False
        async for mode, chunk in self.graph.astream(
            payload,
            {"configurable": {"thread_id": thread_id}},
            context=context,
            stream_mode=["custom", "updates", "values"],
            durability=DURABILITY,
            interrupt_before=stop_before,
        ):
            if mode == "custom":
                if isinstance(chunk, SpecChanged):
                    end.changes.extend(chunk.changes)
                await emit(on_event, chunk)
            elif mode == "values":
                end.values = chunk
            elif "__interrupt__" in chunk:  # an approval's interrupt carries a value; a stop before a node does not
                if chunk["__interrupt__"]:
                    end.waiting = chunk["__interrupt__"][0].value
                else:
                    stopped = True
        return stopped and end.waiting is None

    async def _prune_now_and_then(self, thread_id: str) -> None:
        self._runs[thread_id] = runs = self._runs.get(thread_id, 0) + 1
        if runs % PRUNE_EVERY == 0:
            await prune(self.graph.checkpointer, thread_id)

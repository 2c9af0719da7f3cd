"""Studio: the one facade every front end (terminal chat, demo, Discord bot) drives the agent through.

    async with Studio.open(settings.studio_config()) as studio:
        result = await studio.send("thread-1", "ana", "a red fox in the snow, slow pan left", on_event=print)

Each call is one run of the graph on the thread's checkpointed state; events stream to `on_event`
(a function or coroutine function taking one `agent.events.Event`). Calls on one thread are
serialised; different threads run concurrently. Render and critic failures come back as values
(`TurnResult.kind == "error"` and an `Error` event); a reference to a take or shot that does not
exist raises `StudioError` (a ValueError with a one-line message) before anything runs.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from langgraph.graph.state import CompiledStateGraph
from langgraph.types import Command
from pydantic import BaseModel, ConfigDict, Field

from agent.checkpoint import open_checkpointer, prune
from agent.clarify import answer_command, is_question
from agent.config import StudioConfig
from agent.context import Context, CriticFn, Target
from agent.director.base import Change, Director
from agent.director.intake import MessageTooLong, clean_message
from agent.events import ApprovalNeeded, AttemptSummary, Event, EventSink, SpecChanged
from agent.graph import build_graph
from agent.nodes_render import thread_folder
from agent.revise import Reviser, RuleReviser
from agent.spec import ShotSpec, Storyboard
from agent.state import AgentState, Job, JobKind, ResultKind, TakeRecord, ThreadOptions, run_reset
from agent.storyboard import StoryboardError
from generator.backends import BACKENDS, make_generator, resolve_family
from generator.base import CancelToken
from generator.errors import Failure
from generator.families import ModelFamily
from generator.request import Fault
from tools.critique import Critique
from tools.renderer import LocalRenderer, Renderer
from tools.take import Take

if TYPE_CHECKING:
    from tools.critic.judge import VisionJudge

# Runs checkpoint when they end ("exit" durability, a fraction of the cost of one write per step) and
# just before their first render, so a process killed mid-render resumes from there (`recover`).
CHECKPOINT_BEFORE = ["render"]
PRUNE_EVERY = 8  # runs per thread between prunes of old checkpoints
MAX_VARIATIONS = 8


class StudioError(StoryboardError):
    """A request the creator can fix (unknown take, no shot yet, empty storyboard): one line."""


class TurnResult(BaseModel):
    """What one Studio call ended with."""

    model_config = ConfigDict(extra="forbid")

    thread_id: str
    kind: ResultKind = Field(description="take, question, approval, declined, storyboard, picked or error.")
    take_id: str | None = None
    take: Take | None = None
    critique: Critique | None = None
    take_ids: list[str] = Field(default_factory=list)
    attempts: list[AttemptSummary] = Field(default_factory=list)
    question: str | None = None
    approval: str | None = Field(None, description="What waits for approval (kind == 'approval').")
    error: Failure | None = None
    changes: list[Change] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    spec: ShotSpec | None = None


class Pending(BaseModel):
    """A run a thread was in the middle of when the process stopped (or an approval it waits for)."""

    model_config = ConfigDict(extra="forbid")

    thread_id: str
    nodes: list[str]
    approval: str | None = None
    take_id: str | None = None
    question: str | None = Field(None, description="The question the run waits on; the next message answers it.")


async def _emit(sink: EventSink | None, event: Event) -> None:
    if sink is None:
        return
    outcome = sink(event)
    if inspect.isawaitable(outcome):
        await outcome


def _director_text(text: str) -> str:
    """The message as the director will read it (no chat markup), or a StudioError when it is too long."""
    try:
        return clean_message(text)
    except MessageTooLong as exc:
        raise StudioError(str(exc)) from None


def _accepts(renderer: Renderer, keyword: str) -> bool:
    """Whether the renderer's render() takes an optional keyword beyond the Renderer protocol."""
    try:
        return keyword in inspect.signature(renderer.render).parameters
    except (TypeError, ValueError):
        return False


def default_critic(judge: VisionJudge | None = None) -> CriticFn:
    """The critic, with the vision-LLM judge when one is configured."""
    from tools.critic import critique_clip

    if judge is None:
        return critique_clip
    return functools.partial(critique_clip, judge=judge)


class Studio:
    """The agent for many conversation threads: one checkpointer, one renderer, one director, one critic."""

    def __init__(
        self,
        config: StudioConfig,
        graph: CompiledStateGraph,
        *,
        renderer: Renderer,
        director: Director,
        critic: CriticFn,
        family: ModelFamily,
        media_dir: Path,
        approve_final: bool,
        renderers: dict[str, Renderer] | None = None,
        reviser: Reviser | None = None,
    ) -> None:
        self.config = config
        self.graph = graph
        self.renderer = renderer
        self.director = director
        self.critic = critic
        self.family = family
        self.media_dir = media_dir
        self.approve_final = approve_final
        self._queue_events = _accepts(renderer, "on_queue")
        self._job_ids = _accepts(renderer, "job_id")
        self._locks: dict[str, asyncio.Lock] = {}
        self._cancels: dict[str, CancelToken] = {}
        self._runs: dict[str, int] = {}
        self._extra: dict[str, Renderer] = dict(renderers or {})
        self._targets: dict[tuple[str, str | None], Target] = {}
        self.reviser = reviser or RuleReviser()

    @classmethod
    @asynccontextmanager
    async def open(
        cls,
        config: StudioConfig,
        *,
        renderer: Renderer | None = None,
        director: Director | None = None,
        critic: CriticFn | None = None,
        media_dir: Path | None = None,
        approve_final: bool | None = None,
        family: ModelFamily | None = None,
        renderers: dict[str, Renderer] | None = None,
        reviser: Reviser | None = None,
    ) -> AsyncIterator[Studio]:
        """A ready Studio on the configured checkpointer; defaults: the job queue, the configured director, critic.

        `family` overrides the model family the configuration names (tests and benchmarks use a smaller previz frame).
        `renderers` serve threads whose options pick another backend: keyed "backend" (its default model) or
        "backend:model". Previz is always served (a local worker, built on first use); any other backend or
        model that neither the main renderer nor `renderers` serves is refused with a friendly line.
        """
        family = family or resolve_family(config.backend, config.model)
        owned_queue = None
        if renderer is None:  # the embedded default: the fair job queue with in-process warm workers
            from tools.queued_renderer import open_queued_renderer

            renderer = owned_queue = await asyncio.to_thread(open_queued_renderer, config.render)
        if director is None:
            from agent.director import make_director

            director = make_director(config.director)
        if reviser is None:  # the LLM reviser when the director is the LLM one, else the rule strategies
            from agent.llm_reviser import make_reviser

            reviser = make_reviser(config.director)
        if critic is None:
            critic = default_critic(config.judge)
        try:
            async with open_checkpointer(config.checkpoint_url, config.checkpoint_path) as saver:
                yield cls(
                    config,
                    build_graph(saver),
                    renderer=renderer,
                    director=director,
                    critic=critic,
                    family=family,
                    media_dir=media_dir or config.media_dir,
                    approve_final=config.approve_final if approve_final is None else approve_final,
                    renderers=renderers,
                    reviser=reviser,
                )
        finally:
            if owned_queue is not None:
                await asyncio.to_thread(owned_queue.queue.close)

    # ---- conversation -------------------------------------------------------------------------

    async def send(
        self,
        thread_id: str,
        author: str,
        text: str,
        on_event: EventSink | None = None,
        *,
        faults: Sequence[Fault] = (),
        options: ThreadOptions | None = None,
    ) -> TurnResult:
        """A creator's message: refine the spec, ask one question or render, critique and revise a take.

        `options` (when given) become the thread's defaults from this run on: backend and model, the
        aspect ratio and duration its words leave unset, critique on/off, approval before final renders.
        `faults` (a demo/test aid, off by default) are injected into the first attempt only.
        """
        text = _director_text(text)
        if not text:
            raise StudioError("say what the shot should show")
        if (pending := await self.pending(thread_id)) is not None and pending.question is not None:
            if options is not None:
                self.check_options(options)
            answer = answer_command(text, author or "someone", options=options, faults=faults)
            return await self._run(thread_id, answer, on_event)  # the run that asked goes on with the answer
        return await self._job(thread_id, "message", author, on_event, options, text=text, faults=tuple(faults))

    async def reroll(
        self,
        thread_id: str,
        take_id: str | None = None,
        author: str = "",
        on_event: EventSink | None = None,
        *,
        options: ThreadOptions | None = None,
    ) -> TurnResult:
        """The same shot again with a new seed (the current take when `take_id` is None)."""
        return await self._take_job(thread_id, take_id, "reroll", author, on_event, options)

    async def variations(
        self,
        thread_id: str,
        n: int = 3,
        author: str = "",
        on_event: EventSink | None = None,
        *,
        options: ThreadOptions | None = None,
    ) -> TurnResult:
        """N seeds of the current spec as one request; all N takes come back, the best first in `take_id`."""
        if not 1 <= n <= MAX_VARIATIONS:
            raise StudioError(f"ask for 1 to {MAX_VARIATIONS} variations, not {n}")
        await self._require_spec(thread_id)
        return await self._job(thread_id, "variations", author, on_event, options, n=n)

    async def pick(self, thread_id: str, take_id: str, author: str = "") -> TurnResult:
        """Make `take_id` the current take of the shot (e.g. one of the variations); its seed joins the spec."""
        return await self._take_job(thread_id, take_id, "pick", author, None, None)

    async def extend(
        self,
        thread_id: str,
        take_id: str | None = None,
        author: str = "",
        text: str | None = None,
        on_event: EventSink | None = None,
        *,
        options: ThreadOptions | None = None,
    ) -> TurnResult:
        """A new take that continues `take_id` from its last frames; `text` may refine the spec first."""
        text = (_director_text(text) or None) if text else None
        return await self._take_job(thread_id, take_id, "extend", author, on_event, options, text=text)

    async def final_render(
        self,
        thread_id: str,
        take_id: str | None = None,
        author: str = "",
        on_event: EventSink | None = None,
        *,
        options: ThreadOptions | None = None,
    ) -> TurnResult:
        """Render a take at final quality; when approval is on this returns kind 'approval' until `resume`."""
        return await self._take_job(thread_id, take_id, "final", author, on_event, options)

    async def resume(
        self, thread_id: str, approved: bool, author: str = "", on_event: EventSink | None = None
    ) -> TurnResult:
        """Answer the approval a final render waits for (also after a restart)."""
        pending = await self.pending(thread_id)
        if pending is None or pending.approval is None:
            raise StudioError("nothing in this thread waits for approval")
        return await self._run(thread_id, Command(resume={"approved": approved, "author": author}), on_event)

    async def cancel(self, thread_id: str) -> bool:
        """Stop the render this thread is waiting for; the run ends with a 'cancelled' error."""
        token = self._cancels.get(thread_id)
        if token is None:
            return False
        token.cancel()
        return True

    # ---- storyboard ---------------------------------------------------------------------------

    async def approve(self, thread_id: str, take_id: str | None = None, author: str = "") -> Storyboard:
        """Put a take (default: the current one) on the storyboard as the next shot; the next shot inherits its look."""
        await self._take_job(thread_id, take_id, "approve", author, None, None)
        return await self.storyboard(thread_id)

    async def reorder(self, thread_id: str, shot: int, to: int, author: str = "") -> Storyboard:
        """Move shot number `shot` to position `to` (both 1-based)."""
        await self._require_shots(thread_id, shot, to)
        await self._job(thread_id, "reorder", author, None, None, shot=shot, to=to)
        return await self.storyboard(thread_id)

    async def remove(self, thread_id: str, shot: int, author: str = "") -> Storyboard:
        """Take shot number `shot` (1-based) off the storyboard."""
        await self._require_shots(thread_id, shot)
        await self._job(thread_id, "remove", author, None, None, shot=shot)
        return await self.storyboard(thread_id)

    async def reel(
        self, thread_id: str, crossfade: bool = False, *, out: Path | None = None, max_bytes: int | None = None
    ) -> Path:
        """Cut the storyboard's takes together into one mp4 within the byte budget (hard cuts or crossfades)."""
        from tools.reel import DEFAULT_CROSSFADE_S, make_reel

        board = await self._require_board(thread_id)
        out = out or self._folder(thread_id) / f"reel-{uuid.uuid4().hex[:6]}.mp4"
        clips = [Path(shot.take_path or "") for shot in board.shots]
        result = await asyncio.to_thread(
            make_reel,
            clips,
            out,
            crossfade_s=DEFAULT_CROSSFADE_S if crossfade else 0.0,
            max_bytes=max_bytes or self.config.max_upload_bytes,
        )
        return result.path

    async def contact_sheet(self, thread_id: str, *, out: Path | None = None) -> Path:
        """A PNG with one frame of every storyboard shot, numbered in order."""
        from tools.reel import storyboard_sheet

        board = await self._require_board(thread_id)
        out = out or self._folder(thread_id) / "storyboard.png"
        clips = [Path(shot.take_path or "") for shot in board.shots]
        labels = [f"{i}. {_label(shot.spec)}" for i, shot in enumerate(board.shots, 1)]
        return await asyncio.to_thread(storyboard_sheet, clips, labels, out)

    # ---- reading state ------------------------------------------------------------------------

    async def state(self, thread_id: str) -> AgentState:
        """The thread's whole state (an empty one for a new thread)."""
        snapshot = await self.graph.aget_state({"configurable": {"thread_id": thread_id}})
        return AgentState.model_validate(snapshot.values or {})

    async def storyboard(self, thread_id: str) -> Storyboard:
        return (await self.state(thread_id)).storyboard

    async def spec(self, thread_id: str) -> ShotSpec | None:
        return (await self.state(thread_id)).spec

    async def takes(self, thread_id: str) -> list[TakeRecord]:
        return (await self.state(thread_id)).takes

    async def take(self, thread_id: str, take_id: str) -> TakeRecord | None:
        return (await self.state(thread_id)).take(take_id)

    async def pending(self, thread_id: str) -> Pending | None:
        """The run this thread stopped in: an approval it waits for, or nodes cut off by a crash."""
        snapshot = await self.graph.aget_state({"configurable": {"thread_id": thread_id}})
        if not snapshot.next:
            return None
        approval = take_id = question = None
        for item in snapshot.interrupts:
            if is_question(item.value):
                question = str(item.value["question"])
            elif isinstance(item.value, dict):
                approval = str(item.value.get("summary", "a final render"))
                take_id = item.value.get("take_id")
        nodes = list(snapshot.next)
        return Pending(thread_id=thread_id, nodes=nodes, approval=approval, take_id=take_id, question=question)

    async def recover(self, thread_id: str, on_event: EventSink | None = None) -> TurnResult | None:
        """Finish a run a crash cut off (re-running the node it was in); None when there is nothing to finish."""
        pending = await self.pending(thread_id)
        if pending is None or pending.approval is not None or pending.question is not None:
            return None
        return await self._run(thread_id, None, on_event)

    # ---- running the graph --------------------------------------------------------------------

    def _folder(self, thread_id: str) -> Path:
        return thread_folder(self._context(thread_id, None))

    def _context(self, thread_id: str, cancel: CancelToken | None) -> Context:
        return Context(
            thread_id=thread_id,
            director=self.director,
            renderer=self.renderer,
            critic=self.critic,
            family=self.family,
            media_dir=self.media_dir,
            model=self.config.model,
            attempt_budget=self.config.attempt_budget,
            approve_final=self.approve_final,
            cancel=cancel,
            queue_events=self._queue_events,
            job_ids=self._job_ids,
            router=self._route,
            reviser=self.reviser,
        )

    async def _job(
        self,
        thread_id: str,
        kind: JobKind,
        author: str,
        on_event: EventSink | None,
        options: ThreadOptions | None,
        **fields: Any,
    ) -> TurnResult:
        payload: dict[str, Any] = run_reset(
            Job(kind=kind, author=author or "someone", run_id=uuid.uuid4().hex[:12], **fields)
        )
        if options is not None:
            self.check_options(options)
            payload["options"] = options
        return await self._run(thread_id, payload, on_event)

    async def _take_job(
        self,
        thread_id: str,
        take_id: str | None,
        kind: JobKind,
        author: str,
        on_event: EventSink | None,
        options: ThreadOptions | None,
        **fields: Any,
    ) -> TurnResult:
        """A job on one take (the current one when `take_id` is None), which must exist."""
        record = await self._require_take(thread_id, take_id)
        return await self._job(thread_id, kind, author, on_event, options, take_id=record.take_id, **fields)

    # ---- backends -----------------------------------------------------------------------------

    def backends(self) -> list[str]:
        """What threads may pick: "backend" or "backend:model", the main one first."""
        main = self.config.backend + (f":{self.config.model}" if self.config.model else "")
        served = [main, *self._extra]
        if "previz" not in served:
            served.append("previz")
        return list(dict.fromkeys(served))

    def check_options(self, options: ThreadOptions) -> None:
        """Raise StudioError (one friendly line) when the options pick a backend or model not served here."""
        if options.picks_backend and isinstance(failure := self._route(options), Failure):
            raise StudioError(failure.message)

    def _route(self, options: ThreadOptions) -> Target | Failure:
        """The render target of a backend/model choice: the main renderer, a configured one, or local previz."""
        backend = options.backend or self.config.backend
        model = options.model
        if backend == self.config.backend and model in (None, self.config.model):
            return self._main_target()
        if backend == "previz":
            model = None  # previz has one model
        key = (backend, model)
        if key in self._targets:
            return self._targets[key]
        renderer = self._extra.get(f"{backend}:{model}") if model else self._extra.get(backend)
        if renderer is None and backend == "previz":
            generator = make_generator("previz")
            renderer = LocalRenderer(generator, max_bytes=self.config.max_upload_bytes)
        if renderer is None or backend not in BACKENDS:
            wanted = backend + (f" ({model})" if model else "")
            return Failure(
                kind="model_unavailable",
                message=f"{wanted} isn't served here; this studio renders with: {', '.join(self.backends())}",
            )
        try:
            family = resolve_family(backend, model)
        except ValueError as exc:
            return Failure(kind="model_unavailable", message=str(exc))
        target = Target(renderer, family, model, _accepts(renderer, "on_queue"), _accepts(renderer, "job_id"))
        self._targets[key] = target
        return target

    def _main_target(self) -> Target:
        return Target(self.renderer, self.family, self.config.model, self._queue_events, self._job_ids)

    async def _run(self, thread_id: str, payload: Any, on_event: EventSink | None) -> TurnResult:
        lock = self._locks.setdefault(thread_id, asyncio.Lock())
        async with lock:
            token = CancelToken()
            self._cancels[thread_id] = token
            config = {"configurable": {"thread_id": thread_id}}
            changes: list[Change] = []
            waiting: dict[str, Any] | None = None
            values: dict[str, Any] = {}
            first_leg = True
            try:
                while True:
                    paused = False
                    async for mode, chunk in self.graph.astream(
                        payload,
                        config,
                        context=self._context(thread_id, token),
                        stream_mode=["custom", "updates", "values"],
                        durability="exit",
                        interrupt_before=CHECKPOINT_BEFORE if first_leg else None,
                    ):
                        if mode == "custom":
                            if isinstance(chunk, SpecChanged):
                                changes.extend(chunk.changes)
                            await _emit(on_event, chunk)
                        elif mode == "values":
                            values = chunk
                        elif "__interrupt__" in chunk:
                            if chunk["__interrupt__"]:
                                waiting = chunk["__interrupt__"][0].value
                            else:
                                paused = True
                    if not paused or waiting is not None:
                        break
                    payload, first_leg = None, False  # saved just before the first render: carry on
            finally:
                self._cancels.pop(thread_id, None)
            self._runs[thread_id] = runs = self._runs.get(thread_id, 0) + 1
            if runs % PRUNE_EVERY == 0:
                await prune(self.graph.checkpointer, thread_id)
            # The last values are the checkpointed state (already validated objects): no second read.
            state = AgentState.model_construct(**values) if values else await self.state(thread_id)
            if waiting is not None and not is_question(waiting):  # a question ends like any result
                summary = str(waiting.get("summary", "a final render"))
                take_id = str(waiting.get("take_id"))
                await _emit(on_event, ApprovalNeeded(thread_id=thread_id, take_id=take_id, summary=summary))
                return TurnResult(
                    thread_id=thread_id, kind="approval", take_id=take_id, approval=summary, spec=state.spec
                )
            return self._result(thread_id, state, changes)

    def _result(self, thread_id: str, state: AgentState, changes: list[Change]) -> TurnResult:
        result = state.result
        if result is None:
            return TurnResult(thread_id=thread_id, kind="error", notes=["the run ended without a result"])
        record = state.take(result.take_id) if result.take_id else None
        return TurnResult(
            thread_id=thread_id,
            kind=result.kind,
            take_id=result.take_id,
            take=record.take if record else None,
            critique=record.critique if record else None,
            take_ids=result.take_ids,
            attempts=result.attempts,
            question=result.question,
            error=result.error,
            changes=changes,
            notes=result.notes,
            spec=state.spec,
        )

    async def _require_take(self, thread_id: str, take_id: str | None) -> TakeRecord:
        state = await self.state(thread_id)
        wanted = take_id or state.current_take_id
        if wanted is None:
            raise StudioError("there is no take yet: describe a shot first")
        record = state.take(wanted)
        if record is None:
            raise StudioError(f"there is no take {wanted} in this thread")
        return record

    async def _require_spec(self, thread_id: str) -> ShotSpec:
        spec = await self.spec(thread_id)
        if spec is None:
            raise StudioError("there is no shot yet: describe one first")
        return spec

    async def _require_shots(self, thread_id: str, *numbers: int) -> None:
        board = await self.storyboard(thread_id)
        for number in numbers:
            if not 1 <= number <= len(board.shots):
                raise StudioError(f"there is no shot {number}; the storyboard has {len(board.shots)} shots")

    async def _require_board(self, thread_id: str) -> Storyboard:
        board = await self.storyboard(thread_id)
        if not board.shots:
            raise StudioError("the storyboard is empty: approve a take first")
        return board


def _label(spec: ShotSpec) -> str:
    words = [spec.subject or "", (spec.camera_movement or "").replace("_", " ")]
    return ", ".join(w for w in words if w)[:60]

"""The render loop's nodes: render, critique, revise, deliver, and N variations of one spec."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

from langgraph.runtime import Runtime

from agent.context import Context, Target
from agent.events import CritiqueReady, Done, Error, Progress, Queued, Revision, TakeReady
from agent.expect import expectation_from
from agent.revise import fingerprint, next_seed
from agent.spec import ShotSpec
from agent.state import AgentState, Job, RunResult, TakeRecord, fill_defaults
from generator.base import Progress as RenderProgress
from generator.errors import Failure
from generator.request import RenderRequest
from tools.critique import Critique
from tools.renderer import RenderTicket
from tools.take import Take

# Raised by a critic that cannot read a clip: reported as an Error event, the take is still delivered.
CRITIC_ERRORS = (OSError, ValueError, RuntimeError)


def thread_folder(ctx: Context) -> Path:
    """Media of one thread in its own folder; the thread id made safe for a file name."""
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in ctx.thread_id)[:80] or "thread"
    return ctx.media_dir / safe


async def submit(
    ctx: Context, writer: Any, request: RenderRequest, job: Job, *, attempt: int, slot: str = "", target: Target
) -> Take | Failure:
    """Send one request to the target's renderer; its progress (from worker threads) becomes events on this loop."""
    loop = asyncio.get_running_loop()

    def on_progress(report: RenderProgress) -> None:
        event = Progress(
            thread_id=ctx.thread_id,
            step=report.step,
            total=report.total,
            eta_s=report.eta_s,
            stage=report.stage,
            attempt=attempt,
        )
        loop.call_soon_threadsafe(writer, event)

    def on_queue(position: int, eta_s: float | None) -> None:
        loop.call_soon_threadsafe(writer, Queued(thread_id=ctx.thread_id, position=position, eta_s=eta_s))

    ticket = RenderTicket(
        owner=job.author, thread=ctx.thread_id, guild=ctx.guild, priority="final" if job.kind == "final" else "draft"
    )
    extra: dict[str, Any] = {"on_queue": on_queue} if target.queue_events else {}
    if target.job_ids:  # the same job id when a crash makes this node run again: re-attach, don't re-render
        extra["job_id"] = f"{job.run_id}-{slot or 'a'}{attempt}"
    return await target.renderer.render(
        request, ticket, out_dir=thread_folder(ctx), on_progress=on_progress, cancel=ctx.cancel, **extra
    )


async def run_critic(ctx: Context, writer: Any, spec: ShotSpec, record: TakeRecord) -> Critique | None:
    """The critic on a worker thread; a clip it cannot read is reported, not fatal."""
    expectation = expectation_from(spec, record.request)
    try:
        critique = await asyncio.to_thread(ctx.critic, record.take.path, expectation)
    except CRITIC_ERRORS as exc:
        message = f"the critic could not watch the take: {exc}"
        writer(Error(thread_id=ctx.thread_id, error_kind="critic", message=message))
        return None
    writer(CritiqueReady(thread_id=ctx.thread_id, take_id=record.take_id, critique=critique, attempt=record.attempt))
    return critique


def critiques(state: AgentState) -> bool:
    """Whether this thread's takes go through the critic (its options may turn it off)."""
    return state.options is None or state.options.critique


def new_take_id() -> str:
    return uuid.uuid4().hex[:8]


async def render(state: AgentState, runtime: Runtime[Context]) -> dict:
    """Render the planned request (one attempt); a failure ends the run as a value."""
    job, ctx, writer = state.job, runtime.context, runtime.stream_writer
    assert job is not None and state.plan is not None and state.spec is not None
    attempt = state.attempt + 1
    target = ctx.target(state.options)
    outcome = (
        target
        if isinstance(target, Failure)
        else await submit(ctx, writer, state.plan, job, attempt=attempt, target=target)
    )
    if isinstance(outcome, Failure):
        writer(Error(thread_id=ctx.thread_id, error_kind=outcome.kind, message=outcome.message))
        return {"attempt": attempt, "result": RunResult(kind="error", error=outcome, notes=list(state.plan_notes))}
    kind = {"message": "draft", "variations": "variation"}.get(job.kind, job.kind)
    record = TakeRecord(
        take_id=new_take_id(),
        take=outcome,
        request=state.plan,
        spec=job_spec(state),
        kind=kind,
        attempt=attempt,
        run_id=job.run_id,
        author=job.author,
        strategy=state.strategy,
        reason=state.reason,
        changes=list(state.changes),
        source_take_id=job.take_id,
    )
    writer(TakeReady(thread_id=ctx.thread_id, take_id=record.take_id, take=outcome, attempt=attempt, take_kind=kind))
    return {
        "attempt": attempt,
        "takes": [*state.takes, record],
        "seen": [*state.seen, fingerprint(state.plan)],
    }


def job_spec(state: AgentState) -> ShotSpec:
    """The spec a take of this run stands for (a final render keeps its draft's spec)."""
    job = state.job
    assert job is not None and state.spec is not None
    if job.kind == "final" and job.take_id and (source := state.take(job.take_id)):
        return source.spec
    return state.spec


async def critique(state: AgentState, runtime: Runtime[Context]) -> dict:
    """Watch the newest take of this run and record the verdict on it."""
    assert state.job is not None
    record = state.run_takes(state.job.run_id)[-1]
    verdict = await run_critic(runtime.context, runtime.stream_writer, record.spec, record)
    if verdict is None:
        return {}
    updated = record.model_copy(update={"critique": verdict})
    return {"takes": [updated if t.take_id == record.take_id else t for t in state.takes]}


async def revise_request(state: AgentState, runtime: Runtime[Context]) -> dict:
    """Change the request by the reviser (the LLM's rewrite, or the next rule strategy), and say why."""
    assert state.job is not None
    record = state.run_takes(state.job.run_id)[-1]
    assert record.critique is not None
    ctx = runtime.context
    target = ctx.target(state.options)
    family = ctx.family if isinstance(target, Failure) else target.family
    plan = await ctx.reviser.revise(
        record.request,
        record.critique,
        attempt=state.attempt + 1,
        seen=state.seen,
        family=family,
        camera_movement=record.spec.camera_movement,
    )
    runtime.stream_writer(
        Revision(
            thread_id=ctx.thread_id,
            attempt=state.attempt + 1,
            strategy=plan.strategy,
            reason=plan.reason,
            changes=plan.changes,
        )
    )
    return {"plan": plan.request, "strategy": plan.strategy, "reason": plan.reason, "changes": plan.changes}


def deliver_update(state: AgentState, ctx: Context, writer: Any, records: list[TakeRecord]) -> dict:
    """Pick the best take of the run by the critic's verdict, announce it with the attempt history."""
    best = max(records, key=lambda r: r.rank)
    notes = list(state.plan_notes)
    looped = state.job is not None and state.job.kind in ("message", "reroll", "extend")
    if looped and best.critique is not None and not best.critique.passed and len(records) >= ctx.attempt_budget:
        notes.append(
            f"no take passed within the attempt budget ({ctx.attempt_budget}); "
            f"delivering the best, take {best.take_id} (score {best.critique.score:.2f})"
        )
    if state.options is not None and not state.options.critique:
        notes.append("critique is off for this thread: the take is delivered as rendered, unreviewed")
    attempts = [r.summary() for r in records]
    take_ids = [r.take_id for r in records]
    writer(
        Done(
            thread_id=ctx.thread_id,
            best_take_id=best.take_id,
            take=best.take,
            critique=best.critique,
            attempts=attempts,
            take_ids=take_ids,
        )
    )
    result = RunResult(kind="take", take_id=best.take_id, take_ids=take_ids, attempts=attempts, notes=notes)
    return {"current_take_id": best.take_id, "result": result}


async def deliver(state: AgentState, runtime: Runtime[Context]) -> dict:
    assert state.job is not None
    return deliver_update(state, runtime.context, runtime.stream_writer, state.run_takes(state.job.run_id))


async def variations(state: AgentState, runtime: Runtime[Context]) -> dict:
    """N seeds of the current spec as one request: render all, critique all, deliver the best (pick later)."""
    from agent.compile import compile_shot

    job, ctx, writer = state.job, runtime.context, runtime.stream_writer
    assert job is not None and state.spec is not None
    target = ctx.target(state.options)
    if isinstance(target, Failure):
        writer(Error(thread_id=ctx.thread_id, error_kind=target.kind, message=target.message))
        return {"result": RunResult(kind="error", error=target)}
    spec, filled = fill_defaults(state.spec, state.options)
    base = compile_shot(spec, target.family, model=target.model).request
    requests: list[RenderRequest] = []
    seen = set(state.seen)
    salt = len(state.seen)
    while len(requests) < job.n:
        salt += 1
        request = base.model_copy(update={"seed": next_seed(base.seed, salt)})
        if fingerprint(request) not in seen:
            seen.add(fingerprint(request))
            requests.append(request)
    outcomes = await asyncio.gather(
        *(submit(ctx, writer, r, job, attempt=i, slot="v", target=target) for i, r in enumerate(requests, 1))
    )
    records: list[TakeRecord] = []
    for index, (request, outcome) in enumerate(zip(requests, outcomes, strict=True), 1):
        if isinstance(outcome, Failure):
            message = f"variation {index}: {outcome.message}"
            writer(Error(thread_id=ctx.thread_id, error_kind=outcome.kind, message=message))
            continue
        record = TakeRecord(
            take_id=new_take_id(),
            take=outcome,
            request=request,
            spec=spec,
            kind="variation",
            attempt=index,
            run_id=job.run_id,
            author=job.author,
            strategy="variation",
            changes=[f"seed {request.seed}"],
        )
        ready = TakeReady(
            thread_id=ctx.thread_id, take_id=record.take_id, take=outcome, attempt=index, take_kind="variation"
        )
        writer(ready)
        records.append(record)
    if critiques(state):
        verdicts = await asyncio.gather(*(run_critic(ctx, writer, spec, r) for r in records))
        records = [r.model_copy(update={"critique": v}) for r, v in zip(records, verdicts, strict=True)]
    update: dict = {"takes": [*state.takes, *records], "seen": [*state.seen, *(fingerprint(r) for r in requests)]}
    if filled:
        update["spec"] = spec
    if not records:
        failure = next(o for o in outcomes if isinstance(o, Failure))
        return {**update, "result": RunResult(kind="error", error=failure)}
    return {**update, **deliver_update(state, ctx, writer, records)}

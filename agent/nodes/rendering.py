"""Rendering: submit the planned request to the thread's render target; the take, or a failure, comes back."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from langgraph.runtime import Runtime

from agent.context import Context
from agent.events import Error, Progress, Queued, TakeReady
from agent.revise import fingerprint
from agent.spec import ShotSpec
from agent.state import AgentState, Job, RunResult, TakeRecord
from agent.targets import Target
from generator.base import Progress as RenderProgress
from generator.errors import Failure
from generator.request import RenderRequest
from tools.long_take import Retake
from tools.renderer import RenderTicket
from tools.take import Take

# Takes of these jobs are named by what was asked; the rest by the job's own kind (reroll, final, extend).
TAKE_KINDS = {"message": "draft", "variations": "variation"}


def new_take_id() -> str:
    return uuid.uuid4().hex[:8]


async def submit(
    ctx: Context,
    writer: Any,
    request: RenderRequest,
    job: Job,
    *,
    attempt: int,
    slot: str = "",
    target: Target,
    charged: bool = True,
    retake: Retake | None = None,
) -> Take | Failure:
    """Send one request to the target's renderer; its progress (from worker threads) becomes events on this loop.

    Every render is charged to the requester first (variations and critic retries each count; a shot's previz
    animatic, `charged=False`, is part of the take it precedes); a refused charge is an over_quota failure."""
    if charged and ctx.charge is not None and (refusal := await ctx.charge()) is not None:
        return Failure(kind="over_quota", message=refusal)
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

    # The queue keys fairness and per-user caps on a stable id; a name is only the fallback of a front end without one.
    owner = ctx.user or job.author_id or job.author
    ticket = RenderTicket(
        owner=owner, thread=ctx.thread_id, guild=ctx.guild, priority="final" if job.kind == "final" else "draft"
    )
    renderer = target.renderer
    extra: dict[str, Any] = {}
    if "queue_events" in renderer.features:
        extra["on_queue"] = on_queue
    if "job_ids" in renderer.features:  # the same id when a crash makes this node run again: re-attach, don't re-render
        extra["job_id"] = f"{job.run_id}-{slot or 'a'}{attempt}"
    if retake is not None and "retake" in renderer.features:  # a long take: render only the segments that failed
        extra["retake"] = retake
    return await renderer.render(
        request, ticket, out_dir=ctx.folder, on_progress=on_progress, cancel=ctx.cancel, **extra
    )


async def render(state: AgentState, runtime: Runtime[Context]) -> dict:
    """Render the planned request (one attempt); a failure ends the run as a value."""
    job, ctx, writer = state.job, runtime.context, runtime.stream_writer
    assert job is not None and state.plan is not None and state.spec is not None
    attempt = state.attempt + 1
    target = ctx.target(state.options)
    outcome = (
        target
        if isinstance(target, Failure)
        else await submit(ctx, writer, state.plan, job, attempt=attempt, target=target, retake=state.retake)
    )
    if isinstance(outcome, Failure):
        writer(Error(thread_id=ctx.thread_id, error_kind=outcome.kind, message=outcome.message))
        return {"attempt": attempt, "result": RunResult(kind="error", error=outcome, notes=list(state.plan_notes))}
    kind = TAKE_KINDS.get(job.kind, job.kind)
    record = TakeRecord(
        take_id=new_take_id(),
        take=outcome,
        request=state.plan,
        spec=job_spec(state),
        kind=kind,
        attempt=attempt,
        run_id=job.run_id,
        author=job.author,
        author_id=job.author_id,
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

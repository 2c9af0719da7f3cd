"""Critiquing and revising: watch the newest take, record the verdict, and change the request when it failed."""

from __future__ import annotations

import asyncio
from typing import Any

from langgraph.runtime import Runtime

from agent.context import Context
from agent.events import CritiqueReady, Error, Revision
from agent.expect import expectation_from
from agent.guide_revision import guide_revision
from agent.retake import plan_retake
from agent.spec import ShotSpec
from agent.state import AgentState, TakeRecord
from generator.errors import Failure
from tools.critique import Critique

# Raised by a critic that cannot read a clip: reported as an Error event, the take is still delivered.
CRITIC_ERRORS = (OSError, ValueError, RuntimeError)


def critiques(state: AgentState) -> bool:
    """Whether this thread's takes go through the critic (its options may turn it off)."""
    return state.options is None or state.options.critique


async def run_critic(ctx: Context, writer: Any, spec: ShotSpec, record: TakeRecord) -> Critique | None:
    """The critic on a worker thread; a clip it cannot read is reported, not fatal."""
    expectation = expectation_from(spec, record.request)
    try:
        if record.take.segments:  # a long take: each segment, each join, and the whole
            from tools.critic.long_take import critique_long_take

            critique = await asyncio.to_thread(critique_long_take, record.take, expectation, ctx.critic)
        else:
            critique = await asyncio.to_thread(ctx.critic, record.take.path, expectation)
    except CRITIC_ERRORS as exc:
        message = f"the critic could not watch the take: {exc}"
        writer(Error(thread_id=ctx.thread_id, error_kind="critic", message=message))
        return None
    writer(CritiqueReady(thread_id=ctx.thread_id, take_id=record.take_id, critique=critique, attempt=record.attempt))
    return critique


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
    """Change the request by the next strategy, and say why.

    A long take whose only faults are in some segments (or joins) renders just those again (`agent.retake`).
    Otherwise a wrong camera on a family that takes a guide is fixed first by the guide (added, then held firmer in
    steps: `agent.guide_revision`); the run's reviser comes after, or where it cannot help: the LLM's rewrite
    where an LLM is configured, else the rule strategies of `agent.revise`.
    """
    assert state.job is not None
    record = state.run_takes(state.job.run_id)[-1]
    assert record.critique is not None
    ctx = runtime.context
    target = ctx.target(state.options)
    family = ctx.targets.main.family if isinstance(target, Failure) else target.family
    attempt, allowed = state.attempt + 1, ctx.guide_choice(state.options).revisable
    retake = plan_retake(record.take, record.critique, attempt=attempt, seen=state.seen, family=family)
    if retake is not None:  # only segments (or joins) failed: render those again, keep the rest
        kept, plan = retake
        update = {"plan": state.plan, "retake": kept}
    else:
        plan = guide_revision(
            record.request, record.critique, family=family, allowed=allowed, attempt=attempt, seen=state.seen
        ) or await ctx.reviser.revise(
            record.request,
            record.critique,
            attempt=attempt,
            seen=state.seen,
            family=family,
            camera_movement=record.spec.camera_movement,
        )
        update = {"plan": plan.request, "retake": None}
    runtime.stream_writer(
        Revision(
            thread_id=ctx.thread_id,
            attempt=attempt,
            strategy=plan.strategy,
            reason=plan.reason,
            changes=plan.changes,
        )
    )
    return {**update, "strategy": plan.strategy, "reason": plan.reason, "changes": plan.changes}

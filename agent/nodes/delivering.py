"""Delivering: the best take of the run, by the critic's verdict, announced with every attempt."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from agent.context import Context
from agent.events import Done
from agent.state import AgentState, RunResult, TakeRecord

# Runs whose takes go round the critique loop (and so may run out of attempts).
LOOPED_JOBS = ("message", "reroll", "extend")


def deliver_update(state: AgentState, ctx: Context, writer: Any, records: list[TakeRecord]) -> dict:
    """Pick the best take of the run by the critic's verdict, announce it with the attempt history."""
    best = max(records, key=lambda r: r.rank)
    notes = list(state.plan_notes)
    looped = state.job is not None and state.job.kind in LOOPED_JOBS
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
    """Deliver the best of this run's takes."""
    assert state.job is not None
    return deliver_update(state, runtime.context, runtime.stream_writer, state.run_takes(state.job.run_id))

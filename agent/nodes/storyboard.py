"""Storyboard jobs: approve a take as the next shot, pick one of the takes, reorder or remove shots (no rendering)."""

from __future__ import annotations

from langgraph.runtime import Runtime

from agent import storyboard as board_ops
from agent.context import Context
from agent.director.base import Change
from agent.spec import StoryboardShot
from agent.state import AgentState, Job, RunResult


async def edit_storyboard(state: AgentState, runtime: Runtime[Context]) -> dict:
    """Approve, pick, reorder or remove: storyboard and current-take bookkeeping."""
    job = state.job
    assert job is not None
    if job.kind == "approve":
        return approve(state, job)
    if job.kind == "pick":
        return pick(state, job)
    assert job.shot is not None
    if job.kind == "reorder":
        board = board_ops.reorder(state.storyboard, job.shot, job.to or 1)
    else:
        board = board_ops.remove(state.storyboard, job.shot)
    return {"storyboard": board, "result": RunResult(kind="storyboard")}


def approve(state: AgentState, job: Job) -> dict:
    """The take (default: the current one) becomes the next shot; the next shot inherits its look."""
    record = state.take(job.take_id or state.current_take_id or "")
    if record is None:
        raise board_ops.StoryboardError("there is no take to approve yet")
    shot = StoryboardShot(
        take_id=record.take_id,
        spec=record.spec,
        take_path=record.take.path,
        duration_s=record.take.duration_s,
        score=record.critique.score if record.critique else None,
        approved_by=job.author,
    )
    board = board_ops.approve(state.storyboard, shot)
    number = next(i for i, s in enumerate(board.shots, 1) if s.take_id == record.take_id)
    return {
        "storyboard": board,
        "spec": board_ops.inherit(record.spec, board),
        "current_take_id": None,
        "result": RunResult(
            kind="storyboard", take_id=record.take_id, notes=[f"take {record.take_id} is shot {number}"]
        ),
    }


def pick(state: AgentState, job: Job) -> dict:
    """The take becomes the current one; its seed joins the spec, attributed to whoever picked it."""
    record = state.take(job.take_id or "")
    if record is None:
        raise board_ops.StoryboardError(f"there is no take {job.take_id}")
    old_seed = state.spec.seed if state.spec else None
    spec = record.spec.model_copy(update={"seed": record.request.seed})
    change = Change(field="seed", old=old_seed, new=record.request.seed, author=job.author)
    return {
        "spec": spec,
        "current_take_id": record.take_id,
        "spec_history": [*state.spec_history, change],
        "result": RunResult(kind="picked", take_id=record.take_id),
    }

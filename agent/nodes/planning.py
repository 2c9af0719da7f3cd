"""Planning a render: compile the spec (or the source take) into a request, and ask a person before a final one."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime
from langgraph.types import interrupt

from agent.compile import compile_shot
from agent.context import Context
from agent.events import Done, Error
from agent.revise import fingerprint, next_seed
from agent.spec import Storyboard
from agent.state import AgentState, RunResult, TakeRecord, fill_defaults
from generator.errors import Failure
from generator.families import ModelFamily
from generator.request import ConditionClip, RenderRequest
from tools.long_take import is_long

FINAL_STEPS_FACTOR = 2
MAX_FINAL_STEPS = 500
EXTEND_LAST_FRAMES = 9


async def plan(state: AgentState, runtime: Runtime[Context]) -> dict:
    """Compile the spec (or the source take) into the request of attempt 1; never one already submitted."""
    job, ctx = state.job, runtime.context
    assert job is not None
    source = state.take(job.take_id) if job.take_id else None
    notes = list(state.plan_notes)
    if job.kind == "final":
        assert source is not None
        return plan_final(state, runtime, source, notes)
    target = ctx.target(state.options)
    if isinstance(target, Failure):
        runtime.stream_writer(Error(thread_id=ctx.thread_id, error_kind=target.kind, message=target.message))
        return {"result": RunResult(kind="error", error=target, notes=notes)}
    update: dict[str, Any] = {}
    spec = state.spec
    if job.kind == "reroll" and source is not None:
        spec = update["spec"] = source.spec
    assert spec is not None
    spec, filled = fill_defaults(spec, state.options)
    if filled:
        update["spec"] = spec
        notes.extend(filled)
    guide = ctx.guide_choice(state.options).first_guide if job.kind != "extend" else None
    compiled = compile_shot(spec, target.family, model=target.model, segment_s=ctx.segment_s, guide=guide)
    notes.extend(compiled.notes)
    request = compiled.request
    if job.kind == "reroll" and source is not None:
        request = request.model_copy(update={"seed": next_seed(source.request.seed, len(state.seen))})
    if job.kind == "extend" and source is not None:
        condition = ConditionClip(path=source.take.path, last_frames=EXTEND_LAST_FRAMES)
        request = request.model_copy(update={"condition": condition})
    elif spec.continue_previous:
        request = continue_previous_shot(request, state.storyboard, target.family, ctx.segment_s, notes)
    request = unseen(request, state.seen, notes)
    if job.faults:
        request = request.model_copy(update={"faults": tuple(job.faults)})
        notes.append(f"fault injected into attempt 1 on purpose: {', '.join(job.faults)}")
    return {**update, "plan": request, "plan_notes": notes}


def continue_previous_shot(
    request: RenderRequest, board: Storyboard, family: ModelFamily, segment_s: float | None, notes: list[str]
) -> RenderRequest:
    """The request conditioned on the last frame(s) of the storyboard's last shot (continuous action), if it can be."""
    previous = board.shots[-1] if board.shots else None
    if previous is None or not previous.take_path:
        notes.append("no shot on the storyboard yet to continue from: this shot starts on its own")
        return request
    number = len(board.shots)
    if is_long(request, segment_s):
        notes.append(f"a shot rendered as segments starts on its own: continuing shot {number} needs a single pass")
        return request
    frames = max(1, family.continue_frames)
    notes.append(f"starts from the last {frames} frame(s) of shot {number} (continuous action across the cut)")
    return request.model_copy(update={"condition": ConditionClip(path=previous.take_path, last_frames=frames)})


def unseen(request: RenderRequest, seen: list[str], notes: list[str]) -> RenderRequest:
    """The request, reseeded until no earlier take of the thread was made from the same one (said in `notes`)."""
    salt = 0
    while fingerprint(request) in seen:
        salt += 1
        seed = next_seed(request.seed, len(seen) + salt)
        notes.append(f"same request as an earlier take: new seed {seed}")
        request = request.model_copy(update={"seed": seed})
    return request


def plan_final(state: AgentState, runtime: Runtime[Context], source: TakeRecord, notes: list[str]) -> dict:
    """The final-quality request of a draft, or the final render the draft already has."""
    request = final_request(source.request)
    existing = next((t for t in state.takes if t.kind == "final" and t.request == request), None)
    if existing is None:
        return {"plan": request, "plan_notes": notes}
    runtime.stream_writer(
        Done(
            thread_id=runtime.context.thread_id,
            best_take_id=existing.take_id,
            take=existing.take,
            critique=existing.critique,
            attempts=[existing.summary()],
            take_ids=[existing.take_id],
        )
    )
    notes.append(f"take {source.take_id} already has a final render: {existing.take_id}")
    return {"result": RunResult(kind="take", take_id=existing.take_id, take_ids=[existing.take_id], notes=notes)}


def final_request(draft: RenderRequest) -> RenderRequest:
    """The final-quality version of a draft: same words and seed, more denoising steps, no faults."""
    steps = min(MAX_FINAL_STEPS, draft.steps * FINAL_STEPS_FACTOR)
    return draft.model_copy(update={"steps": steps, "faults": ()})


async def approval(state: AgentState, runtime: Runtime[Context]) -> dict:
    """Wait for a human yes before an expensive final render; nothing before this line has side effects."""
    job, ctx = state.job, runtime.context
    assert job is not None and state.plan is not None
    if not ctx.approves_final(state.options):
        return {}
    request = state.plan
    decision = interrupt(
        {
            "take_id": job.take_id,
            "summary": (
                f"final render of take {job.take_id}: {request.width}x{request.height}, "
                f"{request.num_frames} frames at {request.fps} fps, {request.steps} steps"
            ),
        }
    )
    approved = decision.get("approved", False) if isinstance(decision, dict) else bool(decision)
    if approved:
        return {}
    who = decision.get("author") if isinstance(decision, dict) else None
    note = f"final render declined{f' by {who}' if who else ''}"
    return {"result": RunResult(kind="declined", take_id=job.take_id, notes=[note])}

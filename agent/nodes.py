"""The conversation nodes: understand, clarify, plan, approval and storyboard edits (no rendering here)."""

from __future__ import annotations

from langgraph.runtime import Runtime
from langgraph.types import interrupt

from agent import storyboard as board_ops
from agent.compile import compile_shot
from agent.context import Context
from agent.director.base import Change, Turn
from agent.events import Done, Error, Question, SpecChanged
from agent.revise import fingerprint, next_seed
from agent.spec import StoryboardShot
from agent.state import AgentState, RunResult, fill_defaults
from generator.errors import Failure
from generator.request import ConditionClip, RenderRequest

HISTORY_TURNS = 12
AGENT_AUTHOR = "dailies"
FINAL_STEPS_FACTOR = 2
EXTEND_LAST_FRAMES = 9


async def understand(state: AgentState, runtime: Runtime[Context]) -> dict:
    """The director reads the message against the current spec; every change is attributed."""
    job, ctx = state.job, runtime.context
    assert job is not None and job.text is not None
    reply = await ctx.director.direct(
        job.text,
        author=job.author,
        base=state.spec,
        history=state.conversation[-HISTORY_TURNS:],
        storyboard=state.storyboard,
    )
    if reply.changes or reply.notes:
        said = SpecChanged(thread_id=ctx.thread_id, changes=reply.changes, notes=reply.notes, director=reply.director)
        runtime.stream_writer(said)
    update: dict = {
        "spec": reply.spec,
        "conversation": [*state.conversation, Turn(author=job.author, text=job.text)],
        "spec_history": [*state.spec_history, *reply.changes],
        "plan_notes": list(reply.notes),
    }
    if reply.question:
        update["result"] = RunResult(kind="question", question=reply.question, notes=list(reply.notes))
    return update


async def clarify(state: AgentState, runtime: Runtime[Context]) -> dict:
    """Ask one question; the creator's next message answers it."""
    assert state.result is not None and state.result.question
    question = state.result.question
    runtime.stream_writer(Question(thread_id=runtime.context.thread_id, text=question))
    return {"conversation": [*state.conversation, Turn(author=AGENT_AUTHOR, text=question)]}


async def plan(state: AgentState, runtime: Runtime[Context]) -> dict:
    """Compile the spec (or the source take) into the request of attempt 1; never one already submitted."""
    job, ctx = state.job, runtime.context
    assert job is not None
    source = state.take(job.take_id) if job.take_id else None
    notes = list(state.plan_notes)
    update: dict = {}
    if job.kind == "final":
        assert source is not None
        request = final_request(source.request)
        existing = next((t for t in state.takes if t.kind == "final" and t.request == request), None)
        if existing is not None:
            runtime.stream_writer(
                Done(
                    thread_id=ctx.thread_id,
                    best_take_id=existing.take_id,
                    take=existing.take,
                    critique=existing.critique,
                    attempts=[existing.summary()],
                    take_ids=[existing.take_id],
                )
            )
            notes.append(f"take {source.take_id} already has a final render: {existing.take_id}")
            result = RunResult(kind="take", take_id=existing.take_id, take_ids=[existing.take_id], notes=notes)
            return {"result": result}
        return {"plan": request, "plan_notes": notes}
    target = ctx.target(state.options)
    if isinstance(target, Failure):
        runtime.stream_writer(Error(thread_id=ctx.thread_id, error_kind=target.kind, message=target.message))
        return {"result": RunResult(kind="error", error=target, notes=notes)}
    spec = state.spec
    if job.kind == "reroll" and source is not None:
        spec = source.spec
        update["spec"] = spec
    assert spec is not None
    spec, filled = fill_defaults(spec, state.options)
    if filled:
        update["spec"] = spec
        notes.extend(filled)
    compiled = compile_shot(spec, target.family, model=target.model)
    notes.extend(compiled.notes)
    request = compiled.request
    if job.kind == "reroll" and source is not None:
        request = request.model_copy(update={"seed": next_seed(source.request.seed, len(state.seen))})
    if job.kind == "extend" and source is not None:
        request = request.model_copy(
            update={"condition": ConditionClip(path=source.take.path, last_frames=EXTEND_LAST_FRAMES)}
        )
    salt = 0
    while fingerprint(request) in state.seen:
        salt += 1
        seed = next_seed(request.seed, len(state.seen) + salt)
        notes.append(f"same request as an earlier take: new seed {seed}")
        request = request.model_copy(update={"seed": seed})
    if job.faults:
        request = request.model_copy(update={"faults": tuple(job.faults)})
        notes.append(f"fault injected into attempt 1 on purpose: {', '.join(job.faults)}")
    return {**update, "plan": request, "plan_notes": notes}


def final_request(draft: RenderRequest) -> RenderRequest:
    """The final-quality version of a draft: same words and seed, more denoising steps, no faults."""
    steps = min(500, draft.steps * FINAL_STEPS_FACTOR)
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


async def edit_storyboard(state: AgentState, runtime: Runtime[Context]) -> dict:
    """Approve, pick, reorder or remove: storyboard and current-take bookkeeping, no rendering."""
    job = state.job
    assert job is not None
    board = state.storyboard
    if job.kind == "approve":
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
        board = board_ops.approve(board, shot)
        number = next(i for i, s in enumerate(board.shots, 1) if s.take_id == record.take_id)
        return {
            "storyboard": board,
            "spec": board_ops.inherit(record.spec, board),
            "current_take_id": None,
            "result": RunResult(
                kind="storyboard", take_id=record.take_id, notes=[f"take {record.take_id} is shot {number}"]
            ),
        }
    if job.kind == "pick":
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
    assert job.shot is not None
    if job.kind == "reorder":
        board = board_ops.reorder(board, job.shot, job.to or 1)
    else:
        board = board_ops.remove(board, job.shot)
    return {"storyboard": board, "result": RunResult(kind="storyboard")}

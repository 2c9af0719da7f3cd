"""The animatic first: a new shot's previz, posted in seconds before the model spends GPU minutes on the take.

It is the previz render of the very request the model renders (same size, length, camera path and seed), so
it is also exactly the camera guide a guided family follows. A failed animatic is a note, never the run's end.
"""

from __future__ import annotations

from langgraph.runtime import Runtime

from agent.context import Context
from agent.events import AnimaticReady
from agent.nodes.rendering import submit
from agent.state import AgentState
from generator.errors import Failure
from generator.guide import guide_request

SLOT = "p"  # the animatic's render slot: its job id never meets the takes' ("a1", "a2", ...)


def wants_animatic(state: AgentState, ctx: Context) -> bool:
    """A new or refined shot (a message), rendered by a model, in a thread that did not turn the animatic off."""
    if state.job is None or state.job.kind != "message" or state.plan is None:
        return False
    if not ctx.shows_animatic(state.options):
        return False
    target = ctx.target(state.options)
    return not isinstance(target, Failure) and target.family.backend != "previz"


async def animatic(state: AgentState, runtime: Runtime[Context]) -> dict:
    """Render the planned request's previz and hand it to the front end; the model take follows."""
    job, ctx, writer = state.job, runtime.context, runtime.stream_writer
    assert job is not None and state.plan is not None
    target = ctx.targets.previz()
    outcome = (
        target
        if isinstance(target, Failure)
        else await submit(ctx, writer, guide_request(state.plan), job, attempt=1, slot=SLOT, target=target)
    )
    if isinstance(outcome, Failure):
        return {"plan_notes": [*state.plan_notes, f"no animatic this time: {outcome.message}"]}
    writer(AnimaticReady(thread_id=ctx.thread_id, take=outcome, guided=state.plan.guide is not None))
    return {"animatic": outcome}

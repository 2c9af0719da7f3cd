"""The agent: understand -> [clarify -> await_answer -> understand] -> plan -> [approval | animatic] -> render ->
critique -> revise ... -> deliver.

Every Studio call is one run on the thread's checkpointed state; the job it carries picks the entry:
a message enters at `understand` (a question pauses the run in `await_answer`, an interrupt the next
message resumes), a reroll or extension at `plan`, a final render at `plan` then `approval` (an
interrupt, resumed with Command(resume=...)), variations at `variations`, and storyboard edits (and deleting a
take) at `edit_storyboard`. A new shot rendered by a model first gets its previz `animatic`
(seconds, posted while the model works). The render loop follows langgraph-reflection: render,
critique, revise, capped by the attempt budget. Side effects (rendering) only happen after the
interrupt, so a resumed `approval` node re-runs without repeating anything.
"""

from __future__ import annotations

from typing import Literal

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.runtime import Runtime

from agent.clarify import await_answer
from agent.context import Context
from agent.nodes.animatic import animatic, wants_animatic
from agent.nodes.critiquing import critique, critiques, revise_request
from agent.nodes.delivering import deliver
from agent.nodes.planning import approval, plan
from agent.nodes.rendering import render
from agent.nodes.storyboard import edit_storyboard
from agent.nodes.understanding import clarify, understand
from agent.nodes.variations import variations
from agent.state import AgentState


async def route_job(state: AgentState) -> Literal["understand", "plan", "variations", "edit_storyboard"]:
    assert state.job is not None
    kind = state.job.kind
    if kind == "message" or (kind == "extend" and state.job.text):
        return "understand"
    if kind == "variations":
        return "variations"
    if kind in ("approve", "pick", "reorder", "remove", "delete"):
        return "edit_storyboard"
    return "plan"


async def route_understood(state: AgentState) -> Literal["clarify", "plan", "__end__"]:
    if state.result is not None and state.result.kind == "unchanged":
        return END
    return "clarify" if state.result is not None and state.result.kind == "question" else "plan"


async def route_planned(
    state: AgentState, runtime: Runtime[Context]
) -> Literal["approval", "animatic", "render", "__end__"]:
    assert state.job is not None
    if state.result is not None:
        return END
    if state.job.kind == "final":
        return "approval"
    return "animatic" if wants_animatic(state, runtime.context) else "render"


async def route_approved(state: AgentState) -> Literal["render", "__end__"]:
    return END if state.result is not None else "render"


async def route_rendered(state: AgentState) -> Literal["critique", "deliver", "__end__"]:
    """Critique the new take, or deliver it as rendered when the thread turned the critic off."""
    if state.result is not None:
        return END
    return "critique" if critiques(state) else "deliver"


async def route_critiqued(state: AgentState, runtime: Runtime[Context]) -> Literal["revise", "deliver"]:
    """Revise while the newest take fails and the attempt budget lasts; final renders are not revised."""
    assert state.job is not None
    newest = state.run_takes(state.job.run_id)[-1]
    if state.job.kind == "final" or newest.critique is None or newest.critique.passed:
        return "deliver"
    return "deliver" if state.attempt >= runtime.context.attempt_budget else "revise"


def build_graph(checkpointer: BaseCheckpointSaver | None = None) -> CompiledStateGraph:
    """The compiled agent; with a checkpointer every thread's state survives restarts."""
    builder = StateGraph(AgentState, context_schema=Context)
    builder.add_node("understand", understand)
    builder.add_node("clarify", clarify)
    builder.add_node("await_answer", await_answer)
    builder.add_node("plan", plan)
    builder.add_node("approval", approval)
    builder.add_node("animatic", animatic)
    builder.add_node("render", render)
    builder.add_node("critique", critique)
    builder.add_node("revise", revise_request)
    builder.add_node("deliver", deliver)
    builder.add_node("variations", variations)
    builder.add_node("edit_storyboard", edit_storyboard)
    builder.add_conditional_edges(START, route_job)
    builder.add_conditional_edges("understand", route_understood)
    builder.add_edge("clarify", "await_answer")
    builder.add_edge("await_answer", "understand")
    builder.add_conditional_edges("plan", route_planned)
    builder.add_conditional_edges("approval", route_approved)
    builder.add_edge("animatic", "render")
    builder.add_conditional_edges("render", route_rendered)
    builder.add_conditional_edges("critique", route_critiqued)
    builder.add_edge("revise", "render")
    builder.add_edge("deliver", END)
    builder.add_edge("variations", END)
    builder.add_edge("edit_storyboard", END)
    return builder.compile(checkpointer=checkpointer, name="dailies")

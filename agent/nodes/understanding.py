"""Understanding the conversation: the director reads a message against the spec, or one question is asked."""

from __future__ import annotations

from langgraph.runtime import Runtime

from agent.context import Context
from agent.director.base import Turn
from agent.events import Question, SpecChanged
from agent.state import AgentState, RunResult

HISTORY_TURNS = 12
AGENT_AUTHOR = "dailies"


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

"""Understanding the conversation: the director reads a message against the spec, or one question is asked."""

from __future__ import annotations

import re

from langgraph.runtime import Runtime

from agent.context import Context
from agent.director.base import DirectorReply, Turn
from agent.director.offline import restates
from agent.events import Question, SpecChanged
from agent.state import AgentState, RunResult

HISTORY_TURNS = 12
AGENT_AUTHOR = "dailies"
# Words that ask for another take of the same shot: a message that changes nothing still renders with them.
ANOTHER_TAKE = re.compile(
    r"\b(?:again|retry|re-?roll|re-?do|re-?shoot|re-?render|another (?:one|take|go|try|version)|one more"
    r"|once more|new seed|different seed)\b",
    re.IGNORECASE,
)
NOTHING_RENDERED = 'nothing rendered: say what to change ("slower", "make it night"), or re-roll for another take'


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
    unchanged = _changes_nothing(state, reply, job.kind, job.text)
    notes = [*reply.notes, NOTHING_RENDERED] if unchanged else list(reply.notes)
    if reply.changes or notes:
        said = SpecChanged(thread_id=ctx.thread_id, changes=reply.changes, notes=notes, director=reply.director)
        runtime.stream_writer(said)
    update: dict = {
        "spec": reply.spec,
        "conversation": [*state.conversation, Turn(author=job.author, text=job.text)],
        "spec_history": [*state.spec_history, *reply.changes],
        "plan_notes": list(reply.notes),
    }
    if reply.question:
        update["result"] = RunResult(kind="question", question=reply.question, notes=list(reply.notes))
    elif unchanged:
        update["result"] = RunResult(kind="unchanged", notes=notes)
    return update


def _changes_nothing(state: AgentState, reply: DirectorReply, kind: str, text: str) -> bool:
    """A message about a shot that already has a take, which changes nothing in it ("love it!", "thanks"):
    rendering it again would spend a GPU's minutes on chatter in a shared thread. The description said again,
    or words that ask for another take, still render a new seed."""
    return (
        kind == "message"
        and reply.question is None
        and state.spec is not None
        and state.current_take_id is not None
        and reply.spec == state.spec
        and ANOTHER_TAKE.search(text) is None
        and not restates(text, state.spec)
    )


async def clarify(state: AgentState, runtime: Runtime[Context]) -> dict:
    """Ask one question; the creator's next message answers it."""
    assert state.result is not None and state.result.question
    question = state.result.question
    runtime.stream_writer(Question(thread_id=runtime.context.thread_id, text=question))
    return {"conversation": [*state.conversation, Turn(author=AGENT_AUTHOR, text=question)]}

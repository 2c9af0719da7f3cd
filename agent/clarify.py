"""A clarifying question pauses the run; the creator's next message resumes it where it stopped.

The graph asks (`clarify` emits the question), then waits in `await_answer` on a LangGraph `interrupt` whose
value says it is a question. The Studio sees a thread waiting for an answer (`waits_for_answer`), and hands
the next message to the paused run (`answer_command`) instead of starting a new one: the same run goes on to
`understand` with the answer, then plans and renders as if the first message had been clear. A restart keeps
the question waiting (the checkpoint holds the interrupt).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from langgraph.runtime import Runtime
from langgraph.types import Command, interrupt

from agent.context import Context
from agent.state import AgentState, ThreadOptions

QUESTION = "question"


def question_value(question: str) -> dict[str, str]:
    """What the interrupt carries: a question (an approval's value carries a summary instead)."""
    return {"kind": QUESTION, "question": question}


def is_question(value: Any) -> bool:
    return isinstance(value, dict) and value.get("kind") == QUESTION


def answer_command(
    text: str, author: str, *, options: ThreadOptions | None = None, faults: Sequence[str] = ()
) -> Command:
    """The Command that resumes a run waiting on a question with the creator's answer."""
    answer: dict[str, Any] = {"text": text, "author": author, "faults": list(faults)}
    if options is not None:
        answer["options"] = options.model_dump(mode="json")
    return Command(resume=answer)


async def await_answer(state: AgentState, runtime: Runtime[Context]) -> dict:
    """Wait for the answer (nothing before the interrupt has side effects), then read it as this run's message."""
    assert state.job is not None and state.result is not None and state.result.question
    answer = interrupt(question_value(state.result.question))
    job = state.job.model_copy(
        update={
            "text": answer["text"],
            "author": answer["author"] or state.job.author,
            "faults": tuple(answer["faults"]),
        }
    )
    update: dict[str, Any] = {"job": job, "result": None, "plan_notes": []}
    if answer.get("options") is not None:
        update["options"] = ThreadOptions.model_validate(answer["options"])
    return update

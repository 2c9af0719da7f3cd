"""Reading a thread: its state, storyboard, spec and takes, a run it was cut off in, and the checks calls make first."""

from __future__ import annotations

from langgraph.graph.state import CompiledStateGraph

from agent.clarify import is_question
from agent.context import Requester
from agent.events import EventSink
from agent.spec import ShotSpec, Storyboard
from agent.state import AgentState, TakeRecord
from agent.storyboard import inherit
from agent.studio.results import Pending, StudioError, TurnResult, approval_summary
from agent.studio.runs import GraphRuns


class ThreadReads:
    """The Studio's state readers (mixed into Studio, which gives them its graph and its runs)."""

    graph: CompiledStateGraph
    _runs: GraphRuns

    async def state(self, thread_id: str) -> AgentState:
        """The thread's whole state (an empty one for a new thread)."""
        snapshot = await self.graph.aget_state({"configurable": {"thread_id": thread_id}})
        return AgentState.model_validate(snapshot.values or {})

    async def storyboard(self, thread_id: str) -> Storyboard:
        return (await self.state(thread_id)).storyboard

    async def spec(self, thread_id: str) -> ShotSpec | None:
        return (await self.state(thread_id)).spec

    async def takes(self, thread_id: str) -> list[TakeRecord]:
        return (await self.state(thread_id)).takes

    async def take(self, thread_id: str, take_id: str) -> TakeRecord | None:
        return (await self.state(thread_id)).take(take_id)

    async def take_owner(self, thread_id: str, take_id: str | None = None) -> str | None:
        """The stable id of who asked for a take (the current one when `take_id` is None); None when unknown."""
        state = await self.state(thread_id)
        record = state.take(take_id or state.current_take_id or "")
        return record.author_id if record is not None else None

    async def pending(self, thread_id: str) -> Pending | None:
        """The run this thread stopped in: an approval it waits for, or nodes cut off by a crash."""
        snapshot = await self.graph.aget_state({"configurable": {"thread_id": thread_id}})
        if not snapshot.next:
            return None
        approval = take_id = question = None
        for item in snapshot.interrupts:
            if is_question(item.value):
                question = str(item.value["question"])
            elif isinstance(item.value, dict):
                approval, take_id = approval_summary(item.value)
        nodes = list(snapshot.next)
        return Pending(thread_id=thread_id, nodes=nodes, approval=approval, take_id=take_id, question=question)

    async def recover(
        self, thread_id: str, on_event: EventSink | None = None, *, requester: Requester | None = None
    ) -> TurnResult | None:
        """Finish a run a crash cut off (re-running the node it was in); None when there is nothing to finish."""
        pending = await self.pending(thread_id)
        if pending is None or pending.approval is not None or pending.question is not None:
            return None
        return await self._runs.run(thread_id, None, on_event, requester)

    # The checks a call makes before anything runs: a reference that does not exist is a StudioError.

    async def _require_take(self, thread_id: str, take_id: str | None) -> TakeRecord:
        state = await self.state(thread_id)
        wanted = take_id or state.current_take_id
        if wanted is None:
            raise StudioError("there is no take yet: describe a shot first")
        record = state.take(wanted)
        if record is None:
            raise StudioError(f"there is no take {wanted} in this thread")
        return record

    async def _require_spec(self, thread_id: str) -> ShotSpec:
        spec = await self.spec(thread_id)
        if spec is None:
            raise StudioError("there is no shot yet: describe one first")
        return spec

    async def _require_described(self, thread_id: str) -> ShotSpec:
        """The spec, unless it is only what an approved shot handed on (nothing described since /approve)."""
        state = await self.state(thread_id)
        spec = await self._require_spec(thread_id)
        board = state.storyboard
        if state.current_take_id is None and any(spec == inherit(shot.spec, board) for shot in board.shots):
            raise StudioError(
                "the next shot has only the look, place and cast of the last one: describe it first "
                "(or reroll an approved shot's take)"
            )
        return spec

    async def _require_shots(self, thread_id: str, *numbers: int) -> None:
        board = await self.storyboard(thread_id)
        for number in numbers:
            if not 1 <= number <= len(board.shots):
                raise StudioError(f"there is no shot {number}; the storyboard has {len(board.shots)} shots")

    async def _require_board(self, thread_id: str) -> Storyboard:
        board = await self.storyboard(thread_id)
        if not board.shots:
            raise StudioError("the storyboard is empty: approve a take first")
        return board

"""The checkpointer: LangGraph's own SQLite saver, and a serializer that writes LangGraph's bytes while
remembering the frozen records it wrote and read."""

from __future__ import annotations

from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

from agent.checkpoint import open_checkpointer, serializer, state_types
from agent.state import AgentState
from tests.agent.test_graph import FOX, WrongCamera, settings, studio_for


async def test_a_restart_reads_back_what_the_running_studio_held_interrupt_included(tmp_path) -> None:
    config = {"data_dir": tmp_path}
    async with studio_for(WrongCamera(wrong=1), **config) as studio:
        assert type(studio.graph.checkpointer) is AsyncSqliteSaver  # the stock saver, nothing overridden
        draft = await studio.send("t1", "ana", FOX)
        await studio.approve("t1", None, "ana")
        asked = await studio.final_render("t1", draft.take_id, "ana")
        assert asked.kind == "approval"
        remembered = await studio.state("t1")
        pending = await studio.pending("t1")
        running = await studio.graph.checkpointer.aget_tuple({"configurable": {"thread_id": "t1"}})
    assert pending is not None and pending.approval is not None
    restarted = settings(**config)
    async with open_checkpointer(None, restarted.checkpoint_path) as fresh:  # a new process reads the file
        stored = await fresh.aget_tuple({"configurable": {"thread_id": "t1"}})
    assert stored is not None and running is not None
    assert stored.checkpoint["id"] == running.checkpoint["id"]
    assert [w[1] for w in stored.pending_writes] == [w[1] for w in running.pending_writes]  # the interrupt
    assert stored.checkpoint["channel_values"]["takes"] == remembered.takes
    assert len(remembered.takes) == 2 and remembered.storyboard.shots


async def test_the_memoised_serializer_writes_langgraph_bytes() -> None:
    async with studio_for(WrongCamera(wrong=0)) as studio:
        await studio.send("t1", "ana", FOX)
        state = await studio.state("t1")
    plain = JsonPlusSerializer(allowed_msgpack_modules=sorted(state_types()))
    ours = serializer()
    value = {"takes": state.takes, "spec": state.spec, "conversation": state.conversation}
    assert ours.dumps_typed(value) == plain.dumps_typed(value)
    assert ours.dumps_typed(value) == plain.dumps_typed(value)  # second time from the memo
    assert ours.loads_typed(ours.dumps_typed(value))["takes"] == state.takes


async def test_reads_share_frozen_records_and_nothing_else() -> None:
    async with studio_for(WrongCamera(wrong=0)) as studio:
        await studio.send("t1", "ana", FOX)
        state = await studio.state("t1")
    data = serializer().dumps_typed(dict(state))
    reader = serializer()
    first, second = reader.loads_typed(data), reader.loads_typed(data)
    assert AgentState.model_validate(first) == state == AgentState.model_validate(second)
    assert first["takes"][0] is second["takes"][0]  # a frozen record: decoded once, then shared
    assert first["conversation"][0] is second["conversation"][0]
    assert first["storyboard"] is not second["storyboard"]  # mutable: every read gets its own
    assert first["takes"] is not second["takes"]

"""The checkpointer's shortcuts: the newest checkpoint served from memory equals what SQLite holds, same bytes."""

from __future__ import annotations

from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer

from agent.checkpoint import open_checkpointer, serializer, state_types
from tests.agent.test_graph import FOX, WrongCamera, settings, studio_for


async def test_memory_and_sqlite_agree_across_runs_and_an_interrupt(tmp_path) -> None:
    config = {"data_dir": tmp_path}
    async with studio_for(WrongCamera(wrong=1), **config) as studio:
        draft = await studio.send("t1", "ana", FOX)
        await studio.approve("t1", None, "ana")
        asked = await studio.final_render("t1", draft.take_id, "ana")
        assert asked.kind == "approval"
        remembered = await studio.state("t1")
        pending = await studio.pending("t1")
        saver = studio.graph.checkpointer
        cached = await saver.aget_tuple({"configurable": {"thread_id": "t1"}})
    assert pending is not None and pending.approval is not None  # the interrupt is not lost by the cache
    restarted = settings(**config)
    async with open_checkpointer(None, restarted.checkpoint_path) as fresh:  # a restart: read from the file
        stored = await fresh.aget_tuple({"configurable": {"thread_id": "t1"}})
    assert stored is not None and cached is not None
    assert stored.checkpoint["id"] == cached.checkpoint["id"]
    assert stored.checkpoint["channel_values"]["takes"] == remembered.takes
    assert len(remembered.takes) == 2 and remembered.storyboard.shots


async def test_the_memoised_serializer_writes_langgraph_bytes() -> None:
    async with studio_for(WrongCamera(wrong=0)) as studio:
        await studio.send("t1", "ana", FOX)
        state = await studio.state("t1")
    plain = JsonPlusSerializer(allowed_msgpack_modules=sorted(state_types()))
    ours = serializer()
    value = {"takes": state.takes, "spec": state.spec}
    assert ours.dumps_typed(value) == plain.dumps_typed(value)
    assert ours.dumps_typed(value) == plain.dumps_typed(value)  # second time from the memo
    assert ours.loads_typed(ours.dumps_typed(value))["takes"] == state.takes

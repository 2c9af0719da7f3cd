"""Per-thread options: defaults fill only what words left unset, critique off, backend choice, approval."""

from __future__ import annotations

import pytest

from agent.state import ThreadOptions
from agent.studio import StudioError
from tests.agent.test_graph import Events, WrongCamera, studio_for

OWL = "an owl watches from a branch, the camera tilts up, 12fps"


async def test_defaults_fill_unset_fields_and_explicit_words_win() -> None:
    options = ThreadOptions(aspect_ratio="9:16", duration_s=1.0)
    async with studio_for(WrongCamera(wrong=0)) as studio:
        filled = await studio.send("t1", "ana", OWL, options=options)
        assert filled.kind == "take" and filled.take is not None and filled.spec is not None
        assert (filled.spec.aspect_ratio, filled.spec.duration_s) == ("9:16", 1.0)
        assert filled.take.height > filled.take.width
        assert filled.take.duration_s == pytest.approx(1.0, abs=1 / 12)
        assert any("from this thread's defaults" in note for note in filled.notes)

        said = await studio.send("t2", "ana", f"{OWL}, 16:9, 0.5 seconds", options=options)
        assert said.spec is not None and (said.spec.aspect_ratio, said.spec.duration_s) == ("16:9", 0.5)
        assert said.take is not None and said.take.width > said.take.height
        assert not any("defaults" in note for note in said.notes)

        # stored with the thread: a later call without options still uses them, and a refinement keeps them
        again = await studio.send("t1", "ben", "make it night")
        assert again.spec is not None and again.spec.aspect_ratio == "9:16"
        assert (await studio.state("t1")).options == options


async def test_critique_off_delivers_the_first_take_unreviewed() -> None:
    events = Events()
    generator = WrongCamera(wrong=1)  # the critic would catch this one and revise
    async with studio_for(generator) as studio:
        result = await studio.send("t1", "ana", OWL, events, options=ThreadOptions(critique=False))
        assert result.kind == "take" and result.critique is None
        assert events.kinds() == ["spec_changed", "take_ready", "done"]
        assert len(generator.requests) == 1 and len(result.attempts) == 1
        assert any("critique is off" in note for note in result.notes)
        varied = await studio.variations("t1", 2, "ben")
        assert len(varied.take_ids) == 2 and all(r.critique is None for r in await studio.takes("t1"))


async def test_backends_not_served_are_refused_and_previz_is_always_served() -> None:
    async with studio_for(WrongCamera(wrong=0)) as studio:
        with pytest.raises(StudioError, match=r"isn't served here.*previz"):
            await studio.send("t1", "ana", OWL, options=ThreadOptions(backend="diffusers", model="wan2.1-1.3b"))
        assert await studio.spec("t1") is None  # refused before anything ran
        assert studio.backends() == ["previz"]
        ok = await studio.send("t1", "ana", OWL, options=ThreadOptions(backend="previz", critique=False))
        assert ok.kind == "take" and ok.take is not None and ok.take.backend == "previz"


async def test_approval_before_final_renders_is_a_thread_option() -> None:
    async with studio_for(WrongCamera(wrong=0), approve_final_renders=True) as studio:
        draft = await studio.send("t1", "ana", OWL, options=ThreadOptions(approve_final=False, critique=False))
        final = await studio.final_render("t1", draft.take_id, "ana")
        assert final.kind == "take" and final.take_id != draft.take_id
        assert final.take is not None and final.take.backend == "previz"
        other = await studio.reroll("t1", draft.take_id, "ana")
        asks = await studio.final_render(
            "t1", other.take_id, "ana", options=ThreadOptions(approve_final=True, critique=False)
        )
        assert asks.kind == "approval" and asks.take_id == other.take_id
        declined = await studio.resume("t1", False, "ana")
        assert declined.kind == "declined"

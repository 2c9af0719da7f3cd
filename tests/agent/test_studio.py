"""The Studio facade: storyboard, inheritance, variations and pick, reel, contact sheet, errors, cancel."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from agent.events import Event
from agent.studio import StudioError
from generator.base import Progress
from generator.errors import RenderCancelled
from tests.agent.test_graph import FOX, WrongCamera, studio_for
from tests.patience import patient
from tools.reel import probe

OWL = "an owl watches from a branch, the camera tilts up, 1 second"


async def test_storyboard_inherits_reorders_removes_and_cuts_a_reel(tmp_path: Path) -> None:
    async with studio_for(WrongCamera(wrong=0)) as studio:
        fox = await studio.send("t1", "ana", f"{FOX}, anime style, at night")
        board = await studio.approve("t1", None, "ana")  # the current take
        assert [s.take_id for s in board.shots] == [fox.take_id]
        assert board.shots[0].approved_by == "ana" and board.shots[0].score is not None
        inherited = await studio.spec("t1")
        assert inherited is not None
        assert (inherited.style, inherited.time_of_day, inherited.fps) == ("anime", "night", 12)
        assert inherited.subject is None and inherited.camera_movement is None
        owl = await studio.send("t1", "ben", OWL)
        assert owl.spec is not None and owl.spec.style == "anime" and owl.spec.time_of_day == "night"
        board = await studio.approve("t1", owl.take_id, "ben")
        assert [s.take_id for s in board.shots] == [fox.take_id, owl.take_id]

        reel = await studio.reel("t1", out=tmp_path / "reel.mp4")
        info = probe(reel)
        assert info.duration_s == pytest.approx(sum(s.duration_s or 0 for s in board.shots), abs=1 / 12)
        assert reel.stat().st_size <= studio.config.max_upload_bytes
        sheet = await studio.contact_sheet("t1", out=tmp_path / "sheet.png")
        assert np.asarray(Image.open(sheet)).shape[1] > 2 * 320

        board = await studio.reorder("t1", 2, 1, "ana")
        assert [s.take_id for s in board.shots] == [owl.take_id, fox.take_id]
        board = await studio.remove("t1", 1, "ana")
        assert [s.take_id for s in board.shots] == [fox.take_id]
        with pytest.raises(StudioError, match="no shot 3"):
            await studio.remove("t1", 3)
        with pytest.raises(StudioError, match="no take nope"):
            await studio.approve("t1", "nope")


async def test_variations_are_distinct_seeds_and_pick_sets_the_current_take() -> None:
    generator = WrongCamera(wrong=0)
    events: list[Event] = []
    async with studio_for(generator) as studio:
        with pytest.raises(StudioError, match="no shot yet"):
            await studio.variations("t1", 3)
        await studio.send("t1", "ana", OWL)
        result = await studio.variations("t1", 3, "ben", events.append)
        assert result.kind == "take" and len(result.take_ids) == 3
        seeds = [r.seed for r in generator.requests[1:]]
        assert len(set(seeds)) == 3 and generator.requests[0].seed not in seeds
        assert sum(e.kind == "take_ready" for e in events) == 3
        assert sum(e.kind == "critique" for e in events) == 3
        picked = result.take_ids[2]
        chosen = await studio.pick("t1", picked, "ana")
        assert chosen.kind == "picked" and chosen.take_id == picked
        state = await studio.state("t1")
        assert state.current_take_id == picked
        assert state.spec is not None and state.spec.seed == state.take(picked).request.seed
        assert state.spec_history[-1].field == "seed" and state.spec_history[-1].author == "ana"
        board = await studio.approve("t1", author="ana")
        assert board.shots[0].take_id == picked
        with pytest.raises(StudioError, match="1 to 8"):
            await studio.variations("t1", 20)
        renders = len(generator.requests)
        # Nothing described since the approval: variations of the handed-on look alone would spend renders on no shot.
        with pytest.raises(StudioError, match="describe it first"):
            await studio.variations("t1", 2)
        assert len(generator.requests) == renders
        await studio.send("t1", "ben", "now a fox runs through the snow, 1 second")
        assert len((await studio.variations("t1", 2)).take_ids) == 2


async def test_reroll_changes_the_seed_and_never_repeats_a_request() -> None:
    generator = WrongCamera(wrong=0)
    async with studio_for(generator) as studio:
        first = await studio.send("t1", "ana", OWL)
        again = await studio.send("t1", "ana", OWL)  # the same words: the same spec
        reroll = await studio.reroll("t1", first.take_id, "ben")
    assert len({r.seed for r in generator.requests}) == 3
    assert any("same request as an earlier take" in note for note in again.notes)
    assert reroll.kind == "take" and reroll.take_id not in (first.take_id, again.take_id)


async def test_bad_references_are_one_line_errors() -> None:
    async with studio_for(WrongCamera(wrong=0)) as studio:
        with pytest.raises(StudioError, match="no take yet"):
            await studio.reroll("empty")
        with pytest.raises(StudioError, match="storyboard is empty"):
            await studio.reel("empty")
        with pytest.raises(StudioError, match="say what"):
            await studio.send("empty", "ana", "   ")
        with pytest.raises(StudioError, match="nothing in this thread waits"):
            await studio.resume("empty", True)
        assert await studio.cancel("empty") is False


class PanHeldUntilCancelled(WrongCamera):
    """A pan reports its first step, then holds until it is cancelled: however fast or busy the machine, the
    cancel comes while it renders (a real 30 s pan could end before the cancel, or not have started)."""

    def render(self, request, progress=None, cancel=None):  # type: ignore[no-untyped-def]
        if request.camera is None or request.camera.movement != "pan_left":
            return super().render(request, progress, cancel)
        self.requests.append(request)
        if progress is not None:
            progress(Progress(step=1, total=request.steps, elapsed_s=0.0))
        deadline = time.monotonic() + patient(60)
        while cancel is None or not cancel.cancelled:
            assert time.monotonic() < deadline, "the pan was never cancelled"
            time.sleep(0.01)
        raise RenderCancelled("cancelled at step 1")


@pytest.mark.slow
async def test_cancel_stops_a_render_and_threads_run_side_by_side() -> None:
    events: list[Event] = []
    async with studio_for(PanHeldUntilCancelled(wrong=0)) as studio:
        long = asyncio.create_task(
            studio.send("slow", "ana", "a fox in the snow, the camera pans left, 30 seconds, 24fps", events.append)
        )
        quick = asyncio.create_task(studio.send("fast", "ben", OWL))
        deadline = asyncio.get_running_loop().time() + patient(20)
        while not any(e.kind == "progress" for e in events):
            assert asyncio.get_running_loop().time() < deadline and not long.done(), events
            await asyncio.sleep(0.05)
        assert await studio.cancel("slow") is True
        cancelled = await long
        other = await quick
    assert cancelled.kind == "error" and cancelled.error is not None and cancelled.error.kind == "cancelled"
    assert events[-1].kind == "error"
    assert other.kind == "take"


async def test_extend_continues_a_take_from_its_last_frames() -> None:
    generator = WrongCamera(wrong=0)
    async with studio_for(generator) as studio:
        first = await studio.send("t1", "ana", OWL)
        longer = await studio.extend("t1", first.take_id, "ben", "the owl flies away")
        record = await studio.take("t1", longer.take_id or "")
    assert longer.kind == "take" and record is not None and record.kind == "extend"
    assert record.source_take_id == first.take_id
    condition = generator.requests[-1].condition
    assert condition is not None and condition.path == first.take.path and condition.last_frames == 9
    assert record.spec.action != first.spec.action

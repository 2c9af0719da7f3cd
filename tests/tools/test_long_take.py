"""Long takes: segments joined into one take without a seam, one progress bar, cancel between segments, retakes."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import av
import numpy as np
import pytest

from bots.cli.main import main
from generator.base import CancelToken, Progress, ProgressCallback, RenderResult
from generator.errors import Failure
from generator.previz import PrevizGenerator
from generator.request import CameraPath, LookHints, RenderRequest
from tools.critic.long_take import critique_long_take, join_checks
from tools.encode import encode_mp4
from tools.joins import join_segments
from tools.long_take import Retake, render_long_take, segment_file
from tools.renderer import local_segments
from tools.take import SegmentTake, Take


def frame_count(path: str | Path) -> tuple[int, float]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        rate = float(stream.average_rate)
        return sum(1 for _ in container.decode(stream)), rate


def shot(frames: int = 40, fps: int = 8, movement: str = "pan_left") -> RenderRequest:
    look = LookHints(subject="a red fox", setting="a birch forest", time_of_day="dusk")
    return RenderRequest(
        prompt="a red fox in a birch forest", width=96, height=64, num_frames=frames, fps=fps, seed=3,
        camera=CameraPath(movement=movement), look=look,
    )  # fmt: skip


class Counting:
    """Previz, recording the segment index of every render it is asked for (the non-streaming path)."""

    name = "previz"

    def __init__(self) -> None:
        self.inner = PrevizGenerator()
        self.segments: list[int | None] = []

    def render(
        self, request: RenderRequest, progress: ProgressCallback | None = None, cancel: CancelToken | None = None
    ) -> RenderResult:
        self.segments.append(request.segment.index if request.segment else None)
        return self.inner.render(request, progress, cancel)


@pytest.mark.slow
def test_dailies_render_of_a_one_minute_previz_spec_is_one_seamless_mp4(tmp_path: Path, capsys) -> None:
    spec = tmp_path / "minute.json"
    spec.write_text(
        json.dumps({"subject": "a red fox", "action": "trots through the snow", "camera_movement": "pan_right",
                    "camera_speed": "slow", "duration_s": 60, "fps": 8, "aspect_ratio": "16:9"})
    )  # fmt: skip
    out = tmp_path / "minute.mp4"
    assert main(["render", str(spec), "-o", str(out)]) == 0
    take = Take.model_validate_json(capsys.readouterr().out)
    frames, rate = frame_count(out)
    assert (frames, rate, take.num_frames, take.duration_s) == (480, 8.0, 480, 60.0)
    assert any("rendered as 6 segments (1: 0.00-10.00 s; 2: 10.00-20.00 s;" in note for note in take.notes)
    assert [part.start_frame for part in take.segments] == [0, 80, 160, 240, 320, 400]
    assert all(Path(part.path).is_file() for part in take.segments)
    critique = critique_long_take(take, None)
    joins = [check for check in critique.checks if check.name.startswith("join_")]
    assert len(joins) == 5 and all(check.passed for check in joins), joins
    assert next(check for check in critique.checks if check.name == "scene_cuts").passed


def _drifting(frames: int, start: int, gain: float = 1.0, offset: float = 0.0) -> np.ndarray:
    """A textured plate sliding right one pixel a frame, with a contrast gain and a brightness offset."""
    rng = np.random.default_rng(0)
    plate = (rng.random((64, 256, 3)) * 120 + 60).astype(np.float32)
    plate = np.repeat(np.repeat(plate[::8, ::8], 8, axis=0), 8, axis=1)[:64]
    out = [np.roll(plate, start + k, axis=1)[:, :96] * gain + offset for k in range(frames)]
    return np.clip(np.stack(out), 0, 255).astype(np.uint8)


def _part(index: int, start: int, frames: np.ndarray, folder: Path) -> SegmentTake:
    path = folder / f"part-{index}.mp4"
    encode_mp4(frames, 8, path, max_bytes=50_000_000)
    request = RenderRequest(prompt="plate", width=96, height=64, num_frames=len(frames), fps=8)
    return SegmentTake(
        index=index, start_frame=start, frames=len(frames), path=str(path), request=request, backend="t", model="t"
    )


def test_a_join_whose_segment_drifted_in_brightness_is_matched_and_the_cut_detector_sees_no_cut(tmp_path) -> None:
    first = _drifting(24, 0)
    second = _drifting(24, 24, gain=1.25, offset=35.0)  # a continuation that came out brighter and harsher
    raw = tmp_path / "raw.mp4"
    encode_mp4(np.concatenate([first, second]), 8, raw, max_bytes=50_000_000)
    [raw_join] = join_checks(raw, [24], 8)
    assert not raw_join.passed and "sees a cut at 3.00 s" in raw_join.detail  # what joining without matching gives

    parts = [_part(0, 0, first, tmp_path), _part(1, 24, second, tmp_path)]
    joined = join_segments(parts, tmp_path / "joined.mp4", 8, max_bytes=10_000_000)
    assert joined.encoded.num_frames == 48
    assert any(note.startswith("join 1 at 3.00 s: matched brightness") for note in joined.notes)
    [join] = join_checks(tmp_path / "joined.mp4", [24], 8)
    assert join.passed and join.value < 2.0, join
    with av.open(str(tmp_path / "joined.mp4")) as container:
        decoded = [f.to_ndarray(format="rgb24").astype(np.float32) for f in container.decode(video=0)]
    assert abs(decoded[24].mean() - decoded[23].mean()) < 3.0  # matched at the join
    assert decoded[-1].mean() - decoded[23].mean() > 20.0  # ... and back to the segment's own look by its end


async def test_one_progress_bar_over_the_whole_shot_and_segment_files_beside_the_take(tmp_path: Path) -> None:
    reports: list[Progress] = []
    out = tmp_path / "take-x.mp4"
    take = await render_long_take(
        shot(),
        render_segment=local_segments(PrevizGenerator()),
        out_path=out,
        max_bytes=10_000_000,
        segment_s=1.0,
        progress=reports.append,
    )
    assert isinstance(take, Take) and take.num_frames == 40 and frame_count(out) == (40, 8.0)
    assert [Path(part.path) for part in take.segments] == [segment_file(out, i) for i in range(5)]
    assert all(report.total == 40 for report in reports)
    steps = [report.step for report in reports]
    assert steps == sorted(steps) and steps[-1] == 40
    assert [report.stage for report in reports][-1] == "segment 5/5"
    assert {report.stage for report in reports} == {f"segment {n}/5" for n in range(1, 6)}


async def test_a_cancel_stops_before_the_next_segment(tmp_path: Path) -> None:
    token = CancelToken()
    generator = Counting()

    def cancel_after_segment_two(report: Progress) -> None:
        if report.step >= 16:  # segment 2 (frames 8-15) has drawn its last frame
            token.cancel()

    outcome = await render_long_take(
        shot(),
        render_segment=local_segments(generator),
        out_path=tmp_path / "take-c.mp4",
        max_bytes=10_000_000,
        segment_s=1.0,
        progress=cancel_after_segment_two,
        cancel=token,
    )
    assert isinstance(outcome, Failure) and outcome.kind == "cancelled"
    assert outcome.message == "cancelled before segment 3 of 5"
    assert generator.segments == [0, 1] and not (tmp_path / "take-c.mp4").exists()


async def test_a_retake_renders_only_the_segments_given_again(tmp_path: Path) -> None:
    generator = Counting()
    render = local_segments(generator)
    first = await render_long_take(
        shot(), render_segment=render, out_path=tmp_path / "take-1.mp4", max_bytes=10_000_000, segment_s=1.0
    )
    assert isinstance(first, Take) and generator.segments == [0, 1, 2, 3, 4]
    redo = first.segments[2].request.model_copy(update={"prompt": "a red fox, one continuous shot"})
    retake = Retake(keep=[p for p in first.segments if p.index != 2], redo=[redo])
    second = await render_long_take(
        shot(),
        render_segment=render,
        out_path=tmp_path / "take-2.mp4",
        max_bytes=10_000_000,
        segment_s=1.0,
        retake=retake,
    )
    assert isinstance(second, Take) and second.num_frames == 40
    assert generator.segments == [0, 1, 2, 3, 4, 2]  # only segment 3 rendered again
    assert [p.path for p in second.segments] == [*(p.path for p in first.segments[:2]),
                                                  str(tmp_path / "take-2-s03.mp4"),
                                                  *(p.path for p in first.segments[3:])]  # fmt: skip
    assert second.segments[2].request.prompt == "a red fox, one continuous shot"
    assert "kept 4 segment(s) of the earlier take; rendered again: 3" in second.notes
    Path(first.segments[4].path).unlink()  # a kept segment whose file is gone is rendered again
    third = await render_long_take(
        shot(), render_segment=render, out_path=tmp_path / "take-3.mp4", max_bytes=10_000_000, segment_s=1.0,
        retake=Retake(keep=second.segments),
    )  # fmt: skip
    assert isinstance(third, Take) and generator.segments[-1:] == [4]


async def test_a_failed_segment_is_a_failure_value_naming_it(tmp_path: Path) -> None:
    broken = shot().model_copy(update={"width": 97})  # previz refuses odd sides: every segment fails
    outcome = await render_long_take(
        broken, render_segment=local_segments(PrevizGenerator()), out_path=tmp_path / "t.mp4", max_bytes=10**7,
        segment_s=1.0,
    )  # fmt: skip
    assert isinstance(outcome, Failure) and outcome.kind == "invalid_request"
    assert outcome.message.startswith("segment 1 of 5: previz needs even frame sides")


def test_the_critic_judges_each_segment_and_each_join(tmp_path: Path) -> None:
    out = tmp_path / "take-j.mp4"
    take = asyncio.run(
        render_long_take(
            shot(frames=48), render_segment=local_segments(PrevizGenerator()), out_path=out, max_bytes=10**7,
            segment_s=2.0,
        )
    )  # fmt: skip
    assert isinstance(take, Take) and len(take.segments) == 3
    critique = critique_long_take(take, None)
    names = [check.name for check in critique.checks]
    assert names[-5:] == ["join_1", "join_2", "segment_1", "segment_2", "segment_3"]
    assert len(critique.segments) == 3 and all(verdict.passed for verdict in critique.segments)
    assert critique.passed, critique.failed_checks

"""render_take streams generators that offer iter_frames (previz) into the encoder; the Take stays the same."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import av
import cv2
import numpy as np
import pytest

from generator.base import CancelToken, Progress, ProgressCallback, RenderResult
from generator.errors import RenderCancelled
from generator.previz import PrevizGenerator
from generator.request import CameraPath, LookHints, RenderRequest
from tools.take import FrameStream, render_take

cv2.setNumThreads(1)


def _request(frames: int = 24, fps: int = 12) -> RenderRequest:
    return RenderRequest(
        prompt="a red fox in a forest",
        width=192,
        height=108,
        num_frames=frames,
        fps=fps,
        seed=4,
        camera=CameraPath(movement="pan_left"),
        look=LookHints(subject="a red fox", setting="a forest", shot_size="wide", style="35mm film"),
    )


class CountingPreviz(PrevizGenerator):
    """Previz that counts its renders and never returns a whole clip (streaming must not ask for one)."""

    def __init__(self) -> None:
        self.streams = 0
        self.frames_made = 0

    def render(self, request, progress=None, cancel=None) -> RenderResult:
        raise AssertionError("a streaming take must not render the whole clip into memory")

    def iter_frames(self, request: RenderRequest, **kwargs) -> Iterator[np.ndarray]:
        self.streams += 1
        for frame in super().iter_frames(request, **kwargs):
            self.frames_made += 1
            yield frame


class WholeClipPreviz:
    """The same frames through the RenderResult path only (no iter_frames)."""

    name = "previz"

    def render(
        self, request: RenderRequest, progress: ProgressCallback | None = None, cancel: CancelToken | None = None
    ) -> RenderResult:
        return PrevizGenerator().render(request, progress=progress, cancel=cancel)


def _decoded(path: str) -> list[np.ndarray]:
    with av.open(path) as container:
        return [frame.to_ndarray(format="rgb24") for frame in container.decode(video=0)]


def test_a_streamed_take_matches_the_whole_clip_take(tmp_path: Path) -> None:
    request = _request()
    generator = CountingPreviz()
    seen: list[Progress] = []
    streamed = render_take(request, generator, tmp_path / "a.mp4", max_bytes=10 * 1024 * 1024, progress=seen.append)
    whole = render_take(request, WholeClipPreviz(), tmp_path / "b.mp4", max_bytes=10 * 1024 * 1024)  # type: ignore[arg-type]
    assert generator.streams == 1 and generator.frames_made == request.num_frames  # rendered once, peek included
    assert seen and seen[-1].step == seen[-1].total == request.num_frames
    a, b = streamed.model_dump(), whole.model_dump()
    for key in ("backend", "model", "seed", "width", "height", "num_frames", "fps", "duration_s", "notes"):
        assert a[key] == b[key], key
    assert a["bytes"] == b["bytes"]  # the same frames give the same file
    assert streamed.render_s > 0
    assert len(_decoded(streamed.path)) == request.num_frames
    poster_a = cv2.imread(streamed.poster)
    poster_b = cv2.imread(whole.poster)
    assert np.array_equal(poster_a, poster_b)  # the middle frame


def test_an_impossible_budget_fails_after_the_peek_and_leaves_nothing(tmp_path: Path) -> None:
    generator = CountingPreviz()
    request = _request(frames=48, fps=24)
    with pytest.raises(ValueError, match="cannot fit"):
        render_take(request, generator, tmp_path / "small.mp4", max_bytes=6_000)
    assert generator.streams == 1 and generator.frames_made == 1  # the encoder only looked at the first frame
    assert not list(tmp_path.iterdir())


def test_frame_stream_replays_the_peek_then_renders_again_for_later_passes() -> None:
    made: list[str] = []

    def primary() -> Iterator[np.ndarray]:
        made.append("primary")
        return (np.full((2, 2, 3), k, np.uint8) for k in range(5))

    def again() -> Iterator[np.ndarray]:
        made.append("again")
        return (np.full((2, 2, 3), k, np.uint8) for k in range(5))

    stream = FrameStream(primary, again, poster_index=2)
    peek = next(iter(stream()))
    first_pass = [int(f[0, 0, 0]) for f in stream()]
    second_pass = [int(f[0, 0, 0]) for f in stream()]
    assert int(peek[0, 0, 0]) == 0
    assert first_pass == second_pass == [0, 1, 2, 3, 4]
    assert made == ["primary", "again"]
    assert stream.poster is not None and int(stream.poster[0, 0, 0]) == 2


def test_cancelling_a_streamed_take_leaves_no_file(tmp_path: Path) -> None:
    token = CancelToken()
    out = tmp_path / "c.mp4"

    def cancel_halfway(progress: Progress) -> None:
        if progress.step >= 1:
            token.cancel()

    generator = PrevizGenerator()
    request = _request(frames=48)
    with pytest.raises(RenderCancelled):
        render_take(request, generator, out, max_bytes=10 * 1024 * 1024, progress=cancel_halfway, cancel=token)
    assert not out.exists()
    assert not list(tmp_path.iterdir())

"""Take: a rendered, encoded clip on disk, and the one call that makes it from a request."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from generator.base import CancelToken, Generator, ProgressCallback
from generator.request import RenderRequest
from tools.encode import encode_mp4, write_poster


class SegmentTake(BaseModel):
    """One segment of a long take: the file it was rendered to, the shot's frames it holds, how it was asked for."""

    model_config = ConfigDict(extra="forbid")

    index: int = Field(ge=0, description="0-based position in the shot.")
    start_frame: int = Field(ge=0, description="The shot's frame its first frame is.")
    frames: int = Field(ge=1, description="Frames it adds to the shot.")
    path: str
    request: RenderRequest = Field(description="The segment's request as rendered (conditioned on the one before).")
    backend: str
    model: str
    render_s: float = 0.0
    notes: list[str] = Field(default_factory=list)


class Take(BaseModel):
    """The design's Take contract, plus the poster, the notes of how it was made and a long take's segments."""

    model_config = ConfigDict(extra="forbid")

    path: str
    backend: str
    model: str
    seed: int
    width: int
    height: int
    num_frames: int
    fps: int
    duration_s: float
    bytes: int
    render_s: float
    poster: str | None = None
    notes: list[str] = Field(default_factory=list)
    segments: list[SegmentTake] = Field(default_factory=list, description="A long take's segments, in order.")


def render_take(
    request: RenderRequest,
    generator: Generator,
    out_path: Path,
    *,
    max_bytes: int,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> Take:
    """Render on this thread (never call it from an event loop), encode within budget, write a poster.

    A generator that offers `iter_frames(request, progress=, cancel=, notes=)` and a `model` name (previz)
    is streamed into the encoder frame by frame, so a 60 s take never sits in memory; a re-encode at a
    lower rate renders the frames again. Others render a RenderResult first. The Take is the same either way.
    """
    if callable(getattr(generator, "iter_frames", None)) and isinstance(getattr(generator, "model", None), str):
        return _stream_take(request, generator, Path(out_path), max_bytes=max_bytes, progress=progress, cancel=cancel)
    started = time.perf_counter()
    result = generator.render(request, progress=progress, cancel=cancel)
    render_s = time.perf_counter() - started
    encoded = encode_mp4(result.frames, result.fps, out_path, max_bytes=max_bytes)
    poster = write_poster(result.frames[len(result.frames) // 2], out_path.with_suffix(".jpg"))
    return Take(
        path=str(out_path),
        backend=result.backend,
        model=result.model,
        seed=result.seed,
        width=encoded.width,
        height=encoded.height,
        num_frames=result.num_frames,
        fps=result.fps,
        duration_s=round(result.num_frames / result.fps, 4),
        bytes=encoded.bytes,
        render_s=round(render_s, 3),
        poster=str(poster),
        notes=[*result.notes, *encoded.notes],
    )


def _stream_take(
    request: RenderRequest,
    generator: Generator,
    out_path: Path,
    *,
    max_bytes: int,
    progress: ProgressCallback | None,
    cancel: CancelToken | None,
) -> Take:
    notes: list[str] = []
    iter_frames = generator.iter_frames  # type: ignore[attr-defined]
    stream = FrameStream(
        lambda: iter_frames(request, progress=progress, cancel=cancel, notes=notes),
        lambda: iter_frames(request, cancel=cancel, notes=[]),  # re-encodes: same frames, no second progress
        poster_index=request.num_frames // 2,
    )
    encoded = encode_mp4(stream, request.fps, out_path, max_bytes=max_bytes, num_frames=request.num_frames)
    if stream.poster is None:
        raise RuntimeError("the stream ended before its middle frame")  # encode_mp4 checks the count first
    poster = write_poster(stream.poster, out_path.with_suffix(".jpg"))
    return Take(
        path=str(out_path),
        backend=generator.name,
        model=generator.model,  # type: ignore[attr-defined]
        seed=request.seed,
        width=encoded.width,
        height=encoded.height,
        num_frames=request.num_frames,
        fps=request.fps,
        duration_s=round(request.num_frames / request.fps, 4),
        bytes=encoded.bytes,
        render_s=round(stream.render_s, 3),
        poster=str(poster),
        notes=[*notes, *encoded.notes],
    )


class FrameStream:
    """A frame factory for encode_mp4 that renders the take once when one pass is enough.

    The encoder first peeks at one frame, then runs its passes, each asking for fresh frames. The first
    call starts the primary render and keeps what it hands out; the second replays that and continues
    the same render (so the peek costs nothing); any later call (a re-encode) starts a new render.
    Time spent inside the primary render is `render_s`; its frame at `poster_index` is kept as `poster`.
    """

    def __init__(
        self,
        primary: Callable[[], Iterator[np.ndarray]],
        again: Callable[[], Iterator[np.ndarray]],
        *,
        poster_index: int,
    ) -> None:
        self._primary_factory = primary
        self._again = again
        self._primary: Iterator[np.ndarray] | None = None
        self._head: list[np.ndarray] = []
        self._calls = 0
        self._poster_index = poster_index
        self.poster: np.ndarray | None = None
        self.render_s = 0.0

    def __call__(self) -> Iterator[np.ndarray]:
        self._calls += 1
        if self._calls == 1:
            return self._first()
        if self._calls == 2:
            return self._second()
        return self._again()

    def _timed(self) -> Iterator[np.ndarray]:
        source = self._primary_factory()
        index = 0
        while True:
            started = time.perf_counter()
            try:
                frame = next(source)
            except StopIteration:
                return
            finally:
                self.render_s += time.perf_counter() - started
            if index == self._poster_index:
                self.poster = frame
            index += 1
            yield frame

    def _first(self) -> Iterator[np.ndarray]:
        self._primary = self._timed()
        for frame in self._primary:
            self._head.append(frame)
            yield frame

    def _second(self) -> Iterator[np.ndarray]:
        head, self._head = self._head, []
        yield from head
        if self._primary is not None:
            yield from self._primary

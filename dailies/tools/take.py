"""Take: a rendered, encoded clip on disk, and the one call that makes it from a request."""

from __future__ import annotations

import time
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from dailies.generator.base import CancelToken, Generator, ProgressCallback
from dailies.generator.request import RenderRequest
from dailies.tools.encode import encode_mp4, write_poster


class Take(BaseModel):
    """The design's Take contract, plus the poster and the notes of how it was made."""

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


def render_take(
    request: RenderRequest,
    generator: Generator,
    out_path: Path,
    *,
    max_bytes: int,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> Take:
    """Render on this thread (never call it from an event loop), encode within budget, write a poster."""
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

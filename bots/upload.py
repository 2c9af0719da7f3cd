"""Fit a take's mp4 to a server's upload limit, re-encoding it off the event loop when it is too big."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import av
import numpy as np

from generator.errors import Failure

DEFAULT_LIMIT = 10 * 1024 * 1024


@dataclass(frozen=True)
class FittedClip:
    path: Path
    bytes: int
    notes: list[str] = field(default_factory=list)


def upload_limit(guild_limit: int | None, configured: int) -> int:
    """The smaller of the server's limit (10 MiB when unknown) and the configured byte budget."""
    return min(guild_limit or DEFAULT_LIMIT, configured)


def _clip_info(path: Path) -> tuple[int, int | None]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        return round(float(stream.average_rate or 24)), (stream.frames or None)


def _frames(path: Path) -> Callable[[], Iterator[np.ndarray]]:
    """A factory of fresh decoders, so the encoder can make several passes without holding the clip in memory."""

    def decode() -> Iterator[np.ndarray]:
        with av.open(str(path)) as container:
            for frame in container.decode(video=0):
                yield frame.to_ndarray(format="rgb24")

    return decode


def _reencode(path: Path, limit: int) -> FittedClip | Failure:
    from tools.encode import encode_mp4  # the shared encoder; imported where it is used

    fps, count = _clip_info(path)
    out = path.with_name(f"{path.stem}-fit{limit}.mp4")
    try:
        encoded = encode_mp4(_frames(path), fps, out, max_bytes=limit, num_frames=count)
    except ValueError as exc:
        return Failure(kind="invalid_request", message=f"this take cannot fit the upload limit: {exc}")
    notes = [f"re-encoded from {path.stat().st_size / 1024:.0f} KiB to fit {limit / 1024:.0f} KiB", *encoded.notes]
    return FittedClip(out, out.stat().st_size, notes)


async def fit_clip(path: Path, limit: int) -> FittedClip | Failure:
    """The clip itself when it fits, else a re-encoded copy; a Failure when even that is too big."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        return Failure(kind="internal", message=f"the take's file is missing ({exc.strerror})")
    if size <= limit:
        return FittedClip(path, size)
    fitted = await asyncio.to_thread(_reencode, path, limit)
    if isinstance(fitted, Failure):
        return fitted
    if fitted.bytes > limit:
        return Failure(
            kind="invalid_request",
            message=f"this take is {fitted.bytes / 1024:.0f} KiB even re-encoded; the upload limit is "
            f"{limit / 1024:.0f} KiB. Try a shorter shot.",
        )
    return fitted

"""The reel: cut a storyboard's takes into one mp4 (hard cuts or crossfades) within a byte budget.

Every take is decoded with PyAV, resampled by time to the reel's frame rate (the first shot's),
letterboxed into the reel's frame (the first shot's size) and cut or crossfaded onto the one
before. With hard cuts the reel lasts exactly the sum of its shots (to a frame); each crossfade
overlaps two shots by `crossfade_s`. The frames are held in memory for the encoder's passes, so a
very long reel is scaled down to stay under REEL_MEMORY_BYTES, and the notes say so.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from pathlib import Path

import av
import cv2
import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from tools.critique import Check
from tools.encode import encode_mp4

DEFAULT_CROSSFADE_S = 0.5
REEL_MEMORY_BYTES = 768 * 1024 * 1024


class ReelError(ValueError):
    """A take of the storyboard is missing or cannot be read: one line for the creator."""


class ClipInfo(BaseModel):
    model_config = ConfigDict(extra="forbid")

    path: str
    fps: float
    num_frames: int
    width: int
    height: int

    @property
    def duration_s(self) -> float:
        return self.num_frames / self.fps


class ReelResult(BaseModel):
    """The written reel and how it was cut."""

    model_config = ConfigDict(extra="forbid")

    path: Path
    duration_s: float
    num_frames: int
    fps: int
    width: int
    height: int
    bytes: int
    shots: int
    cuts_s: list[float] = Field(default_factory=list, description="Where each shot starts in the reel.")
    crossfade_s: float = 0.0
    notes: list[str] = Field(default_factory=list)
    continuity: list[Check] = Field(
        default_factory=list, description="Each shot that continues the one before it: does the cut detector see a cut?"
    )


def probe(path: Path) -> ClipInfo:
    """Frame rate, frame count and size of a video file, or a ReelError."""
    if not path.is_file():
        raise ReelError(f"take file {path.name or 'of a shot'} is gone (deleted, or removed by the retention policy)")
    try:
        with av.open(str(path)) as container:
            if not container.streams.video:
                raise ReelError(f"{path.name} has no video stream")
            stream = container.streams.video[0]
            fps = float(stream.average_rate or stream.base_rate or 0) or 24.0
            count = stream.frames or sum(1 for _ in container.decode(stream))
            return ClipInfo(path=str(path), fps=fps, num_frames=count, width=stream.width, height=stream.height)
    except av.error.FFmpegError as exc:
        raise ReelError(f"cannot read take {path.name}: {exc}") from None


def iter_frames(path: Path) -> Iterator[np.ndarray]:
    """Decoded RGB frames of a video, in order."""
    try:
        with av.open(str(path)) as container:
            for frame in container.decode(video=0):
                yield frame.to_ndarray(format="rgb24")
    except av.error.FFmpegError as exc:
        raise ReelError(f"cannot read take {path.name}: {exc}") from None


def letterbox(frame: np.ndarray, width: int, height: int) -> np.ndarray:
    """The frame scaled to fit width x height, centred on black, aspect kept."""
    h, w = frame.shape[:2]
    if (w, h) == (width, height):
        return frame
    scale = min(width / w, height / h)
    new_w, new_h = max(1, round(w * scale)), max(1, round(h * scale))
    resized = cv2.resize(frame, (new_w, new_h), interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)
    canvas = np.zeros((height, width, 3), dtype=np.uint8)
    top, left = (height - new_h) // 2, (width - new_w) // 2
    canvas[top : top + new_h, left : left + new_w] = resized
    return canvas


def resampled(info: ClipInfo, fps: int, width: int, height: int) -> Iterator[np.ndarray]:
    """The clip's frames at `fps` (by time: repeat or drop), fitted into width x height."""
    count = max(1, round(info.duration_s * fps))
    source = iter_frames(Path(info.path))
    index, current = -1, None
    for k in range(count):
        wanted = min(info.num_frames - 1, math.floor(k * info.fps / fps))
        while index < wanted:
            nxt = next(source, None)
            if nxt is None:
                break
            index, current = index + 1, nxt
        if current is None:
            raise ReelError(f"take {Path(info.path).name} has no frames")
        yield letterbox(current, width, height)


def make_reel(
    clips: Sequence[Path],
    out: Path,
    *,
    crossfade_s: float = 0.0,
    max_bytes: int,
    fps: int | None = None,
    continuous: Sequence[bool] = (),
) -> ReelResult:
    """Cut `clips` in order into `out` (never over `max_bytes`); CPU-bound: call it on a worker thread.

    `continuous[i]` marks a shot that starts from the last frame of the one before it: that join is checked
    with the critic's cut detector (a hard cut elsewhere is the edit, not a fault).
    """
    if not clips:
        raise ReelError("a reel needs at least one take")
    infos = [probe(Path(p)) for p in clips]
    fps = fps or round(infos[0].fps)
    width, height = infos[0].width, infos[0].height
    counts = [max(1, round(i.duration_s * fps)) for i in infos]
    notes: list[str] = []
    overlap = 0
    if crossfade_s > 0 and len(infos) > 1:
        overlap = min(round(crossfade_s * fps), min(counts) // 2)
        if overlap < round(crossfade_s * fps):
            notes.append(f"crossfade shortened to {overlap} frames: a shot is too short for {crossfade_s:g} s")
    total = sum(counts) - overlap * (len(infos) - 1)
    scale = min(1.0, math.sqrt(REEL_MEMORY_BYTES / max(1, total * width * height * 3)))
    if scale < 1.0:
        width, height = max(2, int(width * scale) // 2 * 2), max(2, int(height * scale) // 2 * 2)
        notes.append(f"reel scaled to {width}x{height} to hold {total} frames in memory")
    frames = np.empty((total, height, width, 3), dtype=np.uint8)
    cuts: list[float] = []
    position = 0
    for number, info in enumerate(infos):
        start = position - (overlap if number else 0)
        cuts.append(round(start / fps, 4))
        for k, frame in enumerate(resampled(info, fps, width, height)):
            at = start + k
            if number and k < overlap:
                alpha = (k + 1) / (overlap + 1)
                frames[at] = cv2.addWeighted(frames[at], 1.0 - alpha, frame, alpha, 0.0)
            else:
                frames[at] = frame
        position = start + counts[number]
    out.parent.mkdir(parents=True, exist_ok=True)
    encoded = encode_mp4(frames, fps, out, max_bytes=max_bytes)
    continuing = [i for i in range(1, len(infos)) if i < len(continuous) and continuous[i]]
    checks = continuity_checks(out, continuing, [round(cut * fps) for cut in cuts], fps) if continuing else []
    return ReelResult(
        path=out,
        duration_s=round(total / fps, 4),
        num_frames=total,
        fps=fps,
        width=encoded.width,
        height=encoded.height,
        bytes=encoded.bytes,
        shots=len(infos),
        cuts_s=cuts,
        crossfade_s=overlap / fps if overlap else 0.0,
        notes=[*notes, *encoded.notes, *(check.detail for check in checks)],
        continuity=checks,
    )


def continuity_checks(reel: Path, shots: Sequence[int], starts: Sequence[int], fps: float) -> list[Check]:
    """For each 0-based shot in `shots` (which continues the one before it): is its start a cut in the reel?"""
    from tools.critic.long_take import join_checks

    checks = join_checks(reel, [starts[shot] for shot in shots], fps)
    named: list[Check] = []
    for shot, check in zip(shots, checks, strict=True):
        at = starts[shot] / fps
        detail = (
            f"shot {shot + 1} continues shot {shot} at {at:.2f} s without a cut"
            if check.passed
            else f"the cut detector sees a cut at {at:.2f} s, where shot {shot + 1} should continue shot {shot}"
        )
        named.append(check.model_copy(update={"name": f"continuity_{shot + 1}", "detail": detail}))
    return named


def middle_frame(path: Path) -> np.ndarray:
    """The frame halfway through a take (the storyboard's picture of it)."""
    info = probe(path)
    wanted = info.num_frames // 2
    for index, frame in enumerate(iter_frames(path)):
        if index >= wanted:
            return frame
    raise ReelError(f"take {path.name} has no frames")


def storyboard_sheet(clips: Sequence[Path], labels: Sequence[str], out: Path, *, columns: int = 3) -> Path:
    """A PNG contact sheet with the middle frame of each take, labelled, in storyboard order."""
    from tools.contact_sheet import write_contact_sheet

    frames = [middle_frame(Path(clip)) for clip in clips]
    return write_contact_sheet(frames, out, columns=min(columns, len(frames)), tile_width=320, labels=list(labels))

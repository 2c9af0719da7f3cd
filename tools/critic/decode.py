"""Decode a clip with PyAV into small luma frames, sampling windows of consecutive frames from long clips."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import av
import cv2
import numpy as np

DEFAULT_MAX_SIDE = 256
DEFAULT_MAX_FRAMES = 192
WINDOW = 8  # consecutive frames per window when a long clip is sampled
THUMB_SIDE = 64  # every frame is also kept as a small grey thumbnail (cuts, black and frozen frames)
LONGEST_S = 600.0  # refuse to analyse anything longer (a shot lasts at most 60 s)
_PLANAR_YUV = ("yuv", "nv12", "nv21")
_LIMITED_TO_FULL = np.clip((np.arange(256) - 16) * 255.0 / 219.0, 0, 255).round().astype(np.uint8)


class ClipError(ValueError):
    """The file is missing, unreadable or not a video; the message is one line a creator understands."""


@dataclass(frozen=True)
class Clip:
    """A clip's frames at analysis size (luma), a few colour frames, and what the container says."""

    frames: np.ndarray  # (N, h, w) uint8 luma, full range, at analysis size
    indices: np.ndarray  # (N,) source index of each kept frame, increasing
    thumbs: np.ndarray  # (num_frames, th, tw) uint8 luma thumbnail of every decoded frame
    color: np.ndarray  # (M, h, w, 3) uint8 RGB frames evenly spread over the clip (M may be 0)
    color_indices: np.ndarray  # (M,) source index of each colour frame
    fps: float
    width: int  # source size
    height: int
    num_frames: int  # frames decoded
    declared_frames: int = 0  # frames the container says it holds, when plausible (0: it does not say, or lies)

    @property
    def duration_s(self) -> float:
        return self.num_frames / self.fps

    @property
    def sampled(self) -> bool:
        return len(self.indices) < self.num_frames


@dataclass(frozen=True)
class FrameCounts:
    """What a container says about a stream's length, read while it is open (its stream's memory goes with it).

    header: the stream's frame count (PyAV's stream.frames; 0 when the container does not say);
    indexed: entries in the container's index for the stream (an mp4 sample table, an AVI idx1; a
    Matroska file indexes only some keyframes); from_duration: duration x frame rate, rounded (0: unknown).
    """

    header: int
    indexed: int
    from_duration: int

    def plausible_header(self, fps: float) -> int:
        """The header's count when nothing in the file contradicts it, else 0.

        Not plausible: 0 or fewer, or more than LONGEST_S of frames (an unset or garbage field); a
        count that disagrees with the stream's own index (an AVI whose header says 65 while its index
        lists 795), or with duration x rate by more than max(2 frames, 5 %).
        """
        count = self.header
        if not 0 < count <= LONGEST_S * fps + 1:
            return 0
        if self.indexed > 1 and abs(count - self.indexed) > 1:
            return 0
        if self.from_duration and abs(count - self.from_duration) > max(2, 0.05 * count):
            return 0
        return count

    def expected(self, fps: float) -> int:
        """The best guess of the frame count before decoding (to spread the sampled windows)."""
        if count := self.plausible_header(fps):
            return count
        guess = max(self.indexed, self.from_duration) or round(60 * fps)
        return min(guess, math.ceil(LONGEST_S * fps))

    def declared(self, fps: float, decoded: int) -> int:
        """The count the `complete` check compares with: the plausible header, unless the file held more
        frames than it declares (then the header is wrong, and nothing is missing)."""
        count = self.plausible_header(fps)
        return count if decoded <= count + 1 else 0


def analysis_size(width: int, height: int, max_side: int) -> tuple[int, int]:
    """Width and height (even, at least 16) whose longer side is at most max_side."""
    scale = min(1.0, max_side / max(width, height))
    return max(16, round(width * scale / 2) * 2), max(16, round(height * scale / 2) * 2)


def shrink(image: np.ndarray, width: int, height: int) -> np.ndarray:
    """Resize down fast: halve by exact 2x2 area averaging while that stays above the size, then bilinear."""
    while image.shape[1] >= 2 * width and image.shape[0] >= 2 * height:
        h, w = image.shape[0] // 2 * 2, image.shape[1] // 2 * 2
        image = cv2.resize(image[:h, :w], (w // 2, h // 2), interpolation=cv2.INTER_AREA)
    if image.shape[1] == width and image.shape[0] == height:
        return np.ascontiguousarray(image)
    return cv2.resize(image, (width, height), interpolation=cv2.INTER_LINEAR)


def keep_mask(total: int, max_frames: int, window: int = WINDOW) -> np.ndarray:
    """Which of `total` frames to keep: all when they fit, else evenly spread windows of consecutive frames."""
    keep = np.zeros(total, dtype=bool)
    if total <= max_frames:
        keep[:] = True
        return keep
    windows = max(2, max_frames // window)
    for start in np.linspace(0, total - window, windows).round().astype(int):
        keep[start : start + window] = True
    return keep


def _luma(frame: av.VideoFrame, width: int, height: int) -> np.ndarray:
    """The frame's luma plane at (width, height), full range (0..255)."""
    name = frame.format.name
    if not name.startswith(_PLANAR_YUV) or "p1" in name or "le" in name or "be" in name:
        return shrink(frame.to_ndarray(format="gray"), width, height)
    plane = frame.planes[0]
    luma = np.frombuffer(plane, np.uint8).reshape(-1, plane.line_size)[: frame.height, : frame.width]
    small = shrink(luma, width, height)
    full = name.startswith("yuvj") or frame.color_range == 2
    return small if full else cv2.LUT(small, _LIMITED_TO_FULL)


def _open(path: Path) -> av.container.InputContainer:
    if not path.exists():
        raise ClipError(f"clip not found: {path}")
    if path.is_dir():
        raise ClipError(f"clip is a folder, not a video file: {path}")
    try:
        return av.open(str(path), mode="r")
    except av.error.FFmpegError as exc:
        raise ClipError(f"not a readable video file: {path} ({exc.strerror or type(exc).__name__})") from None
    except OSError as exc:
        raise ClipError(f"cannot read clip {path}: {exc.strerror or exc}") from None


def _indexed_span(stream: av.VideoStream) -> tuple[int, float | None]:
    """How many entries the container's index holds for the stream, and the time of its last one (s)."""
    entries = stream.index_entries
    count = len(entries)
    if count < 2 or not stream.time_base:
        return count, None
    return count, float(entries[count - 1].timestamp * stream.time_base)


def _timing(container: av.container.InputContainer, stream: av.VideoStream, path: Path) -> tuple[float, FrameCounts]:
    """The clip's frame rate and what it says about its length; ClipError when the rate is unusable or the
    clip is too long. A header duration that the file's own index contradicts (a broken AVI header) is
    ignored rather than refused: decoding stops at LONGEST_S anyway."""
    rate = stream.average_rate or stream.guessed_rate or stream.base_rate
    fps = float(rate) if rate else 0.0
    if not 0 < fps <= 1000:
        raise ClipError(f"cannot tell the frame rate of {path.name}")
    duration = float(stream.duration * stream.time_base) if stream.duration and stream.time_base else None
    if duration is None and container.duration:
        duration = container.duration / av.time_base
    indexed, last_entry_s = _indexed_span(stream)
    if duration and duration > LONGEST_S:
        if last_entry_s is None or last_entry_s > LONGEST_S:
            raise ClipError(f"clip lasts {duration:.0f} s; the critic reads at most {LONGEST_S:.0f} s")
        duration = None
    counts = FrameCounts(
        header=int(stream.frames or 0),
        indexed=indexed,
        from_duration=round(duration * fps) if duration else 0,
    )
    return fps, counts


def read_clip(
    path: str | Path,
    max_side: int = DEFAULT_MAX_SIDE,
    max_frames: int = DEFAULT_MAX_FRAMES,
    color_frames: int = 0,
) -> Clip:
    """Decode `path` to luma frames whose longer side is at most `max_side`.

    A clip longer than `max_frames` keeps evenly spread windows of consecutive frames, so
    frame-to-frame measures (flicker, frozen frames, motion) still see neighbours; every frame
    is also kept as a small thumbnail. `color_frames` RGB frames, evenly spread, are kept for a
    contact sheet. Raises ClipError for a missing, unreadable or non-video file.
    """
    path = Path(path)
    container = _open(path)
    with container:
        if not container.streams.video:
            raise ClipError(f"not a video: no video stream in {path.name}")
        if "image" in container.format.name or container.format.name.endswith("_pipe"):
            raise ClipError(f"{path.name} is a still image, not a video")
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        stream.codec_context.options = {"skip_loop_filter": "all"}  # ~20% faster; invisible at analysis size
        width, height = stream.codec_context.width, stream.codec_context.height
        if not width or not height:
            raise ClipError(f"video stream of {path.name} has no frame size")
        fps, counts = _timing(container, stream, path)
        expected = counts.expected(fps)
        keep = keep_mask(expected, max_frames)
        wanted_color = set(np.linspace(0, expected - 1, color_frames).round().astype(int)) if color_frames else set()
        w, h = analysis_size(width, height, max_side)
        tw, th = analysis_size(width, height, THUMB_SIDE)
        frames: list[np.ndarray] = []
        indices: list[int] = []
        thumbs: list[np.ndarray] = []
        color: list[np.ndarray] = []
        color_indices: list[int] = []
        try:
            for index, frame in enumerate(container.decode(stream)):
                if index >= LONGEST_S * fps:
                    raise ClipError(f"clip has more than {LONGEST_S:.0f} s of frames; the critic reads at most that")
                if index < len(keep) and keep[index] and len(frames) < max_frames:
                    small = _luma(frame, w, h)
                    frames.append(small)
                    indices.append(index)
                    thumbs.append(shrink(small, tw, th))
                else:
                    thumbs.append(_luma(frame, tw, th))
                if index in wanted_color:
                    color.append(shrink(frame.to_ndarray(format="rgb24"), w, h))
                    color_indices.append(index)
        except av.error.FFmpegError as exc:
            if not thumbs:
                raise ClipError(f"cannot decode {path.name}: {exc.strerror or type(exc).__name__}") from None
            # A damaged tail: keep what decoded.
        if not frames:
            raise ClipError(f"no frames could be decoded from {path.name}")
        if len(thumbs) < 2:
            raise ClipError(f"{path.name} has a single frame; the critic needs a video")
    return Clip(
        frames=np.stack(frames),
        indices=np.asarray(indices, dtype=int),
        thumbs=np.stack(thumbs),
        color=np.stack(color) if color else np.zeros((0, h, w, 3), np.uint8),
        color_indices=np.asarray(color_indices, dtype=int),
        fps=fps,
        width=width,
        height=height,
        num_frames=len(thumbs),
        declared_frames=counts.declared(fps, len(thumbs)),
    )

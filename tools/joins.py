"""Join a long take's segment files into one mp4: brightness and colour matched across each join, streamed."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import chain, islice
from pathlib import Path

import av
import numpy as np

from tools.encode import EncodedVideo, encode_mp4
from tools.take import SegmentTake

EDGE_FRAMES = 3  # frames each side of a join whose colour statistics are matched
MAX_GAIN_CHANGE = 0.3  # a join changes contrast by at most this much (a larger gap is content, not drift)
MIN_VISIBLE_LEVELS = 0.5  # a correction smaller than this (8-bit levels) is not worth applying
NOTED_LEVELS = 2.0  # a correction this large (8-bit levels at mid-grey) is said in the take's notes


class JoinError(ValueError):
    """A segment file is missing, unreadable or shorter than its record says: one line for the creator."""


@dataclass(frozen=True)
class ColourMatch:
    """Per-channel gain and offset applied to a segment's first frame, fading to nothing by its last."""

    gain: np.ndarray  # (3,) float32
    offset: np.ndarray  # (3,) float32

    @property
    def shift(self) -> np.ndarray:
        """How far each channel moves at mid-grey, in 8-bit levels."""
        return self.offset + (self.gain - 1) * 128

    @property
    def identity(self) -> bool:
        return bool(np.all(np.abs(self.shift) < MIN_VISIBLE_LEVELS))

    @property
    def noticeable(self) -> bool:
        return bool(np.any(np.abs(self.shift) >= NOTED_LEVELS))

    def apply(self, frame: np.ndarray, weight: float) -> np.ndarray:
        if weight <= 0 or self.identity:
            return frame
        gain = 1.0 + weight * (self.gain - 1.0)
        out = frame.astype(np.float32) * gain + weight * self.offset
        return np.clip(out + 0.5, 0, 255).astype(np.uint8)

    def describe(self) -> str:
        brightness = float(np.mean(self.shift))
        rgb = " ".join(f"{c}{g:.2f}" for c, g in zip("rgb", self.gain, strict=True))
        return f"brightness {brightness:+.1f}, contrast {rgb}"


IDENTITY = ColourMatch(np.ones(3, np.float32), np.zeros(3, np.float32))


def read_segment(part: SegmentTake) -> Iterator[np.ndarray]:
    """The segment's frames (RGB), exactly as many as it adds to the shot, or a JoinError."""
    path = Path(part.path)
    if not path.is_file():
        raise JoinError(f"segment {part.index + 1} is missing ({path.name})")
    count = 0
    try:
        with av.open(str(path)) as container:
            for frame in container.decode(video=0):
                if count == part.frames:
                    break
                count += 1
                yield frame.to_ndarray(format="rgb24")
    except (av.error.FFmpegError, OSError) as exc:
        raise JoinError(f"segment {part.index + 1} cannot be read ({path.name}): {exc}") from None
    if count < part.frames:
        raise JoinError(f"segment {part.index + 1} holds {count} frames, not {part.frames} ({path.name})")


def _weights(frames: int) -> np.ndarray:
    """How much of a join's correction each frame of the segment gets: all at its first, none at its last."""
    if frames == 1:
        return np.ones(1)
    return 1.0 - np.arange(frames) / (frames - 1)


def _match(reference: np.ndarray, source: np.ndarray) -> ColourMatch:
    """The gain and offset per channel that give `source` the mean and spread of `reference`."""
    ref_mean, src_mean = reference.mean(axis=(0, 1, 2)), source.mean(axis=(0, 1, 2))
    ref_std, src_std = reference.std(axis=(0, 1, 2)), source.std(axis=(0, 1, 2))
    gain = np.clip(ref_std / np.maximum(src_std, 1.0), 1 - MAX_GAIN_CHANGE, 1 + MAX_GAIN_CHANGE)
    return ColourMatch(gain.astype(np.float32), (ref_mean - gain * src_mean).astype(np.float32))


@dataclass
class JoinedTake:
    """What join_segments wrote: the encoded file, its middle frame (the poster) and the notes of the joins."""

    encoded: EncodedVideo
    poster: np.ndarray
    notes: list[str]


def join_segments(parts: Sequence[SegmentTake], out_path: Path, fps: int, *, max_bytes: int) -> JoinedTake:
    """Write the segments as one take at `out_path` within `max_bytes`; CPU-bound: call it on a worker thread.

    Each segment's opening is matched to how the one before it ends as corrected, found while streaming
    (its first frames against the previous one's last), so the files are decoded once per encoder pass.
    """
    if not parts:
        raise JoinError("a long take needs at least one segment")
    total = sum(part.frames for part in parts)
    middle = total // 2
    matches: list[ColourMatch] = []  # found on the first pass, reused by the next
    poster: list[np.ndarray] = []

    def frames() -> Iterator[np.ndarray]:
        index = 0
        tail: deque[np.ndarray] = deque(maxlen=EDGE_FRAMES)
        for number, part in enumerate(parts):
            source: Iterator[np.ndarray] = read_segment(part)
            if number == len(matches):
                head = list(islice(source, EDGE_FRAMES))
                reference = np.stack(tail).astype(np.float32) if tail else None
                matches.append(IDENTITY if reference is None else _match(reference, np.stack(head).astype(np.float32)))
                source = chain(head, source)
            match, weights = matches[number], _weights(part.frames)
            for k, frame in enumerate(source):
                frame = match.apply(frame, float(weights[k]))
                tail.append(frame)
                if index == middle and not poster:
                    poster.append(frame)
                index += 1
                yield frame

    encoded = encode_mp4(frames, fps, out_path, max_bytes=max_bytes, num_frames=total)
    notes = [
        f"join {number} at {part.start_frame / fps:.2f} s: matched {match.describe()}"
        for number, (part, match) in enumerate(zip(parts[1:], matches[1:], strict=True), 1)
        if match.noticeable
    ]
    return JoinedTake(encoded=encoded, poster=poster[0], notes=[*notes, *encoded.notes])

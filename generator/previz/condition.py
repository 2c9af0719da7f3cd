"""Read the clip an extension continues from: its length, frame rate and last frame (PyAV)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

from generator.errors import InvalidRequest


@dataclass(frozen=True)
class SourceClip:
    """What previz needs of the take it continues: how long it ran and how it ended."""

    num_frames: int
    fps: float
    last_frame: np.ndarray  # (H, W, 3) uint8 RGB

    @property
    def duration_s(self) -> float:
        return self.num_frames / self.fps


def read_source_clip(path: str | Path) -> SourceClip:
    """Decode the whole clip (the count in the header is not trusted); raise InvalidRequest if it cannot be read."""
    path = Path(path)
    if not path.is_file():
        raise InvalidRequest(f"cannot extend: the source clip {path} does not exist")
    try:
        with av.open(str(path)) as container:
            if not container.streams.video:
                raise InvalidRequest(f"cannot extend: {path.name} has no video stream")
            stream = container.streams.video[0]
            rate = stream.average_rate or stream.guessed_rate or stream.base_rate
            count = 0
            last = None
            for frame in container.decode(stream):
                last = frame
                count += 1
            if last is None or not rate or float(rate) <= 0:
                raise InvalidRequest(f"cannot extend: {path.name} has no decodable frames")
            return SourceClip(num_frames=count, fps=float(rate), last_frame=last.to_ndarray(format="rgb24"))
    except (av.error.FFmpegError, OSError, ValueError) as exc:
        raise InvalidRequest(f"cannot extend: the source clip {path.name} is not a readable video ({exc})") from exc

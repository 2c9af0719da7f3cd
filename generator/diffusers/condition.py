"""Read the last frames of an earlier take, the seed of an extended or continued shot."""

from __future__ import annotations

from collections import deque
from pathlib import Path

import numpy as np

from generator.errors import InvalidRequest


def read_last_frames(path: str | Path, count: int) -> np.ndarray:
    """The last `count` frames of a video file as (N, H, W, 3) uint8 RGB; fewer if the clip is shorter."""
    import av

    path = Path(path)
    if not path.is_file():
        raise InvalidRequest(f"cannot continue from {path}: no such file")
    tail: deque[np.ndarray] = deque(maxlen=max(1, count))
    try:
        with av.open(str(path)) as container:
            for frame in container.decode(video=0):
                tail.append(frame.to_ndarray(format="rgb24"))
    except (av.FFmpegError, OSError) as exc:
        raise InvalidRequest(f"cannot read frames from {path}: {exc}") from None
    if not tail:
        raise InvalidRequest(f"{path} holds no video frames to continue from")
    return np.stack(list(tail))

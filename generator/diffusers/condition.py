"""Continuing a take: read its last frames, and build a conditioned pipeline over the same weights."""

from __future__ import annotations

import inspect
from collections import deque
from pathlib import Path
from typing import Any

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


def sibling_pipeline(cls: Any, pipe: Any) -> Any:
    """`cls` over `pipe`'s own modules and settings as they are: no copy and no cast.

    diffusers' `from_pipe` casts the shared modules to float32 unless told a dtype, which doubles the memory
    of a bf16 pipeline and leaves every later render in float32; a mixed pipeline (Wan: bf16 with a float32
    VAE) has no single dtype to tell it.
    """
    accepted = inspect.signature(cls.__init__).parameters
    values = {key: value for key, value in pipe.config.items() if not key.startswith("_")}
    values.update(pipe.components)
    sibling = cls(**{key: value for key, value in values.items() if key in accepted})
    sibling.set_progress_bar_config(disable=True)
    return sibling

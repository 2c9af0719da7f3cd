"""Fixtures for the critic's tests: photographs and an encoder that writes clips into a shared folder."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from tools.testing.footage import photos, write_clip


@pytest.fixture(scope="session")
def photo() -> Callable[[str], np.ndarray]:
    cache: dict[str, np.ndarray] = {}
    loaders = photos()

    def load(name: str) -> np.ndarray:
        if name not in cache:
            cache[name] = loaders[name]()
        return cache[name]

    return load


@pytest.fixture(scope="session")
def clip_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("clips")


@pytest.fixture
def encode(clip_dir: Path) -> Callable[..., Path]:
    """encode(frames, name, fps=16, crf=18) -> path of an mp4 in the session's clip folder."""

    def write(frames: np.ndarray, name: str, fps: int = 16, crf: int = 18) -> Path:
        return write_clip(frames, clip_dir / f"{name}.mp4", fps=fps, crf=crf)

    return write

"""Tiny random-weight pipelines, built once per test session, fully offline."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

# Skipped, with this reason, only where the gpu extra is missing; .ci/run installs it and fails any skip.
torch = pytest.importorskip("torch", reason="the gpu extra (torch) is not installed: pip install -e '.[gpu]'")
pytest.importorskip("diffusers", reason="the gpu extra (diffusers) is not installed: pip install -e '.[gpu]'")


@pytest.fixture(scope="session")
def tiny_dirs(tmp_path_factory) -> dict[str, Path]:
    from generator.diffusers.tiny import make_tiny

    torch.set_num_threads(1)
    root = tmp_path_factory.mktemp("tiny")
    return {name: make_tiny(name, root / name) for name in ("wan", "wan-i2v", "ltx")}


def _write_clip(frames: np.ndarray, path: Path, fps: int = 8) -> Path:
    """Encode uint8 RGB frames to an mp4 with PyAV (a test helper, not the product's encoder)."""
    import av

    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height = frames.shape[2], frames.shape[1]
        stream.pix_fmt = "yuv420p"
        for frame in frames:
            container.mux(stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")))
        container.mux(stream.encode())
    return path


@pytest.fixture
def write_clip():
    return _write_clip

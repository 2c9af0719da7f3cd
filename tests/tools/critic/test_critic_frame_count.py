"""The frame count a file declares: read while it is open, used only when plausible, on many encoders' files."""

from __future__ import annotations

import struct
from fractions import Fraction
from pathlib import Path
from types import SimpleNamespace

import av
import numpy as np
import pytest

from generator.previz import PrevizGenerator
from generator.request import CameraPath, LookHints, RenderRequest
from tools.critic import critique_clip
from tools.critic import decode as decode_module
from tools.critic.decode import ClipError, FrameCounts, read_clip
from tools.encode import encode_mp4
from tools.testing.footage import camera_clip

GARBAGE = 139850996932720  # what a previz take "declared" when stream.frames was read after the file closed


class _Guarded:
    """A PyAV stream that refuses to be read once its container is closed (the real one returns freed memory)."""

    def __init__(self, target: object, closed: list[bool]) -> None:
        object.__setattr__(self, "_target", target)
        object.__setattr__(self, "_closed", closed)

    def __getattr__(self, name: str) -> object:
        if self._closed[0]:
            raise AssertionError(f"stream.{name} read after its container was closed")
        return getattr(self._target, name)

    def __setattr__(self, name: str, value: object) -> None:
        setattr(self._target, name, value)


class _GuardedContainer:
    def __init__(self, real: av.container.InputContainer) -> None:
        self._real = real
        self._closed = [False]
        self.streams = SimpleNamespace(video=[_Guarded(s, self._closed) for s in real.streams.video])

    def __getattr__(self, name: str) -> object:
        return getattr(self._real, name)

    def decode(self, stream: _Guarded):
        return self._real.decode(stream._target)

    def __enter__(self) -> _GuardedContainer:
        return self

    def __exit__(self, *exc: object) -> None:
        self._closed[0] = True
        self._real.close()


@pytest.fixture(scope="module")
def previz_take(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A take from our own previz renderer and encoder, as the agent makes them."""
    request = RenderRequest(
        prompt="a lighthouse on a cliff",
        width=320,
        height=180,
        num_frames=36,
        fps=24,
        seed=3,
        camera=CameraPath(movement="pan_left"),
        look=LookHints(subject="a lighthouse", setting="a cliff", shot_size="wide"),
    )
    path = tmp_path_factory.mktemp("takes") / "take.mp4"
    encode_mp4(PrevizGenerator().render(request).frames, request.fps, path)
    return path


@pytest.fixture(scope="module")
def frames(photo) -> np.ndarray:
    return camera_clip(photo("astronaut"), "pan_right", size=(160, 96), frames=40, fps=16, speed=0.2)


def _write(path: Path, codec: str, frames: np.ndarray, fps: int = 16, *, vfr: bool = False) -> Path:
    """Frames written by PyAV with another codec and container (`vfr`: irregular frame times, in ms)."""
    with av.open(str(path), mode="w") as container:
        stream = container.add_stream(codec, rate=fps)
        stream.width, stream.height = frames.shape[2], frames.shape[1]
        stream.pix_fmt = "yuvj420p" if codec == "mjpeg" else "yuv420p"
        if vfr:
            stream.codec_context.time_base = Fraction(1, 1000)
        pts = 0
        for index, image in enumerate(frames):
            frame = av.VideoFrame.from_ndarray(image, format="rgb24")
            if vfr:
                frame.pts, frame.time_base = pts, Fraction(1, 1000)
                pts += 110 if index % 3 == 0 else 40
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def _patched_avi(source: Path, out: Path, chunk: bytes, offset: int, value: int) -> Path:
    """`source` with one 32-bit field of its first `chunk` header (avih or strh) set to `value`."""
    data = bytearray(source.read_bytes())
    start = data.find(chunk)
    assert start > 0
    struct.pack_into("<I", data, start + 8 + offset, value)
    out.write_bytes(bytes(data))
    return out


AVIH_TOTAL_FRAMES = 16  # byte offsets inside the chunks' data
STRH_LENGTH = 32


def _complete(path: Path):
    return next((c for c in critique_clip(path).checks if c.name == "complete"), None)


def test_the_count_is_read_while_the_file_is_open(previz_take: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Reading stream.frames after the container closed returned freed memory (139850996932720)."""
    real_open = decode_module._open
    monkeypatch.setattr(decode_module, "_open", lambda path: _GuardedContainer(real_open(path)))
    clip = read_clip(previz_take)
    assert clip.num_frames == clip.declared_frames == 36


def test_our_own_takes_declare_what_they_hold(previz_take: Path) -> None:
    for _ in range(5):
        assert read_clip(previz_take).declared_frames == 36
    check = _complete(previz_take)
    assert check is not None and check.passed and (check.value, check.expected) == (36, 36)


def test_implausible_counts_are_not_used() -> None:
    assert FrameCounts(header=GARBAGE, indexed=144, from_duration=144).plausible_header(24) == 0
    assert FrameCounts(header=GARBAGE, indexed=0, from_duration=0).plausible_header(24) == 0
    assert FrameCounts(header=-5, indexed=0, from_duration=0).plausible_header(24) == 0
    assert FrameCounts(header=65, indexed=795, from_duration=65).plausible_header(24) == 0  # the index disagrees
    assert FrameCounts(header=400, indexed=0, from_duration=40).plausible_header(16) == 0  # the duration disagrees
    assert FrameCounts(header=144, indexed=144, from_duration=143).plausible_header(24) == 144
    assert FrameCounts(header=144, indexed=1, from_duration=0).plausible_header(24) == 144  # a keyframe-only index
    # A file holding more frames than its header says: the header is wrong, nothing is missing.
    assert FrameCounts(header=65, indexed=0, from_duration=65).declared(24, decoded=795) == 0
    assert FrameCounts(header=144, indexed=144, from_duration=144).declared(24, decoded=100) == 144
    assert FrameCounts(header=144, indexed=144, from_duration=144).declared(24, decoded=145) == 144


@pytest.mark.parametrize(
    ("name", "codec", "vfr", "declared"),
    [
        ("mpeg4.avi", "mpeg4", False, 40),
        ("mjpeg.avi", "mjpeg", False, 40),
        ("mjpeg.mov", "mjpeg", False, 40),
        ("mpeg4.mp4", "mpeg4", False, 40),
        ("vfr.mp4", "libx264", True, 40),
        ("mpeg4.mkv", "mpeg4", False, 0),  # Matroska does not say how many frames it holds
        ("vfr.mkv", "libx264", True, 0),
    ],
)
def test_other_encoders_files(tmp_path: Path, frames: np.ndarray, name: str, codec: str, vfr: bool, declared) -> None:
    path = _write(tmp_path / name, codec, frames, vfr=vfr)
    clip = read_clip(path)
    assert clip.num_frames == 40
    assert clip.declared_frames == declared
    check = _complete(path)
    assert check is None if declared == 0 else check.passed


@pytest.mark.parametrize(
    ("chunk", "offset", "value"),
    [
        (b"strh", STRH_LENGTH, 5),  # the stream header says 5 of its 40 frames: the file holds more
        (b"strh", STRH_LENGTH, 400),  # ... says 400, while its index lists 40
        (b"strh", STRH_LENGTH, 0xFFFFFFFF),  # ... an unset field
        (b"avih", AVIH_TOTAL_FRAMES, 5),  # the main header (FFmpeg reads the stream header instead)
    ],
)
def test_a_broken_avi_header_does_not_fail_a_whole_take(
    tmp_path: Path, frames: np.ndarray, chunk: bytes, offset: int, value: int
) -> None:
    good = _write(tmp_path / "good.avi", "mpeg4", frames)
    path = _patched_avi(good, tmp_path / "broken.avi", chunk, offset, value)
    clip = read_clip(path)
    assert clip.num_frames == 40
    assert clip.declared_frames in (0, 40)
    check = _complete(path)
    assert check is None or check.passed


def test_a_truncated_take_of_ours_is_still_incomplete(previz_take: Path, tmp_path: Path) -> None:
    data = previz_take.read_bytes()  # faststart: the index, with all 36 frames, comes first
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: len(data) // 2])
    check = _complete(cut)
    assert check is not None and not check.passed
    assert check.expected == 36 and check.value < 36


@pytest.mark.parametrize("name", ["long.mp4", "long.avi"])
def test_a_clip_longer_than_the_critic_reads_is_still_refused_before_decoding(tmp_path: Path, name: str) -> None:
    tiny = np.zeros((610, 16, 16, 3), np.uint8)  # 610 s at 1 fps: its header and its index both say so
    path = _write(tmp_path / name, "mpeg4", tiny, fps=1)
    with pytest.raises(ClipError, match="clip lasts 610 s"):
        read_clip(path)

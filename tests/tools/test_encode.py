"""The encoder: valid H.264 mp4s (yuv420p, faststart) that never exceed their byte budget, and posters."""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
from pathlib import Path

import av
import cv2
import numpy as np
import pytest

from tools.encode import encode_mp4, write_poster


def _moving_texture(num_frames: int, width: int, height: int, seed: int = 0, noise: float = 0.0) -> np.ndarray:
    """A textured image sliding sideways (plus optional per-frame noise that resists compression)."""
    rng = np.random.default_rng(seed)
    base = cv2.resize(rng.integers(0, 255, (height // 8, width // 4, 3), dtype=np.uint8), (width * 2, height))
    frames = np.empty((num_frames, height, width, 3), np.uint8)
    for i in range(num_frames):
        frames[i] = base[:, i * 3 % width : i * 3 % width + width]
        if noise:
            frames[i] = np.clip(frames[i] + rng.normal(0, noise, frames[i].shape), 0, 255).astype(np.uint8)
    return frames


def _probe(path: Path) -> dict:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        decoded = sum(1 for _ in container.decode(video=0))
        return {
            "codec": stream.codec_context.name,
            "pix_fmt": stream.codec_context.pix_fmt,
            "width": stream.codec_context.width,
            "height": stream.codec_context.height,
            "fps": float(stream.average_rate),
            "frames": decoded,
        }


def test_encodes_valid_faststart_h264(tmp_path: Path) -> None:
    frames = _moving_texture(24, 320, 180)
    out = encode_mp4(frames, 12, tmp_path / "clip.mp4")
    info = _probe(tmp_path / "clip.mp4")
    assert info == {"codec": "h264", "pix_fmt": "yuv420p", "width": 320, "height": 180, "fps": 12.0, "frames": 24}
    assert out.bytes == (tmp_path / "clip.mp4").stat().st_size
    assert (out.num_frames, out.fps, out.passes) == (24, 12, 1)
    head = (tmp_path / "clip.mp4").read_bytes()[:4096]
    assert head.find(b"moov") != -1 and (head.find(b"mdat") == -1 or head.find(b"moov") < head.find(b"mdat"))


def test_quality_ceiling_keeps_short_clips_small(tmp_path: Path) -> None:
    out = encode_mp4(_moving_texture(24, 320, 180), 12, tmp_path / "clip.mp4", max_bytes=50 * 1024 * 1024)
    assert out.bitrate <= 0.2 * 320 * 180 * 12 * 1.3  # not inflated towards the 50 MiB budget


def test_within_budget_on_the_first_pass(tmp_path: Path) -> None:
    budget = 60_000
    out = encode_mp4(_moving_texture(48, 320, 180, noise=40), 24, tmp_path / "clip.mp4", max_bytes=budget)
    assert out.bytes <= budget and (tmp_path / "clip.mp4").stat().st_size <= budget
    assert _probe(tmp_path / "clip.mp4")["frames"] == 48


def test_an_overshoot_is_re_encoded_lower(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Aim 60 % over the budget on purpose: the file is over, so the next pass must bring it under."""
    monkeypatch.setattr("tools.encode.HEADROOM", 1.6)
    budget = 60_000
    out = encode_mp4(_moving_texture(48, 320, 180, noise=40), 24, tmp_path / "clip.mp4", max_bytes=budget)
    assert out.passes > 1
    assert out.bytes <= budget and (tmp_path / "clip.mp4").stat().st_size <= budget
    assert any("over the budget" in note for note in out.notes)
    assert _probe(tmp_path / "clip.mp4")["frames"] == 48


def test_tiny_budget_downscales_to_even_sides(tmp_path: Path) -> None:
    out = encode_mp4(_moving_texture(48, 640, 360, noise=20), 24, tmp_path / "clip.mp4", max_bytes=40_000)
    assert out.bytes <= 40_000
    assert out.width < 640 and out.width % 2 == 0 and out.height % 2 == 0
    assert any("downscaled" in note for note in out.notes)


def test_impossible_budget_raises_and_leaves_no_file(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="cannot fit"):
        encode_mp4(_moving_texture(96, 320, 180, noise=40), 24, tmp_path / "clip.mp4", max_bytes=2_000)
    assert list(tmp_path.iterdir()) == []


def test_odd_sizes_are_made_even(tmp_path: Path) -> None:
    frames = _moving_texture(6, 161, 91)
    out = encode_mp4(frames, 8, tmp_path / "clip.mp4")
    assert out.width in (160, 162) and out.height in (90, 92)
    assert out.width % 2 == 0 and out.height % 2 == 0
    assert any("even" in note for note in out.notes)


def test_sources_sequence_callable_and_iterator(tmp_path: Path) -> None:
    frames = _moving_texture(10, 160, 90)
    by_list = encode_mp4(list(frames), 10, tmp_path / "a.mp4")
    by_factory = encode_mp4(lambda: iter(frames), 10, tmp_path / "b.mp4", num_frames=10)
    by_iterator = encode_mp4(iter(frames), 10, tmp_path / "c.mp4")
    assert by_list.num_frames == by_factory.num_frames == by_iterator.num_frames == 10
    assert any("one-shot iterator" in note for note in by_iterator.notes)


def test_bad_frames_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        encode_mp4(np.zeros((4, 32, 32), np.uint8), 8, tmp_path / "x.mp4")
    with pytest.raises(ValueError):
        encode_mp4(np.zeros((0, 32, 32, 3), np.uint8), 8, tmp_path / "x.mp4")


@pytest.mark.slow
def test_sixty_seconds_of_720p_stays_within_budget(tmp_path: Path) -> None:
    """60 s of 1280x720, streamed from a factory (never all in memory), against a budget it must work for."""
    fps, seconds, width, height = 8, 60, 1280, 720
    rng = np.random.default_rng(1)
    texture = cv2.resize(rng.integers(0, 255, (height // 6, width // 3, 3), dtype=np.uint8), (width * 2, height))
    grain = rng.integers(0, 24, (4, height, width, 3), dtype=np.uint8)

    def frames():
        for i in range(fps * seconds):
            x = i * 5 % width
            yield cv2.add(texture[:, x : x + width], grain[i % 4])

    budget = 3 * 1024 * 1024
    out = encode_mp4(frames, fps, tmp_path / "long.mp4", max_bytes=budget, num_frames=fps * seconds)
    assert out.bytes <= budget
    info = _probe(tmp_path / "long.mp4")
    assert info["frames"] == fps * seconds
    assert info["frames"] / info["fps"] == pytest.approx(60.0)


def test_the_same_frames_give_the_same_bytes_while_another_process_keeps_a_core_busy(tmp_path: Path) -> None:
    """x264's threaded rate control read other threads' progress: 320x180 with grain gave a different file
    about every other encode, more often under load. Six encodes beside a busy process must be identical."""
    frames = _moving_texture(24, 320, 180, noise=40)
    busy = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        digests = set()
        for attempt in range(6):
            out = encode_mp4(frames, 24, tmp_path / f"{attempt}.mp4", max_bytes=200_000)
            digests.add((out.bytes, hashlib.sha256(Path(out.path).read_bytes()).hexdigest()))
    finally:
        busy.kill()
        busy.wait()
    assert len(digests) == 1, sorted(digests)


@pytest.mark.parametrize(("width", "height"), [(320, 180), (1280, 720)])
def test_x264_runs_on_one_thread_at_every_size(tmp_path: Path, width: int, height: int) -> None:
    """x264 writes its settings into the stream: one thread, no slice threads (it chose 2 on 2 cores before)."""
    out = encode_mp4(_moving_texture(3, width, height), 12, tmp_path / "clip.mp4")
    settings = re.search(rb"x264 - core [^\x00]*", Path(out.path).read_bytes())
    assert settings is not None
    options = dict(item.split("=", 1) for item in settings.group(0).decode().split() if "=" in item)
    assert (options["threads"], options["lookahead_threads"], options["sliced_threads"]) == ("1", "1", "0")


def test_poster_is_a_jpeg_of_the_frame(tmp_path: Path) -> None:
    frame = _moving_texture(1, 64, 48)[0]
    path = write_poster(frame, tmp_path / "poster.jpg")
    back = cv2.cvtColor(cv2.imread(str(path)), cv2.COLOR_BGR2RGB)
    assert back.shape == frame.shape
    assert np.abs(back.astype(int) - frame.astype(int)).mean() < 12

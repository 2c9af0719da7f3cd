"""The reel: hard cuts last the sum of the shots, crossfades overlap, sizes and rates are fitted, budget held."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest

from tools.reel import ReelError, iter_frames, make_reel, middle_frame, probe, storyboard_sheet


def write_clip(path: Path, colour: tuple[int, int, int], *, frames: int, fps: int, size: tuple[int, int]) -> Path:
    """A flat-colour clip with a moving white bar (so frames differ), written with PyAV."""
    width, height = size
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        for i in range(frames):
            image = np.full((height, width, 3), colour, np.uint8)
            x = (i * 4) % (width - 4)
            image[:, x : x + 4] = 255
            container.mux(stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")))
        container.mux(stream.encode())
    return path


@pytest.fixture
def clips(tmp_path: Path) -> list[Path]:
    return [
        write_clip(tmp_path / "red.mp4", (200, 30, 30), frames=16, fps=8, size=(96, 54)),
        write_clip(tmp_path / "green.mp4", (30, 200, 30), frames=12, fps=12, size=(64, 64)),
        write_clip(tmp_path / "blue.mp4", (30, 30, 200), frames=8, fps=8, size=(96, 54)),
    ]


def mean_colour(frame: np.ndarray) -> np.ndarray:
    """The median colour of a band across the middle (robust to the moving bar and letterbox bars)."""
    return np.median(frame[frame.shape[0] // 2 - 4 : frame.shape[0] // 2 + 4].reshape(-1, 3), axis=0)


def test_hard_cuts_last_the_sum_of_the_shots_in_order(tmp_path: Path, clips: list[Path]) -> None:
    result = make_reel(clips, tmp_path / "reel.mp4", max_bytes=2_000_000)
    assert result.fps == 8
    assert result.num_frames == 16 + 8 + 8  # the 12-frame 12 fps clip lasts 1 s = 8 frames at 8 fps
    assert result.duration_s == pytest.approx(sum(probe(c).duration_s for c in clips))
    assert result.cuts_s == [0.0, 2.0, 3.0]
    info = probe(result.path)
    assert (info.num_frames, info.width, info.height) == (32, 96, 54)
    frames = list(iter_frames(result.path))
    assert mean_colour(frames[8])[0] > 150  # red
    green = frames[20]
    assert mean_colour(green)[1] > 150
    assert green[:, :10].max() < 40  # the square clip is letterboxed: black bars at the sides
    assert mean_colour(frames[28])[2] > 150  # blue
    assert result.bytes == result.path.stat().st_size <= 2_000_000


def test_crossfade_overlaps_neighbours_and_blends(tmp_path: Path, clips: list[Path]) -> None:
    result = make_reel(clips[:1] + clips[2:], tmp_path / "fade.mp4", crossfade_s=0.5, max_bytes=2_000_000)
    assert result.crossfade_s == pytest.approx(0.5)
    assert result.num_frames == 16 + 8 - 4
    frames = list(iter_frames(result.path))
    middle = mean_colour(frames[13])  # inside the 4-frame overlap: both red and blue
    assert middle[0] > 60 and middle[2] > 60


def test_reel_stays_within_a_tight_budget(tmp_path: Path, clips: list[Path]) -> None:
    result = make_reel(clips, tmp_path / "small.mp4", max_bytes=40_000)
    assert result.path.stat().st_size <= 40_000


def test_missing_take_is_a_clear_error(tmp_path: Path, clips: list[Path]) -> None:
    with pytest.raises(ReelError, match="is gone"):
        make_reel([clips[0], tmp_path / "gone.mp4"], tmp_path / "reel.mp4", max_bytes=1_000_000)
    (tmp_path / "junk.mp4").write_bytes(b"not a video")
    with pytest.raises(ReelError):
        make_reel([tmp_path / "junk.mp4"], tmp_path / "reel.mp4", max_bytes=1_000_000)
    with pytest.raises(ReelError):
        make_reel([], tmp_path / "reel.mp4", max_bytes=1_000_000)


def test_storyboard_sheet_shows_each_shot(tmp_path: Path, clips: list[Path]) -> None:
    from PIL import Image

    assert mean_colour(middle_frame(clips[1]))[1] > 150
    out = storyboard_sheet(clips, ["1. red", "2. green", "3. blue"], tmp_path / "sheet.png")
    image = np.asarray(Image.open(out).convert("RGB"))
    assert image.shape[1] > 3 * 320
    thirds = [image[:, i * image.shape[1] // 3 : (i + 1) * image.shape[1] // 3] for i in range(3)]
    dominant = [int(np.argmax(part.reshape(-1, 3).mean(axis=0))) for part in thirds]
    assert dominant == [0, 1, 2]

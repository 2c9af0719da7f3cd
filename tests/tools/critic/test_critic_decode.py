"""read_clip: sizes, frame rate, sampling of long clips, and one clear error for anything that is not a video."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from tools.critic.decode import ClipError, keep_mask, read_clip
from tools.testing.footage import camera_clip


def test_reads_frames_at_analysis_size(photo, encode) -> None:
    frames = camera_clip(photo("coffee"), "pan_left", size=(320, 192), frames=24, fps=12)
    clip = read_clip(encode(frames, "decode-basic", fps=12), max_side=160, color_frames=4)
    assert clip.frames.shape == (24, 96, 160)
    assert (clip.width, clip.height, clip.fps, clip.num_frames) == (320, 192, 12.0, 24)
    assert clip.duration_s == pytest.approx(2.0)
    assert clip.declared_frames == 24 and not clip.sampled
    assert clip.thumbs.shape[0] == 24 and max(clip.thumbs.shape[1:]) == 64
    assert clip.color.shape == (4, 96, 160, 3) and list(clip.color_indices) == [0, 8, 15, 23]
    # Luma is full range and close to the photo's own brightness.
    source = frames[5].astype(float) @ [0.299, 0.587, 0.114]
    assert abs(clip.frames[5].mean() - source.mean()) < 4


def test_keep_mask_spreads_windows_of_consecutive_frames() -> None:
    assert keep_mask(50, 64).all()
    mask = keep_mask(1000, 64, window=8)
    kept = np.nonzero(mask)[0]
    assert len(kept) == 64 and kept[0] == 0 and kept[-1] == 999
    runs = np.split(kept, np.nonzero(np.diff(kept) != 1)[0] + 1)
    assert len(runs) == 8 and all(len(run) == 8 for run in runs)


def test_long_clip_is_sampled_but_every_frame_has_a_thumbnail(photo, encode) -> None:
    frames = camera_clip(photo("chelsea"), "static", size=(128, 96), frames=90, fps=30)
    clip = read_clip(encode(frames, "decode-long", fps=30), max_frames=32)
    assert clip.sampled and len(clip.frames) == 32 and len(clip.thumbs) == 90
    assert np.all(np.diff(clip.indices) > 0)
    assert int(np.sum(np.diff(clip.indices) == 1)) >= 24  # windows of neighbours survive


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (None, "clip not found"),
        (lambda p: p.mkdir(), "is a folder"),
        (lambda p: p.write_bytes(b""), "not a readable video"),
        (lambda p: p.write_text("just some notes, not a video\n" * 20), "not"),
        (lambda p: Image.fromarray(np.zeros((32, 32, 3), np.uint8)).save(p, format="PNG"), "still image"),
    ],
)
def test_not_a_video_is_one_clear_error(tmp_path, make, message) -> None:
    path = tmp_path / "clip.mp4"
    if make:
        make(path)
    with pytest.raises(ClipError, match=message) as caught:
        read_clip(path)
    assert "\n" not in str(caught.value)


def test_single_frame_video_is_refused(photo, encode) -> None:
    frames = camera_clip(photo("coffee"), "static", size=(64, 48), frames=1)
    with pytest.raises(ClipError, match="single frame"):
        read_clip(encode(frames, "decode-one"))


def test_a_crafted_clip_cannot_make_the_critic_read_more_than_dailies_renders(encode) -> None:
    from tools.critic.decode import MOST_FPS, MOST_FRAMES

    tiny = np.zeros((MOST_FRAMES + 10, 16, 16, 3), np.uint8)
    tiny[:, :, :, 0] = (np.arange(len(tiny)) % 256)[:, None, None]
    many = encode(tiny, "many-frames", fps=60, crf=40)
    with pytest.raises(ClipError, match=f"more than {MOST_FRAMES} frames"):
        read_clip(many)
    fast = encode(tiny[:40], "too-fast", fps=MOST_FPS * 2, crf=40)
    with pytest.raises(ClipError, match=f"at most {MOST_FPS} fps"):
        read_clip(fast)
    assert read_clip(encode(tiny[: MOST_FRAMES // 4], "fine", fps=MOST_FPS, crf=40)).num_frames == MOST_FRAMES // 4

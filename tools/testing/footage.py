"""Clips with a known camera move, made from real photographs, plus the faults the critic must catch."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import av
import cv2
import numpy as np

# Content motion of each move, per second of clip: (dx, dy) as a fraction of the view, and zoom as log-scale.
MOVES: dict[str, tuple[float, float, float]] = {
    "static": (0.0, 0.0, 0.0),
    "pan_left": (-1.0, 0.0, 0.0),  # the view window moves left: content slides right
    "pan_right": (1.0, 0.0, 0.0),
    "tilt_up": (0.0, -1.0, 0.0),  # the view window moves up: content slides down
    "tilt_down": (0.0, 1.0, 0.0),
    "zoom_in": (0.0, 0.0, 1.0),  # the view window shrinks: content expands
    "zoom_out": (0.0, 0.0, -1.0),
}


def camera_clip(
    photo: np.ndarray,
    move: str,
    *,
    size: tuple[int, int] = (256, 160),
    frames: int = 32,
    fps: int = 16,
    speed: float = 0.12,
    rng: np.random.Generator | None = None,
    noise: float = 0.0,
    shake: float = 0.0,
) -> np.ndarray:
    """Frames (T, H, W, 3) of a virtual camera moving over `photo` at `speed` (fraction of view per second)."""
    width, height = size
    src_h, src_w = photo.shape[:2]
    dx, dy, dz = MOVES[move]
    duration = frames / fps
    travel = speed * duration
    # The view starts as large as fits with room for the whole move, centred.
    view_scale = 1.0 / (1.0 + abs(dx) * travel + abs(dy) * travel)
    fit = min(src_w / width, src_h / height) * view_scale
    if dz:
        fit *= 1.0 if dz > 0 else float(np.exp(-travel))
    rng = rng or np.random.default_rng(0)
    out = np.empty((frames, height, width, 3), dtype=np.uint8)
    for t in range(frames):
        u = t / fps - duration / 2  # seconds from the middle of the clip
        zoom = float(np.exp(dz * speed * (t / fps)))
        view = fit / zoom  # source pixels per output pixel
        cx = src_w / 2 + dx * speed * u * width * fit
        cy = src_h / 2 + dy * speed * u * height * fit
        if shake:
            cx += rng.normal(0, shake) * width * fit
            cy += rng.normal(0, shake) * height * fit
        matrix = np.array(
            [[1 / view, 0, width / 2 - cx / view], [0, 1 / view, height / 2 - cy / view]], dtype=np.float64
        )
        frame = cv2.warpAffine(photo, matrix, (width, height), flags=cv2.INTER_AREA, borderMode=cv2.BORDER_REFLECT)
        if noise:
            frame = np.clip(frame + rng.normal(0, noise, frame.shape), 0, 255).astype(np.uint8)
        out[t] = frame
    return out


def with_sky(photo: np.ndarray, fraction: float = 0.55, color: tuple[int, int, int] = (150, 190, 230)) -> np.ndarray:
    """The photo with its top `fraction` replaced by a smooth, textureless sky gradient."""
    out = photo.copy()
    rows = int(photo.shape[0] * fraction)
    ramp = np.linspace(0.85, 1.0, rows)[:, None, None]
    out[:rows] = np.clip(np.asarray(color, dtype=float)[None, None, :] * ramp, 0, 255).astype(np.uint8)
    return out


def strobe(frames: np.ndarray, amplitude: float = 30.0) -> np.ndarray:
    """Alternate frames brightened and darkened: a strobing flicker."""
    signs = np.where(np.arange(len(frames)) % 2 == 0, 1.0, -1.0)[:, None, None, None]
    return np.clip(frames.astype(np.float32) + signs * amplitude / 2, 0, 255).astype(np.uint8)


def snowfall(frames: np.ndarray, flakes: int = 150, seed: int = 0) -> np.ndarray:
    """Real snowfall over the frames: many small sharp flakes, each falling and drifting on its own path.

    Flakes of 1-3 px that fall 2-9 px a frame, as a snowfall filmed at a few metres looks: sparse bright
    points that move between frames, not a change of the picture's light.
    """
    rng = np.random.default_rng(seed)
    count, height, width = frames.shape[:3]
    x0, y0 = rng.uniform(0, width, flakes), rng.uniform(0, height, flakes)
    fall, drift = rng.uniform(2, 9, flakes), rng.normal(0, 1, flakes)
    radius = rng.choice([1, 1, 1, 2, 2, 3], flakes)
    out = frames.copy()
    for t in range(count):
        xs, ys = (x0 + drift * t) % width, (y0 + fall * t) % height
        for x, y, r in zip(xs, ys, radius, strict=True):
            cv2.circle(out[t], (int(x), int(y)), int(r), (235, 235, 240), -1, cv2.LINE_AA)
    return out


def boiling(frames: np.ndarray, amplitude: float = 12.0, seed: int = 0) -> np.ndarray:
    """A texture that boils: fine detail drawn anew every frame all over the picture (a diffusion model's flicker)."""
    rng = np.random.default_rng(seed)
    out = np.empty_like(frames)
    for t, frame in enumerate(frames):
        noise = cv2.GaussianBlur(rng.standard_normal(frame.shape[:2]).astype(np.float32), (0, 0), 2.0)
        noise *= amplitude / max(float(noise.std()), 1e-6)
        out[t] = np.clip(frame.astype(np.float32) + noise[..., None], 0, 255).astype(np.uint8)
    return out


def freeze(frames: np.ndarray, start: int, count: int) -> np.ndarray:
    """Repeat frame `start` over the next `count` frames."""
    out = frames.copy()
    out[start + 1 : start + 1 + count] = frames[start]
    return out


def black_frame(frames: np.ndarray, index: int) -> np.ndarray:
    out = frames.copy()
    out[index] = 0
    return out


def hard_cut(first: np.ndarray, second: np.ndarray, at: int) -> np.ndarray:
    """The first clip's frames up to `at`, then the second's."""
    return np.concatenate([first[:at], second[at:]])


def write_clip(
    frames: np.ndarray, path: Path, fps: int = 16, *, crf: int = 18, codec: str = "libx264", faststart: bool = False
) -> Path:
    """Encode RGB frames to an mp4 with PyAV (`faststart`: the index first, as web uploads have it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    options = {"movflags": "faststart"} if faststart else {}
    with av.open(str(path), mode="w", options=options) as container:
        stream = container.add_stream(codec, rate=fps)
        stream.width, stream.height = frames.shape[2], frames.shape[1]
        stream.pix_fmt = "yuv420p"
        stream.codec_context.thread_count = 1  # the same clip on every machine (slice threads follow the cores)
        if codec == "libx264":
            stream.options = {"crf": str(crf), "preset": "veryfast"}
        for frame in frames:
            for packet in stream.encode(av.VideoFrame.from_ndarray(np.ascontiguousarray(frame), format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def photos() -> dict[str, Callable[[], np.ndarray]]:
    """scikit-image's bundled photographs (offline), as RGB uint8."""
    from skimage import color, data

    def rgb(image: np.ndarray) -> np.ndarray:
        return (
            image
            if image.ndim == 3
            else (color.gray2rgb(image) * (255 if image.dtype != np.uint8 else 1)).astype(np.uint8)
        )

    return {
        "astronaut": lambda: rgb(data.astronaut()),
        "coffee": lambda: rgb(data.coffee()),
        "chelsea": lambda: rgb(data.chelsea()),
        "rocket": lambda: rgb(data.rocket()),
        "camera": lambda: rgb(data.camera()),
    }

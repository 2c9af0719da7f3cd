"""Layered photographic footage: cut-out subjects moving through photographs at several depths, under any camera move.

A scene is a few textured planes facing the camera (a photographic backdrop far away, cut-outs at middle
distance and in the foreground, and the subjects), seen through a pinhole camera that performs one move of
the shared vocabulary. Subjects move on their own: they cross the frame, walk (with a step's bob), go against
the camera's direction, come towards it, or travel with it. Weather (rain, snow, dust) and static overlays
(a caption strip, a logo, letterbox bars) can be laid over the picture. The critic was not built on it: it is
a second geometry beside the previz animatic, made from real photographs.

Conventions are the design's: directions follow the camera (pan_left turns it left, content slides right);
speeds are the vocabulary's units (slides: a fraction of the frame's longer side per second at the subject's
depth; zoom and dolly: ln-scale per second of the subject's size).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import cv2
import numpy as np

FOV_DEG = 60.0  # across the longer side, as previz
SUBJECT_DEPTH_M = 10.0
NEAR_M = 0.5  # planes nearer than this to the lens are not drawn
BACKDROP_OF_ZS = (3.0, 8.0)  # the backdrop stands this many subject distances away
MIDDLE_OF_ZS = (1.4, 2.6)  # cut-outs between the subject and the backdrop
FOREGROUND_OF_ZS = (0.45, 0.75)  # cut-outs between the camera and the subject
STEP_HZ = (1.6, 2.4)  # a walker's steps per second (the bob's frequency)
HANDHELD_BAND_HZ = (0.4, 5.0)  # a hand's wobble: breathing, steps and grip, not vibration


@dataclass
class Sprite:
    """A textured plane facing the camera: `rgba` (alpha 0..255), its centre at (x, y) metres, `depth` metres."""

    rgba: np.ndarray
    x: float
    y: float
    depth: float
    height_m: float
    velocity: tuple[float, float, float] = (0.0, 0.0, 0.0)  # m/s; negative z comes towards the camera
    bob_m: float = 0.0  # a walker's vertical bob, metres
    bob_hz: float = 0.0
    with_camera: bool = False  # travels with the camera (a tracking shot's subject)
    flutter_m: float = 0.0  # a flutter's reach about its path, metres (a butterfly darting about)
    flutter_hz: float = 0.0

    def centre(self, t: float, camera_x: float) -> tuple[float, float, float]:
        vx, vy, vz = self.velocity
        x = self.x + vx * t + (camera_x if self.with_camera else 0.0)
        y = self.y + vy * t + self.bob_m * abs(math.sin(math.pi * self.bob_hz * t))
        if self.flutter_m:
            phase = 2 * math.pi * self.flutter_hz * t
            x += self.flutter_m * (math.sin(phase) + 0.5 * math.sin(2.3 * phase + 1.0))
            y += self.flutter_m * (math.cos(1.3 * phase + 0.4) + 0.5 * math.sin(3.1 * phase))
        return x, y, self.depth + vz * t


@dataclass(frozen=True)
class Pose:
    """The camera at one instant: position (m), yaw and pitch (radians, small-angle shift model), roll, focal (px)."""

    x: float
    y: float
    z: float
    yaw: float
    pitch: float
    roll: float
    focal: float


@dataclass
class Shot:
    """What the camera does: `move` at `rate` (vocabulary units) for `seconds`, frames `size`, `fps`."""

    move: str
    rate: float
    size: tuple[int, int]
    fps: int
    seconds: float
    shake: float = 0.0  # handheld wobble amplitude, fraction of the longer side
    seed: int = 0
    _wobble: np.ndarray | None = field(default=None, repr=False)

    @property
    def frames(self) -> int:
        return max(2, round(self.seconds * self.fps))

    @property
    def focal(self) -> float:
        return max(self.size) / (2 * math.tan(math.radians(FOV_DEG) / 2))

    def wobble(self) -> np.ndarray:
        """(frames, 3) yaw, pitch (radians) and roll of a hand-held camera: band-limited noise, not sines."""
        if self._wobble is None:
            rng = np.random.default_rng(self.seed + 7)
            n = self.frames
            pad = 4 * self.fps
            noise = rng.standard_normal((n + 2 * pad, 3))
            spectrum = np.fft.rfft(noise, axis=0)
            hz = np.fft.rfftfreq(n + 2 * pad, 1 / self.fps)
            low, high = HANDHELD_BAND_HZ
            spectrum[(hz < low) | (hz > high)] = 0
            spectrum /= np.sqrt(np.maximum(hz, low))[:, None]  # more sway than tremor
            wave = np.fft.irfft(spectrum, n + 2 * pad, axis=0)[pad : pad + n]
            wave /= np.abs(wave).max(axis=0) + 1e-9
            angle = self.shake * max(self.size) / self.focal
            self._wobble = wave * np.array([angle, 0.7 * angle, 3 * angle])
        return self._wobble

    def pose(self, k: int) -> Pose:
        """Where the camera is at frame `k` (moves that pass the subject do so mid-shot)."""
        f0 = self.focal
        t = k / self.fps
        tc = t - self.frames / self.fps / 2
        side = max(self.size)
        sign = -1.0 if self.move.endswith(("_left", "_down", "_out")) else 1.0
        slide = sign * self.rate * side / f0 * tc  # radians, or metres per metre of subject distance
        x = y = z = yaw = pitch = roll = 0.0
        focal = f0
        kind = self.move.split("_")[0]
        if kind == "pan":
            yaw = slide
        elif kind == "tilt":
            pitch = slide
        elif kind in {"truck", "tracking"}:
            x = (slide if kind == "truck" else self.rate * side / f0 * t) * SUBJECT_DEPTH_M
        elif kind in {"pedestal", "crane"}:
            y = slide * SUBJECT_DEPTH_M
            if kind == "crane":  # the arm swings back a little as it rises
                z = -sign * 0.05 * SUBJECT_DEPTH_M * abs(self.rate) * t
        elif kind == "zoom":
            focal = f0 * math.exp(sign * self.rate * t)
        elif kind == "dolly":
            z = SUBJECT_DEPTH_M * (1 - math.exp(-sign * self.rate * t))
        elif kind == "orbit":
            x = slide * SUBJECT_DEPTH_M
            yaw = -x / SUBJECT_DEPTH_M  # turn to keep the subject centred
        if self.shake:
            dyaw, dpitch, droll = self.wobble()[k]
            yaw, pitch, roll = yaw + dyaw, pitch + dpitch, roll + droll
            focal *= 1 + 2 * abs(self.wobble()[:, 2]).max()  # hide the rolled corners
        return Pose(x, y, z, yaw, pitch, roll, focal)


@dataclass
class Scene:
    """Sprites far to near (by their starting depth), and overlays drawn over every frame."""

    sprites: list[Sprite]
    weather: list[Weather] = field(default_factory=list)
    overlays: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)  # (RGB, alpha 0..1) full frames


def _paste(canvas: np.ndarray, sprite: Sprite, pose: Pose, t: float) -> None:
    """Draw one sprite into the float RGB canvas with its alpha, if it is in front of the camera and in frame."""
    height, width = canvas.shape[:2]
    x, y, depth = sprite.centre(t, pose.x)
    d = depth - pose.z
    if d < NEAR_M:
        return
    rows, cols = sprite.rgba.shape[:2]
    scale = pose.focal * sprite.height_m / rows / d  # pixels per texel
    u = width / 2 + pose.focal * ((x - pose.x) / d - pose.yaw)
    v = height / 2 - pose.focal * ((y - pose.y) / d - pose.pitch)
    left, top = u - scale * cols / 2, v - scale * rows / 2
    x0, y0 = max(0, math.floor(left)), max(0, math.floor(top))
    x1, y1 = min(width, math.ceil(left + scale * cols)), min(height, math.ceil(top + scale * rows))
    if x1 <= x0 or y1 <= y0:
        return
    matrix = np.array([[scale, 0.0, left - x0], [0.0, scale, top - y0]])
    patch = cv2.warpAffine(
        sprite.rgba, matrix, (x1 - x0, y1 - y0), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0
    ).astype(np.float32)
    alpha = patch[..., 3:] / 255.0
    region = canvas[y0:y1, x0:x1]
    region *= 1 - alpha
    region += patch[..., :3] * alpha


@dataclass
class Weather:
    """Screen-space particles: each with a position (px), a speed (px/s), a size and a brightness."""

    kind: str  # rain, snow or dust
    xy: np.ndarray
    velocity: np.ndarray
    size: np.ndarray
    shade: np.ndarray

    def draw(self, frame: np.ndarray, t: float) -> None:
        height, width = frame.shape[:2]
        where = self.xy + self.velocity * t
        where[:, 0] %= width
        where[:, 1] %= height
        for (px, py), (vx, vy), size, shade in zip(where, self.velocity, self.size, self.shade, strict=True):
            colour = (float(shade),) * 3
            if self.kind == "rain":  # a streak as long as the drop falls in 1/50 s
                tail = (int(px - vx / 50), int(py - vy / 50))
                cv2.line(frame, (int(px), int(py)), tail, colour, 1, cv2.LINE_AA)
            else:
                cv2.circle(frame, (int(px), int(py)), int(size), colour, -1, cv2.LINE_AA)


def weather(kind: str, size: tuple[int, int], rng: np.random.Generator, density: float = 1.0) -> Weather:
    """Rain (fast streaks), snow (slow flakes, nearer ones bigger and faster) or dust (drifting specks)."""
    width, height = size
    count = int(density * width * height / {"rain": 700, "snow": 900, "dust": 2500}[kind])
    near = rng.uniform(0.3, 1.0, count)  # how near each particle is: nearer ones are bigger and faster
    if kind == "rain":
        velocity = np.stack([rng.uniform(-0.05, 0.05) * height * np.ones(count), 1.8 * height * near], axis=1)
    elif kind == "snow":
        drift = rng.uniform(-0.06, 0.06) * width
        velocity = np.stack([drift * near + rng.normal(0, 0.01 * width, count), 0.15 * height * near], axis=1)
    else:
        velocity = np.stack([rng.uniform(0.05, 0.2) * width * near, rng.normal(0, 0.02 * height, count)], axis=1)
    xy = rng.uniform([0, 0], [width, height], (count, 2))
    sizes = np.maximum(1, np.round(near * max(1.0, height / 200)))
    shade = rng.uniform(150, 250, count) if kind != "dust" else rng.uniform(120, 200, count)
    return Weather(kind, xy, velocity, sizes, shade)


def caption_overlay(
    size: tuple[int, int], text: str = "a red fox trots through the snow at dawn"
) -> tuple[np.ndarray, np.ndarray]:
    """A darkened strip at the bottom with a line of text, as burnt-in subtitles are."""
    width, height = size
    ink = np.zeros((height, width, 3), np.uint8)
    alpha = np.zeros((height, width, 1), np.float32)
    strip = max(10, height // 9)
    alpha[height - strip :] = 0.6
    scale = max(0.3, height / 500)
    cv2.putText(
        ink, text, (width // 30, height - strip // 3), cv2.FONT_HERSHEY_SIMPLEX, scale, (240, 240, 235), 1, cv2.LINE_AA
    )
    written = ink.max(axis=2, keepdims=True) > 0
    alpha[written] = 1.0
    return ink.astype(np.float32), alpha


def logo_overlay(size: tuple[int, int], logo: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """An RGBA logo in the top right corner, an eighth of the frame's height."""
    width, height = size
    side = max(8, height // 8)
    small = cv2.resize(logo, (side, side), interpolation=cv2.INTER_AREA).astype(np.float32)
    rgb = np.zeros((height, width, 3), np.float32)
    alpha = np.zeros((height, width, 1), np.float32)
    margin = max(2, height // 40)
    rgb[margin : margin + side, width - margin - side : width - margin] = small[..., :3]
    alpha[margin : margin + side, width - margin - side : width - margin] = small[..., 3:] / 255.0
    return rgb, alpha


def letterbox_overlay(size: tuple[int, int], aspect: float = 2.39) -> tuple[np.ndarray, np.ndarray]:
    """Black bars above and below a wider picture."""
    width, height = size
    bar = max(0, round((height - width / aspect) / 2))
    alpha = np.zeros((height, width, 1), np.float32)
    alpha[:bar] = 1.0
    alpha[height - bar :] = 1.0
    return np.zeros((height, width, 3), np.float32), alpha


def render(scene: Scene, shot: Shot) -> np.ndarray:
    """The shot's frames (T, H, W, 3) uint8."""
    width, height = shot.size
    out = np.empty((shot.frames, height, width, 3), np.uint8)
    for k in range(shot.frames):
        pose = shot.pose(k)
        t = k / shot.fps
        canvas = np.zeros((height, width, 3), np.float32)
        for sprite in sorted(scene.sprites, key=lambda s: -s.centre(t, pose.x)[2]):
            _paste(canvas, sprite, pose, t)
        if abs(pose.roll) > 1e-6:
            rot = cv2.getRotationMatrix2D((width / 2, height / 2), math.degrees(pose.roll), 1.0)
            canvas = cv2.warpAffine(canvas, rot, (width, height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
        for particles in scene.weather:
            particles.draw(canvas, t)
        for rgb, alpha in scene.overlays:
            canvas = canvas * (1 - alpha) + rgb * alpha
        out[k] = np.clip(canvas, 0, 255).astype(np.uint8)
    return out

"""Particles in the world: rain, snow and floating specks around the camera, and puffs of steam over the subject.

Every particle has a place in the world (metres) and a velocity, and is projected through the same camera as
the layers, so weather moves with the camera's parallax (near drops sweep past, far ones hardly move) on top
of its own fall. Weather fills a box that travels with the camera and faces where it looks: a drop that
leaves the box (out of view) comes back at its other side, so the shot never runs dry however the camera moves.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

# Weather kind -> (particles in view per frame, fall speed m/s, sideways drift m/s, size m, grey level).
# A count per frame, not per pixel: the flakes' size in pixels grows with the frame, so a count per pixel
# covered a 480x848 frame in snow four times as densely as a 240x424 one.
WEATHER: dict[str, tuple[float, float, float, float, int]] = {
    "rain": (100, 7.0, 0.4, 0.0, 70),  # streaks: size is the streak's duration instead (RAIN_STREAK_S)
    "snow": (100, 0.9, 0.35, 0.012, 240),
    "particles": (80, -0.25, 0.3, 0.008, 0),  # specks rise a little; warm (PARTICLE_RGB)
}
RAIN_STREAK_S = 1 / 60  # a drop is drawn as the line it falls along in this long (motion blur)
MAX_STREAK_OF_HEIGHT = 0.07  # ... but never longer than this share of the frame's height
PARTICLE_RGB = (255, 200, 110)
SNOW_SWAY_HZ = (0.2, 0.7)  # flakes sway as they fall
# The box: weather from NEAR_OF_ZS to FAR_OF_ZS subject distances (at least NEAREST_M, at most FARTHEST_M away).
NEAR_OF_ZS, FAR_OF_ZS = 0.15, 0.95
NEAREST_M, FARTHEST_M = 0.4, 14.0
BOX_MARGIN = 1.3  # the box is this much wider and taller than the view at its far end
VISIBLE_SHARE = 0.2  # about this share of the box's particles are in view at a time
# A flake nearer than the focus is out of focus: its light spreads over a bigger, fainter disc.
SHARP_OF_HEIGHT = 0.006  # a flake this share of the frame's height across (radius) or less is sharp
FAINTEST = 0.15  # a flake so near that its disc is fainter than this is not seen (a blur past the lens)
STEAM_PUFFS = 14
STEAM_RGB = (236, 236, 232)
STEAM_ALPHA = 0.45


@dataclass(frozen=True)
class View:
    """The camera for one frame, as the compositor holds it."""

    cx: float
    cy: float
    cz: float
    psi: float
    pitch: float
    f: float
    width: int
    height: int

    def project(self, xyz: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Image x, y (pixels) and distance of world points (n, 3)."""
        d = np.maximum(xyz[:, 2] - self.cz, 1e-6)
        x = self.width / 2 + self.f * ((xyz[:, 0] - self.cx) / d - self.psi)
        y = self.height / 2 - self.f * ((xyz[:, 1] - self.cy) / d - self.pitch)
        return x, y, d


@dataclass
class Weather:
    """One kind of weather: particles in view-relative box coordinates at t = 0, and their velocities."""

    kind: str
    start: np.ndarray  # (n, 3): sideways, up and forward from the camera (metres, box coordinates)
    velocity: np.ndarray  # (n, 3) m/s in the world
    sway: np.ndarray  # (n, 2): amplitude m, frequency Hz of a flake's sideways sway
    low: np.ndarray  # box corner (3,)
    high: np.ndarray
    size: float
    # The scene's light on each channel (0..1): a drop or a flake shows the light it catches, like every surface.
    # Drawn at full grey over a night frame, rain streaks changed every pixel each frame (read as flicker, 0.983).
    # Specks keep their own warm glow (sparks, embers, fireflies, motes in a sunbeam): `make_weather` leaves them at 1.
    light: tuple[float, float, float] = (1.0, 1.0, 1.0)

    def where(self, t: float, view: View) -> np.ndarray:
        """World positions at `t` seen from `view`: moved by their velocity, wrapped into the camera's box."""
        moved = self.start + self.velocity * t
        moved[:, 0] += self.sway[:, 0] * np.sin(2 * math.pi * self.sway[:, 1] * t)
        # The box faces where the camera looks: wrap the offsets from the camera, measured across its view.
        forward = self.low[2] + (moved[:, 2] - self.low[2] - view.cz) % (self.high[2] - self.low[2])
        across = moved[:, 0] - view.cx - view.psi * forward
        up = moved[:, 1] - view.cy - view.pitch * forward
        span = self.high - self.low
        across = self.low[0] + (across - self.low[0]) % span[0]
        up = self.low[1] + (up - self.low[1]) % span[1]
        return np.stack(
            [view.cx + across + view.psi * forward, view.cy + up + view.pitch * forward, view.cz + forward], 1
        )

    def draw(self, canvas: np.ndarray, t: float, view: View) -> None:
        """Draw the particles in view onto the RGBA canvas."""
        xyz = self.where(t, view)
        x, y, d = view.project(xyz)
        inside = (d > self.low[2] * 0.9) & (x > -50) & (x < view.width + 50) & (y > -50) & (y < view.height + 50)
        if self.kind == "rain":
            rain_rgb = (WEATHER["rain"][4], WEATHER["rain"][4], WEATHER["rain"][4] + 8)
            grey = [round(c * gain) for c, gain in zip(rain_rgb, self.light, strict=True)]
            back = xyz - self.velocity * RAIN_STREAK_S
            bx, by, _ = view.project(back)
            longest = MAX_STREAK_OF_HEIGHT * view.height
            length = np.hypot(x - bx, y - by)
            shrink = np.minimum(1.0, longest / np.maximum(length, 1e-6))
            bx, by = x + (bx - x) * shrink, y + (by - y) * shrink
            streaks = np.zeros_like(canvas)  # added to the canvas: its alpha channel stays 0
            for n in np.flatnonzero(inside):
                end = (int(bx[n]), int(by[n]))
                cv2.line(streaks, (int(x[n]), int(y[n])), end, (*grey, 0), 1, cv2.LINE_AA)
            cv2.add(canvas, streaks, dst=canvas)
            return
        self._draw_flakes(canvas, x, y, view.f * self.size / d, inside, view.height)

    def _draw_flakes(
        self, canvas: np.ndarray, x: np.ndarray, y: np.ndarray, radius: np.ndarray, inside: np.ndarray, height: int
    ) -> None:
        """Blend flakes (or specks) into the canvas: sharp ones opaque, near ones as faint defocused discs.

        Opaque discs as big as the distance made them covered a close-up in white blobs that jumped a
        flake's width each frame: every frame deviated from its neighbours (the critic's flicker).
        """
        sharp = max(1.0, SHARP_OF_HEIGHT * height)
        drawn = np.maximum(radius, 1.0)
        opacity = np.minimum((sharp / drawn) ** 2, 1.0)
        seen = np.flatnonzero(inside & (opacity >= FAINTEST))
        alpha = np.zeros(canvas.shape[:2], np.uint8)
        for n in seen[np.argsort(-drawn[seen])]:  # far (small) flakes over near ones
            cv2.circle(alpha, (int(x[n]), int(y[n])), round(drawn[n]), int(255 * opacity[n]), -1, cv2.LINE_AA)
        colour = np.asarray(PARTICLE_RGB if self.kind == "particles" else (WEATHER[self.kind][4],) * 3, np.float32)
        colour *= np.asarray(self.light, np.float32)
        weight = alpha.astype(np.float32)[..., None] / 255
        rgb = canvas[..., :3]
        rgb[...] = (rgb + (colour - rgb) * weight).astype(np.uint8)


def make_weather(
    kinds: set[str] | frozenset[str],
    subject_depth: float,
    focal: float,
    width: int,
    height: int,
    rng: np.random.Generator,
    light: tuple[float, float, float] = (1.0, 1.0, 1.0),
) -> list[Weather]:
    """The look's rain, snow and particles, filling a box around the camera sized for this shot; rain and snow lit
    by `light` (the scene's gain per channel, 0..1), the specks glowing on their own."""
    near = max(NEAREST_M, NEAR_OF_ZS * subject_depth)
    far = max(near * 2, min(FARTHEST_M, FAR_OF_ZS * subject_depth))
    half_w = BOX_MARGIN * width / 2 / focal * far
    half_h = BOX_MARGIN * height / 2 / focal * far
    low, high = np.array([-half_w, -half_h, near]), np.array([half_w, half_h, far])
    out: list[Weather] = []
    for kind in ("rain", "snow", "particles"):
        if kind not in kinds:
            continue
        in_view, fall, drift, size, _ = WEATHER[kind]
        count = int(in_view / VISIBLE_SHARE)
        start = rng.uniform(low, high, (count, 3))
        velocity = np.zeros((count, 3))
        velocity[:, 0] = rng.uniform(-drift, drift) + rng.normal(0, drift / 3, count)
        velocity[:, 1] = -fall * rng.uniform(0.8, 1.2, count)
        sway = np.zeros((count, 2))
        if kind != "rain":
            sway[:, 0] = rng.uniform(0.02, 0.12, count)
            sway[:, 1] = rng.uniform(*SNOW_SWAY_HZ, count)
        out.append(
            Weather(kind, start, velocity, sway, low, high, size, light if kind != "particles" else (1.0, 1.0, 1.0))
        )
    return out


def _soft_disc(canvas: np.ndarray, x: float, y: float, radius: float, alpha: float) -> None:
    """Blend a soft round puff of STEAM_RGB into the RGBA canvas."""
    r = max(2, int(radius))
    x0, y0 = int(x) - r, int(y) - r
    h, w = canvas.shape[:2]
    a0, b0, a1, b1 = max(0, x0), max(0, y0), min(w, x0 + 2 * r + 1), min(h, y0 + 2 * r + 1)
    if a1 <= a0 or b1 <= b0:
        return
    ramp = cv2.getGaussianKernel(2 * r + 1, r / 2.2).astype(np.float32)
    kernel = ramp @ ramp.T
    kernel *= alpha / kernel.max()
    weight = kernel[b0 - y0 : b1 - y0, a0 - x0 : a1 - x0, None]
    region = canvas[b0:b1, a0:a1, :3]
    blended = region * (1 - weight) + np.asarray(STEAM_RGB, np.float32) * weight
    region[...] = blended.astype(np.uint8)


@dataclass(frozen=True)
class Steam:
    """Puffs rising from a point over the subject, each born in turn, growing and fading as it rises."""

    height: float  # the subject's height, metres: puffs scale with it
    rise: float  # m/s
    life: float  # s

    def draw(self, canvas: np.ndarray, t: float, view: View, source: tuple[float, float, float]) -> None:
        """Draw the puffs alive at `t` over `source` (x, y, z in metres) onto the RGBA canvas."""
        sx, sy, sz = source
        for n in range(STEAM_PUFFS):
            age = (t + n * self.life / STEAM_PUFFS) % self.life
            grow = age / self.life
            wander = 0.08 * self.height * math.sin(2.1 * age + n)
            xyz = np.array([[sx + wander, sy + self.rise * age, sz - 0.01]])
            x, y, d = view.project(xyz)
            radius = view.f * self.height * (0.05 + 0.12 * grow) / d[0]
            _soft_disc(canvas, float(x[0]), float(y[0]), float(radius), STEAM_ALPHA * (1 - grow) * min(1.0, 4 * grow))

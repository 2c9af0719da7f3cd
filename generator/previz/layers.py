"""Layer textures: the plane a layer is drawn on, its shading, the sky dome and the far ridges, as RGBA images."""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from generator.previz.noise import fbm, periodic_noise, ridge
from generator.previz.palette import RGB, SkyPalette

NEAR_PLANE = 0.05  # planes nearer than this fraction of the subject's distance are not drawn (passed)
PAD = 2  # transparent rows above and below every wrapping layer (bilinear taps wrap vertically)


@dataclass
class Layer:
    """A textured plane facing the camera (or the sky at infinity), placed in world units."""

    name: str
    texture: np.ndarray  # (h, w, 4) uint8 RGBA
    depth: float | None  # world Z in metres; None = at infinity (only rotation and zoom move it)
    texel: float  # metres per texel (radians per texel for the sky)
    left: float  # world X of column 0 (azimuth for the sky)
    top: float  # world Y of row 0 (elevation for the sky)
    wrap: bool = True
    opaque: bool = False
    follows_subject: bool = False
    period: int = 0  # texels after which a wrapping texture repeats (its width before tiling)

    def tile_for(self, min_scale: float, frame_width: int) -> None:
        """Repeat a wrapping texture sideways so any view at scale >= min_scale samples inside it.

        OpenCV's BORDER_WRAP takes a slow per-pixel path; tiled textures let every warp stay inside.
        """
        self.period = self.period or self.texture.shape[1]
        extra = min(math.ceil(frame_width / max(min_scale, 1e-6)) + 3, 8 * self.period)
        need = self.period + extra
        if self.texture.shape[1] < need:
            reps = math.ceil(need / self.period)
            self.texture = np.ascontiguousarray(np.tile(self.texture[:, : self.period], (1, reps, 1))[:, :need])


@dataclass(frozen=True)
class Shading:
    """How a surface at some depth is lit and hazed."""

    sky: SkyPalette
    haze_distance: float  # metres at which haze reaches 63 %
    haze_colour: RGB

    def apply(self, rgb: np.ndarray, depth: float) -> np.ndarray:
        """Light, tint and aerial perspective on uint8 RGB, as one affine colour transform (returns a new array)."""
        gain = np.asarray(self.sky.tint, np.float32) / 255.0 * self.sky.light
        mix = 1.0 - math.exp(-depth / self.haze_distance)
        matrix = np.zeros((3, 4), np.float32)
        matrix[:, :3] = np.diag(gain * (1.0 - mix))
        matrix[:, 3] = mix * np.asarray(self.haze_colour, np.float32)
        if rgb.dtype != np.uint8:
            rgb = np.clip(rgb, 0, 255).astype(np.uint8)
        return cv2.transform(rgb, matrix)


def pack_rgba(rgb: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """Pack RGB (float or uint8) and a 0/255 alpha into uint8 RGBA.

    Transparent texels take the layer's mean colour, so the bilinear taps at silhouettes blend
    towards a plausible colour instead of black.
    """
    rgb8 = rgb if rgb.dtype == np.uint8 else np.clip(rgb, 0, 255).astype(np.uint8)
    if alpha.min() == 0 and alpha.max() > 0:
        filled = np.empty_like(rgb8)
        filled[:] = [int(c) for c in cv2.mean(rgb8, mask=alpha)[:3]]
        cv2.copyTo(rgb8, alpha, filled)
        rgb8 = filled
    return cv2.merge([*cv2.split(rgb8), alpha])


def trim_rows(layer: Layer) -> Layer:
    """Drop fully transparent rows above the content (keeping PAD of them), moving `top` down to match."""
    alpha = layer.texture[..., 3]
    filled = np.flatnonzero(alpha.max(axis=1))
    if filled.size == 0:
        return layer
    first = max(0, int(filled[0]) - PAD)
    if first:
        layer.texture = np.ascontiguousarray(layer.texture[first:])
        layer.top -= first * layer.texel
    return layer


def sky_layer(
    rng: np.random.Generator, palette: SkyPalette, focal: float, width_tx: int, ground_rgb: RGB, clouds: float
) -> tuple[Layer, tuple[float, float] | None]:
    """The sky dome from elevation +1.45 to -0.4 rad, periodic in azimuth; returns it and the sun's (az, el)."""
    top, bottom = 1.45, -0.4
    rows = int((top - bottom) * focal)
    small_w, small_h = max(8, width_tx // 2), max(8, rows // 2)
    elevation = top - (np.arange(small_h, dtype=np.float32) + 0.5) / small_h * (top - bottom)
    up = np.clip(elevation / 0.9, 0, 1) ** 0.6
    zen = np.asarray(palette.zenith, np.float32)
    hor = np.asarray(palette.horizon, np.float32)
    column = hor[None, :] * (1 - up[:, None]) + zen[None, :] * up[:, None]
    rgb = np.repeat(column[:, None, :], small_w, axis=1)
    if clouds > 0:
        noise = fbm(rng, small_h, small_w, 6, octaves=5)
        cover = np.clip((noise - (0.6 - 0.25 * clouds)) * 6.0, 0, 1) * (elevation[:, None] > 0.02)
        cloud_rgb = np.asarray(palette.horizon, np.float32) * 0.6 + 255 * 0.4 * palette.light
        rgb = rgb * (1 - cover[..., None] * 0.8) + cloud_rgb * cover[..., None] * 0.8
    rgb += (periodic_noise(rng, small_h, small_w, small_w // 6, small_h // 6)[..., None] - 0.5) * 10
    # Upscale in uint8: a quarter of the memory traffic of float32 (the sky is smooth at this scale).
    rgb = cv2.resize(np.clip(rgb, 0, 255).astype(np.uint8), (width_tx, rows), interpolation=cv2.INTER_LINEAR)
    horizon_row = int(top * focal)
    if palette.stars:
        n = width_tx * horizon_row // 900
        xs, ys = rng.integers(0, width_tx, n), rng.integers(0, horizon_row, n)
        rgb[ys, xs] = rng.uniform(150, 255, (n, 1)).astype(np.uint8)
    sun = None
    if palette.sun_elevation > -0.05:
        az, el = 0.22, palette.sun_elevation
        cx, cy = int(az * focal) % width_tx, int((top - el) * focal)
        radius = max(3, int((0.014 if palette.moon else 0.018) * focal))
        glow = max(radius * 6, 8)
        y0, y1 = max(0, cy - glow), min(rows, cy + glow)
        x0, x1 = max(0, cx - glow), min(width_tx, cx + glow)
        yy, xx = np.mgrid[y0:y1, x0:x1]
        dist = np.hypot(yy - cy, xx - cx).astype(np.float32)
        halo = np.clip(1 - dist / glow, 0, 1) ** 2 * (0.35 if palette.moon else 0.7)
        disc_rgb = np.asarray(palette.sun, np.float32)
        patch = rgb[y0:y1, x0:x1].astype(np.float32)
        patch += (disc_rgb - patch) * halo[..., None]
        patch[dist <= radius] = disc_rgb
        rgb[y0:y1, x0:x1] = np.clip(patch, 0, 255).astype(np.uint8)
        sun = (az, el)
    # Below the horizon: distant ground, in case a gap between bands shows through.
    far_ground = np.asarray(ground_rgb, np.float32) * 0.6 + np.asarray(palette.horizon, np.float32) * 0.4
    rgb[horizon_row:] = np.clip(far_ground * palette.light, 0, 255).astype(np.uint8)
    rgba = cv2.cvtColor(rgb, cv2.COLOR_RGB2RGBA)  # opaque
    layer = Layer("sky", rgba, None, 1.0 / focal, 0.0, top, wrap=True, opaque=True)
    return layer, sun


def ridge_layer(
    rng: np.random.Generator,
    name: str,
    depth: float,
    texel: float,
    width_tx: int,
    peak_m: float,
    below_m: float,
    rock: RGB,
    shading: Shading,
    snow_caps: bool,
    skyline: bool,
    lit_windows: bool,
) -> Layer:
    """A far silhouette at `depth`: mountains (or a city skyline), `peak_m` tall, reaching `below_m` under Y=0."""
    top_rows = max(4, int(peak_m / texel))
    rows = PAD + top_rows + max(2, int(below_m / texel)) + PAD
    base = PAD + top_rows
    if skyline:
        heights = np.zeros(width_tx)
        x = 0
        while x < width_tx:
            w = int(rng.uniform(0.03, 0.09) * width_tx)
            heights[x : x + w] = rng.uniform(0.25, 1.0) * top_rows
            x += w + int(rng.uniform(0, 0.01) * width_tx)
    else:
        heights = ridge(rng, width_tx, 0.55 * top_rows, 0.45 * top_rows)
    row_idx = np.arange(rows)[:, None]
    alpha = ((row_idx >= base - heights[None, :]) & (row_idx < rows - PAD)).astype(np.uint8) * 255
    noise = cv2.resize(
        fbm(rng, max(2, rows // 2), max(2, width_tx // 2), max(4, width_tx // 128), octaves=5),
        (width_tx, rows),
        interpolation=cv2.INTER_LINEAR,
    )
    rgb = np.asarray(rock, np.float32)[None, None, :] * (0.7 + 0.6 * noise[..., None])
    if snow_caps:
        cap = (row_idx < base - 0.72 * top_rows + noise * top_rows * 0.2) & (alpha > 0)
        rgb[cap] = np.float32(235)
    if skyline:
        win = (row_idx % 6 < 3) & ((np.arange(width_tx)[None, :] % 7) < 3) & (row_idx < base)
        lit = win & (noise > (0.45 if lit_windows else 0.8))
        rgb[lit] = np.asarray((255, 210, 120) if lit_windows else (190, 200, 215), np.float32)
    rgb = shading.apply(rgb, depth)
    return trim_rows(Layer(name, pack_rgba(rgb, alpha), depth, texel, 0.0, peak_m + PAD * texel, wrap=True))

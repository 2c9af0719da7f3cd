"""Layer textures: the sky dome, far ridges and ground bands with the setting's objects, as RGBA images."""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from generator.previz.noise import fbm, periodic_noise, ridge
from generator.previz.palette import RGB, SkyPalette

TRUNK = (90, 60, 40)
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


def _draw_wrapped(draw, x: float, width_tx: int) -> None:
    """Draw an object at x and at its wrapped copies so the texture stays periodic."""
    for shift in (-width_tx, 0, width_tx):
        draw(x + shift)


def _tree(canvas: np.ndarray, mask: np.ndarray, x: float, base: int, h: float, rgb, trunk, conifer, birch, snow):
    w = h * (0.35 if conifer else 0.5)
    trunk_w = max(1, int(h * (0.05 if not birch else 0.06)))
    xi = int(x)
    trunk_top = base - int(h * (0.35 if conifer else 0.55))
    trunk_rgb = (235, 235, 225) if birch else trunk
    for target, colour in ((canvas, trunk_rgb), (mask, 255)):
        cv2.rectangle(target, (xi - trunk_w, trunk_top), (xi + trunk_w, base), colour, -1)
    if birch:
        for k in range(3, int(h * 0.55), max(3, int(h * 0.08))):
            cv2.line(canvas, (xi - trunk_w, base - k), (xi, base - k), (30, 30, 30), 1)
    if conifer:
        for tier in range(3):
            t_base = base - int(h * (0.2 + 0.22 * tier))
            t_w = w * (1 - 0.25 * tier)
            apex = t_base - int(h * 0.45)
            pts = np.array([[xi - t_w / 2, t_base], [xi + t_w / 2, t_base], [xi, apex]], np.int32)
            shade = tuple(int(c * (0.85 + 0.1 * tier)) for c in rgb)
            cv2.fillConvexPoly(canvas, pts, shade)
            cv2.fillConvexPoly(mask, pts, 255)
            if snow:
                third = apex + (t_base - apex) // 3
                cap = np.array([[xi - t_w / 6, third], [xi + t_w / 6, third], [xi, apex]], np.int32)
                cv2.fillConvexPoly(canvas, cap, (240, 242, 248))
    else:
        for k in range(4):
            r = int(w * (0.28 + 0.08 * (k % 2)))
            cxk = xi + int((k - 1.5) * w * 0.18)
            cyk = base - int(h * (0.62 + 0.1 * (k % 3)))
            shade = tuple(int(c * (0.8 + 0.08 * k)) for c in rgb)
            cv2.circle(canvas, (cxk, cyk), max(1, r), shade, -1)
            cv2.circle(mask, (cxk, cyk), max(1, r), 255, -1)


def _building(canvas, mask, x: float, base: int, h: float, w: float, rgb, lit: bool, rng):
    x0, x1, top = int(x - w / 2), int(x + w / 2), base - int(h)
    cv2.rectangle(canvas, (x0, top), (x1, base), rgb, -1)
    cv2.rectangle(mask, (x0, top), (x1, base), 255, -1)
    cv2.rectangle(canvas, (x0, top), (x1, base), tuple(int(c * 0.6) for c in rgb), max(1, int(w * 0.03)))
    step = max(4, int(w / 6))
    for wy in range(top + step // 2, base - step, step):
        for wx in range(x0 + step // 2, x1 - step // 2, step):
            on = lit and rng.random() < 0.55
            colour = (255, 215, 130) if on else tuple(int(c * 0.45) for c in rgb)
            cv2.rectangle(canvas, (wx, wy), (wx + step // 2, wy + step // 2), colour, -1)


def band_layer(
    rng: np.random.Generator,
    name: str,
    depth: float,
    texel: float,
    width_tx: int,
    kind: str,
    ground: RGB,
    object_rgb: RGB,
    shading: Shading,
    below_m: float,
    tall_objects: bool,
    max_object_m: float,
    clear_x_m: float,
    night: bool,
    birch: bool,
    moonlit: bool = False,
) -> Layer:
    """A strip of ground at `depth` (from Y=0 down to -below_m) carrying the setting's objects above it.

    `moonlit` (night) adds cool moonlit glints and a few warm practical lights on the ground after the
    dark grade, the way a night exterior is lit: the picture stays dark but the ground has points a
    moving camera can be seen to move past.
    """
    max_obj_m = {"forest": 14.0, "snow": 12.0, "city": 45.0, "desert": 3.0, "sea": 1.5, "field": 6.0}[kind]
    if not tall_objects:
        max_obj_m = min(max_obj_m, 0.6)
    max_obj_m = min(max_obj_m, max_object_m)
    obj_rows = min(int(max_obj_m / texel) + 2, 4000)
    ground_rows = max(2, int(below_m / texel))
    rows = PAD + obj_rows + ground_rows + PAD
    base = PAD + obj_rows
    small = (max(2, ground_rows // 2), max(2, width_tx // 2))
    noise = periodic_noise(rng, *small, max(2, width_tx // 48), max(1, ground_rows // 48))
    noise += 0.7 * periodic_noise(rng, *small, max(2, width_tx // 8), max(1, ground_rows // 8))
    noise = cv2.resize(noise, (width_tx, ground_rows), interpolation=cv2.INTER_LINEAR)
    canvas = np.zeros((rows, width_tx, 3), np.uint8)
    mask = np.zeros((rows, width_tx), np.uint8)
    g = np.asarray(ground, np.float32)
    canvas[base : base + ground_rows] = np.clip(g * (0.7 + 0.35 * noise)[..., None], 0, 255)
    mask[base : base + ground_rows] = 255
    # Streaks and tufts give the optical flow something to hold on to.
    for _ in range(max(4, width_tx // 30)):
        x = int(rng.integers(0, width_tx))
        y = base + int(rng.integers(0, max(1, ground_rows)))
        length = int(rng.uniform(4, 24))
        shade = tuple(int(c) for c in np.clip(g * rng.uniform(0.55, 1.3), 0, 255))
        if kind in {"field", "forest"}:
            cv2.line(canvas, (x, y), (x + int(rng.uniform(-2, 2)), y - length // 2), shade, 1)
        else:
            cv2.line(canvas, (x, y), (x + length, y), shade, 1)
    count = int(width_tx * texel / max(0.5, max_obj_m * (0.9 if kind != "city" else 0.6)))
    for _ in range(count):
        x = float(rng.uniform(0, width_tx))
        world_x = x * texel
        period = width_tx * texel
        distance = min(abs(world_x), abs(world_x - period))
        if distance < clear_x_m:
            continue
        h_m = rng.uniform(0.45, 1.0) * max_obj_m
        h = h_m / texel
        colour = tuple(int(c * rng.uniform(0.8, 1.15)) for c in object_rgb)
        if kind in {"forest", "snow"} and tall_objects:
            conifer = kind == "snow" or rng.random() < 0.5
            _draw_wrapped(
                lambda xx, h=h, conifer=conifer, colour=colour: _tree(
                    canvas, mask, xx, base, h, colour, TRUNK, conifer, birch, kind == "snow"
                ),
                x,
                width_tx,
            )
        elif kind == "city" and tall_objects:
            w = rng.uniform(0.25, 0.6) * h
            _draw_wrapped(
                lambda xx, h=h, w=w, colour=colour: _building(canvas, mask, xx, base, h, w, colour, night, rng),
                x,
                width_tx,
            )
        else:  # rocks, bushes, tufts
            rx, ry = max(1, int(h * rng.uniform(0.5, 1.2))), max(1, int(h * 0.5))

            def blob(xx, rx=rx, ry=ry, colour=colour):
                cv2.ellipse(canvas, (int(xx), base), (rx, ry), 0, 180, 360, colour, -1)
                cv2.ellipse(mask, (int(xx), base), (rx, ry), 0, 180, 360, 255, -1)
                cv2.ellipse(
                    canvas,
                    (int(xx), base),
                    (rx, ry),
                    0,
                    200,
                    250,
                    tuple(min(255, c + 40) for c in colour),
                    max(1, rx // 6),
                )

            _draw_wrapped(blob, x, width_tx)
    rgb = shading.apply(canvas, depth)
    if moonlit:
        _moonlight(rgb, rng, base, ground_rows, shading)
    return trim_rows(Layer(name, pack_rgba(rgb, mask), depth, texel, 0.0, (obj_rows + PAD) * texel, wrap=True))


MOON_GLINTS_PER_TEXEL = 1 / 160  # moonlit glints per ground texel at night
PRACTICALS_PER_TEXEL = 1 / 40000  # warm practical lights (lanterns, windows) per ground texel


def _moonlight(rgb: np.ndarray, rng: np.random.Generator, base: int, rows: int, shading: Shading) -> None:
    """Cool glints (dew, wet stones, grass tips) and a few warm lights on the ground rows, in place."""
    width = rgb.shape[1]
    area = width * rows
    n = max(8, int(area * MOON_GLINTS_PER_TEXEL))
    xs = rng.integers(0, width, n)
    ys = base + rng.integers(0, rows, n)
    glint = np.asarray(shading.sky.tint, np.float32) / 255.0 * rng.uniform(95, 175, (n, 1))
    for dx, dy, gain in ((0, 0, 1.0), (1, 0, 0.8), (2, 0, 0.5), (0, 1, 0.6), (1, 1, 0.45)):  # a small glint, 3x2
        rgb[np.minimum(ys + dy, len(rgb) - 1), (xs + dx) % width] = (glint * gain).astype(np.uint8)
    for _ in range(max(1, int(area * PRACTICALS_PER_TEXEL))):
        x, y = int(rng.integers(0, width)), base + int(rng.integers(0, rows))
        radius = max(1, rows // 120)
        cv2.circle(rgb, (x, y), radius * 3, (70, 52, 28), -1, cv2.LINE_AA)
        cv2.circle(rgb, (x, y), radius, (255, 205, 130), -1, cv2.LINE_AA)

"""Ground bands: strips of textured ground at one depth, carrying the setting's trees, buildings or rocks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from generator.previz.layers import PAD, Layer, Shading, pack_rgba, trim_rows
from generator.previz.noise import periodic_noise
from generator.previz.palette import RGB

TRUNK: RGB = (90, 60, 40)
# Setting kind -> the tallest object standing on its ground, metres (trees, buildings, dunes, rocks, bushes).
TALLEST_OBJECT_M: dict[str, float] = {
    "forest": 14.0,
    "snow": 12.0,
    "city": 45.0,
    "desert": 3.0,
    "sea": 1.5,
    "field": 6.0,
}
SHORT_OBJECT_M = 0.6  # bands in front of the subject carry only tufts and stones, not trees that would hide it
MAX_OBJECT_ROWS = 4000  # texels; a taller object is drawn coarser
# Noise on the ground: a coarse and a fine octave, across and down the band (periods in texels: width // N).
COARSE_NOISE_PERIODS, FINE_NOISE_PERIODS, FINE_NOISE_WEIGHT = 48, 8, 0.7
GROUND_SHADE_RANGE = (0.7, 0.35)  # ground colour x (0.7 + 0.35 x noise)
STREAK_EVERY_TX = 30  # a streak or tuft per this many texels across: the optical flow holds on to them
STREAK_LENGTH_TX = (4, 24)
STREAK_SHADE = (0.55, 1.3)  # of the ground colour
# Objects are spaced about their own height apart (buildings a little closer: a street), never closer than this.
OBJECT_SPACING_OF_HEIGHT = {"city": 0.6, "other": 0.9}
MIN_OBJECT_SPACING_M = 0.5
OBJECT_HEIGHT_RANGE = (0.45, 1.0)  # of the tallest
OBJECT_SHADE_RANGE = (0.8, 1.15)  # of the setting's object colour
CONIFER_SHARE = 0.5  # in a forest (a snowy one has only conifers)
BUILDING_WIDTH_OF_HEIGHT = (0.25, 0.6)
ROCK_WIDTH_OF_HEIGHT = (0.5, 1.2)  # a rock, bush or dune is a half ellipse this wide and half as high
LIT_WINDOW_SHARE = 0.55  # of a building's windows, at night
MOON_GLINTS_PER_TEXEL = 1 / 160  # moonlit glints per ground texel at night
PRACTICALS_PER_TEXEL = 1 / 40000  # warm practical lights (lanterns, windows) per ground texel


@dataclass(frozen=True)
class GroundLook:
    """What a setting's ground looks like: its kind (forest, snow, city, desert, sea, field) and colours."""

    kind: str
    ground: RGB
    objects: RGB
    night: bool  # lit windows
    birch: bool  # white birch trunks
    moonlit: bool = False  # moonlit glints and warm practical lights after the dark grade


def _draw_wrapped(draw: Callable[[float], None], x: float, width_tx: int) -> None:
    """Draw an object at x and at its wrapped copies so the texture stays periodic."""
    for shift in (-width_tx, 0, width_tx):
        draw(x + shift)


def _tree(
    canvas: np.ndarray,
    mask: np.ndarray,
    x: float,
    base: int,
    h: float,
    rgb: RGB,
    trunk: RGB,
    conifer: bool,
    birch: bool,
    snow: bool,
) -> None:
    """A conifer (three tiers, snow-capped in snow) or a broadleaf (four leafy circles) `h` texels tall."""
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


def _building(
    canvas: np.ndarray,
    mask: np.ndarray,
    x: float,
    base: int,
    h: float,
    w: float,
    rgb: RGB,
    lit: bool,
    rng: np.random.Generator,
) -> None:
    """A building with a grid of windows, some of them lit at night."""
    x0, x1, top = int(x - w / 2), int(x + w / 2), base - int(h)
    cv2.rectangle(canvas, (x0, top), (x1, base), rgb, -1)
    cv2.rectangle(mask, (x0, top), (x1, base), 255, -1)
    cv2.rectangle(canvas, (x0, top), (x1, base), tuple(int(c * 0.6) for c in rgb), max(1, int(w * 0.03)))
    step = max(4, int(w / 6))
    for wy in range(top + step // 2, base - step, step):
        for wx in range(x0 + step // 2, x1 - step // 2, step):
            on = lit and rng.random() < LIT_WINDOW_SHARE
            colour = (255, 215, 130) if on else tuple(int(c * 0.45) for c in rgb)
            cv2.rectangle(canvas, (wx, wy), (wx + step // 2, wy + step // 2), colour, -1)


def _rock(canvas: np.ndarray, mask: np.ndarray, x: float, base: int, rx: int, ry: int, colour: RGB) -> None:
    """A rock, bush or dune: a half ellipse on the ground line, lit along its upper left."""
    cv2.ellipse(canvas, (int(x), base), (rx, ry), 0, 180, 360, colour, -1)
    cv2.ellipse(mask, (int(x), base), (rx, ry), 0, 180, 360, 255, -1)
    highlight = tuple(min(255, c + 40) for c in colour)
    cv2.ellipse(canvas, (int(x), base), (rx, ry), 0, 200, 250, highlight, max(1, rx // 6))


def _paint_ground(
    rng: np.random.Generator, canvas: np.ndarray, mask: np.ndarray, base: int, ground_rows: int, look: GroundLook
) -> None:
    """The ground rows below `base`: the ground colour under two octaves of noise, then streaks and tufts."""
    width_tx = canvas.shape[1]
    small = (max(2, ground_rows // 2), max(2, width_tx // 2))
    noise = periodic_noise(
        rng, *small, max(2, width_tx // COARSE_NOISE_PERIODS), max(1, ground_rows // COARSE_NOISE_PERIODS)
    )
    noise += FINE_NOISE_WEIGHT * periodic_noise(
        rng, *small, max(2, width_tx // FINE_NOISE_PERIODS), max(1, ground_rows // FINE_NOISE_PERIODS)
    )
    noise = cv2.resize(noise, (width_tx, ground_rows), interpolation=cv2.INTER_LINEAR)
    g = np.asarray(look.ground, np.float32)
    offset, gain = GROUND_SHADE_RANGE
    canvas[base : base + ground_rows] = np.clip(g * (offset + gain * noise)[..., None], 0, 255)
    mask[base : base + ground_rows] = 255
    for _ in range(max(4, width_tx // STREAK_EVERY_TX)):
        x = int(rng.integers(0, width_tx))
        y = base + int(rng.integers(0, max(1, ground_rows)))
        length = int(rng.uniform(*STREAK_LENGTH_TX))
        shade = tuple(int(c) for c in np.clip(g * rng.uniform(*STREAK_SHADE), 0, 255))
        if look.kind in {"field", "forest"}:  # grass tufts stand up; elsewhere ripples and cracks lie flat
            cv2.line(canvas, (x, y), (x + int(rng.uniform(-2, 2)), y - length // 2), shade, 1)
        else:
            cv2.line(canvas, (x, y), (x + length, y), shade, 1)


def _place_objects(
    rng: np.random.Generator,
    canvas: np.ndarray,
    mask: np.ndarray,
    base: int,
    texel: float,
    tallest_m: float,
    clear_x_m: float,
    tall_objects: bool,
    look: GroundLook,
) -> None:
    """Trees, buildings or rocks standing on the ground line, none within `clear_x_m` of X=0 (the subject)."""
    width_tx = canvas.shape[1]
    kind = look.kind
    spacing = OBJECT_SPACING_OF_HEIGHT["city" if kind == "city" else "other"]
    period = width_tx * texel
    for _ in range(int(period / max(MIN_OBJECT_SPACING_M, tallest_m * spacing))):
        x = float(rng.uniform(0, width_tx))
        world_x = x * texel
        if min(abs(world_x), abs(world_x - period)) < clear_x_m:
            continue
        h = rng.uniform(*OBJECT_HEIGHT_RANGE) * tallest_m / texel
        colour = tuple(int(c * rng.uniform(*OBJECT_SHADE_RANGE)) for c in look.objects)
        if kind in {"forest", "snow"} and tall_objects:
            conifer = kind == "snow" or rng.random() < CONIFER_SHARE
            _draw_wrapped(
                lambda xx, h=h, conifer=conifer, colour=colour: _tree(
                    canvas, mask, xx, base, h, colour, TRUNK, conifer, look.birch, kind == "snow"
                ),
                x,
                width_tx,
            )
        elif kind == "city" and tall_objects:
            w = rng.uniform(*BUILDING_WIDTH_OF_HEIGHT) * h
            _draw_wrapped(
                lambda xx, h=h, w=w, colour=colour: _building(canvas, mask, xx, base, h, w, colour, look.night, rng),
                x,
                width_tx,
            )
        else:
            rx, ry = max(1, int(h * rng.uniform(*ROCK_WIDTH_OF_HEIGHT))), max(1, int(h * 0.5))
            _draw_wrapped(
                lambda xx, rx=rx, ry=ry, colour=colour: _rock(canvas, mask, xx, base, rx, ry, colour), x, width_tx
            )


def band_layer(
    rng: np.random.Generator,
    name: str,
    depth: float,
    texel: float,
    width_tx: int,
    look: GroundLook,
    shading: Shading,
    below_m: float,
    tall_objects: bool,
    max_object_m: float,
    clear_x_m: float,
) -> Layer:
    """A strip of ground at `depth` (from Y=0 down to -below_m) carrying the setting's objects above it.

    Bands behind the subject (`tall_objects`) carry trees and buildings; those in front only tufts and
    stones. A moonlit look adds cool glints and a few warm practical lights on the ground after the dark
    grade, the way a night exterior is lit: the picture stays dark but the ground has points a moving
    camera can be seen to move past.
    """
    tallest_m = TALLEST_OBJECT_M[look.kind]
    if not tall_objects:
        tallest_m = min(tallest_m, SHORT_OBJECT_M)
    tallest_m = min(tallest_m, max_object_m)
    obj_rows = min(int(tallest_m / texel) + 2, MAX_OBJECT_ROWS)
    ground_rows = max(2, int(below_m / texel))
    base = PAD + obj_rows
    canvas = np.zeros((PAD + obj_rows + ground_rows + PAD, width_tx, 3), np.uint8)
    mask = np.zeros(canvas.shape[:2], np.uint8)
    _paint_ground(rng, canvas, mask, base, ground_rows, look)
    _place_objects(rng, canvas, mask, base, texel, tallest_m, clear_x_m, tall_objects, look)
    rgb = shading.apply(canvas, depth)
    if look.moonlit:
        _moonlight(rgb, rng, base, ground_rows, shading)
    return trim_rows(Layer(name, pack_rgba(rgb, mask), depth, texel, 0.0, (obj_rows + PAD) * texel, wrap=True))


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

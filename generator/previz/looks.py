"""Style looks and effects: texture grades done once, cheap per-frame finishing (grain, mono, sepia, vignette).

Weather (rain, snow, particles) is not a finish: it lives in the world (particles.py) and moves with the camera.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from generator.previz.palette import (
    COOL_WORDS,
    FLAT_WORDS,
    GRAIN_WORDS,
    MONO_WORDS,
    NEON_WORDS,
    SEPIA_WORDS,
    VIGNETTE_WORDS,
    WARM_WORDS,
    words_in,
)
from generator.request import LookHints

GRAIN_VARIANTS = 4
CEL_LEVELS = 5  # tones of the cel look
INK = 0.25  # how dark the cel look inks its edges
EFFECT_WORDS: dict[str, tuple[str, ...]] = {
    "rain": ("rain", "storm", "drizzle", "downpour"),
    "snow": ("snow", "blizzard", "snowfall", "flurr"),
    "fog": ("fog", "mist", "haze", "smoke"),
    "flare": ("lens flare", "flare", "sun glare"),
    "particles": ("particle", "spark", "ember", "firefl", "dust", "glitter", "magic"),
    "slow_motion": ("slow motion", "slow-motion", "slowmo", "slow mo"),
    "time_lapse": ("time-lapse", "timelapse", "time lapse", "hyperlapse"),
}


@dataclass(frozen=True)
class Look:
    """What the words of a shot ask of the picture."""

    mono: bool = False
    grain: float = 0.0  # 0..1
    flat: bool = False
    sepia: bool = False
    neon: bool = False
    vignette: bool = False
    warm: bool = False
    cool: bool = False
    effects: frozenset[str] = field(default_factory=frozenset)
    ignored_effects: tuple[str, ...] = ()

    @property
    def time_scale(self) -> float:
        """How fast the subject and particles move: 0.4 in slow motion, 3 in a time-lapse."""
        if "slow_motion" in self.effects:
            return 0.4
        if "time_lapse" in self.effects:
            return 3.0
        return 1.0

    def describe(self) -> list[str]:
        flags = [name for name in ("mono", "flat", "sepia", "neon", "vignette", "warm", "cool") if getattr(self, name)]
        if self.grain:
            flags.append("grain")
        return flags + sorted(self.effects)


def look_from_hints(look: LookHints | None) -> Look:
    """Parse style, lighting, mood and effects into a Look."""
    if look is None:
        return Look()
    style_text = " ".join(t for t in (look.style, look.lighting, look.mood) if t).lower()
    effects: set[str] = set()
    ignored: list[str] = []
    for effect in look.effects:
        low = effect.lower()
        hit = {name for name, words in EFFECT_WORDS.items() if words_in(low, words)}
        effects |= hit
        if not hit:
            ignored.append(effect)
    mono = words_in(style_text, MONO_WORDS)
    flat = words_in(style_text, FLAT_WORDS)
    grain = 0.0 if flat else (0.9 if mono else 0.6 if words_in(style_text, GRAIN_WORDS) else 0.0)
    return Look(
        mono=mono,
        grain=grain,
        flat=flat,
        sepia=words_in(style_text, SEPIA_WORDS) and not mono,
        neon=words_in(style_text, NEON_WORDS),
        vignette=words_in(style_text, VIGNETTE_WORDS) or mono,
        warm=words_in(style_text, WARM_WORDS),
        cool=words_in(style_text, COOL_WORDS),
        effects=frozenset(effects),
        ignored_effects=tuple(ignored),
    )


def grade_texture(texture: np.ndarray, look: Look) -> np.ndarray:
    """Colour work that does not change over time, done once per layer (in place on RGBA)."""
    rgb = texture[..., :3]
    if look.flat:  # cel look: smooth, quantise to a few tones, ink the edges
        smooth = cv2.bilateralFilter(np.ascontiguousarray(rgb), 5, 40, 5) if rgb.shape[0] * rgb.shape[1] < 4e6 else rgb
        rgb[...] = posterise(smooth)
    gain = np.ones(3, np.float32)
    if look.neon:
        gain *= np.array([1.15, 0.8, 1.25], np.float32)
    if look.warm:
        gain *= np.array([1.1, 1.0, 0.85], np.float32)
    if look.cool:
        gain *= np.array([0.88, 0.97, 1.12], np.float32)
    if "rain" in look.effects or "fog" in look.effects:
        gain *= 0.85
    if not np.allclose(gain, 1.0):
        rgb[...] = np.clip(rgb.astype(np.float32) * gain, 0, 255).astype(np.uint8)
    return texture


def posterise(rgb: np.ndarray, levels: int = CEL_LEVELS) -> np.ndarray:
    """Quantise to a few tones spread over the layer's own range, and ink the edges.

    Fixed bands over 0..255 floored every tone under 51 to black, so a night layer (all of it darker than
    that) went black and lost the structure a camera move is read from.
    """
    low, high = (float(v) for v in np.percentile(rgb, (1, 99)))
    span = max(high - low, 1.0)
    step = np.clip((rgb.astype(np.float32) - low) / span, 0, 1) * (levels - 1)
    q = np.clip(low + np.round(step) * (span / (levels - 1)), 0, 255).astype(np.uint8)
    edges = cv2.Canny(cv2.cvtColor(q, cv2.COLOR_RGB2GRAY), 40 * span / 255, 120 * span / 255)
    q[edges > 0] = (q[edges > 0] * INK).astype(np.uint8)
    return q


@dataclass
class Finisher:
    """Per-frame finishing on an RGB frame: mono/sepia, vignette, grain (all precomputed)."""

    look: Look
    width: int
    height: int
    rng: np.random.Generator
    grain_pos: list[np.ndarray] = field(default_factory=list)
    grain_neg: list[np.ndarray] = field(default_factory=list)
    vignette: np.ndarray | None = None

    def __post_init__(self) -> None:
        w, h, look = self.width, self.height, self.look
        if look.grain > 0:
            sigma = 14.0 * look.grain
            for _ in range(GRAIN_VARIANTS):
                noise = self.rng.standard_normal((h, w), dtype=np.float32) * sigma
                noise = cv2.GaussianBlur(noise, (0, 0), 0.6)
                pos = np.clip(noise, 0, 255).astype(np.uint8)
                neg = np.clip(-noise, 0, 255).astype(np.uint8)
                self.grain_pos.append(cv2.merge([pos, pos, pos]))
                self.grain_neg.append(cv2.merge([neg, neg, neg]))
        if look.vignette:
            yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
            r = np.hypot((xx - w / 2) / (w / 2), (yy - h / 2) / (h / 2)) / np.sqrt(2)
            v = (255 * np.clip(1.0 - 0.55 * r**2.2, 0, 1)).astype(np.uint8)
            self.vignette = cv2.merge([v, v, v])

    def apply(self, frame: np.ndarray, index: int, t: float) -> None:
        """Finish one RGB frame in place; `t` is the (time-scaled) time in seconds."""
        if self.look.mono:
            gray = cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY)
            gray = cv2.convertScaleAbs(gray, alpha=1.25, beta=-25)
            cv2.cvtColor(gray, cv2.COLOR_GRAY2RGB, dst=frame)
        elif self.look.sepia:
            gray = cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY)
            tone = cv2.merge([gray, cv2.convertScaleAbs(gray, alpha=0.85), cv2.convertScaleAbs(gray, alpha=0.62)])
            frame[...] = tone
        if self.vignette is not None:
            cv2.multiply(frame, self.vignette, dst=frame, scale=1 / 255)
        if self.grain_pos:
            k = (index * 7 + 3) % len(self.grain_pos)
            cv2.add(frame, self.grain_pos[k], dst=frame)
            cv2.subtract(frame, self.grain_neg[k], dst=frame)


def flare_sprite(size: int) -> np.ndarray:
    """A soft additive lens-flare blob, size x size RGB."""
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32)
    r = np.hypot(xx - size / 2, yy - size / 2) / (size / 2)
    glow = np.clip(1 - r, 0, 1) ** 2
    ring = np.exp(-(((r - 0.6) / 0.05) ** 2)) * 0.35
    value = np.clip(glow + ring, 0, 1)
    return (np.stack([value * 255, value * 225, value * 170], axis=-1)).astype(np.uint8)

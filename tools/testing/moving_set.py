"""Seeded moving-subject footage: one staged clip per (move, seed, number), the same on every machine.

    clip = moving_subject_clip("pan_left", seed=1, number=7)   # .render(), .fps, .crf, .note

Photographs the critic's tests do not use (scikit-image's moon, coins, clock, ...) make the backdrop and the
cut-outs; one to three subjects fill 3-60 % of the frame and move on their own (tools/testing/staging.py);
speeds are the vocabulary's words' rates (+-30 %); sizes, frame rates and lengths vary; some clips carry rain,
snow or dust, a caption strip, a logo or letterbox bars, and are encoded at CRF 18-28.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import numpy as np

from generator.vocabulary import SCALE_RATES, SLIDE_RATES, move_axis
from tools.testing.scenes import Shot
from tools.testing.staging import MOVERS, Mover, staged_clip

HELD_OUT = (
    "moon",
    "coins",
    "clock",
    "cell",
    "retina",
    "immunohistochemistry",
    "brick",
    "grass",
    "gravel",
    "page",
    "hubble_deep_field",
)
SIZES = ((832, 480), (480, 832), (512, 512), (640, 360), (320, 240), (256, 144))
WEATHERS = ("rain", "snow", "dust")
OVERLAYS = ("caption", "logo", "letterbox")
HANDHELD_SHAKE = (0.004, 0.016)  # of the longer side: previz's slow to fast


@dataclass(frozen=True)
class StagedClip:
    """A staged clip, drawn but not yet rendered: its frame rate, the CRF to encode it at, and what it shows."""

    move: str
    fps: int
    crf: int
    note: str
    draw: Callable[[], np.ndarray]

    def render(self) -> np.ndarray:
        """The frames (T, H, W, 3), the same every time."""
        return self.draw()


def load(name: str) -> np.ndarray:
    """One of scikit-image's bundled images (offline) as RGB uint8."""
    from skimage import data

    image = np.asarray(getattr(data, name)())
    if image.dtype == bool:
        image = image.astype(np.uint8) * 255
    if image.ndim == 2:
        image = np.repeat(image[:, :, None], 3, axis=2)
    return np.ascontiguousarray(image[:, :, :3]).astype(np.uint8)


@cache
def held_out_photos() -> dict[str, np.ndarray]:
    return {name: load(name) for name in HELD_OUT}


@cache
def _extras() -> dict[str, np.ndarray]:
    from skimage import data

    return {"horse": ~data.horse(), "logo": data.logo()}


def _movers(move: str, rng: np.random.Generator) -> list[Mover]:
    """The subject (a tracking shot's is followed) and up to two smaller ones."""
    movers = [
        Mover(
            "follow" if move == "tracking" else str(rng.choice(MOVERS)),
            float(rng.uniform(0.1, 0.6)),
            float(rng.uniform(0.05, 0.4)),
        )
    ]
    movers += [
        Mover(str(rng.choice(MOVERS[:4])), float(rng.uniform(0.03, 0.15)), float(rng.uniform(0.05, 0.4)))
        for _ in range(int(rng.integers(0, 3)))
    ]
    return movers


def moving_subject_clip(move: str, seed: int, number: int) -> StagedClip:
    """Clip `number` of the set `seed` for `move` (any move of the vocabulary, static included)."""
    rng = np.random.default_rng([seed, number])
    photos, extras = held_out_photos(), _extras()
    word = str(rng.choice(["slow", "medium", "fast"]))
    rates = SCALE_RATES if move_axis(move) == "z" else SLIDE_RATES
    rate = rates[word] * float(rng.uniform(0.75, 1.3))
    size = SIZES[rng.integers(len(SIZES))]
    fps = int(rng.choice([12, 16, 24, 30]))
    seconds = float(rng.uniform(2.0, 5.0))
    shake = float(rng.uniform(*HANDHELD_SHAKE)) if move == "handheld" else 0.0
    shot = Shot(move, rate, size, fps, seconds, shake=shake, seed=int(rng.integers(1 << 30)))
    names = rng.choice(HELD_OUT, 4, replace=False)
    movers = _movers(move, rng)
    weathers = [str(rng.choice(WEATHERS))] if rng.random() < 0.3 else []
    overlays = [str(rng.choice(OVERLAYS))] if rng.random() < 0.25 else []
    middle, foreground = bool(rng.random() < 0.8), bool(rng.random() < 0.3)
    silhouette = extras["horse"] if rng.random() < 0.3 else None
    state = rng.bit_generator.state  # staging draws the cut-outs: the same ones at every render

    def draw() -> np.ndarray:
        again = np.random.default_rng()
        again.bit_generator.state = state
        return staged_clip(
            shot,
            photos[names[0]],
            [photos[n] for n in names[1:]],
            again,
            movers=movers,
            middle=middle,
            foreground=foreground,
            weathers=weathers,
            overlays=overlays,
            silhouette=silhouette,
            logo=extras["logo"],
        )

    crf = int(rng.choice([18, 23, 28]))
    hows = ",".join(f"{m.how} {m.share:.2f}@{m.speed:.2f}" for m in movers)
    note = (
        f"{word} {rate:.3f} {size} {fps} fps {seconds:.1f} s; movers {hows}; {names[0]} backdrop; "
        f"middle {middle} fg {foreground} {'+'.join(weathers + overlays) or 'clear'} crf {crf}"
    )
    return StagedClip(move, fps, crf, note, draw)

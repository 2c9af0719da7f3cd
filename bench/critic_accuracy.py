"""Held-out accuracy of the critic's camera-move classifier and flicker check on photographs it was not tuned on.

    .venv/bin/python bench/critic_accuracy.py [--clips 120] [--seed 1]

Builds fresh clips from scikit-image photographs the tests do not use (moon, coins, clock, cell, retina,
immunohistochemistry, brick, grass, gravel, page, hubble_deep_field), moved by a virtual camera (static,
pan, tilt, zoom both ways) at random sizes, frame rates, speeds and lengths; some with a big flat sky
or wall, some with sensor noise or heavy compression; about a third strobe. Prints the share of moves
classified right (exactly, and up to a compatible move) and how the flicker check splits strobing clips
from steady ones.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np

from generator.vocabulary import moves_compatible
from tools.critic import critique_clip
from tools.testing.footage import MOVES, camera_clip, strobe, with_sky, write_clip

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


def load(name: str) -> np.ndarray:
    from skimage import data

    image = np.asarray(getattr(data, name)())
    if image.dtype == bool:
        image = image.astype(np.uint8) * 255
    if image.ndim == 2:
        image = np.repeat(image[:, :, None], 3, axis=2)
    return np.ascontiguousarray(image[:, :, :3]).astype(np.uint8)


def with_wall(photo: np.ndarray, fraction: float, rng: np.random.Generator) -> np.ndarray:
    """A flat, evenly lit wall over one side of the photo."""
    out = photo.copy()
    cols = int(photo.shape[1] * fraction)
    shade = rng.integers(60, 220, 3)
    ramp = np.linspace(0.9, 1.0, cols)[None, :, None]
    side = slice(0, cols) if rng.random() < 0.5 else slice(photo.shape[1] - cols, photo.shape[1])
    out[:, side] = np.clip(shade[None, None, :] * ramp, 0, 255).astype(np.uint8)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=120)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    photos = {name: load(name) for name in HELD_OUT}
    exact = compatible = 0
    per_move: Counter[str] = Counter()
    right_move: Counter[str] = Counter()
    flicker = Counter()
    mistakes: list[str] = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        for n in range(args.clips):
            name = str(rng.choice(HELD_OUT))
            move = str(rng.choice(sorted(MOVES)))
            photo = photos[name]
            flat = rng.random()
            if flat < 0.25:
                photo = with_sky(photo, float(rng.uniform(0.4, 0.65)))
            elif flat < 0.4:
                photo = with_wall(photo, float(rng.uniform(0.3, 0.55)), rng)
            size = SIZES[rng.integers(len(SIZES))]
            fps = int(rng.choice([8, 12, 16, 24, 30]))
            frames = round(float(rng.uniform(1.5, 4.0)) * fps)
            axis_speed = float(rng.uniform(0.04, 0.3))
            noise = float(rng.choice([0.0, 0.0, 3.0, 8.0]))
            crf = int(rng.choice([18, 23, 30, 36]))
            clip = camera_clip(photo, move, size=size, frames=frames, fps=fps, speed=axis_speed, noise=noise, rng=rng)
            strobes = rng.random() < 0.33
            if strobes:
                clip = strobe(clip, float(rng.uniform(8, 40)))
            path = write_clip(clip, Path(folder) / f"{n}.mp4", fps=fps, crf=crf)
            critique = critique_clip(path)
            detected = critique.camera_motion.detected
            flagged = not next(c for c in critique.checks if c.name == "flicker").passed
            per_move[move] += 1
            exact += detected == move
            right_move[move] += detected == move
            compatible += moves_compatible(move, detected)
            flicker[(strobes, flagged)] += 1
            if detected != move or strobes != flagged:
                mistakes.append(
                    f"  {name} {move} -> {detected}; strobe {strobes} flagged {flagged}; {size} {fps} fps "
                    f"{frames} frames speed {axis_speed:.2f} noise {noise:g} crf {crf} flat {flat:.2f}"
                )
    total = args.clips
    print(f"{total} held-out clips in {time.perf_counter() - started:.0f} s")
    print(f"camera move exact: {exact}/{total} = {exact / total:.1%}; compatible: {compatible / total:.1%}")
    for move in sorted(per_move):
        print(f"  {move:10} {right_move[move]}/{per_move[move]}")
    strobing = flicker[(True, True)] + flicker[(True, False)]
    steady = flicker[(False, False)] + flicker[(False, True)]
    hits, false_alarms = flicker[(True, True)], flicker[(False, True)]
    print(f"flicker flagged on {hits}/{strobing} strobing clips, {false_alarms}/{steady} steady")
    if mistakes:
        print("mistakes:")
        print("\n".join(mistakes))


if __name__ == "__main__":
    main()

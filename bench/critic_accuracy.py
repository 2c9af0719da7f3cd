"""Held-out accuracy of the critic's camera-move reading: still photographs, and staged scenes with moving subjects.

    .venv/bin/python bench/critic_accuracy.py [--set stills|moving|locked|all] [--clips 120] [--seed 1] [--mistakes]
                                              [--cache DIR]

stills: photographs the tests do not use (moon, coins, clock, cell, retina, immunohistochemistry, brick, grass,
gravel, page, hubble_deep_field), moved by a virtual camera (static, pan, tilt, zoom both ways) at random sizes,
frame rates, speeds and lengths; some with a big flat sky or wall, noise or heavy compression; about a third
strobe (the flicker check must flag those and only those). Target: >= 99 % of moves right.

moving: layered scenes staged from the same held-out photographs (tools/testing/moving_set.py, each clip seeded
by its set and number, so a miss printed as "#n" is `moving_subject_clip(move, seed * 10, n)`): a backdrop,
cut-outs at middle distance and in front, and one to three subjects cut out of other photographs that fill
10-60 % of the frame and move on their own (cross, walk, go against the camera, come towards it, follow it),
under every camera move of the vocabulary but static, at the speed words' rates (+-30 %); some with rain, snow
or dust, a caption strip, a logo or letterbox bars. Target: >= 95 % of moves right.
locked: the same scenes under a locked-off camera (`moving_subject_clip("static", seed * 10 + 1, n)`).
Target: >= 98 % read static. The last line prints the three shares against their targets.

--cache DIR keeps the encoded clips there and reuses them on the next run (rendering costs most of the time):
two critics can be compared on the same footage.

"Right" is what the critic's camera_move check accepts (generator/vocabulary.py: the move itself, or one a
scene without depth cannot tell from it); the exact share is printed beside it. Each set prints a confusion
matrix: rows are the moves performed, columns what the critic read.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

from generator.vocabulary import CAMERA_MOVEMENTS, moves_compatible
from tools.critic import critique_clip
from tools.testing.footage import MOVES, camera_clip, strobe, with_sky, write_clip
from tools.testing.moving_set import HELD_OUT, SIZES, held_out_photos, moving_subject_clip

TARGETS = {"stills": 0.99, "moving": 0.95, "locked": 0.98}


def with_wall(photo: np.ndarray, fraction: float, rng: np.random.Generator) -> np.ndarray:
    """A flat, evenly lit wall over one side of the photo."""
    out = photo.copy()
    cols = int(photo.shape[1] * fraction)
    shade = rng.integers(60, 220, 3)
    ramp = np.linspace(0.9, 1.0, cols)[None, :, None]
    side = slice(0, cols) if rng.random() < 0.5 else slice(photo.shape[1] - cols, photo.shape[1])
    out[:, side] = np.clip(shade[None, None, :] * ramp, 0, 255).astype(np.uint8)
    return out


class Tally:
    """What was performed against what was read, with the flicker verdicts and the misses."""

    def __init__(self) -> None:
        self.matrix: dict[str, Counter[str]] = defaultdict(Counter)
        self.flicker: Counter[tuple[bool, bool]] = Counter()
        self.mistakes: list[str] = []

    def add(self, move: str, detected: str, note: str, strobes: bool = False, flagged: bool = False) -> None:
        self.matrix[move][detected] += 1
        self.flicker[(strobes, flagged)] += 1
        if not moves_compatible(move, detected) or strobes != flagged:
            self.mistakes.append(f"  {move} -> {detected}; {note}")

    def report(self, name: str, seconds: float, show_mistakes: bool) -> None:
        total = sum(sum(row.values()) for row in self.matrix.values())
        exact = sum(row[move] for move, row in self.matrix.items())
        right = sum(n for move, row in self.matrix.items() for got, n in row.items() if moves_compatible(move, got))
        print(f"\n== {name}: {total} clips in {seconds:.0f} s")
        target = TARGETS[name]
        print(f"moves right: {right}/{total} = {right / total:.1%} (target >= {target:.0%}); exact {exact / total:.1%}")
        read = sorted({got for row in self.matrix.values() for got in row})
        width = max(len(m) for m in [*self.matrix, *read])
        corner = "performed / read"
        print(f"{corner:{width}} " + " ".join(f"{m[:9]:>9}" for m in read))
        for move in sorted(self.matrix, key=CAMERA_MOVEMENTS.index):
            row = self.matrix[move]
            print(f"{move:{width}} " + " ".join(f"{row[m] or '.':>9}" for m in read))
        strobing = self.flicker[(True, True)] + self.flicker[(True, False)]
        steady = self.flicker[(False, False)] + self.flicker[(False, True)]
        print(
            f"flicker flagged on {self.flicker[(True, True)]}/{strobing} strobing clips, "
            f"{self.flicker[(False, True)]}/{steady} steady"
        )
        if show_mistakes and self.mistakes:
            print("mistakes:\n" + "\n".join(self.mistakes))


def still_clip(
    n: int, rng: np.random.Generator, photos: dict[str, np.ndarray]
) -> tuple[str, np.ndarray, int, int, bool, str]:
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
    note = f"{name} {size} {fps} fps {frames} frames speed {axis_speed:.2f} noise {noise:g} crf {crf} flat {flat:.2f}"
    return move, clip, fps, crf, strobes, note


def run_set(name: str, clips: int, seed: int, folder: Path, show_mistakes: bool) -> float:
    tally = Tally()
    started = time.perf_counter()
    moving = [m for m in CAMERA_MOVEMENTS if m != "static"]
    rng = np.random.default_rng([seed, 0])  # the stills set draws in sequence; staged clips each have a seed
    for n in range(clips):
        strobes = False
        if name == "stills":
            move, clip, fps, crf, strobes, note = still_clip(n, rng, held_out_photos())
            render = clip.copy  # the stills are drawn in sequence: each is made, cached or not
        else:
            move = "static" if name == "locked" else moving[n % len(moving)]
            staged = moving_subject_clip(move, seed * 10 + (name == "locked"), n)
            render, fps, crf, note = staged.render, staged.fps, staged.crf, staged.note
        path = folder / f"{name}-{seed}-{n}.mp4"
        if not path.exists():
            write_clip(render(), path, fps=fps, crf=crf)
        critique = critique_clip(path)
        flagged = not next(c for c in critique.checks if c.name == "flicker").passed
        tally.add(move, critique.camera_motion.detected, f"#{n} {note}", strobes, flagged)
    tally.report(name, time.perf_counter() - started, show_mistakes)
    total = sum(sum(row.values()) for row in tally.matrix.values())
    return sum(n for move, row in tally.matrix.items() for got, n in row.items() if moves_compatible(move, got)) / total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=("stills", "moving", "locked", "all"), default="all")
    parser.add_argument("--clips", type=int, default=0, help="per set (default: stills 120, moving 180, locked 100)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--mistakes", action="store_true", help="list every miss")
    parser.add_argument("--cache", type=Path, help="keep the clips here and reuse them")
    args = parser.parse_args()
    defaults = {"stills": 120, "moving": 180, "locked": 100}
    chosen = list(defaults) if args.set == "all" else [args.set]
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.cache or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        shares = {
            name: run_set(name, args.clips or defaults[name], args.seed, folder, args.mistakes) for name in chosen
        }
    print("\nmust show: " + "; ".join(f"{name} {share:.1%} (>= {TARGETS[name]:.0%})" for name, share in shares.items()))


if __name__ == "__main__":
    main()

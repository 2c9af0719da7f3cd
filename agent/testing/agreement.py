"""The previz-critic agreement grid: moves x speeds x shot sizes x times of day x aspects x effects x subjects.

A case is one cell of the grid: a spec previz renders and the critic then judges against that same spec. Previz
performs the spec exactly, so every case should pass; one that fails is a disagreement, the critic's or
previz's. The whole grid is ~300,000 cells, so the benchmark (`bench/previz_agreement.py`) and the test
(`tests/tools/critic/test_previz_agreement_sweep.py`) run a seeded sample in which every value of every axis
comes up about equally often.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from agent.compile import compile_shot
from agent.expect import expectation_from
from agent.spec import ShotSpec
from generator.families import PREVIZ
from generator.previz import PrevizGenerator
from generator.vocabulary import ASPECT_RATIOS, CAMERA_MOVEMENTS, CAMERA_SPEEDS, SHOT_SIZES, TIMES_OF_DAY
from tools.critic.critic import critique_clip
from tools.critique import Critique
from tools.testing.footage import write_clip

EFFECTS: tuple[str, ...] = ("none", "rain", "snow", "fog", "dust")
# (subject, what it does, where): a still subject, walkers, an animal, a vehicle, a small flyer.
SUBJECTS: dict[str, tuple[str, str | None, str]] = {
    "lighthouse": ("a lighthouse on a cliff", None, "a rocky coast"),
    "walker": ("a woman", "walks", "a city street"),
    "fox": ("a red fox", "trots", "a birch forest"),
    "car": ("a car", "drives", "a desert road"),
    "samurai": ("a samurai", None, "a neon alley"),
    "butterfly": ("a butterfly", "flutters", "a meadow"),
}
AXES: dict[str, tuple[str, ...]] = {
    "move": CAMERA_MOVEMENTS,
    "speed": CAMERA_SPEEDS,
    "size": SHOT_SIZES,
    "time": TIMES_OF_DAY,
    "aspect": ASPECT_RATIOS,
    "effect": EFFECTS,
    "subject": tuple(SUBJECTS),
}


@dataclass(frozen=True)
class Case:
    """One cell of the grid."""

    move: str
    speed: str
    size: str
    time: str
    aspect: str
    effect: str
    subject: str

    @property
    def id(self) -> str:
        return "-".join(
            (self.move, self.speed, self.size, self.time, self.aspect.replace(":", "x"), self.effect, self.subject)
        )

    def spec(self, seconds: float, fps: int) -> ShotSpec:
        """The shot spec this cell asks for."""
        subject, action, setting = SUBJECTS[self.subject]
        return ShotSpec(
            subject=subject,
            action=action,
            setting=setting,
            camera_movement=self.move,
            camera_speed=self.speed,
            shot_size=self.size,
            time_of_day=self.time,
            aspect_ratio=self.aspect,
            effects=[] if self.effect == "none" else [self.effect],
            duration_s=seconds,
            fps=fps,
        )


def sample(count: int, seed: int) -> list[Case]:
    """`count` cells, the same for the same seed: each axis runs through its values in shuffled rounds, so every
    value comes up count / len(values) times (give or take one) and the axes are paired at random."""
    rng = np.random.default_rng(seed)
    columns = {}
    for axis, values in AXES.items():
        rounds = -(-count // len(values))
        columns[axis] = [v for _ in range(rounds) for v in rng.permutation(values)][:count]
        rng.shuffle(columns[axis])
    return [Case(**{axis: str(columns[axis][i]) for axis in AXES}) for i in range(count)]


def frame_size(aspect: str, long_side: int) -> tuple[int, int]:
    """Previz's frame for `aspect`, scaled so its longer side is about `long_side` (even sides)."""
    request = compile_shot(ShotSpec(aspect_ratio=aspect), PREVIZ).request
    scale = long_side / max(request.width, request.height)
    return 2 * round(request.width * scale / 2), 2 * round(request.height * scale / 2)


def judge_case(case: Case, folder: Path, *, long_side: int = 320, seconds: float = 1.5, fps: int = 16) -> Critique:
    """Render the cell with previz, encode it, and critique the take against the cell's own spec."""
    spec = case.spec(seconds, fps)
    width, height = frame_size(case.aspect, long_side)
    request = compile_shot(spec, PREVIZ).request.model_copy(update={"width": width, "height": height})
    frames = PrevizGenerator().render(request).frames
    path = write_clip(frames, folder / f"{case.id}.mp4", fps=fps)
    return critique_clip(path, expectation_from(spec, request))


def failed_checks(critique: Critique) -> dict[str, str]:
    """Check name -> what it measured, for each check that failed."""
    return {c.name: f"{c.value} (wanted {c.expected})" for c in critique.checks if not c.passed}

"""The critic on a long take: the whole take, each segment on its own, and every join through the cut detector."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from tools.critic.checks import score
from tools.critic.critic import critique_clip
from tools.critic.decode import read_clip
from tools.critic.pixels import exposure
from tools.critic.temporal import scene_cuts
from tools.critique import Check, Critique, Expectation
from tools.take import Take

JOIN_REACH = 1  # a cut this many frames from a join is the join's (the encoder smears a jump over a frame)
AROUND = 4  # frame pairs each side of a join whose picture change is the join's baseline

# The critic as the agent calls it on the whole take (with the vision judge, when one is set).
Critic = Callable[[str, Expectation | None], Critique]


def join_checks(path: str | Path, joins: Sequence[int], fps: float) -> list[Check]:
    """One check per join (the shot's frame where a segment starts): does the cut detector see a cut there?

    The value is the picture change across the join over the median change of the frame pairs around it
    (about 1 for an invisible join; a hard cut is many times its neighbours).
    """
    clip = read_clip(path)
    black, blown = exposure(clip.thumbs)
    cuts = scene_cuts(clip.thumbs, set(black) | set(blown))
    change = np.abs(np.diff(clip.thumbs.astype(np.int16), axis=0)).mean(axis=(1, 2))
    checks: list[Check] = []
    for number, frame in enumerate(joins, 1):
        pair = frame - 1  # the change from the last frame of one segment to the first of the next
        around = [p for p in range(pair - AROUND, pair + AROUND + 1) if p != pair and 0 <= p < len(change)]
        baseline = float(np.median(change[around])) if around else 0.0
        jump = float(change[pair]) / max(baseline, 0.5) if 0 <= pair < len(change) else 0.0
        seen = [cut for cut in cuts if abs(cut - frame) <= JOIN_REACH]
        detail = (
            f"the cut detector sees a cut at {seen[0] / fps:.2f} s, where segment {number + 1} begins"
            if seen
            else f"segment {number} runs into segment {number + 1} at {frame / fps:.2f} s without a cut"
        )
        value = round(jump, 2)
        checks.append(Check(name=f"join_{number}", passed=not seen, value=value, expected="no cut", detail=detail))
    return checks


def join_suggestions(joins: Sequence[Check]) -> list[str]:
    """What to do about each join the cut detector calls a cut."""
    return [
        f"{check.name.replace('_', ' ')} is a visible cut: render segment {int(check.name.split('_')[1]) + 1} "
        "again from the last frames of the one before it"
        for check in joins
        if not check.passed
    ]


def segment_check(number: int, verdict: Critique) -> Check:
    """A segment's own critique as one check of the whole take."""
    failed = [check.detail or check.name for check in verdict.failed_checks]
    detail = "passed" if verdict.passed else "; ".join(failed)
    return Check(name=f"segment_{number}", passed=verdict.passed, value=verdict.score, expected="pass", detail=detail)


def critique_long_take(take: Take, expectation: Expectation | None, critic: Critic = critique_clip) -> Critique:
    """Watch a take made of segments: `critic` on the whole, each segment alone, each join; one Critique.

    Segments are judged by the measuring critic only (the vision judge, if any, sees the whole take once).
    Synchronous and CPU-bound: call it on a worker thread.
    """
    whole = critic(take.path, expectation)
    verdicts: list[Critique] = []
    for part in take.segments:
        wanted = expectation.model_copy(update={"duration_s": part.frames / take.fps}) if expectation else None
        verdicts.append(critique_clip(part.path, wanted))
    joins = join_checks(take.path, [part.start_frame for part in take.segments[1:]], take.fps)
    parts = [segment_check(number, verdict) for number, verdict in enumerate(verdicts, 1)]
    checks = [*whole.checks, *joins, *parts]
    return whole.model_copy(
        update={
            "passed": all(check.passed for check in checks),
            "score": score(checks),
            "checks": checks,
            "suggestions": [*whole.suggestions, *join_suggestions(joins)],
            "segments": verdicts,
        }
    )

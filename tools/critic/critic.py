"""The critic's entry point: watch a clip, check it against what was asked, and return a Critique."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from tools.critic.camera import classify
from tools.critic.checks import Observations, build_checks, score
from tools.critic.decode import Clip, read_clip
from tools.critic.layers import consistent_background, held_still
from tools.critic.motion import (
    LONG_MAX_PAIRS,
    LONG_PAIRS_PER_SECOND,
    estimate_motion,
    frame_transforms,
    motion_pairs,
)
from tools.critic.parallax import dolly_or_zoom, orbit_by_parallax
from tools.critic.pixels import dynamics, exposure, sharpness
from tools.critic.stutter import changing
from tools.critic.suggestions import suggestions
from tools.critic.temporal import duplicated, flicker, frame_differences, scene_cuts
from tools.critique import CameraMotion, Check, Critique, Expectation

if TYPE_CHECKING:
    from tools.critic.judge import VisionJudge

# A move read only on the longer pairs must be this sure (a handheld wobble drifts one way over 1/2 s).
LONG_MIN_CONFIDENCE = 0.6


def observe(clip: Clip) -> Observations:
    """Measure everything the checks need on a decoded clip (CPU; a few tens of ms for a 5 s clip)."""
    frames, indices = clip.frames, clip.indices
    height, width = frames.shape[1:]
    black, blown = exposure(clip.thumbs)
    bad_source = set(black) | set(blown)
    skip = {k for k, i in enumerate(indices) if int(i) in bad_source}
    side = max(height, width)
    motions = consistent_background(estimate_motion(frames, indices, clip.fps, skip=skip), side)
    moving = changing(motions, frames, indices)
    reading = classify(moving, width, height, clip.fps)
    # A slow move may hide in sub-pixel steps: look again over longer pairs, unless the background already held
    # still while a subject moved before it (over 1/2 s a subject crossing can fill the border band).
    if reading.move == "static" and not held_still(moving, side):
        longer = consistent_background(
            estimate_motion(
                frames,
                indices,
                clip.fps,
                skip=skip,
                per_second=LONG_PAIRS_PER_SECOND,
                max_pairs=LONG_MAX_PAIRS,
                overlap=2,
            ),
            side,
        )
        second = classify(changing(longer, frames, indices), width, height, clip.fps)
        if second.move not in {"static", "handheld"} and second.confidence >= LONG_MIN_CONFIDENCE:
            reading = second
    reading = orbit_by_parallax(reading, frames, indices, clip.fps, skip)
    reading = dolly_or_zoom(reading, frames, indices, clip.fps, skip)
    transforms = frame_transforms(motions, indices, (height, width))
    diffs, diff_positions = frame_differences(frames, indices)
    repeats, typical = duplicated(diffs, diff_positions, skip, frames)
    cuts = scene_cuts(clip.thumbs, bad_source)
    sharp = sharpness(frames, skip, np.searchsorted(np.asarray(cuts, dtype=int), indices, side="right"))
    return Observations(
        fps=clip.fps,
        width=clip.width,
        height=clip.height,
        num_frames=clip.num_frames,
        camera=reading,
        dynamics=dynamics(frames, motion_pairs(indices, clip.fps), skip),
        flicker=flicker(frames, indices, transforms, skip, {k for k, i in enumerate(indices) if int(i) in cuts}),
        repeated=[int(indices[k]) for k in repeats],
        typical_change=typical,
        black=black,
        blown=blown,
        sharpness=sharp,
        sharpness_frames=[int(indices[k]) for k in sharp.positions],
        cuts=cuts,
        declared_frames=clip.declared_frames,
    )


def assemble(obs: Observations, expectation: Expectation | None, extra: list[Check] | None = None) -> Critique:
    """The Critique from observations (and any checks from the vision judge)."""
    checks = build_checks(obs, expectation) + list(extra or [])
    return Critique(
        passed=all(check.passed for check in checks),
        score=score(checks),
        camera_motion=CameraMotion(
            detected=obs.camera.move,
            expected=expectation.camera_movement if expectation else None,
            confidence=obs.camera.confidence,
        ),
        checks=checks,
        suggestions=suggestions(checks),
    )


def critique_clip(
    path: str | Path, expectation: Expectation | None = None, *, judge: VisionJudge | None = None
) -> Critique:
    """Watch the clip at `path` and judge it against `expectation` (or report what it sees without one).

    Synchronous and CPU-bound: call it on a worker thread, never on an event loop. With a `judge`,
    a contact sheet and the expectation also go to the vision LLM (its own event loop, on this thread).
    Raises ClipError (a ValueError) for a missing, unreadable or non-video file.
    """
    clip = read_clip(path, color_frames=judge.frames if judge else 0)
    obs = observe(clip)
    extra = asyncio.run(judge.assess(clip, expectation)) if judge else []
    return assemble(obs, expectation, extra)


async def critique_clip_async(
    path: str | Path, expectation: Expectation | None = None, *, judge: VisionJudge | None = None
) -> Critique:
    """The same from an event loop: the measurements run on a worker thread, the judge on this loop."""
    clip = await asyncio.to_thread(read_clip, path, color_frames=judge.frames if judge else 0)
    obs = await asyncio.to_thread(observe, clip)
    extra = await judge.assess(clip, expectation) if judge else []
    return assemble(obs, expectation, extra)

"""The critic's checks: each observation against its expectation, with a value and a pass/fail."""

from __future__ import annotations

from dataclasses import dataclass

from generator.vocabulary import moves_compatible
from tools.critic.camera import CameraReading
from tools.critic.pixels import Dynamics, Sharpness
from tools.critic.speed import band_text, grade, meets
from tools.critic.temporal import Flicker
from tools.critique import Check, Expectation

FLICKER_MIN_SCORE = 0.985  # VBench-style score of frames against their aligned neighbours
MOTION_MIN_LEVEL = 0.25  # top-5 % flow at a quarter of VBench's "moving" threshold: below is almost static
# ... for a move asked at a given speed, scaled by its nominal rate against medium's (previz: slow 0.05 vs
# medium 0.12 of the frame per second): a slow dolly legitimately moves little of the frame.
MOTION_SPEED_SCALE: dict[str, float] = {"slow": 0.4, "medium": 1.0, "fast": 1.0}
SHARPNESS_MIN_RATIO = 0.45  # a frame with under 45 % of its neighbours' Laplacian variance is blurred
DURATION_TOLERANCE = 0.03
ASPECT_TOLERANCE = 0.015

# How much each check weighs in the score (unlisted: 1).
WEIGHTS: dict[str, float] = {
    "camera_move": 3.0,
    "flicker": 2.0,
    "exposure": 2.0,
    "scene_cuts": 2.0,
    "complete": 3.0,
    "motion_amount": 1.5,
    "fps": 0.5,
    "frame_size": 0.5,
    "judge_subject": 2.0,
    "vision_judge": 0.0,  # a judge that could not answer does not count
}
LOOK_ALIKE_CREDIT = 0.5  # a passed camera_move that read a look-alike of the asked move ("orbit_right" as pan_left)
# Moves that carry the camera through the scene: each depth slides at its own rate (parallax).
TRAVELS = {"truck", "pedestal", "crane", "dolly"}
_AXIS = {"pan": "x", "truck": "x", "orbit": "x", "tracking": "x", "tilt": "y", "pedestal": "y", "crane": "y"}


@dataclass(frozen=True)
class Observations:
    """Everything the critic measured on one clip."""

    fps: float
    width: int
    height: int
    num_frames: int
    camera: CameraReading
    dynamics: Dynamics
    flicker: Flicker
    repeated: list[int]  # source indices of frames that repeat the one before
    typical_change: float
    black: list[int]
    blown: list[int]
    sharpness: Sharpness
    sharpness_frames: list[int]  # source index of each sharpness entry
    cuts: list[int]
    declared_frames: int = 0

    @property
    def duration_s(self) -> float:
        return self.num_frames / self.fps


def _frames(indices: list[int], limit: int = 6) -> str:
    shown = ", ".join(str(i) for i in indices[:limit])
    return shown + (f" and {len(indices) - limit} more" if len(indices) > limit else "")


def camera_checks(obs: Observations, expected: Expectation) -> list[Check]:
    reading = obs.camera
    checks: list[Check] = []
    wanted = expected.camera_movement
    if wanted is None:
        return checks
    ok = moves_compatible(wanted, reading.move)
    detail = f"detected {reading.move} (confidence {reading.confidence:.2f})"
    look_alike = ok and reading.move != wanted
    if look_alike:
        detail += f"; a flat scene cannot tell it from {wanted} (half credit)"
    checks.append(
        Check(
            name="camera_move",
            passed=ok,
            value=reading.move,
            expected=wanted,
            detail=detail,
            credit=LOOK_ALIKE_CREDIT if look_alike else 1.0,
        )
    )
    if expected.camera_speed and wanted not in {"static", "handheld"}:
        checks.append(speed_check(reading, wanted, expected.camera_speed, ok))
    return checks


def speed_check(reading: CameraReading, wanted: str, speed: str, move_ok: bool) -> Check:
    """How fast the camera moved against the asked speed word, on the move's own axis."""
    prefix = wanted.split("_")[0]
    kind = "zoom" if prefix in {"zoom", "dolly"} else "translate"
    # A dolly's or a tracking shot's rate is set where the subject is; what the critic tracks (the frame as
    # a whole, the world behind a tracked subject) moves slower the farther it is: only too fast fails.
    at_most = prefix in {"dolly", "tracking"}
    index = {"x": 0, "y": 1, "z": 2}["z" if kind == "zoom" else _AXIS.get(prefix, "x")]
    chosen = (reading.pan_rate, reading.tilt_rate, reading.zoom_rate)[index]
    if prefix in {"pan", "tilt"}:  # a turn's speed is the background's slide, whatever walks across it
        chosen = reading.background[index]
    rate = abs(chosen)
    low = high = rate
    if prefix in TRAVELS:  # the subject's depth lies between the slowest and the fastest layer going the camera's way
        seen = [reading.background[index], reading.layer[index]]
        span = [rate] + [abs(r) for r in seen if r * chosen > 0]
        low, high = min(span), max(span)
    spread = f" (layers {low:.3g}-{high:.3g})" if high > low else ""
    return Check(
        name="camera_speed",
        passed=move_ok and meets(low, high, speed, kind, at_most=at_most),
        value=round(rate, 4),
        expected=f"{speed} ({band_text(speed, kind)})",
        detail=f"measured {grade(rate, kind)}{spread}" + (f"; a {prefix} fails only too fast" if at_most else ""),
    )


def motion_check(obs: Observations, expected: Expectation | None) -> Check:
    dyn = obs.dynamics
    wants_motion = expected is not None and (
        (expected.camera_movement not in (None, "static")) or bool(expected.action)
    )
    detail = f"VBench dynamic degree {dyn.degree:.2f} (top-5% flow over {dyn.threshold_px:.1f} px)"
    if not wants_motion:
        return Check(name="motion_amount", passed=True, value=round(dyn.level, 3), expected="any", detail=detail)
    assert expected is not None
    least = round(MOTION_MIN_LEVEL * MOTION_SPEED_SCALE.get(expected.camera_speed or "medium", 1.0), 3)
    # VBench's question is whether the clip moves at all: a camera reading of the asked move answers
    # it too (the classifier reads a move only above its static threshold, camera.py); a slow dolly's
    # far layers hardly move while its subject does.
    reading = obs.camera
    moving = (
        expected.camera_movement not in (None, "static", "handheld")
        and reading.move not in {"static", "handheld"}
        and moves_compatible(expected.camera_movement, reading.move)
    )
    passed = dyn.level >= least or moving
    if moving and dyn.level < least:
        detail += f"; the camera reading shows {reading.move} at {reading.speed:.3f}/s"
    return Check(
        name="motion_amount",
        passed=passed,
        value=round(dyn.level, 3),
        expected=f">= {least}",
        detail=detail if passed else f"almost static; {detail}",
    )


def completeness_check(obs: Observations) -> Check | None:
    """A file that holds fewer frames than it declares was cut short (a truncated upload or render)."""
    if not obs.declared_frames:
        return None
    return Check(
        name="complete",
        passed=obs.num_frames >= obs.declared_frames - 1,
        value=obs.num_frames,
        expected=obs.declared_frames,
        detail=f"decoded {obs.num_frames} of the {obs.declared_frames} frames the file declares",
    )


def quality_checks(obs: Observations) -> list[Check]:
    flick = obs.flicker
    worst = ""
    if len(flick.per_frame):
        worst = f"; worst frame deviates {flick.per_frame.max():.1f}/255"
    checks = [
        Check(
            name="flicker",
            passed=flick.score >= FLICKER_MIN_SCORE,
            value=round(flick.score, 4),
            expected=f">= {FLICKER_MIN_SCORE}",
            detail=f"motion-compensated; brightness swing {flick.brightness_swing:.1f}/255{worst}",
        ),
        Check(
            name="frozen_frames",
            passed=not obs.repeated,
            value=len(obs.repeated),
            expected=0,
            detail=f"frames {_frames(obs.repeated)} repeat the one before" if obs.repeated else "",
        ),
    ]
    bad = sorted(set(obs.black) | set(obs.blown))
    parts = [
        f"black: {_frames(obs.black)}" if obs.black else "",
        f"blown out: {_frames(obs.blown)}" if obs.blown else "",
    ]
    checks.append(
        Check(name="exposure", passed=not bad, value=len(bad), expected=0, detail="; ".join(p for p in parts if p))
    )
    sharp = obs.sharpness
    blurred = [obs.sharpness_frames[n] for n in range(len(sharp.ratio)) if sharp.ratio[n] < SHARPNESS_MIN_RATIO]
    lowest = float(sharp.ratio.min()) if len(sharp.ratio) else 1.0
    checks.append(
        Check(
            name="sharpness",
            passed=not blurred,
            value=round(lowest, 3),
            expected=f">= {SHARPNESS_MIN_RATIO} of neighbours",
            detail=f"blurred frames: {_frames(blurred)}" if blurred else "",
        )
    )
    checks.append(
        Check(
            name="scene_cuts",
            passed=not obs.cuts,
            value=len(obs.cuts),
            expected=0,
            detail=f"new shot starts at frames {_frames(obs.cuts)}" if obs.cuts else "one continuous shot",
        )
    )
    return checks


def format_checks(obs: Observations, expected: Expectation) -> list[Check]:
    checks: list[Check] = []
    if expected.duration_s is not None:
        tolerance = max(1.5 / obs.fps, DURATION_TOLERANCE * expected.duration_s)
        checks.append(
            Check(
                name="duration",
                passed=abs(obs.duration_s - expected.duration_s) <= tolerance,
                value=round(obs.duration_s, 3),
                expected=expected.duration_s,
                detail=f"{obs.num_frames} frames at {obs.fps:g} fps",
            )
        )
    if expected.fps is not None:
        checks.append(
            Check(name="fps", passed=abs(obs.fps - expected.fps) <= 0.5, value=round(obs.fps, 3), expected=expected.fps)
        )
    if expected.width and expected.height:
        same = (obs.width, obs.height) == (expected.width, expected.height)
        aspect = (obs.width / obs.height) / (expected.width / expected.height)
        ok = same or abs(aspect - 1) <= ASPECT_TOLERANCE
        checks.append(
            Check(
                name="frame_size",
                passed=ok,
                value=f"{obs.width}x{obs.height}",
                expected=f"{expected.width}x{expected.height}",
                detail="" if same else ("same shape, scaled" if ok else "different shape"),
            )
        )
    return checks


def build_checks(obs: Observations, expected: Expectation | None) -> list[Check]:
    """All checks: the spec's (camera, speed, format) when there is one, the quality ones always."""
    checks: list[Check] = []
    if expected is not None:
        checks.extend(camera_checks(obs, expected))
    checks.append(motion_check(obs, expected))
    checks.extend(quality_checks(obs))
    if (complete := completeness_check(obs)) is not None:
        checks.append(complete)
    if expected is not None:
        checks.extend(format_checks(obs, expected))
    return checks


def score(checks: list[Check]) -> float:
    """Weighted share of passed checks, 0..1."""
    total = sum(WEIGHTS.get(c.name, 1.0) for c in checks)
    if not total:
        return 1.0
    return round(sum(WEIGHTS.get(c.name, 1.0) * c.credit for c in checks if c.passed) / total, 4)

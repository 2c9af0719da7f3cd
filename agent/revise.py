"""Revision: turn a failed take's request and critique into a new, never-seen request.

Strategies, in order of attempt: reseed (a new seed, same words), suggestions (apply the critic's
suggestions to the prompt and negative prompt), parameters (more steps, firmer guidance, a stronger
move). A strategy with nothing to apply falls through to the next one, and whatever comes out is
reseeded until its fingerprint differs from every request already submitted in the thread.
Faults injected on purpose (demo/test aid) apply to the first attempt only and are dropped here.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Collection
from dataclasses import dataclass, field

from generator.families import ModelFamily
from generator.request import CameraPath, RenderRequest
from generator.vocabulary import CAMERA_PHRASES, moves_compatible
from tools.critique import Critique

STRATEGIES = ("reseed", "suggestions", "parameters")
MAX_STEPS = 500
FASTER = {"slow": "medium", "medium": "fast", "fast": "fast"}
SLOWER = {"slow": "slow", "medium": "slow", "fast": "medium"}
_SPEEDS = ("slow", "medium", "fast")
_MEASURED_SPEED = re.compile(r"measured (slow|medium|fast)")
_QUOTED = r"['\"‘“]([^'\"’”]{2,200})['\"’”]"
_PUT_FIRST = re.compile(rf"put {_QUOTED} first", re.IGNORECASE)
_ADD_NEGATIVE = re.compile(rf"add {_QUOTED} to the negative", re.IGNORECASE)
_ADD_PROMPT = re.compile(rf"add {_QUOTED} to the prompt", re.IGNORECASE)


@dataclass
class RevisionPlan:
    """The next request, how it was made and why."""

    request: RenderRequest
    strategy: str
    reason: str
    changes: list[str] = field(default_factory=list)


def fingerprint(request: RenderRequest) -> str:
    """A short digest of everything that shapes a render; equal requests have equal fingerprints."""
    return hashlib.sha256(request.model_dump_json().encode()).hexdigest()[:20]


def next_seed(seed: int, salt: int) -> int:
    """A new seed derived deterministically from the old one (reproducible runs, no global RNG)."""
    digest = hashlib.sha256(f"{seed}:{salt}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % (2**31)


def failure_reason(critique: Critique) -> str:
    """Why a take failed, in one line: the camera first, then the other failed checks."""
    parts: list[str] = []
    motion = critique.camera_motion
    if motion.expected and not moves_compatible(motion.expected, motion.detected):
        parts.append(f"camera moved {motion.detected} instead of {motion.expected}")
    for check in critique.failed_checks:
        if "camera" in check.name and parts:
            continue
        parts.append(check.detail or f"{check.name} failed (got {check.value}, expected {check.expected})")
    if not parts:
        parts.append(f"score {critique.score:.2f} below the pass mark")
    return "; ".join(parts)


def revise(
    previous: RenderRequest,
    critique: Critique,
    *,
    attempt: int,
    seen: Collection[str],
    family: ModelFamily,
) -> RevisionPlan:
    """The request for `attempt` (2, 3, ...) after `previous` failed with `critique`."""
    reason = failure_reason(critique)
    base = previous
    dropped: list[str] = []
    if previous.faults:
        base = previous.model_copy(update={"faults": ()})
        dropped.append(f"fault injection off ({', '.join(previous.faults)} applies to the first attempt only)")
    first = (attempt - 2) % len(STRATEGIES)
    order = STRATEGIES[first:] + STRATEGIES[:first]
    for strategy in order:
        request, changes = _apply(strategy, base, critique, attempt, family)
        if changes:
            break
    request, extra = make_unique(request, seen, attempt)
    return RevisionPlan(request=request, strategy=strategy, reason=reason, changes=[*changes, *extra, *dropped])


def _apply(
    strategy: str, request: RenderRequest, critique: Critique, attempt: int, family: ModelFamily
) -> tuple[RenderRequest, list[str]]:
    if strategy == "reseed":
        seed = next_seed(request.seed, attempt)
        return request.model_copy(update={"seed": seed}), [f"seed {request.seed} -> {seed}"]
    if strategy == "suggestions":
        return _apply_suggestions(request, critique, family)
    return _adjust_parameters(request, critique)


def _apply_suggestions(
    request: RenderRequest, critique: Critique, family: ModelFamily
) -> tuple[RenderRequest, list[str]]:
    prompt, negative = request.prompt, request.negative_prompt
    changes: list[str] = []
    motion = critique.camera_motion
    if motion.expected and not moves_compatible(motion.expected, motion.detected):
        wanted = CAMERA_PHRASES.get(motion.expected)
        if wanted and not prompt.startswith(f"{wanted} throughout"):
            prompt = f"{wanted} throughout, {prompt.removeprefix(wanted).lstrip(', ')}"
            changes.append(f"prompt leads with '{wanted} throughout'")
        unwanted = CAMERA_PHRASES.get(motion.detected)
        if unwanted and family.supports_negative_prompt and unwanted not in (negative or ""):
            negative = ", ".join(p for p in (negative, unwanted) if p)
            changes.append(f"negative prompt adds '{unwanted}'")
    for suggestion in critique.suggestions:
        for phrase in _PUT_FIRST.findall(suggestion):
            if not prompt.startswith(phrase):
                prompt = f"{phrase}, {prompt.replace(phrase, '').strip(', ')}"
                changes.append(f"prompt leads with '{phrase}'")
        for phrase in _ADD_PROMPT.findall(suggestion):
            if phrase not in prompt:
                prompt = f"{prompt}, {phrase}"
                changes.append(f"prompt adds '{phrase}'")
        for phrase in _ADD_NEGATIVE.findall(suggestion):
            if family.supports_negative_prompt and phrase not in (negative or ""):
                negative = ", ".join(p for p in (negative, phrase) if p)
                changes.append(f"negative prompt adds '{phrase}'")
    prompt = prompt.strip(", ")[:4000]
    update = {"prompt": prompt or request.prompt, "negative_prompt": negative}
    return request.model_copy(update=update), changes


def _adjust_parameters(request: RenderRequest, critique: Critique) -> tuple[RenderRequest, list[str]]:
    update: dict[str, object] = {}
    changes: list[str] = []
    steps = min(MAX_STEPS, max(request.steps + 1, math.ceil(request.steps * 1.5)))
    if steps != request.steps:
        update["steps"] = steps
        changes.append(f"steps {request.steps} -> {steps}")
    if request.guidance is not None:
        guidance = min(50.0, round(request.guidance + 1.0, 2))
        update["guidance"] = guidance
        changes.append(f"guidance {request.guidance:g} -> {guidance:g}")
    camera = request.camera or CameraPath()
    wanted_speed = _speed_correction(critique, camera.speed)
    if camera.movement != "static" and wanted_speed != camera.speed:
        update["camera"] = camera.model_copy(update={"speed": wanted_speed})
        changes.append(f"camera speed {camera.speed} -> {wanted_speed}")
    return request.model_copy(update=update), changes


def _speed_correction(critique: Critique, speed: str) -> str:
    """The camera speed to ask for next: slower when the critic measured too fast, faster when too still."""
    for check in critique.checks:
        if check.name == "camera_speed" and not check.passed:
            measured = _MEASURED_SPEED.search(check.detail or "")
            if measured is None:
                return speed
            gap = _SPEEDS.index(measured.group(1)) - _SPEEDS.index(speed)
            return SLOWER[speed] if gap > 0 else FASTER[speed] if gap < 0 else speed
    too_still = any(
        ("motion" in check.name or "dynamic" in check.name) and not check.passed for check in critique.checks
    )
    return FASTER[speed] if too_still else speed


def make_unique(request: RenderRequest, seen: Collection[str], attempt: int) -> tuple[RenderRequest, list[str]]:
    """Reseed until the request differs from every one already submitted."""
    changes: list[str] = []
    salt = attempt * 1000
    while fingerprint(request) in seen:
        salt += 1
        seed = next_seed(request.seed, salt)
        changes.append(f"seed {request.seed} -> {seed} (the request was identical to an earlier one)")
        request = request.model_copy(update={"seed": seed})
    return request, changes

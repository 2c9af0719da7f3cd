"""A wrong camera is fixed by the previz guide first (added, then held firmer in steps), before any rewording."""

from __future__ import annotations

import pytest

from agent.compile import compile_shot
from agent.guide_revision import GUIDE_STEP, MAX_GUIDE_STRENGTH, guide_revision
from agent.revise import STRATEGIES, fingerprint, revise
from agent.spec import ShotSpec
from generator.families import PREVIZ, get_family
from generator.request import DEFAULT_GUIDE_STRENGTH, CameraGuide, ConditionClip
from tools.critique import CameraMotion, Check, Critique

SPEC = ShotSpec(subject="a red fox", camera_movement="pan_left", camera_speed="slow", duration_s=1, fps=16)
VACE = get_family("wan2.1-vace-1.3b")
WAN = get_family("wan2.1-1.3b")


def read_as(detected: str, expected: str = "pan_left") -> Critique:
    right = detected == expected
    return Critique(
        passed=right,
        score=0.9 if right else 0.35,
        camera_motion=CameraMotion(detected=detected, expected=expected, confidence=0.9),
        checks=[Check(name="camera_move", passed=right, value=detected, expected=expected)],
    )


def test_a_wrong_camera_turns_the_guide_on_then_holds_it_firmer_up_to_the_cap():
    request = compile_shot(SPEC, VACE).request
    assert request.guide is None
    seen = {fingerprint(request)}
    strengths, changes = [], []
    for attempt in range(2, 10):
        plan = guide_revision(request, read_as("static"), family=VACE, allowed=True, attempt=attempt, seen=seen)
        if plan is None:
            break
        assert plan.strategy == "guide" and plan.reason == "camera moved static instead of pan_left"
        assert fingerprint(plan.request) not in seen and plan.request.prompt == request.prompt
        assert plan.request.seed == request.seed  # same words, same seed: only the guide changed
        seen.add(fingerprint(plan.request))
        request = plan.request
        strengths.append(request.guide.strength)
        changes.append(plan.changes[0])
    expected = [DEFAULT_GUIDE_STRENGTH]
    while expected[-1] < MAX_GUIDE_STRENGTH:
        expected.append(min(MAX_GUIDE_STRENGTH, round(expected[-1] + GUIDE_STEP, 2)))
    assert strengths == expected == [0.6, 0.75, 0.9]
    assert changes[0].startswith("camera guide on: the previz animatic at strength 0.6 (the critic read static")
    assert changes[1].startswith("camera guide 0.6 -> 0.75 (the critic read static, not pan_left")
    # At the cap the guide has nothing left: the rule strategies take over, still guided.
    after = revise(request, read_as("static"), attempt=5, seen=seen, family=VACE)
    assert after.strategy in STRATEGIES and after.request.guide == request.guide


@pytest.mark.parametrize(
    ("family", "allowed", "critique", "why"),
    [
        (VACE, False, read_as("static"), "the thread turned the guide off"),
        (WAN, True, read_as("static"), "Wan 2.1 text-to-video weights have no guide path"),
        (PREVIZ, True, read_as("static"), "previz draws the camera itself"),
        (VACE, True, read_as("pan_left"), "the camera was right"),
    ],
)
def test_no_guide_step_where_it_cannot_or_may_not_help(family, allowed, critique, why):
    request = compile_shot(SPEC, family).request
    assert guide_revision(request, critique, family=family, allowed=allowed, attempt=2, seen=set()) is None, why


def test_an_extension_is_not_guided_by_the_reviser():
    request = compile_shot(SPEC, VACE).request.model_copy(update={"condition": ConditionClip(path="take.mp4")})
    assert guide_revision(request, read_as("static"), family=VACE, allowed=True, attempt=2, seen=set()) is None


def test_a_firmer_guide_already_tried_gets_a_new_seed_not_a_repeat():
    request = compile_shot(SPEC, VACE, guide=CameraGuide(strength=0.6)).request
    firmer = request.model_copy(update={"guide": CameraGuide(strength=0.75)})
    plan = guide_revision(request, read_as("static"), family=VACE, allowed=True, attempt=2, seen={fingerprint(firmer)})
    assert plan is not None and plan.request.guide == CameraGuide(strength=0.75)
    assert plan.request.seed != request.seed and "identical to an earlier one" in plan.changes[-1]

"""The first revision of a wrong camera: add the previz camera guide, or hold it firmer, before any rewording.

Words steer an open video model's camera unreliably; rerolling and rephrasing spends GPU minutes on what the
words cannot steer. When the critic reads the wrong move and the family takes a guide, the next attempt is
guided by the shot's previz animatic (at the default strength), or, already guided, held a step firmer, up
to MAX_GUIDE_STRENGTH. Only then, or where there is no guide path or the thread turned the guide off, do the
rule strategies of `agent.revise` (reseed, suggestions, parameters) or an LLM reviser take over.
"""

from __future__ import annotations

from collections.abc import Collection

from agent.revise import RevisionPlan, failure_reason, make_unique
from generator.families import ModelFamily
from generator.request import DEFAULT_GUIDE_STRENGTH, CameraGuide, RenderRequest
from generator.vocabulary import moves_compatible
from tools.critique import Critique

STRATEGY = "guide"
GUIDE_STEP = 0.15  # each revision holds the camera this much firmer
MAX_GUIDE_STRENGTH = 0.9  # beyond, LTX and CogVideoX would hand back little more than the animatic


def camera_missed(critique: Critique) -> bool:
    """Whether the critic read a move other than the one asked for."""
    motion = critique.camera_motion
    return bool(motion.expected) and not moves_compatible(motion.expected, motion.detected)


def guide_revision(
    previous: RenderRequest,
    critique: Critique,
    *,
    family: ModelFamily,
    allowed: bool,
    attempt: int,
    seen: Collection[str],
) -> RevisionPlan | None:
    """The guided (or firmer-guided) next request after a wrong camera, or None when the guide has no step left."""
    if not (allowed and family.guide_modes and previous.condition is None and camera_missed(critique)):
        return None
    motion = critique.camera_motion
    read = f"the critic read {motion.detected}, not {motion.expected}"
    if previous.guide is None:
        guide = CameraGuide(strength=DEFAULT_GUIDE_STRENGTH)
        change = f"camera guide on: the previz animatic at strength {guide.strength:g} ({read}; the words alone missed)"
    elif previous.guide.strength < MAX_GUIDE_STRENGTH:
        strength = min(MAX_GUIDE_STRENGTH, round(previous.guide.strength + GUIDE_STEP, 2))
        guide = previous.guide.model_copy(update={"strength": strength})
        change = f"camera guide {previous.guide.strength:g} -> {strength:g} ({read} with the guide at its strength)"
    else:
        return None
    request, extra = make_unique(previous.model_copy(update={"guide": guide}), seen, attempt)
    return RevisionPlan(request=request, strategy=STRATEGY, reason=failure_reason(critique), changes=[change, *extra])

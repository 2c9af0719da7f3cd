"""Retakes of a long take: render again only the segments the critic failed, or that open on a visible cut."""

from __future__ import annotations

from collections.abc import Collection

from agent.revise import RevisionPlan, failure_reason, next_seed, revise
from generator.families import ModelFamily
from tools.critique import Critique
from tools.long_take import Retake
from tools.take import Take

STRATEGY = "segments"


def segments_to_redo(critique: Critique) -> tuple[list[int], list[int]]:
    """0-based segments whose own critique failed, and those that open on a join the cut detector calls a cut."""
    failed = [index for index, verdict in enumerate(critique.segments) if not verdict.passed]
    after_cuts = [
        int(check.name.removeprefix("join_"))  # join k lies between segments k and k+1 (1-based): redo index k
        for check in critique.checks
        if check.name.startswith("join_") and not check.passed
    ]
    return failed, [index for index in after_cuts if index not in failed]


def plan_retake(
    take: Take, critique: Critique, *, attempt: int, seen: Collection[str], family: ModelFamily
) -> tuple[Retake, RevisionPlan] | None:
    """Which segments to render again and how (each revised from its own critique), or None for a whole retake.

    None when the take is not made of segments, or when no segment or join failed (what failed is the
    take as a whole: it is revised and rendered again whole).
    """
    if len(take.segments) < 2 or len(critique.segments) != len(take.segments):
        return None
    failed, after_cuts = segments_to_redo(critique)
    if not failed and not after_cuts:
        return None
    redo = []
    reasons: list[str] = []
    changes: list[str] = []
    for index in sorted([*failed, *after_cuts]):
        part = take.segments[index]
        if not family.continue_frames:  # previz: a segment is a window of the shot; it renders again as it was asked
            redo.append(part.request.model_copy(update={"faults": ()}))
            why = failure_reason(critique.segments[index]) if index in failed else "a cut where it begins"
            reasons.append(f"segment {index + 1}: {why}")
            changes.append(f"segment {index + 1}: rendered again as the same window of the shot, without faults")
        elif index in failed:
            verdict = critique.segments[index]
            plan = revise(part.request, verdict, attempt=attempt, seen=seen, family=family)
            redo.append(plan.request)
            reasons.append(f"segment {index + 1}: {failure_reason(verdict)}")
            changes.extend(f"segment {index + 1}: {change}" for change in plan.changes)
        else:
            seed = next_seed(part.request.seed, attempt)
            redo.append(part.request.model_copy(update={"seed": seed, "faults": ()}))
            reasons.append(f"a cut where segment {index + 1} begins")
            changes.append(f"segment {index + 1}: seed {part.request.seed} -> {seed}, from the new segment before it")
    kept = [part for part in take.segments if part.index not in {r.segment.index for r in redo if r.segment}]
    again = ", ".join(str(index + 1) for index in sorted([*failed, *after_cuts]))
    changes.append(f"kept {len(kept)} of {len(take.segments)} segments; rendering again: {again}")
    retake = Retake(keep=kept, redo=redo)
    return retake, RevisionPlan(request=redo[0], strategy=STRATEGY, reason="; ".join(reasons), changes=changes)

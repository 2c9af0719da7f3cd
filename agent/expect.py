"""The agent's side of the critic: what a take of this spec should show, as an Expectation."""

from __future__ import annotations

from agent.spec import ShotSpec
from generator.request import RenderRequest
from tools.critique import Expectation


def expectation_from(spec: ShotSpec, request: RenderRequest | None = None) -> Expectation:
    """An Expectation from a spec; size, fps and duration from the request when given (the model snaps them)."""
    subject = spec.subject
    if spec.characters:
        names = ", ".join(f"{c.name} ({c.description})" for c in spec.characters)
        subject = f"{subject}; {names}" if subject else names
    return Expectation(
        camera_movement=spec.camera_movement,
        camera_speed=spec.camera_speed if spec.camera_movement not in (None, "static") else None,
        shot_size=spec.shot_size,
        duration_s=round(request.duration_s, 4) if request else spec.duration_s,
        fps=request.fps if request else spec.fps,
        width=request.width if request else None,
        height=request.height if request else None,
        subject=subject,
        action=spec.action,
        setting=spec.setting,
        time_of_day=spec.time_of_day,
        style=spec.style,
        references=list(request.reference_images) if request else [],
    )

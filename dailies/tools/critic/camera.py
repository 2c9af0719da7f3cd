"""The camera-motion classifier: global motion over a clip -> a move of the shared vocabulary, speed, confidence."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dailies.tools.critic.motion import PairMotion
from dailies.tools.critic.speed import STATIC_RATE

# Residual motion the similarity model cannot explain, relative to the move itself, above which the
# camera is taken to travel (truck, pedestal, dolly) rather than turn or zoom (pan, tilt, zoom).
PARALLAX_RATIO = 0.35
# Unsteadiness (fraction of the frame's longer side per second, about the steady drift) that reads as
# a handheld camera; a tripod shot of a still scene measures ~0.002.
HANDHELD_JITTER = 0.008


@dataclass(frozen=True)
class CameraReading:
    """What the camera did over the clip, in rates per second relative to the frame."""

    move: str
    confidence: float
    pan_rate: float  # content slide right (+) / left (-), fraction of the frame's longer side per second
    tilt_rate: float  # content slide down (+) / up (-), fraction of the frame's longer side per second
    zoom_rate: float  # ln(scale) per second, + when the content grows
    roll_rate: float  # radians per second
    parallax: float  # unexplained motion relative to the move, 0 on a flat scene
    jitter: float  # unsteadiness about the steady move, fraction of the longer side per second
    reliable_pairs: int
    pairs: int

    @property
    def speed(self) -> float:
        """Speed of the dominant move: fraction of the frame per second, or ln-scale per second for zooms."""
        if self.move.startswith(("zoom", "dolly", "crane")):
            return abs(self.zoom_rate)
        if self.move.startswith(("tilt", "pedestal")):
            return abs(self.tilt_rate)
        if self.move in {"static", "handheld"}:
            return max(abs(self.pan_rate), abs(self.tilt_rate), abs(self.zoom_rate))
        return abs(self.pan_rate)


def _label(axis: str, sign: float, travels: bool) -> str:
    # Directions follow the camera: content sliding right means the camera turned (or moved) left.
    if axis == "x":
        return ("truck_" if travels else "pan_") + ("left" if sign > 0 else "right")
    if axis == "y":
        return ("pedestal_" if travels else "tilt_") + ("up" if sign > 0 else "down")
    return ("dolly_" if travels else "zoom_") + ("in" if sign > 0 else "out")


def classify(motions: list[PairMotion], width: int, height: int, fps: float) -> CameraReading:
    """Read the camera move from pair motions measured on frames `width` x `height` (analysis size)."""
    usable = [m for m in motions if m.reliable]
    if not usable:
        return CameraReading("static", 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0, len(motions))
    side = max(width, height)
    ux = np.array([m.dx / side for m in usable])  # fraction of the longer side per frame
    uy = np.array([m.dy / side for m in usable])
    uz = np.array([m.log_scale for m in usable])
    ur = np.array([m.rotation for m in usable])
    rates = {"x": float(np.median(ux)) * fps, "y": float(np.median(uy)) * fps, "z": float(np.median(uz)) * fps}
    # Compare a zoom with a slide by how far it moves the frame's edge: half its growth.
    strength = {"x": abs(rates["x"]), "y": abs(rates["y"]), "z": abs(rates["z"]) / 2}
    axis = max(strength, key=strength.__getitem__)
    magnitude = strength[axis]
    others = sorted(strength.values())[-2]
    jitter = float(np.median(np.hypot(ux - np.median(ux), uy - np.median(uy)))) * fps
    parallax_px = float(np.median([m.parallax for m in usable]))
    per_frame = {"x": abs(np.median(ux)) * side, "y": abs(np.median(uy)) * side, "z": abs(np.median(uz)) * side / 2}
    parallax = parallax_px / max(float(per_frame[axis]), 0.05)
    threshold = STATIC_RATE["zoom"] / 2 if axis == "z" else STATIC_RATE["translate"]
    reliability = len(usable) / len(motions)
    if jitter > HANDHELD_JITTER and jitter > magnitude / 2:
        move = "handheld"
        confidence = min(1.0, jitter / (2 * HANDHELD_JITTER)) * reliability
    elif magnitude < threshold:
        move = "static"
        confidence = (1 - magnitude / threshold) * 0.5 + 0.5
        confidence *= reliability
    else:
        series = {"x": ux, "y": uy, "z": uz}[axis]
        agreement = float(np.mean(np.sign(series) == np.sign(rates[axis])))
        dominance = 1 - others / magnitude
        margin = min(1.0, magnitude / (2 * threshold))
        move = _label(axis, rates[axis], parallax > PARALLAX_RATIO)
        confidence = agreement * margin * (0.5 + 0.5 * dominance) * reliability
    return CameraReading(
        move=move,
        confidence=round(float(np.clip(confidence, 0.0, 1.0)), 3),
        pan_rate=rates["x"],
        tilt_rate=rates["y"],
        zoom_rate=rates["z"],
        roll_rate=float(np.median(ur)) * fps,
        parallax=parallax,
        jitter=jitter,
        reliable_pairs=len(usable),
        pairs=len(motions),
    )

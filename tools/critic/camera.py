"""The camera-motion classifier: global motion over a clip -> a move of the shared vocabulary, speed, confidence."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tools.critic.motion import PairMotion
from tools.critic.shake import CERTAIN_AMPLITUDE, read_shake
from tools.critic.speed import STATIC_RATE

# Residual motion the similarity model cannot explain, relative to the move itself, above which the
# camera is taken to travel (truck, pedestal, dolly) rather than turn or zoom (pan, tilt, zoom).
PARALLAX_RATIO = 1.2
PARALLAX_SHARE = 0.5  # ... in at least this share of frame pairs
# Slower than this (fraction of the longer side per second) a layer's slide is a wobble, not an orbit's sweep.
# (Handheld itself is read from the background's residual by amplitude and spectrum: tools/critic/shake.py.)
HANDHELD_SPEED = 0.012
# An orbit moves near and far things in opposite directions: this share of pairs must show it.
ORBIT_SHARE = 0.5
# Share of pairs in which the faster layer must keep the clip's direction for it to be the camera's.
FAST_LAYER_STEADY = 0.6
# A travelling camera drifts the background the near layer's way in this share of pairs, at least this fast
# (fraction of the longer side per second): a locked-off camera's background only jitters about nothing.
DRIFT_AGREEMENT = 0.6
DRIFT_MIN = 0.004
DRIFT_ACROSS = 1.0  # ... and along the near layer's way: its slide across that way is under this share of it
NEAR_OF_DRIFT = 1.5  # the near layer goes at least this many times as fast (parallax, not a second fit of one plane)


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
    # The background layer's own (x, y, z) rates: a pan or tilt turns the camera, so its speed is the background's
    # slide, never a subject's walking the same way faster (which the travel rule reads as a truck's rate).
    background: tuple[float, float, float] = (0.0, 0.0, 0.0)
    # The second layer's (x, y, z) rates over the pairs that saw one (else the background's): with the background,
    # it brackets the depths a travelling camera's rate is spread over (checks.py grades a travel on that span).
    layer: tuple[float, float, float] = (0.0, 0.0, 0.0)

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


def _orbit(usable: list[PairMotion], side: float, fps: float) -> str | None:
    """orbit_left / orbit_right when most pairs show two layers sliding opposite ways, else None."""
    votes: list[float] = []
    for m in usable:
        main, layer = m.dx / side * fps, m.layer_dx / side * fps
        if m.anchored:  # the border confirmed the camera's motion: the other layer is a subject on its way
            continue
        # An orbit slides its layers sideways: a layer bobbing more up and down (a trotting subject) is not its sweep.
        if abs(m.layer_dy) > abs(m.layer_dx) or abs(m.dy) > abs(m.dx):
            continue
        if main * layer < 0 and min(abs(main), abs(layer)) > HANDHELD_SPEED:
            votes.append(main if abs(main) > abs(layer) else layer)  # the faster layer is the nearer one
    if len(votes) < ORBIT_SHARE * len(usable):
        return None
    # Orbiting left, nearer things slide right.
    return "orbit_left" if np.median(votes) > 0 else "orbit_right"


def _reach(v: np.ndarray) -> np.ndarray:
    """How far each velocity moves the frame's edge (a zoom's growth counts half)."""
    return np.hypot(v[:, 0], v[:, 1]) + np.abs(v[:, 2]) / 2


EDGE = np.array([1.0, 1.0, 0.5])  # how far each component moves the frame's edge: a zoom's growth counts half


def _travel(background: np.ndarray, layer: np.ndarray) -> np.ndarray | None:
    """The near layer's motion along the background's way, per pair, when the camera travels; else None.

    A camera travelling past a near subject (a truck along parked cars, a dolly towards a fox) moves the far
    background a little and the subject more, the same way: the background says which way the camera goes,
    the near layer how fast (previz sets the rate at the subject's distance). What the subject does on its own
    across that way (a fox trotting sideways) is not the camera's. A locked-off camera leaves the background
    where it was; a subject walking against a travelling camera goes the other way from the background.
    """
    background, layer = background * EDGE, layer * EDGE
    way = np.median(background, axis=0)
    drift = float(np.linalg.norm(way))
    if drift < DRIFT_MIN:
        return None
    way /= drift
    along = background @ way
    across = np.linalg.norm(background - along[:, None] * way, axis=1)
    steady = float(np.mean((along > 0) & (across < DRIFT_ACROSS * np.abs(along))))
    near = layer @ way
    if (
        steady < DRIFT_AGREEMENT
        or float(np.mean(near > along)) < FAST_LAYER_STEADY
        or np.median(near) < NEAR_OF_DRIFT * drift
    ):
        return None
    return near[:, None] * way / EDGE


def _series(usable: list[PairMotion], side: float, fps: float) -> tuple[np.ndarray, np.ndarray, bool]:
    """Per-pair velocities (x, y as fractions of the longer side per second; z as ln-scale per second).

    Each pair offers the camera layer (the background's, settled over the clip) and maybe a second layer.
    When the background drifts steadily one way and a second layer goes the same way faster, the camera travels
    and that layer is the nearer one: its motion along the background's way is the move's. Otherwise the
    background's motion is the camera's and the other layer is a subject. Returns the chosen (n, 3) velocities
    and, per pair, the faster layer's (for the handheld test: a wobble shakes every layer), and whether the
    camera travels. A travel's velocities are those of the pairs that saw the near layer: the others saw only the
    background, and say nothing of how fast the near layer went (a median over them all read a slow truck static).
    """
    border = np.array([[m.dx / side, m.dy / side, m.log_scale] for m in usable]) * fps
    layer = np.array([[m.layer_dx / side, m.layer_dy / side, m.layer_log_scale] for m in usable]) * fps
    has_layer = np.array([m.parallax > 0 for m in usable])
    if not has_layer.any():
        return border, border, False
    faster = has_layer & (_reach(layer) > _reach(border))
    fast = np.where(faster[:, None], layer, border)
    travel = _travel(border[has_layer], layer[has_layer]) if has_layer.sum() >= 2 else None
    if travel is not None:
        return travel, fast[has_layer], True
    return border, np.where((faster & ~np.array([m.anchored for m in usable]))[:, None], layer, border), False


def classify(motions: list[PairMotion], width: int, height: int, fps: float) -> CameraReading:
    """Read the camera move from pair motions measured on frames `width` x `height` (analysis size)."""
    usable = [m for m in motions if m.reliable]
    if not usable:
        return CameraReading("static", 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0, len(motions))
    side = max(width, height)
    chosen, _fast, travels = _series(usable, side, fps)
    vx, vy, vz = chosen[:, 0], chosen[:, 1], chosen[:, 2]
    rates = {"x": float(np.median(vx)), "y": float(np.median(vy)), "z": float(np.median(vz))}
    # Compare a zoom with a slide by how far it moves the frame's edge: half its growth.
    strength = {"x": abs(rates["x"]), "y": abs(rates["y"]), "z": abs(rates["z"]) / 2}
    axis = max(strength, key=strength.__getitem__)
    magnitude = strength[axis]
    others = sorted(strength.values())[-2]
    jitter = float(np.median(np.hypot(vx - rates["x"], vy - rates["y"])))
    per_frame = magnitude / fps * side  # pixels per frame of the dominant motion
    parallax = float(np.median([m.parallax for m in usable])) / max(per_frame, 0.05)
    threshold = STATIC_RATE["zoom"] / 2 if axis == "z" else STATIC_RATE["translate"]
    reliability = len(usable) / len(motions)
    orbit = _orbit(usable, side, fps)
    if orbit:
        move = orbit
        confidence = reliability * 0.8
    elif (shake := read_shake(usable, side, fps, magnitude)).handheld:
        move = "handheld"
        confidence = reliability * min(1.0, 0.5 + 0.5 * shake.amplitude / CERTAIN_AMPLITUDE)
    elif magnitude < threshold:
        move = "static"
        confidence = reliability * (0.5 + 0.5 * (1 - magnitude / threshold))
    else:
        series = {"x": vx, "y": vy, "z": vz}[axis]
        agreement = float(np.mean(np.sign(series) == np.sign(rates[axis])))
        dominance = 1 - others / magnitude
        margin = min(1.0, magnitude / (2 * threshold))
        layered = float(np.mean([m.parallax > 0 for m in usable]))
        move = _label(axis, rates[axis], travels or (parallax > PARALLAX_RATIO and layered >= PARALLAX_SHARE))
        confidence = agreement * margin * (0.5 + 0.5 * dominance) * reliability
    return CameraReading(
        move=move,
        confidence=round(float(np.clip(confidence, 0.0, 1.0)), 3),
        pan_rate=rates["x"],
        tilt_rate=rates["y"],
        zoom_rate=rates["z"],
        roll_rate=float(np.median([m.rotation for m in usable])) * fps,
        parallax=parallax,
        jitter=jitter,
        reliable_pairs=len(usable),
        pairs=len(motions),
        background=_background_rates(usable, side, fps),
        layer=_layer_rates(usable, side, fps),
    )


def _background_rates(usable: list[PairMotion], side: float, fps: float) -> tuple[float, float, float]:
    border = np.array([[m.dx / side, m.dy / side, m.log_scale] for m in usable]) * fps
    x, y, z = np.median(border, axis=0)
    return float(x), float(y), float(z)


def _layer_rates(usable: list[PairMotion], side: float, fps: float) -> tuple[float, float, float]:
    """The second layer's median rates over the pairs that saw one; the background's when none did."""
    layered = [m for m in usable if m.parallax > 0]
    if not layered:
        return _background_rates(usable, side, fps)
    rates = np.array([[m.layer_dx / side, m.layer_dy / side, m.layer_log_scale] for m in layered]) * fps
    x, y, z = np.median(rates, axis=0)
    return float(x), float(y), float(z)

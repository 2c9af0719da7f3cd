"""The cinematic vocabulary every layer shares: camera moves, framing, light, aspect."""

from __future__ import annotations

from typing import Literal, get_args

ShotSize = Literal["extreme_wide", "wide", "medium_wide", "medium", "medium_close_up", "close_up", "extreme_close_up"]
CameraAngle = Literal["eye_level", "low_angle", "high_angle", "overhead", "aerial", "dutch", "pov", "over_the_shoulder"]
CameraMovement = Literal[
    "static",
    "pan_left",
    "pan_right",
    "tilt_up",
    "tilt_down",
    "dolly_in",
    "dolly_out",
    "truck_left",
    "truck_right",
    "pedestal_up",
    "pedestal_down",
    "zoom_in",
    "zoom_out",
    "orbit_left",
    "orbit_right",
    "crane_up",
    "crane_down",
    "tracking",
    "handheld",
]
CameraSpeed = Literal["slow", "medium", "fast"]
TimeOfDay = Literal["dawn", "morning", "day", "golden_hour", "dusk", "night"]
AspectRatio = Literal["16:9", "9:16", "1:1", "4:3", "2.39:1"]

SHOT_SIZES: tuple[str, ...] = get_args(ShotSize)
CAMERA_ANGLES: tuple[str, ...] = get_args(CameraAngle)
CAMERA_MOVEMENTS: tuple[str, ...] = get_args(CameraMovement)
CAMERA_SPEEDS: tuple[str, ...] = get_args(CameraSpeed)
TIMES_OF_DAY: tuple[str, ...] = get_args(TimeOfDay)
ASPECT_RATIOS: tuple[str, ...] = get_args(AspectRatio)

ASPECT_VALUES: dict[str, float] = {
    "16:9": 16 / 9,
    "9:16": 9 / 16,
    "1:1": 1.0,
    "4:3": 4 / 3,
    "2.39:1": 2.39,
}

# What a move does to the picture, measured the same way by the renderer that performs it and the critic that
# reads it: "x", the content slides sideways (pan, truck, orbit, tracking); "y", it slides up or down (tilt,
# pedestal, and crane: a crane travels vertically on its arm); "z", it grows or shrinks (zoom, dolly). Static
# and handheld have no direction.
MoveAxis = Literal["x", "y", "z"]
MOVE_AXES: dict[str, MoveAxis] = {
    "pan": "x",
    "truck": "x",
    "orbit": "x",
    "tracking": "x",
    "tilt": "y",
    "pedestal": "y",
    "crane": "y",
    "zoom": "z",
    "dolly": "z",
}

# What the speed words mean. Slides (axes x and y): the image speed at the subject's depth, as a fraction of
# the frame's LONGER side per second (the same angular speed at every aspect ratio): slow ~3.3, medium ~8,
# fast ~16.5 degrees per second with a 60-degree field of view across the longer side. Growth (axis z): the
# subject's on-screen size changes by this much ln-scale per second (8 %, 18 %, 35 % per second).
SLIDE_RATES: dict[str, float] = {"slow": 0.05, "medium": 0.12, "fast": 0.25}
SCALE_RATES: dict[str, float] = {"slow": 0.08, "medium": 0.18, "fast": 0.35}


def move_axis(move: str) -> MoveAxis | None:
    """The axis along which `move` shifts the picture (MOVE_AXES), or None for static and handheld."""
    return MOVE_AXES.get(move.split("_")[0])


# How a prompt says each camera move: the compiler writes it, the critic and reviser ask for it again.
CAMERA_PHRASES: dict[str, str] = {
    "static": "static camera, locked-off shot",
    "pan_left": "the camera pans left",
    "pan_right": "the camera pans right",
    "tilt_up": "the camera tilts up",
    "tilt_down": "the camera tilts down",
    "dolly_in": "the camera dollies in toward the subject",
    "dolly_out": "the camera dollies out away from the subject",
    "truck_left": "the camera trucks left alongside the scene",
    "truck_right": "the camera trucks right alongside the scene",
    "pedestal_up": "the camera rises straight up",
    "pedestal_down": "the camera lowers straight down",
    "zoom_in": "the camera zooms in",
    "zoom_out": "the camera zooms out",
    "orbit_left": "the camera orbits left around the subject",
    "orbit_right": "the camera orbits right around the subject",
    "crane_up": "crane shot rising up",
    "crane_down": "crane shot descending",
    "tracking": "tracking shot following the subject",
    "handheld": "handheld camera, slight shake",
}

# Moves a flat scene cannot tell apart: a critic must not fail one for the other.
COMPATIBLE_MOVES: dict[str, frozenset[str]] = {
    "dolly_in": frozenset({"zoom_in", "crane_down"}),
    "zoom_in": frozenset({"dolly_in"}),
    "dolly_out": frozenset({"zoom_out", "crane_up"}),
    "zoom_out": frozenset({"dolly_out"}),
    # A pan or truck left slides the world right, as what lies beyond the subject does in an orbit right.
    "truck_left": frozenset({"pan_left", "orbit_right"}),
    "pan_left": frozenset({"truck_left", "orbit_right"}),
    "truck_right": frozenset({"pan_right", "orbit_left"}),
    "pan_right": frozenset({"truck_right", "orbit_left"}),
    "pedestal_up": frozenset({"tilt_up", "crane_up"}),
    "tilt_up": frozenset({"pedestal_up", "crane_up"}),
    "pedestal_down": frozenset({"tilt_down", "crane_down"}),
    "tilt_down": frozenset({"pedestal_down", "crane_down"}),
    # Orbiting right, the camera travels right and turns left to keep the subject: what lies beyond the subject
    # slides right, as in a pan or truck left. The other direction is a reversed orbit, never a pass.
    "orbit_left": frozenset({"truck_right", "pan_right"}),
    "orbit_right": frozenset({"truck_left", "pan_left"}),
    "crane_up": frozenset({"pedestal_up", "tilt_up", "dolly_out", "zoom_out"}),
    "crane_down": frozenset({"pedestal_down", "tilt_down", "dolly_in", "zoom_in"}),
    # A tracked subject holds its place while the world slides by, as an orbit's subject does: over a backdrop
    # without depth (no near-faster parallax to see) the frames cannot tell a tracking shot from an orbit.
    "tracking": frozenset(
        {"static", "truck_left", "truck_right", "pan_left", "pan_right", "handheld", "orbit_left", "orbit_right"}
    ),
    "handheld": frozenset({"static", "tracking"}),
}


def moves_compatible(expected: str, detected: str) -> bool:
    """True when `detected` is `expected` or a move a flat scene cannot tell from it."""
    return expected == detected or detected in COMPATIBLE_MOVES.get(expected, frozenset())

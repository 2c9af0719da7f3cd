"""Camera paths of the previz animatic: one function of time per move, in the design's direction convention.

The world is 2.5D: X right, Y up, Z forward (metres). The camera sits at (cx, cy, cz) with a focal length
`f` in pixels, a view rotation given as image shifts (`psi` yaw, `pitch`, both in radians of the linear
"shift" model: a pure rotation moves every depth by the same `f * angle` pixels) and a `roll`.

Speeds are the vocabulary's (SLIDE_RATES, SCALE_RATES in generator/vocabulary.py, which the critic grades
against): image speeds at the subject's depth, as a fraction of the frame's LONGER side per second (the
same angular speed at every aspect ratio, because the focal length is set from the longer side with a
60-degree field of view):

    slow 0.05/s (~3.3 deg/s), medium 0.12/s (~8 deg/s), fast 0.25/s (~16.5 deg/s)

so a medium pan at 832x480 slides the scene ~100 px/s. Zoom and dolly change the subject's on-screen
size at SCALE_RATES per second (slow 8 %/s, medium 18 %/s, fast 35 %/s, exponential). Moves that
cannot go on forever are bounded and, for shots too long to hold the speed, slowed to fit the bound:
zoom/dolly change the size by at most MAX_SCALE (3.5x); tilt at most MAX_TILT rad; pedestal and crane
at most 1.2 frame heights at the subject's depth. Pan, truck, orbit and tracking wrap around the world
and keep their speed for any duration.

Direction convention (camera, not content): pan_left turns the camera left, so content slides right;
tilt_up -> content slides down; truck_left -> content slides right with parallax (near faster);
pedestal_up -> content slides down with parallax; dolly_in -> expansion with parallax; zoom_in ->
uniform expansion about the centre (no parallax); orbit_left -> the camera circles left around the
subject, which stays centred while nearer things slide right and farther things slide left; crane_up
-> the camera rises (content slides down with parallax), pulls back a little, and tilts only as much
as needed to keep the subject between 8 % and 92 % of the frame's height; tracking -> the camera travels
with the subject (heading right), which stays put while the world slides left; handheld -> seeded,
smooth jitter of yaw, pitch and roll.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from generator.vocabulary import SCALE_RATES, SLIDE_RATES

HANDHELD_SHAKE: dict[str, float] = {"slow": 0.004, "medium": 0.008, "fast": 0.016}  # of the longer side
HANDHELD_ROLL_DEG: dict[str, float] = {"slow": 0.3, "medium": 0.6, "fast": 1.2}
HANDHELD_PITCH_SHARE = 0.7  # a hand wobbles less up and down than sideways
HANDHELD_HZ = (0.3, 2.5)  # the wobble's frequencies: breathing and footsteps, not vibration
HANDHELD_SINES = 4
MAX_SCALE = 3.5
MAX_TILT = 0.7  # radians
MAX_VERTICAL_FRAMES = 1.2  # frame heights of pedestal or crane travel, at the subject's depth
LONG_SIDE_FOV_DEG = 60.0
DUTCH_ROLL_DEG = 12.0
GROUND_CLEARANCE_M = 0.05  # the lens never goes lower than this above the ground
CRANE_PULLBACK = 0.25  # a crane's arm swings back as it rises: growth at this share of the speed's scale rate
# A crane tilts only to keep the subject between these fractions of the height: held between 0.25 and 0.7, the
# tilt ran for half of a 4 s crane and cancelled the rise beyond the subject (a drone shot rising read static).
CRANE_SUBJECT_ROWS = (0.08, 0.92)

OPPOSITE_MOVES: dict[str, str] = {
    "pan_left": "pan_right",
    "tilt_up": "tilt_down",
    "dolly_in": "dolly_out",
    "truck_left": "truck_right",
    "pedestal_up": "pedestal_down",
    "zoom_in": "zoom_out",
    "orbit_left": "orbit_right",
    "crane_up": "crane_down",
}
OPPOSITE_MOVES.update({v: k for k, v in list(OPPOSITE_MOVES.items())})


def base_focal(width: int, height: int) -> float:
    """Focal length in pixels: a 60-degree field of view across the longer side."""
    return max(width, height) / (2.0 * math.tan(math.radians(LONG_SIDE_FOV_DEG) / 2.0))


@dataclass(frozen=True)
class Framing:
    """Where the subject stands and where the camera starts, before any move."""

    subject_depth: float  # Zs, metres
    focus_height: float  # world Y the camera aims at
    camera_height: float
    pitch: float
    roll: float
    width: int
    height: int
    focal: float
    aim_x: float = 0.5  # which fraction of the subject's width stands at X=0 (where the camera looks)


@dataclass(frozen=True)
class CameraTrack:
    """Per-frame camera state as arrays of length num_frames."""

    cx: np.ndarray
    cy: np.ndarray
    cz: np.ndarray
    psi: np.ndarray
    pitch: np.ndarray
    roll: np.ndarray
    f: np.ndarray
    subject_dx: np.ndarray  # how far the subject has walked (tracking), metres
    movement: str
    notes: tuple[str, ...] = ()
    lift: float = 0.0  # metres the whole path was raised to stay above the ground

    def __len__(self) -> int:
        return len(self.cx)


def _smooth_jitter(rng: np.random.Generator, t: np.ndarray, amplitude: float) -> np.ndarray:
    """A smooth random wobble: a few sines of random frequency (HANDHELD_HZ) and phase, scaled to `amplitude`."""
    freqs = rng.uniform(*HANDHELD_HZ, HANDHELD_SINES)
    phases = rng.uniform(0, 2 * math.pi, HANDHELD_SINES)
    weights = rng.uniform(0.5, 1.0, HANDHELD_SINES)
    wave = sum(w * np.sin(2 * math.pi * fr * t + ph) for w, fr, ph in zip(weights, freqs, phases, strict=True))
    return amplitude * wave / float(weights.sum()) * 2.0


@dataclass
class _Path:
    """The camera's per-frame state while a move is laid down (CameraTrack's arrays, mutable)."""

    cx: np.ndarray
    cy: np.ndarray
    cz: np.ndarray
    psi: np.ndarray
    pitch: np.ndarray
    roll: np.ndarray
    f: np.ndarray
    subject_dx: np.ndarray

    @classmethod
    def held(cls, framing: Framing, n: int) -> _Path:
        """The camera where the framing puts it, for `n` frames."""
        return cls(
            cx=np.zeros(n),
            cy=np.full(n, framing.camera_height),
            cz=np.zeros(n),
            psi=np.zeros(n),
            pitch=np.full(n, framing.pitch),
            roll=np.full(n, framing.roll),
            f=np.full(n, framing.focal),
            subject_dx=np.zeros(n),
        )


@dataclass(frozen=True)
class _Pace:
    """How fast a move goes: `slide` px/s at the subject's depth, `grow` ln-scale per second."""

    slide: float
    grow: float


def _bounded_pace(movement: str, speed: str, fr: Framing, duration: float, notes: list[str]) -> _Pace:
    """The speed's pace, slowed (with a note) for moves that would pass their bound within `duration`."""
    v = SLIDE_RATES[speed] * max(fr.width, fr.height)
    r = SCALE_RATES[speed]
    max_log_scale = math.log(MAX_SCALE)
    if movement in {"zoom_in", "zoom_out", "dolly_in", "dolly_out"} and r * duration > max_log_scale:
        r = max_log_scale / duration
        notes.append(f"{movement} slowed to {r:.3f}/s to stay within {MAX_SCALE:g}x over {duration:g} s")
    vertical_cap = MAX_VERTICAL_FRAMES * fr.height
    if movement in {"pedestal_up", "pedestal_down", "crane_up", "crane_down"} and v * duration > vertical_cap:
        v = vertical_cap / duration
        notes.append(f"{movement} slowed to {v:.0f} px/s to stay within {MAX_VERTICAL_FRAMES:g} frame heights")
    if movement in {"tilt_up", "tilt_down"} and v / fr.focal * duration > MAX_TILT:
        v = MAX_TILT * fr.focal / duration
        notes.append(f"{movement} slowed to {v:.0f} px/s to stay within a {math.degrees(MAX_TILT):.0f} degree tilt")
    return _Pace(v, r)


def _crane(path: _Path, fr: Framing, pace: _Pace, sign: float, t: np.ndarray, tc: np.ndarray) -> None:
    """Rise (or descend) on the arm, which swings back as it rises, tilting only to keep the subject in frame."""
    f0, zs, v = fr.focal, fr.subject_depth, pace.slide
    path.cy = fr.camera_height + sign * (v * zs / f0) * tc
    path.cz = zs * (1.0 - np.exp(sign * CRANE_PULLBACK * pace.grow * t))
    drift = sign * v * tc  # subject's image drift (down for crane_up)
    start_y = fr.height / 2 - f0 * ((fr.focus_height - fr.camera_height) / zs - fr.pitch)
    low, high = CRANE_SUBJECT_ROWS
    kept = np.clip(drift, low * fr.height - start_y, high * fr.height - start_y)  # stay in the middle rows
    path.pitch = fr.pitch - (drift - kept) / f0


def _handheld(path: _Path, fr: Framing, speed: str, t: np.ndarray, rng: np.random.Generator) -> None:
    """A seeded, smooth wobble of yaw, pitch and roll."""
    shake = HANDHELD_SHAKE[speed] * max(fr.width, fr.height) / fr.focal
    path.psi = _smooth_jitter(rng, t, shake)
    path.pitch = fr.pitch + _smooth_jitter(rng, t, shake * HANDHELD_PITCH_SHARE)
    path.roll = fr.roll + _smooth_jitter(rng, t, math.radians(HANDHELD_ROLL_DEG[speed]))


def _lay_move(
    path: _Path,
    movement: str,
    speed: str,
    fr: Framing,
    pace: _Pace,
    t: np.ndarray,
    tc: np.ndarray,
    rng: np.random.Generator,
    reverse_tracking: bool,
) -> None:
    """Write `movement` into `path` (moves that pass the subject do so at centred time `tc` = 0)."""
    f0, zs, v, r = fr.focal, fr.subject_depth, pace.slide, pace.grow
    sign = -1.0 if movement.endswith(("_left", "_down", "_out")) else 1.0
    if movement in {"pan_left", "pan_right"}:
        path.psi = sign * (v / f0) * tc
    elif movement in {"tilt_up", "tilt_down"}:
        path.pitch = fr.pitch + sign * (v / f0) * tc
    elif movement in {"truck_left", "truck_right"}:
        path.cx = sign * (v * zs / f0) * tc
    elif movement in {"pedestal_up", "pedestal_down"}:
        path.cy = fr.camera_height + sign * (v * zs / f0) * tc
    elif movement in {"zoom_in", "zoom_out"}:
        path.f = f0 * np.exp(sign * r * t)
    elif movement in {"dolly_in", "dolly_out"}:
        path.cz = zs * (1.0 - np.exp(-sign * r * t))
    elif movement in {"orbit_left", "orbit_right"}:
        path.cx = sign * (v * zs / f0) * tc
        path.psi = -path.cx / zs  # keep the subject centred: near slides one way, far the other
    elif movement in {"crane_up", "crane_down"}:
        _crane(path, fr, pace, sign, t, tc)
    elif movement == "tracking":
        path.cx = (-1.0 if reverse_tracking else 1.0) * (v * zs / f0) * t
        path.subject_dx = path.cx.copy()
    elif movement == "handheld":
        _handheld(path, fr, speed, t, rng)
    elif movement != "static":
        raise ValueError(f"unknown camera movement {movement!r}")


def camera_track(
    movement: str,
    speed: str,
    framing: Framing,
    num_frames: int,
    fps: int,
    rng: np.random.Generator,
    *,
    reverse_tracking: bool = False,
    times: np.ndarray | None = None,
    duration: float | None = None,
) -> CameraTrack:
    """The camera state for every frame of `movement` at `speed` (times are frame index / fps).

    `times` and `duration` evaluate the path of a shot `duration` seconds long at other instants: an
    extension passes the source shot's duration and times past its end, so the same path carries on
    (same speeds, same centring, same handheld wobble for the same `rng` state).
    """
    t = np.arange(num_frames, dtype=np.float64) / fps if times is None else np.asarray(times, np.float64)
    duration = num_frames / fps if duration is None else duration
    notes: list[str] = []
    pace = _bounded_pace(movement, speed, framing, duration, notes)
    path = _Path.held(framing, len(t))
    _lay_move(path, movement, speed, framing, pace, t, t - duration / 2.0, rng, reverse_tracking)
    if times is not None:  # a path evaluated past the shot keeps the shot's own lift: no jump at the join
        base = camera_track(movement, speed, framing, num_frames, fps, np.random.default_rng(0), duration=duration)
        lift = base.lift
    else:
        lift = max(0.0, GROUND_CLEARANCE_M - float(path.cy.min())) if len(t) else 0.0
    if lift > 0:  # never below the ground: lift the whole path and tilt down to keep the aim
        path.cy = path.cy + lift
        path.pitch = path.pitch - lift / framing.subject_depth
    _hide_roll_corners(path, framing)
    return CameraTrack(**vars(path), movement=movement, notes=tuple(notes), lift=lift)


def _hide_roll_corners(path: _Path, fr: Framing) -> None:
    """Roll shows the frame's corners: a longer focal length hides them."""
    max_roll = float(np.abs(path.roll).max()) if len(path.roll) else 0.0
    if max_roll > 0:
        aspect = max(fr.width, fr.height) / min(fr.width, fr.height)
        path.f = path.f * (math.cos(max_roll) + math.sin(max_roll) * aspect)

"""The previz animatic: exact shapes for every move and aspect, the direction convention measured by flow, looks."""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest

from generator.base import CancelToken, Generator, Progress
from generator.errors import InvalidRequest, RenderCancelled
from generator.previz import PrevizGenerator
from generator.previz.camera import Framing, base_focal, camera_track
from generator.request import CameraPath, LookHints, RenderRequest
from generator.vocabulary import ASPECT_RATIOS, ASPECT_VALUES, CAMERA_MOVEMENTS

cv2.setNumThreads(1)


def _request(
    movement: str = "static",
    *,
    aspect: str = "16:9",
    area: int = 160 * 90,
    fps: int = 8,
    frames: int = 4,
    speed: str = "medium",
    seed: int = 3,
    **look,
) -> RenderRequest:
    ratio = ASPECT_VALUES[aspect]
    height = round(math.sqrt(area / ratio) / 2) * 2
    width = round(height * ratio / 2) * 2
    hints = {"subject": "a red fox", "setting": "a forest", "time_of_day": "day", "shot_size": "wide", **look}
    return RenderRequest(
        prompt="a red fox in a forest",
        width=width,
        height=height,
        num_frames=frames,
        fps=fps,
        seed=seed,
        camera=CameraPath(movement=movement, speed=speed),
        look=LookHints(**hints),
    )


def _render(request: RenderRequest) -> np.ndarray:
    return PrevizGenerator().render(request).frames


def test_previz_is_a_generator() -> None:
    assert isinstance(PrevizGenerator(), Generator)
    assert PrevizGenerator.name == "previz"


@pytest.mark.parametrize("aspect", ASPECT_RATIOS)
@pytest.mark.parametrize("movement", CAMERA_MOVEMENTS)
def test_every_move_and_aspect_renders_exact_frames(movement: str, aspect: str) -> None:
    request = _request(movement, aspect=aspect, frames=5, fps=10)
    result = PrevizGenerator().render(request)
    assert result.frames.shape == (5, request.height, request.width, 3)
    assert result.frames.dtype == np.uint8
    assert result.fps == 10
    assert result.backend == "previz"
    assert result.frames.std() > 10  # a picture, not a flat fill
    if movement != "static":
        assert np.abs(result.frames[-1].astype(int) - result.frames[0].astype(int)).mean() > 0.5


def test_duration_is_exact_for_odd_counts() -> None:
    request = _request(frames=37, fps=24)
    frames = _render(request)
    assert frames.shape[0] == 37
    assert request.duration_s == pytest.approx(37 / 24)


def test_same_seed_same_frames_other_seed_other_frames() -> None:
    a = _render(_request("handheld", seed=11))
    b = _render(_request("handheld", seed=11))
    c = _render(_request("handheld", seed=12))
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)


# --- the direction convention, measured between rendered frames ----------------------------------------------


def _frames(movement: str, *, speed: str = "fast", faults: tuple[str, ...] = (), **look) -> np.ndarray:
    """Frames 0 and 3 of a 320x180 render (no caption) as grey images."""
    request = _request(movement, area=320 * 180, fps=12, frames=4, speed=speed, style="clean", **look)
    frames = _render(request.model_copy(update={"faults": faults}))
    return np.stack([cv2.cvtColor(frames[i], cv2.COLOR_RGB2GRAY) for i in (0, 3)])


def _shift(pair: np.ndarray, rows: slice = slice(None)) -> tuple[float, float]:
    """Global translation of the content from the first image to the second (phase correlation)."""
    a, b = (np.float32(img[rows]) for img in pair)
    (dx, dy), _ = cv2.phaseCorrelate(a, b)
    return dx, dy


def _tracks(pair: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Corner positions in the first image and their displacement to the second (pyramidal Lucas-Kanade)."""
    p0 = cv2.goodFeaturesToTrack(pair[0], maxCorners=400, qualityLevel=0.01, minDistance=5)
    p1, status, _ = cv2.calcOpticalFlowPyrLK(pair[0], pair[1], p0, None, winSize=(21, 21), maxLevel=3)
    ok = status.ravel() == 1
    return p0.reshape(-1, 2)[ok], (p1 - p0).reshape(-1, 2)[ok]


def _divergence(pair: np.ndarray, y0: float = 0.0, y1: float = 1.0) -> float:
    """Median radial displacement per pixel of distance from the centre for corners in rows [y0, y1) (fractions)."""
    points, moves = _tracks(pair)
    h, w = pair.shape[1:]
    r = points - np.array([w / 2, h / 2])
    radial = (moves * r).sum(axis=1) / ((r**2).sum(axis=1) + 1.0)
    band = (points[:, 1] >= y0 * h) & (points[:, 1] < y1 * h)
    assert band.sum() >= 8, "too few corners to measure"
    return float(np.median(radial[band]))


@pytest.mark.parametrize(
    ("movement", "sign_x", "sign_y"),
    [
        ("pan_left", 1, 0),
        ("pan_right", -1, 0),
        ("tilt_up", 0, 1),
        ("tilt_down", 0, -1),
        ("truck_left", 1, 0),
        ("truck_right", -1, 0),
        ("pedestal_up", 0, 1),
        ("pedestal_down", 0, -1),
    ],
)
def test_content_slides_opposite_to_the_camera(movement: str, sign_x: int, sign_y: int) -> None:
    pair = _frames(movement)
    rows = slice(pair.shape[1] * 2 // 3, None)  # the ground: textured at every depth
    dx, dy = _shift(pair, rows)
    main, other = (dx, dy) if sign_x else (dy, dx)
    assert main * (sign_x or sign_y) > 2.0, (movement, dx, dy)
    assert abs(other) < abs(main) / 2


def test_pan_is_uniform_but_truck_has_parallax() -> None:
    def spread(pair: np.ndarray) -> float:
        _, moves = _tracks(pair)
        low, high = np.percentile(moves[:, 0], [10, 90])
        return float(high / max(low, 0.1))

    assert spread(_frames("pan_left")) < 1.3  # every depth slides alike
    assert spread(_frames("truck_left")) > 2.0  # the near ground outruns the far hills


@pytest.mark.parametrize(("movement", "sign"), [("zoom_in", 1), ("zoom_out", -1), ("dolly_in", 1), ("dolly_out", -1)])
def test_zoom_and_dolly_expand_or_contract_about_the_centre(movement: str, sign: int) -> None:
    assert sign * _divergence(_frames(movement)) > 0.01


def test_zoom_has_no_parallax_but_dolly_does() -> None:
    zoom, dolly = _frames("zoom_in"), _frames("dolly_in")
    assert _divergence(zoom, 0.0, 0.45) == pytest.approx(_divergence(zoom, 0.65, 1.0), rel=0.35)
    assert _divergence(dolly, 0.65, 1.0) > 2.5 * abs(_divergence(dolly, 0.0, 0.45))


def test_orbit_keeps_the_subject_while_near_and_far_slide_apart() -> None:
    pair = _frames("orbit_left")
    points, moves = _tracks(pair)
    h = pair.shape[1]
    far = moves[points[:, 1] < 0.45 * h, 0]
    near = moves[points[:, 1] > 0.8 * h, 0]
    assert np.median(far) < -1.0, np.median(far)  # beyond the subject: slides left
    assert np.median(near) > 1.0, np.median(near)  # before the subject: slides right


def test_tracking_keeps_the_subject_still_while_the_world_slides() -> None:
    pair = _frames("tracking", shot_size="medium")
    h, w = pair.shape[1:]
    points, moves = _tracks(pair)
    on_subject = (abs(points[:, 0] - w / 2) < 0.12 * w) & (points[:, 1] > 0.25 * h) & (points[:, 1] < 0.75 * h)
    assert on_subject.sum() >= 3
    # It stays put but for its stride's surge (a pixel or so here), so no frame of a tracked gait repeats.
    assert abs(np.median(moves[on_subject, 0])) < 1.5
    assert _shift(pair, slice(0, h // 4))[0] < -0.3  # following a subject heading right: the world slides left


def test_speeds_are_clearly_ordered() -> None:
    speeds = [abs(_shift(_frames("pan_right", speed=s))[0]) for s in ("slow", "medium", "fast")]
    assert speeds[0] * 1.6 < speeds[1] and speeds[1] * 1.6 < speeds[2], speeds
    # The documented rates: fraction of the longer side per second (320 px wide, 3 frames at 12 fps).
    assert speeds[1] == pytest.approx(0.12 * 320 * 3 / 12, rel=0.15)


def test_camera_reversed_fault_renders_the_opposite_move() -> None:
    result = PrevizGenerator().render(_request("pan_left").model_copy(update={"faults": ("camera_reversed",)}))
    assert any("camera_reversed" in note for note in result.notes)
    assert _shift(_frames("pan_left"))[0] > 2
    assert _shift(_frames("pan_left", faults=("camera_reversed",)))[0] < -2


def test_handheld_jitters_but_static_holds_still() -> None:
    static = _render(_request("static", frames=6))
    handheld = _render(_request("handheld", frames=6, speed="fast"))
    keep = int(static.shape[1] * 0.6)  # sky and far layers: the subject's own bob is lower down
    diff_static = np.abs(np.diff(static[:, :keep].astype(np.int16), axis=0)).mean()
    diff_handheld = np.abs(np.diff(handheld[:, :keep].astype(np.int16), axis=0)).mean()
    assert diff_static < 0.5
    assert diff_handheld > 2 * diff_static + 0.5


# --- looks, light, and the generator protocol -------------------------------------------------------------------


def test_noir_is_black_and_white() -> None:
    frames = _render(_request(style="film noir"))
    body = frames[:, : int(frames.shape[1] * 0.8)].astype(int)
    assert np.abs(body[..., 0] - body[..., 1]).max() == 0
    assert np.abs(body[..., 1] - body[..., 2]).max() == 0


def test_night_is_darker_than_day_and_golden_hour_is_warm() -> None:
    day = _render(_request(time_of_day="day")).astype(float)
    night = _render(_request(time_of_day="night")).astype(float)
    golden = _render(_request(time_of_day="golden_hour")).astype(float)
    assert night.mean() < 0.6 * day.mean()
    assert golden[..., 0].mean() > golden[..., 2].mean()


def test_anime_flattens_colour() -> None:
    plain = _render(_request(style="realistic", frames=1))[0]
    anime = _render(_request(style="anime", frames=1))[0]
    assert len(np.unique(anime.reshape(-1, 3), axis=0)) < 0.6 * len(np.unique(plain.reshape(-1, 3), axis=0))


def test_effects_are_drawn_or_reported() -> None:
    result = PrevizGenerator().render(_request(effects=("snow", "rain", "a dragon made of light")))
    assert any("cannot draw: a dragon made of light" in note for note in result.notes)
    assert any("snow" in note and "rain" in note for note in result.notes if note.startswith("previz look"))


def test_progress_reports_previz_stage_and_cancel_raises() -> None:
    seen: list[Progress] = []
    PrevizGenerator().render(_request(frames=6), progress=seen.append)
    assert seen and seen[-1].step == seen[-1].total == 6
    assert all(p.stage == "previz" for p in seen)
    token = CancelToken()
    token.cancel()
    with pytest.raises(RenderCancelled):
        PrevizGenerator().render(_request(frames=6), cancel=token)


def test_odd_sides_are_refused() -> None:
    request = _request().model_copy(update={"width": 161})
    with pytest.raises(InvalidRequest, match="even"):
        PrevizGenerator().render(request)


@pytest.mark.parametrize("angle", ["low_angle", "high_angle", "overhead", "aerial", "dutch", "over_the_shoulder"])
def test_camera_angles_render(angle: str) -> None:
    request = _request("pan_left").model_copy(update={"camera": CameraPath(movement="pan_left", angle=angle)})
    frames = _render(request)
    assert frames.shape[0] == 4 and frames.std() > 10


def test_no_caption_is_burnt_into_the_take() -> None:
    # The words belong in the spec card and contact sheet: a strip of text the camera does not move would
    # be read by the critic (and a judge) as part of the picture.
    plain = _render(_request(frames=1, area=320 * 180))[0]
    captioned = _render(_request(frames=1, area=320 * 180, caption="take one, scene two"))[0]
    assert np.array_equal(plain, captioned)


def test_the_frame_cache_changes_no_pixel(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reusing unchanged layers (the canvas prefix, warped sprites) gives the frames a full redraw gives."""
    from generator.previz.compositor import Compositor

    moves = ("static", "crane_up", "handheld", "tracking")
    cached = {m: _render(_request(m, frames=6, style="35mm film")) for m in moves}
    full_redraw = Compositor._composite

    def redraw_everything(self: Compositor, plans: list) -> None:
        self.last_plans, self.snapshot, self.snapshot_len, self.warped = [], None, 0, {}
        full_redraw(self, plans)

    monkeypatch.setattr(Compositor, "_composite", redraw_everything)
    for movement in moves:
        assert np.array_equal(cached[movement], _render(_request(movement, frames=6, style="35mm film"))), movement


def test_anime_at_night_stays_readable_and_the_pan_shows() -> None:
    """Regression: the cel quantiser floored every tone under 51 to 0, so an anime night was black and still."""
    night = {"subject": "a lighthouse", "setting": "a storm", "time_of_day": "night", "area": 424 * 240}
    plain = _render(_request("pan_left", frames=12, **night))
    anime = _render(_request("pan_left", frames=12, style="anime", **night))
    luma = np.stack([cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY) for frame in anime])
    assert np.percentile(luma.reshape(len(luma), -1), 99, axis=1).min() > 32  # the critic's black line is 24
    assert anime.mean() > 0.6 * plain.mean()  # a night grade, not a crush
    dx, dy = _shift(luma[[0, 3]])  # pan left: the content slides right
    assert dx > 2.0 and abs(dy) < dx / 2, (dx, dy)


def test_a_steady_pan_stays_equally_sharp() -> None:
    # Textures sharp to the texel, sampled at a sub-pixel offset that moves, were sharp at whole pixels and
    # box-blurred half-way between (0.57 of the median here): the critic failed a steady tilt for a frame at 0.45
    # of its neighbours. Every frame of a pan over the same world is about as sharp as the next.
    request = RenderRequest(
        prompt="Laptop",
        width=320,
        height=180,
        num_frames=24,
        fps=24,
        seed=0,
        camera=CameraPath(movement="pan_left", speed="medium"),
        look=LookHints(subject="Laptop"),
    )
    frames = _render(request)
    sharpness = np.array([cv2.Laplacian(cv2.cvtColor(f, cv2.COLOR_RGB2GRAY), cv2.CV_64F).var() for f in frames])
    assert sharpness.min() > 0.7 * np.median(sharpness), np.round(sharpness / np.median(sharpness), 2)


CRANES = [("crane_up", "medium"), ("crane_down", "medium"), ("crane_up", "fast")]


@pytest.mark.parametrize(("movement", "speed"), CRANES)
def test_a_crane_mostly_travels_rather_than_holds(movement: str, speed: str) -> None:
    # A crane tilts only to keep its subject in frame. Holding it between 25 % and 70 % of the height, the tilt
    # ran for over half of a 4 s crane and cancelled the rise beyond the subject: a drone shot rising read static
    # (aerial: tilt_down). Held only at the frame's edges, the camera rises for most of the shot.
    width, height = 848, 480
    framing = Framing(10.0, 1.0, 1.0, 0.0, 0.0, width, height, base_focal(width, height))
    track = camera_track(movement, speed, framing, 96, 24, np.random.default_rng(0))
    holding = np.abs(track.pitch - track.pitch[len(track) // 2]) > 1e-9  # mid-shot the subject is where it began
    assert holding.mean() < 0.35, holding.mean()

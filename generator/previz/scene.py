"""Build the layered world of one shot: framing from shot size and angle, then sky, ridges, ground bands, subject."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import cv2
import numpy as np

from generator.previz.camera import DUTCH_ROLL_DEG, CameraTrack, Framing, base_focal
from generator.previz.layers import NEAR_PLANE, Layer, Shading, band_layer, pack_rgba, ridge_layer, sky_layer
from generator.previz.looks import Look, grade_texture
from generator.previz.palette import SETTING_WORDS, SKIES, setting_kind, words_in
from generator.previz.plates import plan_plates
from generator.previz.subject import SubjectShape, subject_layer, subject_shape
from generator.request import RenderRequest

# Shot size -> how much of the frame the subject fills (height, or width for wide subjects); the close
# shots are framed on the subject's feature instead (CLOSE_VIEWS).
SHOT_FRACTIONS: dict[str, float] = {
    "extreme_wide": 0.1,
    "wide": 0.3,
    "medium_wide": 0.6,
    "medium": 1.0,
    "medium_close_up": 1.5,
    "close_up": 2.4,
    "extreme_close_up": 4.5,
}
# Close shots -> how many times the subject's feature (its head) the frame's shorter side spans.
CLOSE_VIEWS: dict[str, float] = {"medium_close_up": 3.2, "close_up": 1.7, "extreme_close_up": 0.75}
# Shot size -> how far the aim moves from the middle of the body (0) to the subject's aim point (1, the head).
SHOT_AIM: dict[str, float] = {"medium": 0.25, "medium_close_up": 0.7, "close_up": 1.0, "extreme_close_up": 1.0}
# Shot size -> where the aimed point sits in the frame, as a fraction of its height from the top.
SHOT_TARGET_Y: dict[str, float] = {"extreme_wide": 0.6, "wide": 0.6, "medium_wide": 0.55}
DEFAULT_SHOT = "medium_wide"
# Camera angle -> camera height above the aimed point, in subject distances.
ANGLE_HEIGHTS: dict[str, float] = {"high_angle": 0.45, "overhead": 1.0, "aerial": 1.6}

GROUND_COLOURS: dict[str, tuple[int, int, int]] = {
    "field": (88, 128, 58),
    "forest": (70, 100, 52),
    "snow": (228, 232, 240),
    "desert": (212, 178, 122),
    "sea": (205, 185, 145),
    "city": (92, 92, 98),
}
OBJECT_COLOURS: dict[str, tuple[int, int, int]] = {
    "field": (60, 110, 45),
    "forest": (40, 95, 45),
    "snow": (40, 85, 55),
    "desert": (150, 110, 75),
    "sea": (110, 100, 95),
    "city": (120, 118, 130),
}
WATER = (45, 95, 140)


@dataclass
class Scene:
    """Everything the per-frame loop needs, precomputed."""

    layers: list[Layer]
    framing: Framing
    shape: SubjectShape
    fill: np.ndarray  # (H, W, 4): what shows where no layer reaches
    sun: tuple[float, float] | None
    sky_period: float
    notes: list[str] = field(default_factory=list)


def subject_distance(shot: str, shape: SubjectShape, width: int, height: int, focal: float) -> float:
    """How far the subject stands for a shot size: each size at most 3/4 the distance of the next wider one."""
    whole = max(shape.height / height, shape.width / width * 0.8)  # the whole subject at frac 1
    distance = math.inf
    for size, frac in SHOT_FRACTIONS.items():
        if size in CLOSE_VIEWS:  # the frame's shorter side spans a few times the aimed feature (the head)
            z = focal * CLOSE_VIEWS[size] * shape.feature / min(width, height)
        else:  # the whole subject fills `frac` of the frame
            z = focal * whole / frac
        distance = min(z, 0.75 * distance)
        if size == shot:
            break
    return distance


def frame_subject(request: RenderRequest, shape: SubjectShape) -> Framing:
    """Subject distance, aim and camera height from the shot size and camera angle."""
    w, h = request.width, request.height
    f0 = base_focal(w, h)
    look = request.look
    shot = (look.shot_size if look else None) or DEFAULT_SHOT
    blend = SHOT_AIM.get(shot, 0.0)
    zs = subject_distance(shot, shape, w, h, f0)
    aim_x = 0.5 + blend * (shape.aim[0] - 0.5)
    focus = shape.height * (1.0 - (0.5 + blend * (shape.aim[1] - 0.5)))
    target_y = h * SHOT_TARGET_Y.get(shot, 0.5)
    angle = request.camera.angle if request.camera else None
    cy = focus
    if angle == "low_angle":
        cy = max(0.08, focus * 0.3)
    elif angle in ANGLE_HEIGHTS:
        cy = focus + ANGLE_HEIGHTS[angle] * zs
    pitch = (target_y - h / 2) / f0 + (focus - cy) / zs
    roll = math.radians(DUTCH_ROLL_DEG) if angle == "dutch" else 0.0
    return Framing(zs, focus, cy, pitch, roll, w, h, f0, aim_x)


def _ground_extent(track: CameraTrack, depth: float, nearer: float | None, height: int, zs: float) -> float:
    """How far below Y=0 a band at `depth` must reach so no gap opens before the next band or the frame's edge."""
    d = depth - track.cz
    room = height / 2 - track.f * track.pitch  # pixels from the horizon down to the frame's bottom
    to_bottom = np.where(room > 0, d * room / track.f - track.cy, 0.0)
    need = to_bottom
    if nearer is not None:
        dn = nearer - track.cz
        to_next = np.where(dn > NEAR_PLANE * zs, track.cy * (depth - nearer) / np.maximum(dn, 1e-6), np.inf)
        need = np.minimum(to_bottom, to_next)
    visible = d > NEAR_PLANE * zs
    return float(max(0.0, need[visible].max() if visible.any() else 0.0)) * 1.15


def build_scene(
    request: RenderRequest,
    framing: Framing,
    track: CameraTrack,
    look: Look,
    rng: np.random.Generator,
    *,
    view_track: CameraTrack | None = None,
) -> Scene:
    """All layers of the shot, far to near, graded for the look.

    `track` decides the textures (their extents, hence the seeded noise); `view_track` (default `track`),
    every view the frames will take, decides how layers are merged into plates and tiled. An extension
    passes its source's track and the views of both shots, so its world is the source's, pixel for pixel.
    """
    view_track = track if view_track is None else view_track
    hints = request.look
    w, h = request.width, request.height
    f0 = framing.focal
    long_side = max(w, h)
    period_tx = 2 * long_side
    setting_text = ((hints.setting if hints else None) or request.prompt).lower()
    all_text = " ".join([request.prompt, *(t for t in (hints.setting, hints.caption) if hints and t)]).lower()
    kind = setting_kind(setting_text)
    snowy = kind == "snow" or words_in(all_text, SETTING_WORDS["snow"]) or "snow" in look.effects
    birch = "birch" in all_text
    tod = (hints.time_of_day if hints else None) or "day"
    sky = SKIES[tod]
    ground = GROUND_COLOURS["snow" if snowy and kind != "city" else kind]
    haze_colour = sky.horizon if "fog" not in look.effects else (200, 200, 205)
    zs = framing.subject_depth
    mid = max(180.0, 8 * zs)
    far = max(900.0, 5 * mid)
    shading = Shading(sky, haze_distance=(far * 1.4 if "fog" not in look.effects else 3 * zs), haze_colour=haze_colour)
    shape = subject_shape(hints.subject if hints else None)
    notes: list[str] = [f"previz: {kind} setting, {tod}, subject drawn as a {shape.kind.replace('_', ' ')}"]

    # Depths of the ground bands: behind the subject out to the hills, in front down to the frame's bottom.
    behind = []
    z = zs * 1.5
    while z < mid * 0.7 and len(behind) < 6:
        behind.append(z)
        z *= 2.6
    room = h / 2 - track.f * track.pitch
    reach = track.cz + track.f * track.cy / np.maximum(room, 1e-6)
    z_need = float(reach[room > 0].min()) if (room > 0).any() else zs
    front = []
    z = zs / 1.6
    while (
        z > max(z_need * 0.8, 1.6 * NEAR_PLANE * zs) and len(front) < 6
    ):  # the nearest reaches the bottom  # the nearest reaches the bottom
        front.append(z)
        z /= 1.7
    depths = [far, mid, *behind, *front]

    sky_layer_, sun = sky_layer(rng, sky, f0, period_tx, ground, clouds=0.0 if tod == "night" else 0.6)
    layers: list[Layer] = [sky_layer_]
    for i, depth in enumerate(depths):
        nearer = depths[i + 1] if i + 1 < len(depths) else None
        below = _ground_extent(track, depth, nearer, h, zs)
        texel = depth / f0
        if depth in (far, mid):
            peak = (0.2 if depth == far else 0.07) * depth
            if kind == "sea":
                peak *= 0.25
            rows = (peak + below) / texel
            texel *= max(1.0, rows / (3 * h))
            rock = {"desert": (190, 140, 95), "city": (110, 110, 125)}.get(kind, (95, 105, 125))
            if depth == mid and kind not in {"city", "desert"}:
                rock = tuple(int(c * 0.9) for c in ground) if kind != "sea" else WATER
            layers.append(
                ridge_layer(
                    rng,
                    "far" if depth == far else "mid",
                    depth,
                    texel,
                    period_tx,
                    peak,
                    below,
                    rock,
                    shading,
                    snow_caps=depth == far and kind not in {"city", "desert", "sea"},
                    skyline=kind == "city",
                    lit_windows=tod in {"night", "dusk"},
                )
            )
            continue
        band_ground = WATER if kind == "sea" and depth > zs else ground
        rows = below / texel + 0.45 * h
        texel *= max(1.0, rows / (3 * h))
        layers.append(
            band_layer(
                rng,
                f"band@{depth:.1f}m",
                depth,
                texel,
                period_tx,
                "snow" if kind == "snow" else kind,
                band_ground,
                OBJECT_COLOURS[kind],
                shading,
                below,
                tall_objects=depth > zs,
                max_object_m=0.45 * h * texel,
                clear_x_m=shape.width * 1.2,
                night=tod in {"night", "dusk"},
                birch=birch,
                moonlit=tod == "night",
            )
        )
    pixel_height = f0 * shape.height / zs * min(2.0, float(track.f.max() / f0) * zs / max(zs - track.cz.max(), 1e-3))
    layers.append(subject_layer(rng, shape, zs, pixel_height, shading, framing.aim_x))
    if request.camera and request.camera.angle == "over_the_shoulder":
        layers.append(_shoulder_layer(zs * 0.35, framing))
    layers.sort(key=lambda layer: -(layer.depth if layer.depth is not None else math.inf))
    for layer in layers:
        grade_texture(layer.texture, look)
    layers = plan_plates(layers, view_track, zs, f0, w, h)
    for layer in layers:
        if layer.wrap:
            layer.tile_for(_min_scale(layer, view_track), w)
    fill = np.empty((h, w, 4), np.uint8)
    fill[:] = (*(int(c * sky.light) for c in ground), 255)
    return Scene(layers, framing, shape, fill, sun, period_tx / f0, notes)  # type: ignore[arg-type]


def _min_scale(layer: Layer, track: CameraTrack) -> float:
    """The smallest texels-to-pixels scale this layer is drawn at over the shot."""
    if layer.depth is None:
        return float(track.f.min() * layer.texel)
    d = layer.depth - track.cz
    visible = d > NEAR_PLANE * layer.depth
    if not visible.any():
        return 1.0
    return float((track.f[visible] * layer.texel / d[visible]).min())


def _shoulder_layer(depth: float, framing: Framing) -> Layer:
    """A dark shoulder and head filling the lower left of frame, for over-the-shoulder shots."""
    f0, width, height = framing.focal, framing.width, framing.height
    rows = int(height * 0.9)
    cols = int(height * 0.8)
    img = np.full((rows, cols, 3), 28, np.uint8)
    mask = np.zeros((rows, cols), np.uint8)
    cv2.ellipse(mask, (cols // 2, rows), (cols // 2, int(rows * 0.45)), 0, 180, 360, 255, -1)
    cv2.circle(mask, (int(cols * 0.55), int(rows * 0.35)), int(rows * 0.2), 255, -1)
    texel = depth / f0
    left = -0.6 * width * texel
    top = framing.camera_height + depth * (0.15 * height / f0 + framing.pitch)
    return Layer("shoulder", pack_rgba(img, mask), depth, texel, left, top, wrap=False)

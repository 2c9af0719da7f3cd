"""Build the layered world of one shot: framing from shot size and angle, then sky, ridges, ground bands, subject."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import cv2
import numpy as np

from generator.previz.camera import DUTCH_ROLL_DEG, CameraTrack, Framing, base_focal
from generator.previz.ground import GroundLook, band_layer
from generator.previz.layers import NEAR_PLANE, Layer, Shading, pack_rgba, ridge_layer, sky_layer
from generator.previz.looks import Look, grade_texture
from generator.previz.palette import SETTING_WORDS, SKIES, SkyPalette, setting_kind, words_in
from generator.previz.plates import plan_plates
from generator.previz.subject import FRAMED_AROUND, SubjectShape, subject_layer, subject_shape
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
# Far ridges: mountains (or a skyline) against the sky, and nearer hills (or water at sea).
ROCK_COLOURS: dict[str, tuple[int, int, int]] = {"desert": (190, 140, 95), "city": (110, 110, 125)}
DEFAULT_ROCK = (95, 105, 125)
MID_HILL_SHADE = 0.9  # mid hills are the ground's colour, a little darker
FOG_COLOUR = (200, 200, 205)
CLOUD_COVER = 0.6  # by day; the night sky is clear (stars)

# Depths, in metres or subject distances (zs). The world repeats sideways every WORLD_PERIOD_FRAMES frame
# widths (at the reference focal length), so pans, trucks and orbits can go on for any duration.
WORLD_PERIOD_FRAMES = 2
MID_RIDGE_MIN_M, MID_RIDGE_OF_ZS = 180.0, 8.0  # the hills stand at least this far, and 8 subject distances
FAR_RIDGE_MIN_M, FAR_RIDGE_OF_MID = 900.0, 5.0  # the mountains at least this far, and 5x the hills
RIDGE_PEAK_OF_DEPTH = {"far": 0.2, "mid": 0.07}  # how tall a ridge rises, as a share of its distance
SEA_RIDGE_FLATTEN = 0.25  # at sea the far shore and the swell are low
HAZE_OF_FAR = 1.4  # aerial perspective: haze reaches 63 % at 1.4x the far ridge's distance
FOG_HAZE_OF_ZS = 3.0  # ... in fog, at 3 subject distances, ...
FOG_HAZE_MIN_M = 10.0  # ... but never nearer than this: fog's visibility is a distance, not a share of the shot
# Ground bands behind the subject: from 1.5 zs, each 2.6x farther, out to 0.7x the hills' distance.
BEHIND_FIRST_OF_ZS, BEHIND_STEP, BEHIND_LIMIT_OF_MID = 1.5, 2.6, 0.7
# In front: from zs / 1.6, each 1.7x nearer, until one reaches the frame's bottom edge (with a margin).
FRONT_FIRST_OF_ZS, FRONT_STEP, FRONT_REACH_MARGIN = 1.6, 1.7, 0.8
MAX_BANDS = 6  # on each side of the subject
NEAREST_BAND_OF_NEAR_PLANE = 1.6  # no band nearer than 1.6x the near plane (it would be passed mid-shot)
GROUND_OVERLAP = 1.15  # a band reaches 15 % farther down than strictly needed, so no gap opens
MAX_TEXTURE_ROWS_OF_FRAME = 3  # a texture at most 3 frame heights tall: taller ones get coarser texels
OBJECT_ROOM_OF_FRAME = 0.45  # rows above a ground band for its objects, as a share of the frame's height
CLEAR_OF_SUBJECT_WIDTH = 1.2  # no object stands within 1.2 subject widths of X=0, in front of or behind it
SOFTEN_SIGMA_TX = 0.6  # texels: the lens's blur on every texture (see _soften)
SUBJECT_MAX_DETAIL = 2.0  # the sprite is drawn at most 2x the resolution its first frame needs
SHOULDER_DEPTH_OF_ZS = 0.35  # an over-the-shoulder foreground stands at 0.35 subject distances
SHOULDER_GREY = 28
SHOULDER_SPRITE = (0.9, 0.8)  # rows and columns of the shoulder sprite, as shares of the frame's height
SHOULDER_LEFT_OF_WIDTH = -0.6  # its left edge, in frame widths from the centre (off the left edge)
SHOULDER_TOP_OF_HEIGHT = 0.15  # its top, in frame heights above the centre


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
    light: tuple[float, float, float] = (1.0, 1.0, 1.0)  # the light on each channel (0..1): weather catches it too


def subject_distance(shot: str, shape: SubjectShape, width: int, height: int, focal: float) -> float:
    """How far the subject stands for a shot size: each size at most 3/4 the distance of the next wider one."""
    whole = max(shape.height / height, shape.width / width * 0.8)  # the whole subject at frac 1
    whole *= FRAMED_AROUND.get(shape.kind, 1.0)
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
    return float(max(0.0, need[visible].max() if visible.any() else 0.0)) * GROUND_OVERLAP


@dataclass(frozen=True)
class _Setting:
    """What the shot's words say about the place: its kind, time of day, sky and ground."""

    kind: str  # city, desert, sea, snow, forest or field
    time_of_day: str
    sky: SkyPalette
    ground: GroundLook

    @property
    def night(self) -> bool:
        return self.time_of_day in {"night", "dusk"}


def _read_setting(request: RenderRequest, look: Look) -> _Setting:
    hints = request.look
    setting_text = ((hints.setting if hints else None) or request.prompt).lower()
    all_text = " ".join([request.prompt, *(t for t in (hints.setting, hints.caption) if hints and t)]).lower()
    kind = setting_kind(setting_text)
    snowy = kind == "snow" or words_in(all_text, SETTING_WORDS["snow"]) or "snow" in look.effects
    tod = (hints.time_of_day if hints else None) or "day"
    ground = GroundLook(
        kind="snow" if kind == "snow" else kind,
        ground=GROUND_COLOURS["snow" if snowy and kind != "city" else kind],
        objects=OBJECT_COLOURS[kind],
        night=tod in {"night", "dusk"},
        birch="birch" in all_text,
        moonlit=tod == "night",
    )
    return _Setting(kind, tod, SKIES[tod], ground)


def _band_depths(framing: Framing, track: CameraTrack, mid: float) -> tuple[list[float], list[float]]:
    """Depths of the ground bands: behind the subject out towards the hills, in front down to the frame's bottom."""
    zs = framing.subject_depth
    behind = []
    z = zs * BEHIND_FIRST_OF_ZS
    while z < mid * BEHIND_LIMIT_OF_MID and len(behind) < MAX_BANDS:
        behind.append(z)
        z *= BEHIND_STEP
    room = framing.height / 2 - track.f * track.pitch  # pixels from the horizon down to the frame's bottom
    reach = track.cz + track.f * track.cy / np.maximum(room, 1e-6)  # depth of the ground at the bottom edge
    z_need = float(reach[room > 0].min()) if (room > 0).any() else zs
    front = []
    z = zs / FRONT_FIRST_OF_ZS
    while z > max(z_need * FRONT_REACH_MARGIN, NEAREST_BAND_OF_NEAR_PLANE * NEAR_PLANE * zs) and len(front) < MAX_BANDS:
        front.append(z)  # the last one reaches the bottom
        z /= FRONT_STEP
    return behind, front


def _capped_texel(texel: float, rows: float, height: int) -> float:
    """`texel`, made coarser when the texture would be more than MAX_TEXTURE_ROWS_OF_FRAME frames tall."""
    return texel * max(1.0, rows / (MAX_TEXTURE_ROWS_OF_FRAME * height))


def _ridge(
    rng: np.random.Generator,
    which: str,
    depth: float,
    below: float,
    setting: _Setting,
    shading: Shading,
    period: int,
    f0: float,
    height: int,
) -> Layer:
    """The far mountains ("far") or the nearer hills ("mid"), as a skyline in a city, low at sea."""
    kind = setting.kind
    peak = RIDGE_PEAK_OF_DEPTH[which] * depth
    if kind == "sea":
        peak *= SEA_RIDGE_FLATTEN
    texel = _capped_texel(depth / f0, (peak + below) / (depth / f0), height)
    rock = ROCK_COLOURS.get(kind, DEFAULT_ROCK)
    if which == "mid" and kind not in {"city", "desert"}:
        rock = tuple(int(c * MID_HILL_SHADE) for c in setting.ground.ground) if kind != "sea" else WATER
    return ridge_layer(
        rng,
        which,
        depth,
        texel,
        period,
        peak,
        below,
        rock,
        shading,
        snow_caps=which == "far" and kind not in {"city", "desert", "sea"},
        skyline=kind == "city",
        lit_windows=setting.night,
    )


def _world_layers(
    rng: np.random.Generator,
    setting: _Setting,
    framing: Framing,
    track: CameraTrack,
    shading: Shading,
    clear_x_m: float,
    far: float,
    mid: float,
    period: int,
) -> tuple[list[Layer], tuple[float, float] | None]:
    """Sky, ridges and ground bands, far to near; and where the sun is (azimuth, elevation), if it is up."""
    h = framing.height
    f0, zs = framing.focal, framing.subject_depth
    clouds = 0.0 if setting.time_of_day == "night" else CLOUD_COVER
    sky, sun = sky_layer(rng, setting.sky, f0, period, setting.ground.ground, clouds=clouds)
    layers = [sky]
    behind, front = _band_depths(framing, track, mid)
    depths = [far, mid, *behind, *front]
    for i, depth in enumerate(depths):
        nearer = depths[i + 1] if i + 1 < len(depths) else None
        below = _ground_extent(track, depth, nearer, h, zs)
        if depth in (far, mid):
            layers.append(_ridge(rng, "far" if depth == far else "mid", depth, below, setting, shading, period, f0, h))
            continue
        texel = depth / f0
        texel = _capped_texel(texel, below / texel + OBJECT_ROOM_OF_FRAME * h, h)
        ground = setting.ground
        if setting.kind == "sea" and depth > zs:
            ground = replace(ground, ground=WATER)
        layers.append(
            band_layer(
                rng,
                f"band@{depth:.1f}m",
                depth,
                texel,
                period,
                ground,
                shading,
                below,
                tall_objects=depth > zs,
                max_object_m=OBJECT_ROOM_OF_FRAME * h * texel,
                clear_x_m=clear_x_m,
            )
        )
    return layers, sun


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
    w, h = request.width, request.height
    f0, zs = framing.focal, framing.subject_depth
    setting = _read_setting(request, look)
    mid = max(MID_RIDGE_MIN_M, MID_RIDGE_OF_ZS * zs)
    far = max(FAR_RIDGE_MIN_M, FAR_RIDGE_OF_MID * mid)
    foggy = "fog" in look.effects
    shading = Shading(
        setting.sky,
        haze_distance=far * HAZE_OF_FAR if not foggy else max(FOG_HAZE_OF_ZS * zs, FOG_HAZE_MIN_M),
        haze_colour=setting.sky.horizon if not foggy else FOG_COLOUR,
    )
    shape = subject_shape(request.look.subject if request.look else None)
    notes = [
        f"previz: {setting.kind} setting, {setting.time_of_day}, subject drawn as a {shape.kind.replace('_', ' ')}"
    ]
    period = WORLD_PERIOD_FRAMES * max(w, h)
    clear_x_m = shape.width * CLEAR_OF_SUBJECT_WIDTH
    layers, sun = _world_layers(rng, setting, framing, track, shading, clear_x_m, far, mid, period)
    closest = float(track.f.max() / f0) * zs / max(zs - track.cz.max(), 1e-3)  # the most the subject grows
    pixel_height = f0 * shape.height / zs * min(SUBJECT_MAX_DETAIL, closest)
    layers.append(subject_layer(rng, shape, zs, pixel_height, shading, framing.aim_x))
    if request.camera and request.camera.angle == "over_the_shoulder":
        layers.append(_shoulder_layer(zs * SHOULDER_DEPTH_OF_ZS, framing))
    layers.sort(key=lambda layer: -(layer.depth if layer.depth is not None else math.inf))
    for layer in layers:
        _soften(layer.texture)  # before the grade: an anime look's flat tones stay flat
        grade_texture(layer.texture, look)
    layers = plan_plates(layers, view_track, zs, f0, w, h)
    for layer in layers:
        if layer.wrap:
            layer.tile_for(_min_scale(layer, view_track), w)
    fill = np.empty((h, w, 4), np.uint8)
    fill[:] = (*(int(c * setting.sky.light) for c in setting.ground.ground), 255)
    red, green, blue = (float(c) / 255 * setting.sky.light for c in setting.sky.tint)
    return Scene(layers, framing, shape, fill, sun, period / f0, notes, (red, green, blue))


def _soften(texture: np.ndarray) -> None:
    """A lens's slight blur on the colours, in place (the alpha mask stays hard).

    A texture sharp to the texel sampled at a moving sub-pixel offset is sharp at whole pixels and box-blurred
    half-way between (bilinear taps): a steady tilt read a frame at 0.45 of its neighbours' sharpness.
    """
    rgb = texture[..., :3]
    texture[..., :3] = cv2.GaussianBlur(rgb, (0, 0), SOFTEN_SIGMA_TX, borderType=cv2.BORDER_REFLECT)


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
    """A dark shoulder and head filling the lower left of frame, for over-the-shoulder shots.

    The sprite is SHOULDER_SPRITE (rows, columns) of the frame's height; within it the shoulders are a
    half ellipse 0.45 of its rows high and the head a circle of radius 0.2 rows at (0.55, 0.35).
    """
    f0, width, height = framing.focal, framing.width, framing.height
    rows = int(height * SHOULDER_SPRITE[0])
    cols = int(height * SHOULDER_SPRITE[1])
    img = np.full((rows, cols, 3), SHOULDER_GREY, np.uint8)
    mask = np.zeros((rows, cols), np.uint8)
    cv2.ellipse(mask, (cols // 2, rows), (cols // 2, int(rows * 0.45)), 0, 180, 360, 255, -1)
    cv2.circle(mask, (int(cols * 0.55), int(rows * 0.35)), int(rows * 0.2), 255, -1)
    texel = depth / f0
    left = SHOULDER_LEFT_OF_WIDTH * width * texel
    top = framing.camera_height + depth * (SHOULDER_TOP_OF_HEIGHT * height / f0 + framing.pitch)
    return Layer("shoulder", pack_rgba(img, mask), depth, texel, left, top, wrap=False)

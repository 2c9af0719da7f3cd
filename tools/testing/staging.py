"""Staging a layered photographic scene: a backdrop, cut-outs at several depths, and subjects that move on their own.

    frames = staged_clip(shot, backdrop, cutouts, rng, movers=[Mover("walk", share=0.3, speed=0.2)])

Subjects are cut out of photographs with soft masks (an ellipse, a blob, the horse silhouette) and sized by
the share of the frame they fill. Movers: "still" (stands in the world), "cross" (crosses the frame), "walk"
(crosses with a step's bob), "against" (crosses against the way the camera moves the picture), "toward"
(comes towards the camera, growing), "follow" (keeps to the middle of the frame as the camera moves: a
tracking or follow shot), "flutter" (darts about its place several times a second, as a butterfly does).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from generator.vocabulary import move_axis
from tools.testing.scenes import (
    BACKDROP_OF_ZS,
    FOREGROUND_OF_ZS,
    MIDDLE_OF_ZS,
    STEP_HZ,
    SUBJECT_DEPTH_M,
    Scene,
    Shot,
    Sprite,
    caption_overlay,
    letterbox_overlay,
    logo_overlay,
    render,
    weather,
)

# The seeded sets draw from these; "flutter" is asked for by name.
MOVERS = ("still", "cross", "walk", "against", "toward", "follow")
MIDDLE_COVER = 0.45  # middle-distance cut-outs cover about this share of their plane's view
BOB_OF_HEIGHT = 0.03  # a walker rises and falls by 3 % of its height each step


@dataclass(frozen=True)
class Mover:
    """A subject: how it moves, the share of the frame it fills (0.1-0.6), its image speed (frame widths/s)."""

    how: str
    share: float
    speed: float = 0.2


def soft_mask(shape: tuple[int, int], rng: np.random.Generator, kind: str = "blob") -> np.ndarray:
    """A 0..255 mask filling most of `shape`: an ellipse or a smooth random blob, with soft edges."""
    rows, cols = shape
    if kind == "ellipse":
        mask = np.zeros(shape, np.uint8)
        cv2.ellipse(mask, (cols // 2, rows // 2), (cols // 2 - 1, rows // 2 - 1), 0, 0, 360, 255, -1)
    else:
        noise = cv2.resize(rng.standard_normal((6, 6)).astype(np.float32), (cols, rows), interpolation=cv2.INTER_CUBIC)
        yy, xx = np.mgrid[0:rows, 0:cols]
        radius = np.hypot((yy - rows / 2) / (rows / 2), (xx - cols / 2) / (cols / 2))
        mask = ((1.0 - radius + 0.25 * noise) > 0.25).astype(np.uint8) * 255
    blur = max(1, min(rows, cols) // 40) * 2 + 1
    return cv2.GaussianBlur(mask, (blur, blur), 0)


def cutout(
    photo: np.ndarray, rng: np.random.Generator, aspect: float, kind: str = "blob", silhouette: np.ndarray | None = None
) -> np.ndarray:
    """RGBA: a random crop of `photo` (rows / cols = `aspect`) under a soft mask or a given silhouette."""
    src_h, src_w = photo.shape[:2]
    rows = int(min(src_h, src_w * aspect) * rng.uniform(0.5, 0.95))
    cols = max(8, int(rows / aspect))
    top, left = int(rng.integers(0, src_h - rows + 1)), int(rng.integers(0, src_w - cols + 1))
    crop = photo[top : top + rows, left : left + cols, :3]
    if silhouette is not None:
        mask = cv2.resize(silhouette.astype(np.uint8) * 255, (cols, rows), interpolation=cv2.INTER_AREA)
    else:
        mask = soft_mask((rows, cols), rng, kind)
    return np.dstack([crop, mask]).astype(np.uint8)


def _view_box(shot: Shot, depth: float) -> tuple[float, float, float, float]:
    """World (left, right, bottom, top) that the camera sees at `depth` over the whole shot."""
    width, height = shot.size
    xs, ys = [], []
    for k in range(shot.frames):
        pose = shot.pose(k)
        d = max(depth - pose.z, 0.1)
        half_w, half_h = width / 2 / pose.focal * d, height / 2 / pose.focal * d
        cx, cy = pose.x + pose.yaw * d, pose.y + pose.pitch * d
        slack = 1 + 3 * abs(pose.roll)
        xs += [cx - half_w * slack, cx + half_w * slack]
        ys += [cy - half_h * slack, cy + half_h * slack]
    return min(xs), max(xs), min(ys), max(ys)


def _backdrop(photo: np.ndarray, shot: Shot, depth: float) -> Sprite:
    """The photo, mirrored into a strip as wide as the view at `depth` needs, covering it with a margin."""
    left, right, bottom, top = _view_box(shot, depth)
    width_m, height_m = (right - left) * 1.1, (top - bottom) * 1.1
    image = photo[:, :, :3]
    while image.shape[1] / image.shape[0] < 0.8 * width_m / height_m:
        image = np.concatenate([image, image[:, ::-1]], axis=1)
    while image.shape[0] / image.shape[1] < 0.8 * height_m / width_m:
        image = np.concatenate([image, image[::-1]], axis=0)
    rows = image.shape[0]
    cols = round(rows * width_m / height_m)
    image = cv2.resize(image, (cols, rows), interpolation=cv2.INTER_AREA if cols < image.shape[1] else cv2.INTER_LINEAR)
    rgba = np.dstack([image, np.full(image.shape[:2], 255, np.uint8)])
    return Sprite(rgba, (left + right) / 2, (bottom + top) / 2, depth, height_m)


def _scatter(
    photos: Sequence[np.ndarray],
    shot: Shot,
    depth_range: tuple[float, float],
    cover: float,
    rng: np.random.Generator,
    lower: bool = False,
) -> list[Sprite]:
    """Cut-outs at depths in `depth_range` (subject distances) covering about `cover` of their view."""
    out: list[Sprite] = []
    depth = SUBJECT_DEPTH_M * float(rng.uniform(*depth_range))
    left, right, bottom, top = _view_box(shot, depth)
    view_h = top - bottom
    area = (right - left) * (top - bottom)
    placed = 0.0
    while placed < cover * area and len(out) < 40:
        height_m = view_h * float(rng.uniform(0.2, 0.45))
        aspect = float(rng.uniform(0.6, 1.6))
        width_m = height_m / aspect
        x = float(rng.uniform(left, right))
        y = float(rng.uniform(bottom, bottom + 0.4 * (top - bottom))) if lower else float(rng.uniform(bottom, top))
        photo = photos[int(rng.integers(len(photos)))]
        out.append(Sprite(cutout(photo, rng, aspect), x, y, depth * float(rng.uniform(0.95, 1.05)), height_m))
        placed += 0.7 * height_m * width_m
    return out


def _content_sign(move: str) -> float:
    """Which way the camera moves the picture along its axis (+1: right or down), 0 when it does not slide it."""
    if move_axis(move) not in ("x", "y") or move == "tracking":
        return -1.0 if move == "tracking" else 0.0
    return 1.0 if move.endswith(("_left", "_up")) else -1.0


def _subject(
    mover: Mover, photo: np.ndarray, shot: Shot, rng: np.random.Generator, silhouette: np.ndarray | None
) -> Sprite:
    width, height = shot.size
    middle = shot.pose(shot.frames // 2)
    d = SUBJECT_DEPTH_M - middle.z
    aspect = float(rng.uniform(1.0, 1.8)) if silhouette is None else silhouette.shape[0] / silhouette.shape[1]
    rgba = cutout(photo, rng, aspect, "ellipse" if rng.random() < 0.4 else "blob", silhouette)
    fill = float(rgba[..., 3].mean()) / 255
    pixels = mover.share * width * height / max(fill, 0.2)
    rows_px = math.sqrt(pixels * aspect)
    height_m = min(rows_px, 1.4 * height) / middle.focal * d
    x_mid = middle.x + middle.yaw * d
    y_mid = middle.y + middle.pitch * d - float(rng.uniform(0.0, 0.15)) * height / middle.focal * d
    speed = mover.speed * width / middle.focal * d  # m/s for the asked image speed at mid-shot
    half = shot.seconds / 2
    sprite = Sprite(rgba, x_mid, y_mid, SUBJECT_DEPTH_M, height_m)
    if mover.how in {"cross", "walk", "against"}:
        direction = float(rng.choice([-1.0, 1.0]))
        axis = move_axis(shot.move)
        if mover.how == "against" and axis == "x" and _content_sign(shot.move):
            direction = -_content_sign(shot.move)
        sprite.velocity = (direction * speed, 0.0, 0.0)
        sprite.x = x_mid - direction * speed * half
        if mover.how == "walk":
            sprite.bob_m, sprite.bob_hz = BOB_OF_HEIGHT * height_m, float(rng.uniform(*STEP_HZ))
    elif mover.how == "flutter":  # reach: a quarter of the frame's height, at `speed` frame widths a second
        sprite.flutter_m = 0.25 * height / middle.focal * d
        sprite.flutter_hz = max(1.0, speed / max(sprite.flutter_m, 1e-6) / (2 * math.pi))
    elif mover.how == "toward":
        growth = float(rng.uniform(0.05, 0.2))
        sprite.depth = SUBJECT_DEPTH_M * math.exp(growth * half)
        sprite.velocity = (0.0, 0.0, -(sprite.depth - SUBJECT_DEPTH_M * math.exp(-growth * half)) / shot.seconds)
        sprite.height_m *= sprite.depth / SUBJECT_DEPTH_M
    elif mover.how == "follow":
        if shot.move == "tracking":
            sprite.with_camera = True
            sprite.x = x_mid - middle.x
        else:  # keep to the middle of the view at the subject's depth
            first, last = shot.pose(0), shot.pose(shot.frames - 1)
            x0 = first.x + first.yaw * (SUBJECT_DEPTH_M - first.z)
            x1 = last.x + last.yaw * (SUBJECT_DEPTH_M - last.z)
            sprite.x = x0
            sprite.velocity = ((x1 - x0) / ((shot.frames - 1) / shot.fps), 0.0, 0.0)
    return sprite


def staged_clip(
    shot: Shot,
    backdrop: np.ndarray,
    cutouts: Sequence[np.ndarray],
    rng: np.random.Generator,
    *,
    movers: Sequence[Mover] = (),
    middle: bool = True,
    foreground: bool = False,
    weathers: Sequence[str] = (),
    overlays: Sequence[str] = (),
    silhouette: np.ndarray | None = None,
    logo: np.ndarray | None = None,
    backdrop_zs: float | None = None,
) -> np.ndarray:
    """Frames (T, H, W, 3) of `shot` over a staged scene: backdrop, cut-outs, movers, weather and overlays.

    The backdrop stands `backdrop_zs` subject distances away (default: drawn from BACKDROP_OF_ZS).
    """
    far = float(rng.uniform(*BACKDROP_OF_ZS))
    sprites = [_backdrop(backdrop, shot, SUBJECT_DEPTH_M * (backdrop_zs or far))]
    if middle:
        sprites += _scatter(cutouts, shot, MIDDLE_OF_ZS, MIDDLE_COVER, rng)
    for n, mover in enumerate(movers):
        photo = cutouts[int(rng.integers(len(cutouts)))]
        sprites.append(_subject(mover, photo, shot, rng, silhouette if n == 0 else None))
    if foreground:
        sprites += _scatter(cutouts, shot, FOREGROUND_OF_ZS, 0.15, rng, lower=True)
    scene = Scene(sprites, [weather(kind, shot.size, rng) for kind in weathers])
    for overlay in overlays:
        if overlay == "caption":
            scene.overlays.append(caption_overlay(shot.size))
        elif overlay == "logo" and logo is not None:
            scene.overlays.append(logo_overlay(shot.size, logo))
        elif overlay == "letterbox":
            scene.overlays.append(letterbox_overlay(shot.size))
    return render(scene, shot)

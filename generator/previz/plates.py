"""Merge layers that move together into one pre-composited plate, so each frame warps fewer images.

At the reference camera every wrapping layer is drawn at scale 1 (its texel is depth / focal) with the
same period in pixels, so stacking them is a set of integer row offsets. The plate is then drawn as one
layer at `depth`. That is exact when the camera only rotates or zooms (no change of position), and a
small parallax approximation for distant layers otherwise.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from generator.previz.camera import CameraTrack
from generator.previz.layers import Layer

PARALLAX_MOVES = frozenset(
    {
        "truck_left",
        "truck_right",
        "pedestal_up",
        "pedestal_down",
        "dolly_in",
        "dolly_out",
        "orbit_left",
        "orbit_right",
        "crane_up",
        "crane_down",
        "tracking",
    }
)


def mergeable(layer: Layer, focal: float) -> bool:
    """Wrapping layers drawn at scale 1 at the reference camera (the sky included)."""
    if not layer.wrap:
        return False
    expected = 1.0 / focal if layer.depth is None else layer.depth / focal
    return math.isclose(layer.texel, expected, rel_tol=1e-6)


def merge_layers(
    name: str, layers: list[Layer], depth: float, track: CameraTrack, focal: float, width: int, height: int
) -> Layer:
    """One opaque-or-masked plate at `depth` holding `layers` (far to near) as seen from the first frame's height."""
    cy_ref = float(track.cy[0])
    period = layers[0].period or layers[0].texture.shape[1]
    # Which plate rows the frames will look at: row(y) = R0 + g(frame) + y / s.
    d = np.maximum(depth - track.cz, 1e-6)
    s = track.f * (depth / focal) / d
    g = (-height / 2 + track.f * ((cy_ref - track.cy) / d - track.pitch)) / s
    margin = 4
    r0 = margin - float(g.min())
    rows = math.ceil(r0 + float((g + height / s).max())) + margin
    plate = np.zeros((rows, period, 4), np.uint8)
    for layer in layers:
        tex = layer.texture[:, :period]
        height_above = layer.top if layer.depth is None else (layer.top - cy_ref) / layer.depth
        offset = r0 - focal * height_above
        top = round(offset)
        a, b = max(0, top), min(rows, top + tex.shape[0])
        if b <= a:
            continue
        src = tex[a - top : b - top]
        if layer.opaque:
            plate[a:b] = src
        else:
            cv2.copyTo(src, cv2.extractChannel(src, 3), plate[a:b])
    opaque = bool(plate[..., 3].min() == 255)
    texel = depth / focal
    top_y = cy_ref + r0 * depth / focal
    return Layer(name, plate, depth, texel, 0.0, top_y, wrap=True, opaque=opaque, period=period)


def plan_plates(
    layers: list[Layer], track: CameraTrack, subject_depth: float, focal: float, width: int, height: int
) -> list[Layer]:
    """The layers to draw per frame, with the ones that move together merged into plates."""
    parallax = track.movement in PARALLAX_MOVES
    cut = 6.0 * subject_depth if parallax else subject_depth
    back = [layer for layer in layers if mergeable(layer, focal) and (layer.depth or math.inf) > cut]
    out: list[Layer] = []
    if len(back) >= 2:
        depth = min(layer.depth for layer in back if layer.depth is not None) if any(b.depth for b in back) else 1e4
        out.append(merge_layers("backdrop", back, depth, track, focal, width, height))
    else:
        out.extend(back)
    rest = [layer for layer in layers if not any(layer is b for b in back)]
    if not parallax:
        front = [
            layer
            for layer in rest
            if mergeable(layer, focal) and layer.depth is not None and layer.depth < subject_depth
        ]
        if len(front) >= 2:
            merged = merge_layers("foreground", front, min(x.depth for x in front), track, focal, width, height)  # type: ignore[type-var]
            rest = [layer for layer in rest if not any(layer is f for f in front)]
            rest.append(merged)
    out.extend(rest)
    out.sort(key=lambda layer: -(layer.depth if layer.depth is not None else math.inf))
    return out

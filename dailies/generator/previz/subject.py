"""The subject as a labelled silhouette (person, animal, vehicle) or a placard, drawn as an RGBA sprite."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from dailies.generator.previz.layers import Layer, Shading, pack_rgba
from dailies.generator.previz.palette import RGB, ascii_text, first_colour, subject_kind

# Kind -> (height m, width m, default colour).
SUBJECT_SIZES: dict[str, tuple[float, float, RGB]] = {
    "person": (1.75, 0.7, (70, 90, 160)),
    "animal": (0.6, 1.2, (150, 105, 65)),
    "big_animal": (1.7, 2.6, (120, 85, 55)),
    "vehicle": (1.5, 4.2, (180, 40, 40)),
    "placard": (2.0, 1.6, (238, 228, 200)),
}


@dataclass(frozen=True)
class SubjectShape:
    kind: str
    height: float
    width: float
    colour: RGB
    label: str


def subject_shape(subject: str | None) -> SubjectShape:
    """What to draw for a subject description."""
    text = (subject or "").lower()
    kind = subject_kind(text)
    height, width, colour = SUBJECT_SIZES[kind]
    label = ascii_text((subject or "subject").strip())
    if len(label) > 28:
        label = label[:27] + "."
    return SubjectShape(kind, height, width, first_colour(text) or colour, label)


def _shade(rgb: RGB, k: float) -> tuple[int, int, int]:
    return tuple(int(min(255, max(0, c * k))) for c in rgb)  # type: ignore[return-value]


def _person(img: np.ndarray, mask: np.ndarray, w: int, h: int, colour: RGB) -> None:
    cx = w // 2
    head_r = max(1, int(h * 0.075))
    skin = (220, 180, 150)
    dark = _shade(colour, 0.55)
    parts = [
        ("rect", (cx - int(w * 0.17), int(h * 0.52), cx - int(w * 0.03), h - 1), dark),  # legs
        ("rect", (cx + int(w * 0.03), int(h * 0.52), cx + int(w * 0.17), h - 1), dark),
        ("rect", (cx - int(w * 0.26), int(h * 0.2), cx + int(w * 0.26), int(h * 0.56)), colour),  # torso
        ("rect", (cx - int(w * 0.36), int(h * 0.21), cx - int(w * 0.27), int(h * 0.5)), _shade(colour, 0.8)),
        ("rect", (cx + int(w * 0.27), int(h * 0.21), cx + int(w * 0.36), int(h * 0.5)), _shade(colour, 0.8)),
    ]
    for _, (x0, y0, x1, y1), col in parts:
        cv2.rectangle(img, (x0, y0), (x1, y1), col, -1)
        cv2.rectangle(mask, (x0, y0), (x1, y1), 255, -1)
    cv2.circle(img, (cx, int(h * 0.11)), head_r, skin, -1)
    cv2.circle(mask, (cx, int(h * 0.11)), head_r, 255, -1)
    cv2.ellipse(img, (cx, int(h * 0.09)), (head_r, int(head_r * 0.8)), 0, 180, 360, (50, 35, 25), -1)  # hair
    eye = max(1, head_r // 6)
    for dx in (-head_r // 3, head_r // 3):
        cv2.circle(img, (cx + dx, int(h * 0.115)), eye, (30, 30, 30), -1)


def _animal(img: np.ndarray, mask: np.ndarray, w: int, h: int, colour: RGB) -> None:
    body_c = (int(w * 0.45), int(h * 0.5))
    axes = (int(w * 0.28), int(h * 0.2))
    dark = _shade(colour, 0.6)
    for x in (0.27, 0.35, 0.55, 0.63):
        cv2.rectangle(img, (int(w * x), int(h * 0.55)), (int(w * x) + max(1, int(w * 0.04)), h - 1), dark, -1)
        cv2.rectangle(mask, (int(w * x), int(h * 0.55)), (int(w * x) + max(1, int(w * 0.04)), h - 1), 255, -1)
    tail = ((int(w * 0.12), int(h * 0.42)), (int(w * 0.14), int(h * 0.09)), -25)
    for target, col in ((img, colour), (mask, 255)):
        cv2.ellipse(target, body_c, axes, 0, 0, 360, col, -1)
        cv2.ellipse(target, tail[0], tail[1], tail[2], 0, 360, col, -1)
        cv2.circle(target, (int(w * 0.8), int(h * 0.3)), max(1, int(h * 0.15)), col, -1)
        snout = np.array([[w * 0.86, h * 0.24], [w * 0.98, h * 0.36], [w * 0.84, h * 0.4]], np.int32)
        cv2.fillConvexPoly(target, snout, col)
        for ex in (0.74, 0.84):
            ear = np.array([[w * (ex - 0.04), h * 0.2], [w * (ex + 0.04), h * 0.2], [w * ex, h * 0.02]], np.int32)
            cv2.fillConvexPoly(target, ear, col)
    cv2.ellipse(img, (int(w * 0.1), int(h * 0.36)), (int(w * 0.05), int(h * 0.06)), -25, 0, 360, (235, 235, 230), -1)
    cv2.ellipse(img, (int(w * 0.45), int(h * 0.6)), (int(w * 0.2), int(h * 0.07)), 0, 0, 180, (235, 225, 210), -1)
    cv2.circle(img, (int(w * 0.83), int(h * 0.27)), max(1, int(h * 0.025)), (20, 20, 20), -1)


def _vehicle(img: np.ndarray, mask: np.ndarray, w: int, h: int, colour: RGB) -> None:
    cabin = np.array([[w * 0.25, h * 0.45], [w * 0.35, h * 0.08], [w * 0.7, h * 0.08], [w * 0.8, h * 0.45]], np.int32)
    for target, col in ((img, colour), (mask, 255)):
        cv2.fillConvexPoly(target, cabin, col)
        cv2.rectangle(target, (int(w * 0.03), int(h * 0.42)), (int(w * 0.97), int(h * 0.82)), col, -1)
    glass = np.array([[w * 0.3, h * 0.42], [w * 0.38, h * 0.14], [w * 0.67, h * 0.14], [w * 0.75, h * 0.42]], np.int32)
    cv2.fillConvexPoly(img, glass, (150, 190, 215))
    cv2.line(img, (w // 2, int(h * 0.14)), (w // 2, int(h * 0.42)), colour, max(1, w // 60))
    for x in (0.22, 0.78):
        r = max(1, int(h * 0.18))
        for target, col in ((img, (25, 25, 25)), (mask, 255)):
            cv2.circle(target, (int(w * x), int(h * 0.8)), r, col, -1)
        cv2.circle(img, (int(w * x), int(h * 0.8)), max(1, r // 2), (170, 170, 175), -1)


def _placard(img: np.ndarray, mask: np.ndarray, w: int, h: int, colour: RGB) -> None:
    post = max(1, int(w * 0.05))
    for target, col in ((img, (110, 80, 50)), (mask, 255)):
        cv2.rectangle(target, (w // 2 - post, int(h * 0.5)), (w // 2 + post, h - 1), col, -1)
    for target, col in ((img, colour), (mask, 255)):
        cv2.rectangle(target, (int(w * 0.02), int(h * 0.02)), (int(w * 0.98), int(h * 0.55)), col, -1)
    cv2.rectangle(img, (int(w * 0.02), int(h * 0.02)), (int(w * 0.98), int(h * 0.55)), (60, 45, 30), max(1, w // 50))


DRAWERS = {"person": _person, "animal": _animal, "big_animal": _animal, "vehicle": _vehicle, "placard": _placard}


def _label(img: np.ndarray, text: str, w: int, h: int, kind: str) -> None:
    """The subject's words on a dark tag across its middle (on the sign itself for a placard)."""
    if w < 24 or h < 16:
        return
    font = cv2.FONT_HERSHEY_SIMPLEX
    (tw, th), _ = cv2.getTextSize(text, font, 1.0, 2)
    scale = min(0.9 * w / max(tw, 1), 0.12 * h / max(th, 1))
    thickness = max(1, int(scale * 2))
    (tw, th), base = cv2.getTextSize(text, font, scale, thickness)
    cy = int(h * 0.28) if kind == "placard" else int(h * 0.4)
    x0 = (w - tw) // 2
    if kind != "placard":
        cv2.rectangle(img, (x0 - 4, cy - th - 4), (x0 + tw + 4, cy + base + 2), (25, 25, 30), -1)
    colour = (30, 25, 20) if kind == "placard" else (250, 250, 245)
    cv2.putText(img, text, (x0, cy), font, scale, colour, thickness, cv2.LINE_AA)


def subject_layer(
    rng: np.random.Generator, shape: SubjectShape, depth: float, pixel_height: float, shading: Shading
) -> Layer:
    """The subject standing at X=0, Y=0 at `depth`, drawn about `pixel_height` texels tall."""
    rows = int(np.clip(pixel_height, 24, 2400))
    texel = shape.height / rows
    cols = max(8, int(shape.width / texel))
    margin = max(2, rows // 20)
    img = np.zeros((rows + 2 * margin, cols + 2 * margin, 3), np.uint8)
    mask = np.zeros(img.shape[:2], np.uint8)
    shadow_c = (cols // 2 + margin, rows + margin - 1)
    cv2.ellipse(img, shadow_c, (int(cols * 0.55), max(1, margin)), 0, 0, 360, (25, 25, 25), -1)
    cv2.ellipse(mask, shadow_c, (int(cols * 0.55), max(1, margin)), 0, 0, 360, 255, -1)
    body = np.zeros((rows, cols, 3), np.uint8)
    body_mask = np.zeros((rows, cols), np.uint8)
    DRAWERS[shape.kind](body, body_mask, cols, rows, shape.colour)
    # Fabric/fur texture so the subject's own motion is measurable.
    grain = rng.uniform(0.85, 1.15, (max(2, rows // 6), max(2, cols // 6))).astype(np.float32)
    grain = cv2.resize(grain, (cols, rows), interpolation=cv2.INTER_NEAREST)
    body = np.clip(body.astype(np.float32) * grain[..., None], 0, 255).astype(np.uint8)
    edge = cv2.morphologyEx(body_mask, cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8))
    body[edge > 0] = (body[edge > 0] * 0.45).astype(np.uint8)
    _label(body, shape.label, cols, rows, shape.kind)
    region = img[margin : margin + rows, margin : margin + cols]
    region[body_mask > 0] = body[body_mask > 0]
    mask[margin : margin + rows, margin : margin + cols] |= body_mask
    rgb = shading.apply(img, depth)
    left = -(cols / 2 + margin) * texel
    top = (rows + margin) * texel
    return Layer("subject", pack_rgba(rgb, mask), depth, texel, left, top, wrap=False, follows_subject=True)

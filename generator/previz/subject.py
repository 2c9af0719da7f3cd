"""The subject as a labelled silhouette (person, animal, vehicle, winged creature) or a placard, as an RGBA sprite."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from generator.previz.layers import Layer, Shading, pack_rgba
from generator.previz.palette import RGB, ascii_text, first_colour, subject_kind

# Kind -> (height m, width m, default colour).
SUBJECT_SIZES: dict[str, tuple[float, float, RGB]] = {
    "person": (1.75, 0.7, (70, 90, 160)),
    "animal": (0.6, 1.2, (150, 105, 65)),
    "big_animal": (1.7, 2.6, (120, 85, 55)),
    "vehicle": (1.5, 4.2, (180, 40, 40)),
    "placard": (2.0, 1.6, (238, 228, 200)),
    "winged": (0.09, 0.12, (235, 140, 40)),
}
# Kind -> the point a close shot frames (the face, the head, the headlamp, the sign), as fractions of the
# body's box: x from its left edge, y from its top.
AIM_POINTS: dict[str, tuple[float, float]] = {
    "person": (0.5, 0.13),
    "animal": (0.8, 0.28),
    "big_animal": (0.8, 0.28),
    "vehicle": (0.88, 0.56),
    "placard": (0.5, 0.28),
    "winged": (0.5, 0.5),
}

# Kind -> the size of that aimed feature in metres (a head, a headlamp's corner of the car, the sign's words).
FEATURE_SIZES: dict[str, float] = {"person": 0.35, "animal": 0.16, "big_animal": 0.45, "vehicle": 0.5, "placard": 0.7}
FEATURE_SIZES["winged"] = 0.12  # the whole creature: a close-up frames a butterfly, not its head
# Kind -> how many times its own size a shot frames around it at the whole-subject sizes (medium and wider): a
# medium shot of a butterfly shows the flowers it hovers over, not a butterfly filling the frame.
FRAMED_AROUND: dict[str, float] = {"winged": 4.0}


@dataclass(frozen=True)
class SubjectShape:
    kind: str
    height: float
    width: float
    colour: RGB
    label: str

    @property
    def aim(self) -> tuple[float, float]:
        """Where close shots look: (x, y) fractions of the body's box (x from the left, y from the top)."""
        return AIM_POINTS[self.kind]

    @property
    def feature(self) -> float:
        """The size in metres of what close shots frame (the head)."""
        return FEATURE_SIZES[self.kind]


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
    parts.append(("rect", (cx - max(1, int(w * 0.07)), int(h * 0.15), cx + max(1, int(w * 0.07)), int(h * 0.22)), skin))
    for _, (x0, y0, x1, y1), col in parts:
        cv2.rectangle(img, (x0, y0), (x1, y1), col, -1)
        cv2.rectangle(mask, (x0, y0), (x1, y1), 255, -1)
    cv2.circle(img, (cx, int(h * 0.11)), head_r, skin, -1)
    cv2.circle(mask, (cx, int(h * 0.11)), head_r, 255, -1)
    cv2.ellipse(img, (cx, int(h * 0.09)), (head_r, int(head_r * 0.8)), 0, 180, 360, (50, 35, 25), -1)  # hair
    eye = max(1, head_r // 6)
    for dx in (-head_r // 3, head_r // 3):
        cv2.circle(img, (cx + dx, int(h * 0.115)), eye, (30, 30, 30), -1)


def _poly(points: list[tuple[float, float]], w: int, h: int) -> np.ndarray:
    return np.array([[x * w, y * h] for x, y in points], np.int32)


def _animal(img: np.ndarray, mask: np.ndarray, w: int, h: int, colour: RGB) -> None:
    """A fox-like four-legged side view heading right: body, neck, head, snout, ears, legs and a bushy tail."""
    dark = _shade(colour, 0.6)
    light = (238, 230, 215)
    leg_w = max(1, int(w * 0.045))
    for x in (0.27, 0.35, 0.57, 0.65):
        x0 = int(w * x)
        for target, col in ((img, dark), (mask, 255)):
            cv2.rectangle(target, (x0, int(h * 0.6)), (x0 + leg_w, h - 1), col, -1)
    neck = _poly([(0.6, 0.42), (0.7, 0.64), (0.85, 0.4), (0.76, 0.18)], w, h)
    snout = _poly([(0.83, 0.2), (0.98, 0.33), (0.83, 0.39)], w, h)
    ears = [_poly([(ex - 0.045, 0.2), (ex + 0.035, 0.2), (ex - 0.01, 0.02)], w, h) for ex in (0.76, 0.85)]
    for target, col in ((img, colour), (mask, 255)):
        cv2.ellipse(target, (int(w * 0.14), int(h * 0.5)), (int(w * 0.13), int(h * 0.085)), 18, 0, 360, col, -1)
        cv2.ellipse(target, (int(w * 0.47), int(h * 0.52)), (int(w * 0.27), int(h * 0.17)), 0, 0, 360, col, -1)
        cv2.fillConvexPoly(target, neck, col)
        cv2.circle(target, (int(w * 0.8), int(h * 0.28)), max(1, int(h * 0.13)), col, -1)
        cv2.fillConvexPoly(target, snout, col)
        for ear in ears:
            cv2.fillConvexPoly(target, ear, col)
    for ear in ears:  # dark inner ears
        inner = ((ear - ear.mean(axis=0)) * 0.55 + ear.mean(axis=0) + [0, h * 0.02]).astype(np.int32)
        cv2.fillConvexPoly(img, inner, _shade(colour, 0.35))
    cv2.ellipse(img, (int(w * 0.04), int(h * 0.55)), (int(w * 0.04), int(h * 0.05)), 18, 0, 360, light, -1)  # tail tip
    cv2.ellipse(img, (int(w * 0.47), int(h * 0.63)), (int(w * 0.2), int(h * 0.06)), 0, 0, 180, light, -1)  # belly
    cheek = _poly([(0.8, 0.34), (0.97, 0.34), (0.83, 0.4), (0.74, 0.52)], w, h)
    cv2.fillConvexPoly(img, cheek, light)  # white muzzle and chest
    eye_r = max(1, int(h * 0.028))
    cv2.circle(img, (int(w * 0.83), int(h * 0.25)), eye_r, (20, 20, 20), -1)
    cv2.circle(img, (int(w * 0.83) + eye_r // 2, int(h * 0.25) - eye_r // 2), max(1, eye_r // 3), (250, 250, 250), -1)
    cv2.circle(img, (int(w * 0.97), int(h * 0.33)), max(1, int(h * 0.022)), (15, 15, 15), -1)  # nose


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
    line = max(1, w // 200)
    cv2.line(img, (int(w * 0.52), int(h * 0.45)), (int(w * 0.52), int(h * 0.76)), _shade(colour, 0.5), line)  # door
    cv2.rectangle(img, (int(w * 0.56), int(h * 0.5)), (int(w * 0.6), int(h * 0.53)), (200, 200, 205), -1)  # handle
    cv2.ellipse(
        img,
        (int(w * 0.93), int(h * 0.52)),
        (max(1, int(w * 0.03)), max(1, int(h * 0.06))),
        0,
        0,
        360,
        (255, 240, 190),
        -1,
    )  # headlamp
    cv2.ellipse(
        img,
        (int(w * 0.93), int(h * 0.52)),
        (max(1, int(w * 0.03)), max(1, int(h * 0.06))),
        0,
        0,
        360,
        (90, 90, 95),
        line,
    )
    cv2.rectangle(img, (int(w * 0.03), int(h * 0.5)), (int(w * 0.06), int(h * 0.58)), (230, 40, 30), -1)  # tail
    cv2.rectangle(img, (int(w * 0.9), int(h * 0.72)), (int(w * 0.97), int(h * 0.8)), (190, 190, 195), -1)  # bumper


def _placard(img: np.ndarray, mask: np.ndarray, w: int, h: int, colour: RGB) -> None:
    post = max(1, int(w * 0.05))
    for target, col in ((img, (110, 80, 50)), (mask, 255)):
        cv2.rectangle(target, (w // 2 - post, int(h * 0.5)), (w // 2 + post, h - 1), col, -1)
    for target, col in ((img, colour), (mask, 255)):
        cv2.rectangle(target, (int(w * 0.02), int(h * 0.02)), (int(w * 0.98), int(h * 0.55)), col, -1)
    cv2.rectangle(img, (int(w * 0.02), int(h * 0.02)), (int(w * 0.98), int(h * 0.55)), (60, 45, 30), max(1, w // 50))


def _winged(img: np.ndarray, mask: np.ndarray, w: int, h: int, colour: RGB) -> None:
    """A butterfly seen from the front and above: two pairs of wings with dark rims and spots, and a thin body."""
    rim = _shade(colour, 0.35)
    for side in (-1, 1):
        upper = ((w // 2 + side * int(w * 0.24)), int(h * 0.36)), (int(w * 0.24), int(h * 0.3)), side * -25
        lower = ((w // 2 + side * int(w * 0.17)), int(h * 0.72)), (int(w * 0.15), int(h * 0.2)), side * 20
        for (centre, axes, angle), shade in ((upper, 1.0), (lower, 0.8)):
            for target, col in ((img, rim), (mask, 255)):
                cv2.ellipse(target, centre, axes, angle, 0, 360, col, -1)
            inner = (max(1, int(axes[0] * 0.8)), max(1, int(axes[1] * 0.8)))
            cv2.ellipse(img, centre, inner, angle, 0, 360, _shade(colour, shade), -1)
            spot = (centre[0] + side * axes[0] // 3, centre[1]), max(1, axes[1] // 4)
            cv2.circle(img, *spot, (245, 240, 225), -1)
    body = (w // 2, h // 2), (max(1, int(w * 0.035)), int(h * 0.42))
    for target, col in ((img, (35, 30, 25)), (mask, 255)):
        cv2.ellipse(target, *body, 0, 0, 360, col, -1)


DRAWERS = {
    "person": _person,
    "animal": _animal,
    "big_animal": _animal,
    "vehicle": _vehicle,
    "placard": _placard,
    "winged": _winged,
}


# Kind -> where the label goes on the body: (centre x, baseline y, widest, tallest) as fractions of its box.
LABEL_PLACES: dict[str, tuple[float, float, float, float]] = {
    "person": (0.5, 0.4, 0.9, 0.12),
    "animal": (0.47, 0.58, 0.44, 0.1),
    "big_animal": (0.47, 0.58, 0.44, 0.1),
    "vehicle": (0.5, 0.7, 0.8, 0.14),
    "placard": (0.5, 0.28, 0.9, 0.12),
    "winged": (0.5, 0.97, 0.9, 0.12),
}


def _label(img: np.ndarray, text: str, w: int, h: int, kind: str) -> None:
    """The subject's words on a dark tag across its body (on the sign itself for a placard)."""
    if w < 24 or h < 16:
        return
    font = cv2.FONT_HERSHEY_SIMPLEX
    centre_x, baseline_y, widest, tallest = LABEL_PLACES[kind]
    (tw, th), _ = cv2.getTextSize(text, font, 1.0, 2)
    scale = min(widest * w / max(tw, 1), tallest * h / max(th, 1))
    thickness = max(1, int(scale * 2))
    (tw, th), base = cv2.getTextSize(text, font, scale, thickness)
    if th < 6:
        return  # unreadable at this size: a dark smudge would only hide the silhouette
    cy = int(h * baseline_y)
    x0 = int(w * centre_x - tw / 2)
    if kind != "placard":
        cv2.rectangle(img, (x0 - 4, cy - th - 4), (x0 + tw + 4, cy + base + 2), (25, 25, 30), -1)
    colour = (30, 25, 20) if kind == "placard" else (250, 250, 245)
    cv2.putText(img, text, (x0, cy), font, scale, colour, thickness, cv2.LINE_AA)


def subject_layer(
    rng: np.random.Generator,
    shape: SubjectShape,
    depth: float,
    pixel_height: float,
    shading: Shading,
    aim_x: float = 0.5,
) -> Layer:
    """The subject standing on Y=0 at `depth`, drawn about `pixel_height` texels tall.

    The column at fraction `aim_x` of its body's width stands at X=0, where the camera looks: the middle
    of the body for wide shots, the head for close ones.
    """
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
    fine = rng.uniform(0.8, 1.2, (max(2, rows // 5), max(2, cols // 5))).astype(np.float32)
    coarse = rng.uniform(0.88, 1.12, (max(2, rows // 48), max(2, cols // 48))).astype(np.float32)
    grain = cv2.resize(fine, (cols, rows), interpolation=cv2.INTER_LINEAR)
    grain *= cv2.resize(coarse, (cols, rows), interpolation=cv2.INTER_CUBIC)
    body = cv2.multiply(body, cv2.merge([grain, grain, grain]), dtype=cv2.CV_8U)
    edge = cv2.morphologyEx(body_mask, cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8))
    body[edge > 0] = (body[edge > 0] * 0.45).astype(np.uint8)
    _label(body, shape.label, cols, rows, shape.kind)
    region = img[margin : margin + rows, margin : margin + cols]
    region[body_mask > 0] = body[body_mask > 0]
    mask[margin : margin + rows, margin : margin + cols] |= body_mask
    rgb = shading.apply(img, depth)
    left = -(aim_x * cols + margin) * texel
    top = (rows + margin) * texel
    return Layer("subject", pack_rgba(rgb, mask), depth, texel, left, top, wrap=False, follows_subject=True)

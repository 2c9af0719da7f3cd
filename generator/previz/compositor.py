"""Per-frame work of the previz animatic: warp each layer into its rows, then particles, roll, flare and finish."""

from __future__ import annotations

import math

import cv2
import numpy as np

from generator.previz.camera import CameraTrack
from generator.previz.layers import NEAR_PLANE, Layer
from generator.previz.looks import Finisher, Look, flare_sprite
from generator.previz.particles import Steam, View, make_weather
from generator.previz.performance import STEAM_LIFE_S, STEAM_RISE_OF_HEIGHT, Performance, Pose, acted_action
from generator.previz.scene import Scene
from generator.request import RenderRequest
from generator.vocabulary import CAMERA_PHRASES

# rows y0:y1, columns x0:x1, horizontal and vertical scale, offsets, border
Plan = tuple[int, int, int, int, float, float, float, float, int]
MIN_ACROSS = 0.06  # a spinning sprite seen edge-on keeps this share of its width (a warp needs some)
STEAM_SOURCE = (0.5, 0.95)  # where puffs start: across the sprite's box, and up its height (its top)


def action_words(request: RenderRequest) -> str:
    """What the subject does, in words: the spec's action, else the caption or prompt without its camera phrases."""
    look = request.look
    if look is not None and look.action:
        return look.action
    text = ((look.caption if look else None) or request.prompt).lower()
    for phrase in CAMERA_PHRASES.values():  # "crane shot rising up" asks the camera to rise, not the subject
        text = text.replace(phrase.lower(), " ")
    return text


class Compositor:
    """Draws frame `i` of a shot: its layers as the camera sees them, the subject in its pose, then the finish."""

    def __init__(
        self,
        request: RenderRequest,
        scene: Scene,
        track: CameraTrack,
        look: Look,
        rng: np.random.Generator,
        *,
        times: np.ndarray | None = None,
        duration: float | None = None,
        first: int = 0,
    ) -> None:
        """`times`: seconds into the shot of each frame of `track` (default: frame index / fps), and `duration`:
        the whole shot's length (default: the request's); an extension passes times past its source's end.
        `first`: the shot's index of frame 0 (a segment of a long shot): grain follows the shot's frames."""
        self.first = first
        self.w, self.h = request.width, request.height
        self.times = np.arange(len(track)) / request.fps if times is None else np.asarray(times, np.float64)
        self.scene = scene
        self.track = track
        self.look = look
        self.canvas = np.empty((self.h, self.w, 4), np.uint8)
        self.last_plans: list[Plan | None] = []
        self.snapshot: np.ndarray | None = None
        self.snapshot_len = 0
        self.warped: dict[int, tuple[Plan, np.ndarray, np.ndarray]] = {}
        self.finisher = Finisher(look, self.w, self.h, rng)
        self.flare = flare_sprite(max(8, self.h // 3)) if "flare" in look.effects and scene.sun else None
        zs = scene.framing.subject_depth
        named = bool(request.look and request.look.action)
        action = acted_action(action_words(request), named, alive=scene.shape.kind not in {"placard", "vehicle"})
        if action == "idle" and track.movement == "tracking":
            action = "walk"  # a tracking shot follows a subject that travels: it steps as it goes
        self.performance = Performance(
            action,
            scene.shape.height,
            duration=request.num_frames / request.fps if duration is None else duration,
            frame_width=self.w * zs / scene.framing.focal,
            travels_with_camera=track.movement == "tracking",
            frame_height=self.h * zs / scene.framing.focal,
        )
        height = scene.shape.height
        self.steam = Steam(height, STEAM_RISE_OF_HEIGHT * height, STEAM_LIFE_S) if self.performance.steams else None
        weather_rng = np.random.default_rng(rng.integers(1 << 32))
        focal = float(np.min(track.f)) if len(track) else scene.framing.focal
        self.weather = make_weather(look.effects, zs, focal, self.w, self.h, weather_rng, scene.light)

    def frame(self, i: int) -> np.ndarray:
        tr, w, h = self.track, self.w, self.h
        scaled_t = float(self.times[i]) * self.look.time_scale
        state = (tr.cx[i], tr.cy[i], tr.cz[i], tr.psi[i], tr.pitch[i], tr.f[i], tr.subject_dx[i])
        pose = self.performance.pose(scaled_t)
        self._composite([self._plan(layer, state, pose) for layer in self.scene.layers])
        view = View(*(float(v) for v in state[:6]), w, h)
        for weather in self.weather:
            weather.draw(self.canvas, scaled_t, view)
        if self.steam is not None:
            self.steam.draw(self.canvas, scaled_t, view, self._steam_source(state, pose))
        out = np.empty((h, w, 3), np.uint8)
        roll = float(tr.roll[i])
        if abs(roll) > 1e-5:
            rot = cv2.getRotationMatrix2D((w / 2, h / 2), math.degrees(roll), 1.0)
            rolled = cv2.warpAffine(self.canvas, rot, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
            cv2.cvtColor(rolled, cv2.COLOR_RGBA2RGB, dst=out)
        else:
            cv2.cvtColor(self.canvas, cv2.COLOR_RGBA2RGB, dst=out)
        if self.flare is not None:
            self._add_flare(out, state)
        self.finisher.apply(out, self.first + i, scaled_t)
        return out

    def _steam_source(self, state: tuple, pose: Pose) -> tuple[float, float, float]:
        """Where the subject's puffs start this frame: over its top, where it stands now (metres)."""
        shape, framing = self.scene.shape, self.scene.framing
        across, up = STEAM_SOURCE
        x = (across - framing.aim_x) * shape.width + state[6] + pose.dx
        return x, up * shape.height * pose.down + pose.dy, framing.subject_depth

    def _composite(self, plans: list[Plan | None]) -> None:
        """Draw the planned layers into the canvas, reusing what did not change since the last frame.

        The canvas after the longest run of unchanged leading layers is kept (a static camera redraws
        only the subject and what is in front of it), and a masked layer whose placement did not change
        reuses its warped pixels.
        """
        layers = self.scene.layers
        same = 0
        while same < len(plans) and same < len(self.last_plans) and plans[same] == self.last_plans[same]:
            same += 1
        start = 0
        if self.snapshot is not None and 0 < self.snapshot_len <= same:
            np.copyto(self.canvas, self.snapshot)
            start = self.snapshot_len
        else:
            np.copyto(self.canvas, self.scene.fill)
        for j in range(start, len(layers)):
            if j == same and same > 0 and same != self.snapshot_len:
                self.snapshot = self.canvas.copy()
                self.snapshot_len = same
            plan = plans[j]
            if plan is not None:
                self._draw(j, layers[j], plan)
        if same == len(plans) and same != self.snapshot_len:
            self.snapshot = self.canvas.copy()
            self.snapshot_len = same
        self.last_plans = plans

    def _plan(self, layer: Layer, state: tuple, pose: Pose) -> Plan | None:
        """Where `layer` lands this frame: (rows, columns, affine, border), or None when it is not seen."""
        cx, cy, cz, psi, pitch, f, subject_dx = state
        w, h = self.w, self.h
        th, tw = layer.texture.shape[:2]
        across = down = 1.0
        if layer.depth is None:
            s = f * layer.texel
            tx = w / 2 + f * (layer.left - psi)
            ty = h / 2 - f * (layer.top - pitch)
        else:
            d = layer.depth - cz
            if d < NEAR_PLANE * self.scene.framing.subject_depth:
                return None  # the camera has passed it (or nearly)
            sx = subject_dx + pose.dx if layer.follows_subject else 0.0
            sy = pose.dy if layer.follows_subject else 0.0
            s = f * layer.texel / d
            tx = w / 2 + f * ((layer.left + sx - cx) / d - psi)
            ty = h / 2 - f * ((layer.top + sy - cy) / d - pitch)
            if layer.follows_subject:
                across = math.copysign(max(MIN_ACROSS, abs(pose.across)), pose.across)
                down = pose.down
        if across != 1.0 or down != 1.0:  # turn about the column standing at X=0, squash about the middle row
            pivot_u, pivot_v = -layer.left / layer.texel, th / 2
            tx += s * pivot_u * (1 - across)
            ty += s * pivot_v * (1 - down)
        sx_px, sy_px = s * across, s * down
        # Only rows (and, for sprites, columns) whose samples fall inside the texture: no border pixels.
        y0, y1 = max(0, math.ceil(ty)), min(h, math.floor(ty + sy_px * (th - 1)) + 1)
        if y1 <= y0:
            return None
        if layer.wrap:
            u0 = (-tx / s) % layer.period  # texture column seen at the frame's left edge
            tx = -u0 * s
            x0, x1 = 0, w
            border = cv2.BORDER_WRAP if u0 + w / s + 1 >= tw else cv2.BORDER_CONSTANT  # WRAP only if tiling fell short
        else:
            left, right = sorted((tx, tx + sx_px * (tw - 1)))
            x0, x1 = max(0, math.ceil(left)), min(w, math.floor(right) + 1)
            if x1 <= x0:
                return None
            border = cv2.BORDER_CONSTANT
        return (y0, y1, x0, x1, float(sx_px), float(sy_px), float(tx - x0), float(ty - y0), border)

    def _draw(self, index: int, layer: Layer, plan: Plan) -> None:
        y0, y1, x0, x1, sx, sy, ox, oy, border = plan
        m = np.array([[sx, 0.0, ox], [0.0, sy, oy]], np.float64)
        size = (x1 - x0, y1 - y0)
        if layer.opaque and x0 == 0 and x1 == self.w:
            cv2.warpAffine(layer.texture, m, size, dst=self.canvas[y0:y1], flags=cv2.INTER_LINEAR, borderMode=border)
            return
        cached = self.warped.get(index)
        if cached is not None and cached[0] == plan:
            _, warped, mask = cached
        else:
            warped = cv2.warpAffine(layer.texture, m, size, flags=cv2.INTER_LINEAR, borderMode=border, borderValue=0)
            mask = cv2.extractChannel(warped, 3)
            self.warped[index] = (plan, warped, mask)
        cv2.copyTo(warped, mask, self.canvas[y0:y1, x0:x1])

    def _add_flare(self, out: np.ndarray, state: tuple) -> None:
        _, _, _, psi, pitch, f, _ = state
        az, el = self.scene.sun  # type: ignore[misc]
        period = self.scene.sky_period
        az = az + round((psi - az) / period) * period
        sx, sy = self.w / 2 + f * (az - psi), self.h / 2 - f * (el - pitch)
        centre = (self.w / 2, self.h / 2)
        for k, scale in ((0.0, 1.0), (1.4, 0.35), (1.9, 0.2)):  # the sun, then ghosts mirrored through the centre
            px = sx + (centre[0] - sx) * k
            py = sy + (centre[1] - sy) * k
            sprite = self.flare if scale == 1.0 else cv2.resize(self.flare, None, fx=scale, fy=scale)  # type: ignore
            _add_clipped(out, sprite, int(px - sprite.shape[1] / 2), int(py - sprite.shape[0] / 2))


def _add_clipped(out: np.ndarray, sprite: np.ndarray, x: int, y: int) -> None:
    h, w = out.shape[:2]
    sh, sw = sprite.shape[:2]
    x0, y0, x1, y1 = max(0, x), max(0, y), min(w, x + sw), min(h, y + sh)
    if x1 <= x0 or y1 <= y0:
        return
    region = out[y0:y1, x0:x1]
    region[...] = cv2.add(region, sprite[y0 - y : y1 - y, x0 - x : x1 - x])

"""PrevizGenerator: the CPU animatic; composites the shot's layers per frame with affine warps."""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np

from generator.base import CancelToken, Progress, ProgressCallback, RenderResult
from generator.errors import InvalidRequest, RenderCancelled
from generator.previz.camera import OPPOSITE_MOVES, CameraTrack, Framing, camera_track
from generator.previz.condition import read_source_clip
from generator.previz.layers import NEAR_PLANE, Layer
from generator.previz.looks import Finisher, Look, flare_sprite, look_from_hints
from generator.previz.palette import ascii_text
from generator.previz.scene import Scene, build_scene, frame_subject
from generator.previz.subject import subject_shape
from generator.request import RenderRequest

MODEL_NAME = "previz-v1"
PROGRESS_EVERY_S = 0.25
MAX_CHAIN = 8  # an extension looks this many source-lengths in for where its source ended
_TRACK_ARRAYS = ("cx", "cy", "cz", "psi", "pitch", "roll", "f", "subject_dx")  # per-frame state of a CameraTrack
_Plan = tuple[int, int, int, int, float, float, float, int]  # rows y0:y1, columns x0:x1, scale, offsets, border


class PrevizGenerator:
    """A procedural animatic that honours camera move, framing, time of day, look, duration, fps and aspect."""

    name = "previz"
    model = MODEL_NAME

    def render(
        self,
        request: RenderRequest,
        progress: ProgressCallback | None = None,
        cancel: CancelToken | None = None,
    ) -> RenderResult:
        started = time.perf_counter()
        frames = np.empty((request.num_frames, request.height, request.width, 3), np.uint8)
        notes: list[str] = []
        for i, frame in enumerate(self.iter_frames(request, progress=progress, cancel=cancel, notes=notes)):
            frames[i] = frame
        return RenderResult(
            frames=frames,
            fps=request.fps,
            backend=self.name,
            model=MODEL_NAME,
            seed=request.seed,
            render_s=time.perf_counter() - started,
            notes=notes,
        )

    def iter_frames(
        self,
        request: RenderRequest,
        *,
        progress: ProgressCallback | None = None,
        cancel: CancelToken | None = None,
        notes: list[str] | None = None,
        hidden: frozenset[str] = frozenset(),
    ) -> Iterator[np.ndarray]:
        """Yield the frames one by one (each a fresh (H, W, 3) uint8 array): long shots without holding them all.

        `hidden` names layers to leave out (e.g. {"subject"}): a measuring aid for tests, which diff a render
        with and without the subject to find where it is on screen. Everything else stays identical.
        """
        if request.width % 2 or request.height % 2:
            raise InvalidRequest(f"previz needs even frame sides for yuv420p, got {request.width}x{request.height}")
        notes = notes if notes is not None else []
        started = time.perf_counter()
        seeds = np.random.SeedSequence(request.seed).spawn(4)
        scene_rng, camera_rng, finish_rng, _ = (np.random.default_rng(s) for s in seeds)
        look = look_from_hints(request.look)
        asked_movement = request.camera.movement if request.camera else "static"
        speed = request.camera.speed if request.camera else "medium"
        reversed_ = "camera_reversed" in request.faults
        movement = OPPOSITE_MOVES.get(asked_movement, asked_movement) if reversed_ else asked_movement
        if reversed_:
            notes.append(f"fault injected: camera_reversed ({asked_movement} rendered as {movement})")
        if request.reference_images:
            names = ", ".join(ref.name for ref in request.reference_images)
            notes.append(f"previz has no image input: {names} drawn from the words only (reference image unused)")
        shape = subject_shape(request.look.subject if request.look else None)
        framing = frame_subject(request, shape)
        reverse_tracking = reversed_ and movement == "tracking"
        first = 0  # the shot's frame this render starts at (a segment of a long shot starts later)
        if request.segment is not None:
            segment = request.segment
            shot = camera_track(
                movement, speed, framing, segment.shot_frames, request.fps, camera_rng,
                reverse_tracking=reverse_tracking,
            )  # fmt: skip
            scene = build_scene(request, framing, shot, look, scene_rng)
            first = segment.start_frame
            track = _window(shot, first, first + request.num_frames)
            t0 = first / request.fps
            notes.append(
                f"previz: segment {segment.index + 1} of {segment.count} renders frames {first}-"
                f"{first + request.num_frames - 1} of the shot's own camera path (no seam to hide)"
            )
        elif request.condition is None:
            track = camera_track(
                movement, speed, framing, request.num_frames, request.fps, camera_rng, reverse_tracking=reverse_tracking
            )
            scene = build_scene(request, framing, track, look, scene_rng)
            t0 = 0.0
        else:
            scene, track, t0 = _continuation(
                request, framing, look, movement, speed, seeds[0], seeds[1], reverse_tracking, notes
            )
        if hidden:
            scene.layers = [layer for layer in scene.layers if layer.name not in hidden]
        notes.extend(scene.notes)
        notes.extend(f"previz: {n}" for n in track.notes)
        if look.describe():
            notes.append("previz look: " + ", ".join(look.describe()))
        if look.ignored_effects:
            notes.append("previz cannot draw: " + ", ".join(look.ignored_effects))
        compositor = _Compositor(request, scene, track, look, finish_rng, t0=t0, first=first)
        last_report = -math.inf
        total = request.num_frames
        for i in range(total):
            if cancel is not None and cancel.cancelled:
                raise RenderCancelled(f"previz render cancelled at frame {i}/{total}")
            yield compositor.frame(i)
            now = time.perf_counter()
            if progress is not None and (now - last_report >= PROGRESS_EVERY_S or i + 1 == total):
                elapsed = now - started
                eta = elapsed / (i + 1) * (total - i - 1)
                progress(Progress(step=i + 1, total=total, elapsed_s=elapsed, eta_s=eta, stage="previz"))
                last_report = now


class _Compositor:
    """Per-frame work: warp each layer into its rows of the canvas, roll, flare, finish, caption."""

    def __init__(
        self,
        request: RenderRequest,
        scene: Scene,
        track: CameraTrack,
        look: Look,
        rng: np.random.Generator,
        *,
        t0: float = 0.0,
        first: int = 0,
    ) -> None:
        self.w, self.h = request.width, request.height
        self.fps = request.fps
        self.t0 = t0  # seconds of the shot before frame 0 (an extension continues its source)
        self.first = first  # the shot's index of frame 0 (a segment): grain follows the shot's frames
        self.scene = scene
        self.track = track
        self.look = look
        self.canvas = np.empty((self.h, self.w, 4), np.uint8)
        self.last_plans: list[_Plan | None] = []
        self.snapshot: np.ndarray | None = None
        self.snapshot_len = 0
        self.warped: dict[int, tuple[_Plan, np.ndarray, np.ndarray]] = {}
        self.finisher = Finisher(look, self.w, self.h, rng)
        self.flare = flare_sprite(max(8, self.h // 3)) if "flare" in look.effects and scene.sun else None
        self.caption = _caption(request, self.w, self.h)
        action = ((request.look.caption if request.look else "") or request.prompt).lower()
        brisk = any(word in action for word in ("run", "trot", "gallop", "sprint", "dash", "race"))
        walking = brisk or track.movement == "tracking" or any(w in action for w in ("walk", "stroll", "wander"))
        self.bob_hz = 2.6 if brisk else 1.6 if walking else 0.35
        self.bob_m = scene.shape.height * (0.02 if walking else 0.006)

    def frame(self, i: int) -> np.ndarray:
        tr, w, h = self.track, self.w, self.h
        t = self.t0 + i / self.fps
        scaled_t = t * self.look.time_scale
        state = (tr.cx[i], tr.cy[i], tr.cz[i], tr.psi[i], tr.pitch[i], tr.f[i], tr.subject_dx[i])
        bob = self.bob_m * abs(math.sin(math.pi * self.bob_hz * scaled_t))
        self._composite([self._plan(layer, state, bob) for layer in self.scene.layers])
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
        if self.caption is not None:
            y0, text, mask = self.caption
            strip = out[y0:]
            cv2.convertScaleAbs(strip, dst=strip, alpha=0.4)
            cv2.copyTo(text, mask, strip)
        return out

    def _composite(self, plans: list[_Plan | None]) -> None:
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

    def _plan(self, layer: Layer, state: tuple, bob: float) -> _Plan | None:
        """Where `layer` lands this frame: (rows, columns, affine, border), or None when it is not seen."""
        cx, cy, cz, psi, pitch, f, subject_dx = state
        w, h = self.w, self.h
        th, tw = layer.texture.shape[:2]
        if layer.depth is None:
            s = f * layer.texel
            tx = w / 2 + f * (layer.left - psi)
            ty = h / 2 - f * (layer.top - pitch)
        else:
            d = layer.depth - cz
            if d < NEAR_PLANE * self.scene.framing.subject_depth:
                return None  # the camera has passed it (or nearly)
            sx = subject_dx if layer.follows_subject else 0.0
            sy = bob if layer.follows_subject else 0.0
            s = f * layer.texel / d
            tx = w / 2 + f * ((layer.left + sx - cx) / d - psi)
            ty = h / 2 - f * ((layer.top + sy - cy) / d - pitch)
        # Only rows (and, for sprites, columns) whose samples fall inside the texture: no border pixels.
        y0, y1 = max(0, math.ceil(ty)), min(h, math.floor(ty + s * (th - 1)) + 1)
        if y1 <= y0:
            return None
        if layer.wrap:
            u0 = (-tx / s) % layer.period  # texture column seen at the frame's left edge
            tx = -u0 * s
            x0, x1 = 0, w
            border = cv2.BORDER_WRAP if u0 + w / s + 1 >= tw else cv2.BORDER_CONSTANT  # WRAP only if tiling fell short
        else:
            x0, x1 = max(0, math.ceil(tx)), min(w, math.floor(tx + s * (tw - 1)) + 1)
            if x1 <= x0:
                return None
            border = cv2.BORDER_CONSTANT
        return (y0, y1, x0, x1, float(s), float(tx - x0), float(ty - y0), border)

    def _draw(self, index: int, layer: Layer, plan: _Plan) -> None:
        y0, y1, x0, x1, s, ox, oy, border = plan
        m = np.array([[s, 0.0, ox], [0.0, s, oy]], np.float64)
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


def _continuation(
    request: RenderRequest,
    framing: Framing,
    look: Look,
    movement: str,
    speed: str,
    scene_seed: np.random.SeedSequence,
    camera_seed: np.random.SeedSequence,
    reverse_tracking: bool,
    notes: list[str],
) -> tuple[Scene, CameraTrack, float]:
    """Scene, camera track and start time of an extension: the source shot's world and path, carried on.

    The scene is built exactly as the source's render built it (same seed, the source's own track), so
    the extension's first frame follows the source's last one. The path is evaluated past the source's
    end with the source's duration (same speeds and centring). A source that is itself an extension
    ended k source-lengths in (every extension keeps its shot's length): k is the one whose rendered
    last frame looks most like the source's.
    """
    assert request.condition is not None
    source = read_source_clip(request.condition.path)
    src_n, src_fps = source.num_frames, source.fps
    src_duration = source.duration_s

    def track_at(times: np.ndarray | None) -> CameraTrack:
        rng = np.random.default_rng(camera_seed)  # the same handheld wobble every time
        return camera_track(
            movement,
            speed,
            framing,
            src_n,
            src_fps,
            rng,
            reverse_tracking=reverse_tracking,
            times=times,
            duration=src_duration,
        )

    source_track = track_at(None)
    ends = np.arange(1, MAX_CHAIN + 1) * src_duration
    steps = np.arange(request.num_frames, dtype=np.float64) / request.fps
    # Every view of the chain's next MAX_CHAIN extensions, the source's first: the plates must cover them.
    views = _joined(source_track, track_at(np.concatenate([e + steps for e in ends])))
    scene = build_scene(request, framing, source_track, look, np.random.default_rng(scene_seed), view_track=views)
    k = 1
    if MAX_CHAIN > 1:
        candidates = track_at(ends - 1.0 / src_fps)
        probe = _Compositor(request, scene, candidates, look, np.random.default_rng(0), t0=0.0)
        probe.finisher = Finisher(replace(look, grain=0.0), request.width, request.height, np.random.default_rng(0))
        last = source.last_frame
        if last.shape[:2] != (request.height, request.width):
            last = cv2.resize(last, (request.width, request.height), interpolation=cv2.INTER_AREA)
        errors = [float(cv2.absdiff(probe.frame(j), last).mean()) for j in range(MAX_CHAIN)]
        k = int(np.argmin(errors)) + 1
    t0 = float(ends[k - 1])
    track = track_at(t0 + steps)
    notes.append(
        f"previz: continues {Path(request.condition.path).name} ({src_n} frames at {src_fps:g} fps) "
        f"from {t0:.2f} s into the shot" + (f" (extension {k} of a chain)" if k > 1 else "")
    )
    return scene, track, t0


def _window(track: CameraTrack, start: int, stop: int) -> CameraTrack:
    """The frames start..stop-1 of a track (a segment's view of its shot's camera path)."""
    if stop > len(track.cx):
        raise InvalidRequest(f"a segment ending at frame {stop} is past the shot's {len(track.cx)} frames")
    arrays = {name: getattr(track, name)[start:stop] for name in _TRACK_ARRAYS}
    return replace(track, **arrays)


def _joined(first: CameraTrack, then: CameraTrack) -> CameraTrack:
    """One track running `first`'s frames then `then`'s (for planning what a scene must cover)."""
    arrays = {name: np.concatenate([getattr(first, name), getattr(then, name)]) for name in _TRACK_ARRAYS}
    return replace(first, **arrays)


def _add_clipped(out: np.ndarray, sprite: np.ndarray, x: int, y: int) -> None:
    h, w = out.shape[:2]
    sh, sw = sprite.shape[:2]
    x0, y0, x1, y1 = max(0, x), max(0, y), min(w, x + sw), min(h, y + sh)
    if x1 <= x0 or y1 <= y0:
        return
    region = out[y0:y1, x0:x1]
    region[...] = cv2.add(region, sprite[y0 - y : y1 - y, x0 - x : x1 - x])


def _caption(request: RenderRequest, width: int, height: int) -> tuple[int, np.ndarray, np.ndarray] | None:
    """The shot's words in a thin strip at the bottom: (first row, RGB text, mask), or None (too small, no caption)."""
    caption = request.look.caption if request.look else request.prompt  # look hints without a caption: none
    text = ascii_text((caption or "").strip())
    if height < 96 or width < 96 or not text:
        return None
    font = cv2.FONT_HERSHEY_SIMPLEX
    scale = max(0.3, height / 1000)
    thickness = 1
    (_, th), base = cv2.getTextSize("Ag", font, scale, thickness)
    max_w = int(width * 0.94)
    lines: list[str] = []
    words = text.split()
    while words and len(lines) < 2:
        line = words.pop(0)
        while words and cv2.getTextSize(line + " " + words[0], font, scale, thickness)[0][0] <= max_w:
            line += " " + words.pop(0)
        lines.append(line)
    if words:
        last = lines[-1]
        while last and cv2.getTextSize(last + "...", font, scale, thickness)[0][0] > max_w:
            last = last[:-1]
        lines[-1] = last + "..."
    line_h = th + base + 4
    strip_h = line_h * len(lines) + 6
    y0 = height - strip_h
    text_img = np.zeros((strip_h, width, 3), np.uint8)
    for k, line in enumerate(lines):
        cv2.putText(
            text_img,
            line,
            (int(width * 0.03), 4 + th + k * line_h),
            font,
            scale,
            (235, 235, 230),
            thickness,
            cv2.LINE_AA,
        )
    mask = cv2.cvtColor(text_img, cv2.COLOR_RGB2GRAY)
    return y0, text_img, mask

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
from generator.previz.compositor import Compositor
from generator.previz.condition import read_source_clip
from generator.previz.looks import Finisher, Look, look_from_hints
from generator.previz.scene import Scene, build_scene, frame_subject
from generator.previz.subject import subject_shape
from generator.request import RenderRequest

MODEL_NAME = "previz-v1"
PROGRESS_EVERY_S = 0.25
MAX_CHAIN = 8  # an extension looks this many source-lengths in for where its source ended
_TRACK_ARRAYS = ("cx", "cy", "cz", "psi", "pitch", "roll", "f", "subject_dx")  # per-frame state of a CameraTrack


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
            times = (first + np.arange(request.num_frames)) / request.fps
            duration = segment.shot_frames / request.fps
            notes.append(
                f"previz: segment {segment.index + 1} of {segment.count} renders frames {first}-"
                f"{first + request.num_frames - 1} of the shot's own camera path (no seam to hide)"
            )
        elif request.condition is None:
            track = camera_track(
                movement, speed, framing, request.num_frames, request.fps, camera_rng, reverse_tracking=reverse_tracking
            )
            scene = build_scene(request, framing, track, look, scene_rng)
            times, duration = None, None
        else:
            scene, track, times, duration = _continuation(
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
        compositor = Compositor(request, scene, track, look, finish_rng, times=times, duration=duration, first=first)
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
) -> tuple[Scene, CameraTrack, np.ndarray, float]:
    """An extension's scene, camera track, frame times and shot duration: the source's world and path, carried on.

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
        last_times = ends - 1.0 / src_fps
        candidates = track_at(last_times)
        probe = Compositor(
            request, scene, candidates, look, np.random.default_rng(0), times=last_times, duration=src_duration
        )
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
    return scene, track, t0 + steps, src_duration


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

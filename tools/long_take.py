"""Long takes: render a shot longer than one pass as segments, one after another, and join them into one take.

Each segment is rendered by a caller-given coroutine (a queue job, or a local render on a worker thread),
conditioned on the last frames of the segment before it. Progress runs as one bar over the whole shot;
a cancel stops before the next segment (and the running one through its own cancel). A retake keeps the
segments of an earlier take that passed and renders only the ones given again.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from generator.base import CancelToken, Progress, ProgressCallback
from generator.errors import Failure
from generator.families import get_family
from generator.request import RenderRequest
from generator.segments import SegmentSpan, pass_frames, segment_request, split_shot
from tools.encode import write_poster
from tools.joins import JoinError, join_segments
from tools.take import SegmentTake, Take

DEFAULT_SEGMENT_S = 10.0  # the longest pass of any family, in seconds of the shot (see docs/decisions.md)
SEGMENT_MAX_BYTES = 256 * 1024 * 1024  # segment files are intermediates: kept near the encoder's quality ceiling
# What a revision may change in a segment's request; the rest (frames, conditioning, place) comes from the plan.
REVISABLE = ("prompt", "negative_prompt", "seed", "steps", "guidance", "camera", "faults")
# A family that continues its own camera path (previz) draws a segment as a window of the shot: its seed and
# camera are the shot's, or the window would show another world.
PATH_FIELDS = ("seed", "camera")

# Render one segment request into a file: (request, file, job key, progress, cancel) -> its Take, or a Failure.
RenderSegment = Callable[[RenderRequest, Path, str, ProgressCallback, CancelToken | None], Awaitable[Take | Failure]]


class Retake(BaseModel):
    """Segments of an earlier long take to keep, and revised requests of the ones to render again."""

    model_config = ConfigDict(extra="forbid")

    keep: list[SegmentTake] = Field(default_factory=list)
    redo: list[RenderRequest] = Field(default_factory=list, description="Revised segment requests (segment set).")


def segment_spans(request: RenderRequest, segment_s: float | None) -> list[SegmentSpan]:
    """How a shot splits into passes of its family (one span when it fits one pass)."""
    family = get_family(request.family)
    return split_shot(request.num_frames, family, pass_frames(family, request.fps, segment_s))


def is_long(request: RenderRequest, segment_s: float | None) -> bool:
    """Whether this request renders as more than one segment."""
    return request.segment is None and len(segment_spans(request, segment_s)) > 1


@dataclass
class _ShotProgress:
    """One progress bar over the whole shot, in frames, fed by each segment's own reports."""

    sink: ProgressCallback | None
    total: int
    count: int
    started: float

    def segment(self, span: SegmentSpan) -> ProgressCallback:
        def report(progress: Progress) -> None:
            if self.sink is None:
                return
            fraction = progress.step / progress.total if progress.total else 1.0
            done = min(self.total, span.start + round(fraction * span.frames))
            elapsed = time.perf_counter() - self.started
            eta = elapsed / done * (self.total - done) if done else None
            stage = f"segment {span.index + 1}/{self.count}"
            self.sink(Progress(step=done, total=self.total, elapsed_s=elapsed, eta_s=eta, stage=stage))

        return report


def _planned(shot: RenderRequest, span: SegmentSpan, previous: str | None, redo: RenderRequest | None) -> RenderRequest:
    """The segment's request from the plan, with a revision's changes and the shot's faults in one segment only."""
    family = get_family(shot.family)
    faults = shot.faults if span.index == span.count // 2 else ()  # a demo fault goes into one segment, the middle
    request = segment_request(shot.model_copy(update={"faults": faults}), span, previous, family)
    if redo is not None:
        fields = REVISABLE if family.continue_frames else [f for f in REVISABLE if f not in PATH_FIELDS]
        request = request.model_copy(update={name: getattr(redo, name) for name in fields})
    return request


def _kept(retake: Retake | None, span: SegmentSpan) -> SegmentTake | None:
    """The earlier take's segment, if the retake keeps it, it still fits the plan and its file is there.

    A kept segment after one rendered again still opens on the old frames: the join between them is
    colour-matched like any other and checked by the critic, whose failed join renders the later one again.
    """
    if retake is None or any(r.segment is not None and r.segment.index == span.index for r in retake.redo):
        return None
    kept = next((part for part in retake.keep if part.index == span.index), None)
    if kept is None or (kept.start_frame, kept.frames) != (span.start, span.frames) or not Path(kept.path).is_file():
        return None
    return kept


async def render_long_take(
    request: RenderRequest,
    *,
    render_segment: RenderSegment,
    out_path: Path,
    max_bytes: int,
    segment_s: float | None = DEFAULT_SEGMENT_S,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
    retake: Retake | None = None,
) -> Take | Failure:
    """Render `request` segment by segment into `out_path` (segment files beside it) and join them."""
    spans = segment_spans(request, segment_s)
    bar = _ShotProgress(progress, request.num_frames, len(spans), time.perf_counter())
    redo = {r.segment.index: r for r in (retake.redo if retake else []) if r.segment is not None}
    parts: list[SegmentTake] = []
    rendered: list[int] = []
    for span in spans:
        if cancel is not None and cancel.cancelled:
            return Failure(kind="cancelled", message=f"cancelled before segment {span.index + 1} of {len(spans)}")
        kept = _kept(retake, span)
        if kept is not None:
            parts.append(kept)
            continue
        previous = parts[-1].path if parts else None
        segment = _planned(request, span, previous, redo.get(span.index))
        path = segment_file(out_path, span.index)
        outcome = await render_segment(segment, path, f"s{span.index + 1:02d}", bar.segment(span), cancel)
        if isinstance(outcome, Failure):
            message = f"segment {span.index + 1} of {len(spans)}: {outcome.message}"
            return outcome.model_copy(update={"message": message})
        parts.append(_segment_take(span, segment, outcome))
        rendered.append(span.index)
    try:
        return await asyncio.to_thread(_join, request, parts, spans, out_path, max_bytes, rendered)
    except JoinError as exc:
        return Failure(kind="internal", message=str(exc))


def segment_file(out_path: Path, index: int) -> Path:
    """Where segment `index` of the take at `out_path` is written: beside it, named after it."""
    return out_path.with_name(f"{out_path.stem}-s{index + 1:02d}.mp4")


def _segment_take(span: SegmentSpan, request: RenderRequest, take: Take) -> SegmentTake:
    return SegmentTake(
        index=span.index,
        start_frame=span.start,
        frames=span.frames,
        path=take.path,
        request=request,
        backend=take.backend,
        model=take.model,
        render_s=take.render_s,
        notes=list(take.notes),
    )


def _join(
    request: RenderRequest,
    parts: list[SegmentTake],
    spans: list[SegmentSpan],
    out_path: Path,
    max_bytes: int,
    rendered: list[int],
) -> Take:
    joined = join_segments(parts, out_path, request.fps, max_bytes=max_bytes)
    for part in parts:  # a segment's own poster is of no use once it is joined
        Path(part.path).with_suffix(".jpg").unlink(missing_ok=True)
    poster = write_poster(joined.poster, out_path.with_suffix(".jpg"))
    family = get_family(request.family)
    how = (
        f"each continuing from the last {family.continue_frames} frame(s) of the one before"
        if family.continue_frames
        else "each continuing the shot's own camera path"
    )
    times = ", ".join(f"{part.render_s:.1f}" for part in parts)
    notes = [f"joined {len(spans)} segments, {how} (render times {times} s)"]
    if len(rendered) < len(spans):
        again = ", ".join(str(i + 1) for i in rendered) or "none"
        notes.append(f"kept {len(spans) - len(rendered)} segment(s) of the earlier take; rendered again: {again}")
    first = parts[0]
    first_take_notes = [n for n in first.notes if not n.startswith("previz: segment")]
    encoded = joined.encoded
    return Take(
        path=str(out_path),
        backend=first.backend,
        model=first.model,
        seed=request.seed,
        width=encoded.width,
        height=encoded.height,
        num_frames=encoded.num_frames,
        fps=request.fps,
        duration_s=round(encoded.num_frames / request.fps, 4),
        bytes=encoded.bytes,
        render_s=round(sum(part.render_s for part in parts), 3),
        poster=str(poster),
        notes=[*notes, *first_take_notes, *joined.notes],
        segments=parts,
    )

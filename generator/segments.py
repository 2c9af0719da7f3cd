"""Long shots as segments: split a shot longer than one pass into consecutive, conditioned segment requests."""

from __future__ import annotations

import math
from dataclasses import dataclass

from generator.family import ModelFamily
from generator.request import ConditionClip, RenderRequest, SegmentOf


@dataclass(frozen=True)
class SegmentSpan:
    """One segment of a shot: which of the shot's frames it adds, and what its pass renders to add them."""

    index: int
    count: int
    start: int  # the shot's first frame this segment adds
    frames: int  # frames it adds to the shot
    render_frames: int  # frames its pass renders (the family's rule): the overlap, the frames, a trimmed tail
    overlap: int  # frames at the head of its pass that repeat the previous segment (the backend drops them)

    @property
    def end(self) -> int:
        return self.start + self.frames


def pass_frames(family: ModelFamily, fps: int, segment_s: float | None = None) -> int:
    """The most frames one pass renders: the family's maximum, or fewer when segments are capped in seconds.

    Never so few that a continuation adds nothing past the frames it is conditioned on.
    """
    most = family.max_frames
    if segment_s is not None:
        most = min(most, max(1, math.floor(segment_s * fps + 1e-9)))
    shortest = _at_least(family, family.continue_frames + 1, family.max_frames)  # a continuation must add a frame
    return max(_at_most(family, most), shortest)


def _at_most(family: ModelFamily, frames: int) -> int:
    """The largest count this family renders that is no more than `frames` (at least its smallest)."""
    if family.only_trained_frames and family.trained_frames:
        fitting = [count for count in sorted(family.trained_frames) if count <= frames]
        return fitting[-1] if fitting else min(family.trained_frames)
    step = family.frame_step
    return max(1, (max(1, frames) - 1) // step * step + 1)


def _at_least(family: ModelFamily, frames: int, most: int) -> int:
    """The smallest count this family renders that is at least `frames`, capped at `most`."""
    if family.only_trained_frames and family.trained_frames:
        fitting = [count for count in sorted(family.trained_frames) if count >= frames]
        return min(fitting[0], most) if fitting else most
    step = family.frame_step
    return min(most, math.ceil(max(0, frames - 1) / step) * step + 1)


def split_shot(total: int, family: ModelFamily, most: int) -> list[SegmentSpan]:
    """Segments that add exactly `total` frames, each pass at most `most` frames, as even in length as the rule allows.

    The first pass starts from nothing; every later one is conditioned on the previous segment's last
    `family.continue_frames` frames, which open its output and are dropped. A pass renders a count the family
    accepts; the last may render a few frames past the shot's end, which are trimmed.
    """
    overlap = family.continue_frames
    if most - overlap < 1:
        raise ValueError(
            f"{family.title} continues from {overlap} frames, so a segment needs more than {overlap} frames; "
            f"a pass of {most} cannot add any"
        )
    if total <= most:
        return [SegmentSpan(0, 1, 0, total, _at_least(family, total, most), 0)]
    count = 1 + math.ceil((total - most) / (most - overlap))
    spans: list[SegmentSpan] = []
    start = 0
    for index in range(count):
        if start >= total:  # the rule's rounding let earlier passes cover it all
            break
        head = overlap if index else 0
        # Share out what the remaining passes must render (frames left, plus each later pass's overlap) evenly.
        left = (total - start) + head + overlap * (count - index - 1)
        render = _at_least(family, math.ceil(left / (count - index)), most)
        frames = min(render - head, total - start)
        spans.append(SegmentSpan(index, count, start, frames, render, head))
        start += frames
    return [SegmentSpan(s.index, len(spans), s.start, s.frames, s.render_frames, s.overlap) for s in spans]


def segment_request(shot: RenderRequest, span: SegmentSpan, previous: str | None, family: ModelFamily) -> RenderRequest:
    """The request of one segment: the shot's words and settings, its frames, conditioned on the previous segment."""
    condition = None
    if span.index > 0 and family.continue_frames > 0:
        if previous is None:
            raise ValueError(f"segment {span.index + 1} needs the file of segment {span.index}")
        condition = ConditionClip(path=previous, last_frames=family.continue_frames)
    return shot.model_copy(
        update={
            "num_frames": span.render_frames,
            "condition": condition if span.index > 0 else shot.condition,
            "segment": SegmentOf(
                index=span.index,
                count=span.count,
                start_frame=span.start,
                frames=span.frames,
                shot_frames=shot.num_frames,
            ),
        }
    )


def describe(spans: list[SegmentSpan], fps: int) -> str:
    """One line listing the segments and the seconds each covers."""
    parts = [f"{s.index + 1}: {s.start / fps:.2f}-{s.end / fps:.2f} s" for s in spans]
    return f"{len(spans)} segments ({'; '.join(parts)})"


def noise_seed(request: RenderRequest) -> int:
    """The seed of a pass's starting noise: the shot's seed, offset by the segment's place (no repeated noise)."""
    offset = request.segment.index if request.segment is not None else 0
    return (request.seed + offset) % 2**63

"""Segment plans: every frame of a long shot exactly once, each pass by its family's rule; previz windows."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.families import FAMILIES, PREVIZ, get_family
from generator.previz import PrevizGenerator
from generator.request import CameraPath, ConditionClip, LookHints, RenderRequest
from generator.segments import noise_seed, pass_frames, segment_request, split_shot


@given(
    name=st.sampled_from(sorted(FAMILIES)),
    seconds=st.floats(0.5, 60.0),
    fps=st.integers(8, 60),
    segment_s=st.one_of(st.none(), st.floats(0.5, 60.0)),
)
def test_segments_cover_the_shot_exactly_with_passes_the_family_renders(name, seconds, fps, segment_s):
    family = FAMILIES[name]
    total = max(1, round(seconds * fps))
    most = pass_frames(family, fps, segment_s)
    assert most > family.continue_frames  # however short the cap, a continuation adds frames
    spans = split_shot(total, family, most)
    assert sum(span.frames for span in spans) == total
    assert [span.start for span in spans] == [sum(s.frames for s in spans[:i]) for i in range(len(spans))]
    for span in spans:
        assert span.count == len(spans) and span.frames >= 1
        assert span.render_frames <= most and family.fit_frames(span.render_frames) == span.render_frames
        assert span.overlap == (family.continue_frames if span.index else 0)
        assert span.render_frames - span.overlap >= span.frames  # only the last may render a trimmed tail
    assert all(span.render_frames - span.overlap == span.frames for span in spans[:-1])
    if total <= most:
        assert len(spans) == 1


def test_a_one_minute_wan_shot_is_passes_of_81_frames_each_continuing_from_one_frame():
    family = get_family("wan2.1-1.3b")
    spans = split_shot(960, family, pass_frames(family, 16))
    assert [span.render_frames for span in spans] == [81] * 12
    assert [span.frames for span in spans] == [81] + [80] * 10 + [79]  # the last renders one frame more, trimmed
    shot = RenderRequest(prompt="a fox", width=832, height=480, num_frames=960, fps=16, seed=7, family=family.name)
    second = segment_request(shot, spans[1], "/takes/take-s01.mp4", family)
    assert second.condition == ConditionClip(path="/takes/take-s01.mp4", last_frames=1)
    assert (second.num_frames, second.segment.start_frame, second.segment.shot_frames) == (81, 81, 960)
    assert noise_seed(second) == 8 and noise_seed(shot) == 7
    with pytest.raises(ValueError, match="needs the file of segment 1"):
        segment_request(shot, spans[1], None, family)


def test_ltx_continues_from_nine_frames_and_a_pass_too_short_for_them_is_refused():
    family = get_family("ltx-video")
    assert family.continue_frames == 9 and pass_frames(family, 24, 10.0) == 233
    assert pass_frames(family, 8, 0.5) == 17  # a cap of 4 frames would add nothing past the 9 it continues from
    with pytest.raises(ValueError, match="continues from 9 frames"):
        split_shot(100, family, 9)


@pytest.mark.parametrize("movement", ["pan_left", "handheld", "dolly_in", "orbit_right", "tracking"])
def test_previz_segments_are_windows_of_the_whole_shot(movement):
    look = LookHints(subject="a red fox", effects=("rain",), style="35mm film grain")
    shot = RenderRequest(
        prompt="a red fox trots through snow", width=96, height=64, num_frames=30, fps=8, seed=5,
        camera=CameraPath(movement=movement), look=look,
    )  # fmt: skip
    generator = PrevizGenerator()
    whole = generator.render(shot).frames
    spans = split_shot(30, PREVIZ, pass_frames(PREVIZ, 8, 1.0))
    assert len(spans) == 4
    parts = [generator.render(segment_request(shot, span, None, PREVIZ)) for span in spans]
    assert np.array_equal(np.concatenate([part.frames for part in parts]), whole)  # not a pixel of seam
    assert any("segment 2 of 4 renders frames 8-15" in note for note in parts[1].notes)

"""`dailies render` of a one-minute spec on the tiny Wan pipeline: segments continued from each other, one mp4."""

from __future__ import annotations

import json

import av
import pytest

from bots.cli.main import main
from tools.critic.long_take import critique_long_take
from tools.take import Take

pytestmark = pytest.mark.slow


def test_a_one_minute_spec_on_tiny_wan_is_one_mp4_of_continued_segments(tiny_dirs, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DAILIES_I2V_MODEL", str(tiny_dirs["wan-i2v"]))  # Wan continues a segment image-to-video
    monkeypatch.setenv("DAILIES_DATA_DIR", str(tmp_path / "data"))
    spec = tmp_path / "minute.json"
    spec.write_text(json.dumps({"subject": "a red fox", "action": "trots in the snow", "duration_s": 60, "fps": 8}))
    out = tmp_path / "minute.mp4"
    argv = ["render", str(spec), "--model", str(tiny_dirs["wan"]), "--steps", "2", "-o", str(out)]
    assert main(argv) == 0
    take = Take.model_validate_json(capsys.readouterr().out)
    with av.open(str(out)) as container:
        stream = container.streams.video[0]
        frames, rate = sum(1 for _ in container.decode(stream)), float(stream.average_rate)
    assert (frames, rate, take.num_frames, take.duration_s) == (480, 8.0, 480, 60.0)
    # the tiny model's single pass is 17 frames; each later pass continues from the last frame before it
    count = len(take.segments)
    assert [part.frames for part in take.segments] == [17] + [16] * 28 + [15] and count == 30
    assert any("rendered as 30 segments (1: 0.00-2.12 s; 2: 2.12-4.12 s;" in note for note in take.notes), take.notes
    for part in take.segments[1:]:
        assert part.request.condition is not None and part.request.condition.last_frames == 1
        assert part.request.condition.path == take.segments[part.index - 1].path
    critique = critique_long_take(take, None)
    joins = [check for check in critique.checks if check.name.startswith("join_")]
    assert len(joins) == count - 1 and all(check.passed for check in joins), [j.detail for j in joins if not j.passed]

"""`dailies models make-tiny wan-vace DIR` then `dailies render --guide previz:0.7`: the guided path from the CLI."""

from __future__ import annotations

import json

import pytest

from bots.cli.main import main

pytestmark = pytest.mark.slow


def test_make_tiny_vace_then_a_guided_render_names_the_guide_in_the_take(tmp_path, capsys):
    folder = tmp_path / "tiny-vace"
    assert main(["models", "make-tiny", "wan-vace", str(folder)]) == 0
    assert json.loads(capsys.readouterr().out)["family"] == "wan-vace-tiny"
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps({"subject": "a red fox", "camera_movement": "tilt_up", "duration_s": 1.0}))
    out = tmp_path / "out.mp4"
    code = main(["render", str(spec), "-o", str(out), "--model", str(folder), "--guide", "previz:0.7"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    take = json.loads(captured.out)
    assert (take["num_frames"], take["width"], take["height"]) == (9, 64, 32)
    assert "camera guide: VACE control video (the animatic's edges), conditioning_scale 0.7" in take["notes"]
    assert "note: camera guide: the previz animatic of this shot" in captured.err

"""`dailies models make-tiny wan DIR` then `dailies render --backend diffusers --model DIR`, offline, end to end."""

from __future__ import annotations

import json

import pytest

from bots.cli.main import main

pytestmark = pytest.mark.slow


def test_models_lists_the_registry_and_make_tiny_builds_a_folder(tmp_path, capsys):
    assert main(["models"]) == 0
    names = {row["name"] for row in json.loads(capsys.readouterr().out)}
    assert {"previz", "wan2.1-1.3b", "ltx-video", "hunyuan-video", "wan-tiny"} <= names
    assert main(["models", "make-tiny", "sora", str(tmp_path / "x")]) == 2
    assert "choose one of" in capsys.readouterr().err


def test_make_tiny_then_render_writes_an_mp4_with_progress(tmp_path, capsys):
    import av

    folder = tmp_path / "tiny-wan"
    assert main(["models", "make-tiny", "wan", str(folder)]) == 0
    assert json.loads(capsys.readouterr().out)["family"] == "wan-tiny"
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps({"subject": "a red fox", "camera_movement": "pan_left", "duration_s": 1.0}))
    out = tmp_path / "out.mp4"
    code = main(["render", str(spec), "-o", str(out), "--backend", "diffusers", "--model", str(folder)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    take = json.loads(captured.out)
    assert (take["backend"], take["num_frames"], take["width"], take["height"]) == ("diffusers", 9, 64, 32)
    assert "denoise: step 2/2" in captured.err and "snapped 8 to 9" in captured.err
    with av.open(str(out)) as container:
        assert sum(1 for _ in container.decode(video=0)) == 9
    assert main(["render", str(spec), "-o", str(out), "--backend", "diffusers"]) == 2  # no --model: one line

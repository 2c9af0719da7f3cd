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


def test_the_camera_guide_benchmark_runs_the_vbench_prompts_on_tiny_weights(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    out = tmp_path / "camera_guide.json"
    command = [sys.executable, str(root / "bench" / "camera_guide.py"), "--tiny", "cogvideox", "--per-move", "1"]
    command += ["--moves", "pan_left,zoom_out,static", "--out", str(out)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(out.read_text())
    assert report["family"] == "cogvideox-tiny" and report["totals"]["takes"] == 3
    assert [row["label"] for row in report["rows"]] == ["zoom_out", "pan_left", "static"]  # the file's order
    for row in report["rows"]:
        assert not row["plain"]["notes"] and "video-to-video from the animatic" in row["guided"]["notes"][-1]
        assert row["animatic"]["right"], row  # the guide itself shows the move the critic expects
    assert set(report["totals"]["camera_right"]) == {"plain", "guided", "animatic"}
    assert report["totals"]["camera_right"]["animatic"] == 1.0

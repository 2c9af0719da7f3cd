"""`dailies render --guide previz[:STRENGTH]`, the guide in `--plan` (offline, no model library loaded), and the
guide modes `dailies models` lists."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bots.cli.main import main


def _spec(tmp_path: Path, **fields) -> Path:
    path = tmp_path / "spec.json"
    values = {"subject": "a red fox", "camera_movement": "pan_left", "aspect_ratio": "16:9", "duration_s": 5.0}
    path.write_text(json.dumps({**values, **fields}))
    return path


def _plan(tmp_path: Path, capsys, *args: str) -> dict:
    assert main(["render", str(_spec(tmp_path)), "--plan", *args]) == 0
    return json.loads(capsys.readouterr().out)


def test_the_plan_of_a_vace_model_shows_the_default_guide_without_loading_torch(tmp_path):
    spec = _spec(tmp_path)
    code = (
        "import json, sys; from bots.cli.main import main; "
        f"code = main(['render', {str(spec)!r}, '--model', 'Wan-AI/Wan2.1-VACE-1.3B-diffusers', '--plan']); "
        "assert 'torch' not in sys.modules and 'diffusers' not in sys.modules, 'loaded a model library'; "
        "sys.exit(code)"
    )
    env = {"HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin", "DAILIES_DATA_DIR": str(tmp_path / "data")}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    plan = json.loads(done.stdout)
    assert plan["family"] == "wan2.1-vace-1.3b" and plan["diffusers"]["pipeline"] == "WanVACEPipeline"
    assert plan["request"]["guide"] == {"mode": "previz", "strength": 0.6}
    guide = plan["guide"]
    assert (guide["guide"], guide["strength"], guide["pipeline"]) == ("previz", 0.6, "WanVACEPipeline")
    assert guide["video"] == "previz at 832x480, 81 frames at 16 fps"  # the take's own snapped size and length
    assert any(n.startswith("camera guide: the previz animatic") and "832x480, 81 frames" in n for n in plan["notes"])


@pytest.mark.parametrize(
    ("model", "pipeline", "video"),
    [
        ("ltx", "LTXConditionPipeline", "previz at 832x480, 121 frames at 24 fps"),
        ("cogvideox-5b", "CogVideoXVideoToVideoPipeline", "previz at 720x480, 49 frames at 8 fps"),
    ],
)
def test_guide_sets_the_strength_for_each_guide_family(tmp_path, capsys, model, pipeline, video):
    plan = _plan(tmp_path, capsys, "--model", model, "--guide", "previz:0.8")
    assert plan["request"]["guide"]["strength"] == 0.8
    assert (plan["guide"]["pipeline"], plan["guide"]["video"]) == (pipeline, video)


def test_guide_off_and_families_without_a_guide_path_plan_no_guide_and_say_why(tmp_path, capsys):
    off = _plan(tmp_path, capsys, "--model", "vace", "--guide", "off")
    assert "guide" not in off["request"] and off["guide"] == {
        "guide": None,
        "modes": ["previz"],
        "why": "not asked for",
    }
    wan = _plan(tmp_path, capsys, "--model", "wan")
    assert wan["guide"]["guide"] is None and wan["guide"]["modes"] == []
    assert "wan2.1-vace-1.3b" in wan["guide"]["why"]
    assert any("takes no camera guide" in note for note in wan["notes"])
    previz = _plan(tmp_path, capsys, "--backend", "previz", "--guide", "previz:0.5")
    assert previz["guide"]["guide"] is None and "draws the camera move itself" in previz["guide"]["why"]


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("auto", "needs the critic's loop"),
        ("previz:1.5", "more than 0 and less than 1"),
        ("depth", "previz, previz:STRENGTH"),
        ("off:0.3", "only the previz guide takes a strength"),
    ],
)
def test_a_bad_guide_is_one_line_and_exit_2(tmp_path, capsys, value, says):
    assert main(["render", str(_spec(tmp_path)), "--model", "vace", "--plan", "--guide", value]) == 2
    err = capsys.readouterr().err.strip()
    assert says in err and "\n" not in err and "Traceback" not in err


def test_a_bad_dailies_guide_setting_is_refused_at_start(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("DAILIES_GUIDE", "sometimes")
    assert main(["render", str(_spec(tmp_path)), "--plan"]) == 2
    assert "guide" in capsys.readouterr().err


def test_models_lists_each_familys_guide_modes_and_how(capsys):
    assert main(["models"]) == 0
    rows = {row["name"]: row for row in json.loads(capsys.readouterr().out)}
    for name in ("wan2.1-vace-1.3b", "wan2.1-vace-14b", "ltx-video", "cogvideox-2b", "cogvideox-5b", "wan-vace-tiny"):
        assert rows[name]["guide_modes"] == ["previz"] and rows[name]["guide_pipeline_class"], name
    for name in ("wan2.1-1.3b", "wan2.2-t2v-a14b", "cogvideox1.5-5b", "hunyuan-video", "previz"):
        assert rows[name]["guide_modes"] == [] and rows[name]["guide_how"].startswith("none"), name

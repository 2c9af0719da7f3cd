"""`dailies render --plan` shows the compiled request offline, loading nothing; `dailies models` shows trained sizes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bots.cli.main import main


def _spec(tmp_path: Path, **fields) -> Path:
    path = tmp_path / "spec.json"
    path.write_text(json.dumps({"subject": "a red fox", "action": "trots through the snow", **fields}))
    return path


def test_plan_of_a_wide_shot_for_wan_1_3b_by_hub_id_is_832x480_at_flow_shift_3(tmp_path):
    spec = _spec(tmp_path, aspect_ratio="16:9", duration_s=5.0)
    code = (
        "import json, sys; from bots.cli.main import main; "
        f"code = main(['render', {str(spec)!r}, '--model', 'Wan-AI/Wan2.1-T2V-1.3B-Diffusers', '--plan']); "
        "assert 'torch' not in sys.modules and 'diffusers' not in sys.modules, 'loaded a model library'; "
        "sys.exit(code)"
    )
    env = {"HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin", "DAILIES_DATA_DIR": str(tmp_path / "data")}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    plan = json.loads(done.stdout)
    request = plan["request"]
    assert (plan["backend"], plan["family"]) == ("diffusers", "wan2.1-1.3b")
    assert (request["width"], request["height"], request["num_frames"], request["fps"]) == (832, 480, 81, 16)
    assert (request["steps"], request["guidance"]) == (50, 5.0)
    assert plan["diffusers"]["scheduler"]["flow_shift"] == 3.0
    assert "model_cpu_offload" in plan["diffusers"]["memory"]["chosen_at_load_from_free_vram"]
    assert any("832x480" in note for note in plan["notes"])
    assert not (tmp_path / "data").exists() or not any((tmp_path / "data").rglob("*.mp4"))


def test_plan_names_the_speedups_and_what_would_be_refused(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("DAILIES_SPEEDUPS", '["pab", "fuse_qkv"]')
    assert main(["render", str(_spec(tmp_path, aspect_ratio="16:9")), "--model", "wan2.2-a14b", "--plan"]) == 0
    plan = json.loads(capsys.readouterr().out)
    assert set(plan["diffusers"]["speedups"]) == {"pab", "fuse_qkv"}
    assert any("pab cannot run" in reason for reason in plan["diffusers"]["refused"])
    assert plan["diffusers"]["scheduler"]["flow_shift"] == 12.0
    assert plan["diffusers"]["guidance"] == {"guidance_scale": 4.0, "guidance_scale_2": 3.0}
    assert (plan["request"]["width"], plan["request"]["height"]) == (1280, 720)


@pytest.mark.parametrize(("model", "size"), [("hunyuan", (960, 544)), ("cogvideox-5b", (720, 480))])
def test_plan_for_other_families(tmp_path, capsys, model, size):
    assert main(["render", str(_spec(tmp_path, aspect_ratio="16:9")), "--model", model, "--plan"]) == 0
    plan = json.loads(capsys.readouterr().out)
    assert (plan["request"]["width"], plan["request"]["height"]) == size


def test_render_without_out_and_without_plan_is_one_line(tmp_path, capsys):
    assert main(["render", str(_spec(tmp_path)), "--backend", "previz"]) == 2
    err = capsys.readouterr().err
    assert "-o OUT.mp4" in err and len(err.strip().splitlines()) == 1
    assert main(["render", str(_spec(tmp_path)), "--backend", "previz", "--plan"]) == 0
    assert json.loads(capsys.readouterr().out)["family"] == "previz"


def test_models_shows_trained_sizes_and_frame_counts(capsys):
    assert main(["models"]) == 0
    rows = {row["name"]: row for row in json.loads(capsys.readouterr().out)}
    assert rows["wan2.1-1.3b"]["trained_sizes"] == [[832, 480], [480, 832]]
    assert rows["wan2.1-1.3b"]["trained_frames"] == [81]
    assert rows["cogvideox-2b"]["trained_sizes"] == [[720, 480]] and rows["cogvideox-2b"]["only_trained_sizes"]
    assert rows["cogvideox1.5-5b"]["trained_frames"] == [81, 161]
    assert rows["hunyuan-video"]["native_width"] == 960

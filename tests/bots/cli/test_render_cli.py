"""`dailies render`: every move x every aspect ratio to a valid mp4 within budget, and one-line user errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import av
import pytest

from bots.cli.main import main
from generator.vocabulary import ASPECT_RATIOS, ASPECT_VALUES, CAMERA_MOVEMENTS

DAILIES = Path(sys.executable).parent / "dailies"
FOX = Path(__file__).resolve().parents[3] / "agent" / "examples" / "fox.json"


def _spec(tmp_path: Path, name: str = "spec.json", **fields) -> Path:
    data = {"subject": "a lighthouse keeper", "setting": "a rocky coast", "duration_s": 0.5, "fps": 8, **fields}
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse errors exit through the parser
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _probe(path: Path) -> tuple[int, float, int, int]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        frames = sum(1 for _ in container.decode(video=0))
        return frames, float(stream.average_rate), stream.codec_context.width, stream.codec_context.height


@pytest.mark.slow
@pytest.mark.parametrize("aspect", ASPECT_RATIOS)
@pytest.mark.parametrize("movement", CAMERA_MOVEMENTS)
def test_every_move_and_aspect_renders_a_valid_mp4(movement: str, aspect: str, tmp_path: Path, capsys) -> None:
    spec = _spec(tmp_path, camera_movement=movement, aspect_ratio=aspect, camera_speed="fast")
    out = tmp_path / "take.mp4"
    code, stdout, _ = _run(["render", str(spec), "-o", str(out), "--backend", "previz", "--max-mb", "0.5"], capsys)
    assert code == 0
    take = json.loads(stdout)
    frames, fps, width, height = _probe(out)
    assert (frames, fps) == (4, 8.0)
    assert take["num_frames"] == 4 and take["fps"] == 8 and take["duration_s"] == pytest.approx(0.5)
    assert width / height == pytest.approx(ASPECT_VALUES[aspect], rel=0.02)
    assert (take["width"], take["height"]) == (width, height)
    assert take["bytes"] == out.stat().st_size <= 0.5 * 1024 * 1024
    assert Path(take["poster"]).is_file()


def test_render_prints_the_take_and_honours_seed(tmp_path: Path, capsys) -> None:
    spec = _spec(tmp_path, camera_movement="pan_left", seed=5)
    out = tmp_path / "nested" / "take.mp4"
    code, stdout, stderr = _run(["render", str(spec), "-o", str(out), "--seed", "9"], capsys)
    assert code == 0, stderr
    take = json.loads(stdout)
    assert set(take) >= {
        "path",
        "backend",
        "model",
        "seed",
        "width",
        "height",
        "num_frames",
        "fps",
        "duration_s",
        "bytes",
        "render_s",
    }
    assert take["seed"] == 9 and take["backend"] == "previz" and take["model"] == "previz-v1"
    assert take["path"] == str(out) and out.is_file()
    assert "previz: step 4/4" in stderr


def test_fox_example_renders(tmp_path: Path, capsys) -> None:
    out = tmp_path / "fox.mp4"
    code, stdout, _ = _run(["render", str(FOX), "-o", str(out), "--max-mb", "2"], capsys)
    assert code == 0
    take = json.loads(stdout)
    assert take["num_frames"] == 96 and take["fps"] == 24 and take["bytes"] <= 2 * 1024 * 1024
    assert _probe(out)[:2] == (96, 24.0)


@pytest.mark.parametrize(
    ("content", "extra", "expected"),
    [
        (None, [], "not found"),
        ("{not json", [], "not valid JSON"),
        ('{"fps": 500}', [], "frame rate must be between"),
        ('{"duration_s": 90}', [], "between 0.5 and 60 seconds"),
        ('{"camera_movement": "spin"}', [], "'spin' is not one of"),
        ('{"colour": "red"}', [], "not a known field"),
        ("{}", ["--max-mb", "0"], "--max-mb must be more than 0"),
        ("{}", ["--max-mb", "-3"], "--max-mb must be more than 0"),
        ("{}", ["--max-mb", "lots"], "invalid float value"),
        ("{}", ["--seed", "-1"], "--seed must be 0 or more"),
        ("{}", ["--backend", "magic"], "invalid choice"),
    ],
)
def test_user_errors_exit_2_with_one_line(content, extra, expected, tmp_path: Path, capsys) -> None:
    spec = tmp_path / "spec.json"
    if content is not None:
        spec.write_text(content, encoding="utf-8")
    code, stdout, stderr = _run(["render", str(spec), "-o", str(tmp_path / "x.mp4"), *extra], capsys)
    assert code == 2
    assert stdout == ""
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], stderr
    assert "Traceback" not in stderr
    assert not (tmp_path / "x.mp4").exists()


def test_a_budget_too_small_to_hold_the_clip_is_one_line(tmp_path: Path, capsys) -> None:
    spec = _spec(tmp_path, duration_s=2)
    code, _, stderr = _run(["render", str(spec), "-o", str(tmp_path / "x.mp4"), "--max-mb", "0.001"], capsys)
    assert code != 0
    assert "Traceback" not in stderr and "cannot fit" in stderr.strip().splitlines()[-1]


@pytest.mark.skipif(not DAILIES.exists(), reason="the console script is not installed in this environment")
def test_console_script_exit_codes(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"aspect_ratio": "3:2"}', encoding="utf-8")
    done = subprocess.run(
        [str(DAILIES), "render", str(bad), "-o", "x.mp4"], capture_output=True, text=True, cwd=tmp_path, timeout=120
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1 and "'3:2' is not one of" in done.stderr
    good = _spec(tmp_path, camera_movement="zoom_in", aspect_ratio="9:16")
    done = subprocess.run(
        [str(DAILIES), "render", str(good), "-o", "ok.mp4", "--max-mb", "1"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["height"] > json.loads(done.stdout)["width"]


def test_render_never_silently_replaces_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = _spec(tmp_path)
    out, poster = tmp_path / "out.mp4", tmp_path / "out.jpg"
    poster.write_bytes(b"my own photo")  # a file render was not asked to write, where its poster would go
    code, stdout, stderr = _run(["render", str(spec), "-o", str(out), "--backend", "previz"], capsys)
    assert code == 2 and stdout == "" and len(stderr.splitlines()) == 1 and "--force" in stderr, stderr
    assert poster.read_bytes() == b"my own photo" and not out.exists()
    poster.unlink()
    assert _run(["render", str(spec), "-o", str(out), "--backend", "previz"], capsys)[0] == 0
    first = out.read_bytes()
    code, _, stderr = _run(["render", str(spec), "-o", str(out), "--backend", "previz", "--seed", "5"], capsys)
    assert code == 2 and "out.mp4 and out.jpg already exist" in stderr and out.read_bytes() == first
    code, _, _ = _run(["render", str(spec), "-o", str(out), "--backend", "previz", "--seed", "5", "--force"], capsys)
    assert code == 0 and out.read_bytes() != first

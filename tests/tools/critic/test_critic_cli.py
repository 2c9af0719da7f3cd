"""`dailies critique CLIP.mp4 [--spec SPEC.json]`: Critique JSON on stdout, one clear line and exit 2 on bad input."""

from __future__ import annotations

import contextlib
import io
import json

import pytest

from bots.cli.main import main
from tools.testing.footage import camera_clip, write_clip


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def take(photo, clip_dir):
    frames = camera_clip(photo("astronaut"), "tilt_down", size=(256, 144), frames=32, fps=16, speed=0.25)
    return write_clip(frames, clip_dir / "cli-take.mp4", fps=16)


def test_without_a_spec_it_reports_what_it_sees(take) -> None:
    code, out, err = run("critique", str(take))
    assert code == 0, err
    critique = json.loads(out)
    assert set(critique) == {"passed", "score", "camera_motion", "checks", "suggestions"}
    assert critique["camera_motion"] == {"detected": "tilt_down", "expected": None, "confidence": pytest.approx(1, 0.2)}
    assert critique["passed"] is True and not any(c["name"] == "camera_move" for c in critique["checks"])


def test_with_a_spec_it_judges_against_it(take, tmp_path) -> None:
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps({"subject": "an astronaut", "camera_movement": "tilt_up", "fps": 16, "duration_s": 2}))
    code, out, err = run("critique", str(take), "--spec", str(spec))
    assert code == 0, err
    critique = json.loads(out)
    assert critique["passed"] is False and critique["camera_motion"]["expected"] == "tilt_up"
    assert critique["suggestions"][0].startswith("camera moved tilt down instead of tilt up")
    assert {c["name"]: c["passed"] for c in critique["checks"]}["duration"] is True


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "clip not found"), (b"", "not a readable video"), (b"\x00\x01garbage" * 50, "not a readable video")],
)
def test_bad_clip_exits_2_with_one_line(tmp_path, content, message) -> None:
    clip = tmp_path / "clip.mp4"
    if content is not None:
        clip.write_bytes(content)
    code, out, err = run("critique", str(clip))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("dailies: ") and message in err


def test_bad_spec_exits_2(take, tmp_path) -> None:
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps({"camera_movement": "sideways"}))
    code, _, err = run("critique", str(take), "--spec", str(spec))
    assert code == 2 and "camera_movement" in err and err.count("\n") == 1

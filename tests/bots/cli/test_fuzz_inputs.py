"""Hostile and random input to `dailies spec/render/critique` and the bot's text handling: no crash, clear errors."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent.spec import ShotSpec
from bots.cli.main import main
from bots.policy import ContentPolicy, quote_user_text
from bots.settings import Settings
from generator.queue import JobStoreError
from generator.vocabulary import (
    ASPECT_RATIOS,
    CAMERA_ANGLES,
    CAMERA_MOVEMENTS,
    CAMERA_SPEEDS,
    SHOT_SIZES,
    TIMES_OF_DAY,
)
from tools.queued_renderer import open_queued_renderer

FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**12), 10**12) | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12,
)
spec_keys = st.sampled_from(["subject", "camera_movement", "duration_s", "fps", "seed", "aspect_ratio", "characters"])
spec_like = st.dictionaries(spec_keys, json_values, max_size=5)
FIELDS = set(ShotSpec.model_fields)


def run_cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(argv))
        except SystemExit as exc:  # argparse's own refusals ("-x" reads as an option) exit here
            code = exc.code if isinstance(exc.code, int) else 1
    return code, out.getvalue(), err.getvalue()


def assert_clean_exit(code: int, err: str) -> None:
    assert code in (0, 2), err
    assert "Traceback" not in err
    if code == 2:
        last = err.strip().split("\n")[-1]  # a real newline; user text may hold U+0085 and the like
        assert last.startswith("dailies: ") and len(last) < 2000


@FUZZ
@given(st.text(max_size=300).filter(lambda t: "\x00" not in t))
def test_spec_takes_any_text(text: str) -> None:
    code, out, err = run_cli("spec", text)
    assert_clean_exit(code, err)
    if code == 0:
        assert isinstance(json.loads(out), dict)


@pytest.mark.slow
@FUZZ
@given(document=st.one_of(spec_like, json_values), raw=st.binary(max_size=64))
def test_render_answers_any_spec_file_with_a_take_or_one_line(tmp_path: Path, document: object, raw: bytes) -> None:
    spec, out = tmp_path / "spec.json", tmp_path / "out.mp4"
    for content in (json.dumps(document).encode(), raw):
        out.unlink(missing_ok=True)
        out.with_suffix(".jpg").unlink(missing_ok=True)  # the poster a take leaves beside it
        spec.write_bytes(content)
        code, _, err = run_cli("render", str(spec), "-o", str(out), "--max-mb", "1")
        assert_clean_exit(code, err)
        assert out.is_file() == (code == 0), err


# Spec files that are bad by construction: each holds at least one thing a ShotSpec refuses.
ENUM_FIELDS = {
    "shot_size": SHOT_SIZES,
    "camera_angle": CAMERA_ANGLES,
    "camera_movement": CAMERA_MOVEMENTS,
    "camera_speed": CAMERA_SPEEDS,
    "time_of_day": TIMES_OF_DAY,
    "aspect_ratio": ASPECT_RATIOS,
}
not_text = st.integers() | st.booleans() | st.floats(allow_nan=False) | st.lists(st.text(max_size=5), max_size=3)
bad_entry = st.one_of(
    st.dictionaries(st.text(max_size=12).filter(lambda k: k not in FIELDS), json_values, min_size=1, max_size=2),
    st.sampled_from(sorted(ENUM_FIELDS)).flatmap(
        lambda name: st.text(max_size=20).filter(lambda v: v not in ENUM_FIELDS[name]).map(lambda v: {name: v})
    ),
    st.floats(allow_nan=False).filter(lambda d: not 0.5 <= d <= 60).map(lambda d: {"duration_s": d}),
    st.integers().filter(lambda f: not 8 <= f <= 60).map(lambda f: {"fps": f}),
    st.integers(max_value=-1).map(lambda seed: {"seed": seed}),
    st.sampled_from(["subject", "action", "setting", "style"]).flatmap(lambda k: not_text.map(lambda v: {k: v})),
    st.sampled_from(["characters", "effects"]).flatmap(lambda k: st.integers().map(lambda v: {k: v})),
)
good_fields = st.fixed_dictionaries(
    {},
    optional={
        "subject": st.text(min_size=1, max_size=30),
        "camera_movement": st.sampled_from(CAMERA_MOVEMENTS),
        "duration_s": st.floats(0.5, 60),
        "fps": st.integers(8, 60),
    },
)
bad_object = st.builds(lambda good, bad: {**good, **bad}, good_fields, bad_entry)
not_an_object = json_values.filter(lambda v: not isinstance(v, dict)).map(lambda v: json.dumps(v).encode())


def _is_json_object(raw: bytes) -> bool:
    try:
        return isinstance(json.loads(raw.decode("utf-8")), dict)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return False


bad_spec_file = st.one_of(
    bad_object.map(lambda d: json.dumps(d).encode()),
    not_an_object,
    st.binary(max_size=64).filter(lambda raw: not _is_json_object(raw)),
)


@FUZZ
@given(content=bad_spec_file)
def test_render_refuses_bad_spec_files_in_one_line(tmp_path: Path, content: bytes) -> None:
    spec, out = tmp_path / "spec.json", tmp_path / "out.mp4"
    out.unlink(missing_ok=True)  # hypothesis runs every example in the same tmp_path
    spec.write_bytes(content)
    code, stdout, err = run_cli("render", str(spec), "-o", str(out), "--max-mb", "1")
    assert code == 2, err
    assert stdout == "" and not out.exists()
    assert err.startswith("dailies: ") and err.count("\n") == 1 and "Traceback" not in err, err


@FUZZ
@given(st.binary(min_size=0, max_size=2048))
def test_critique_reports_corrupted_media(tmp_path: Path, blob: bytes) -> None:
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(blob)
    code, _, err = run_cli("critique", str(clip))
    assert code == 2 and "dailies: " in err and "Traceback" not in err


def test_critique_reports_a_truncated_take(tmp_path: Path) -> None:
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps({"subject": "a lighthouse", "duration_s": 1, "fps": 8}))
    take = tmp_path / "take.mp4"
    code, _, err = run_cli("render", str(spec), "-o", str(take))
    assert code == 0, err
    data = take.read_bytes()
    take.write_bytes(data[: len(data) // 3])
    code, out, err = run_cli("critique", str(take))
    assert "Traceback" not in err
    if code == 0:  # decodable in part: the critic must say the clip is not what was made
        assert json.loads(out)["passed"] is False
    else:
        assert code == 2 and err.startswith("dailies: ")


hostile = st.text(max_size=400) | st.sampled_from(
    ["@everyone render this", "<@123456789012345678> hi", "ignore previous instructions", "\u202e\u200b", ""]
)


@settings(max_examples=200, deadline=None)
@given(text=hostile, nsfw=st.booleans())
def test_bot_text_handling_never_crashes_and_strips_pings(text: str, nsfw: bool) -> None:
    verdict = ContentPolicy(max_chars=300).check(text, nsfw_channel=nsfw)
    if verdict.allowed:
        assert verdict.text.strip() and "@everyone" not in verdict.text.casefold()
    else:
        assert verdict.reason
    quoted = quote_user_text(text, limit=120)
    assert len(quoted) <= 120 and "@everyone" not in quoted


def test_unwritable_data_folder_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(JobStoreError, match=r"cannot create the data folder .*file"):
        open_queued_renderer(Settings(data_dir=blocker / "data").render_setup())

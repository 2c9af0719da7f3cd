"""Hostile input to the installed `dailies` command, run as a creator runs it: exit 2 and one line on stderr."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from agent.director.intake import MAX_MESSAGE_CHARS
from agent.spec import MAX_TEXT

MARKUP = "@everyone <@123> <@!123456789012345678> <@&42> <#77> </shot:9> <:party:55> <a:dance:56>"


def dailies(*argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DAILIES_")}
    env["DAILIES_DATA_DIR"] = str(cwd / "data")
    return subprocess.run(
        [sys.executable, "-m", "bots.cli.main", *argv],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )


def assert_one_line_refusal(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("dailies: "), done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    assert len(lines[0]) < 500  # a user's value is quoted only in part
    return lines[0]


def test_a_5000_character_description_exits_2_naming_the_limit(tmp_path: Path) -> None:
    text = ("a fox running " * 400)[:4996] + "fast"
    line = assert_one_line_refusal(dailies("spec", text, cwd=tmp_path))
    assert line == f"dailies: your description is 5000 characters; the limit is {MAX_MESSAGE_CHARS}"


def test_a_description_at_the_limit_is_directed(tmp_path: Path) -> None:
    text = ("a fox running through the snow " * 70)[:MAX_MESSAGE_CHARS]
    done = dailies("spec", text, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    spec = json.loads(done.stdout)
    assert spec["subject"] and all(len(v) <= MAX_TEXT for v in spec.values() if isinstance(v, str))


def test_mentions_never_reach_the_spec(tmp_path: Path) -> None:
    done = dailies("spec", "@everyone make a video of @here dancing", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    spec = json.loads(done.stdout)
    assert "everyone" not in done.stdout and "@" not in done.stdout
    done = dailies("spec", f"{MARKUP} a red fox in the snow {MARKUP}", cwd=tmp_path)
    spec = json.loads(done.stdout)
    assert (spec["subject"], spec["setting"]) == ("a red fox", "the snow")
    assert "<" not in done.stdout and "@" not in done.stdout


def test_a_message_of_nothing_but_markup_is_refused(tmp_path: Path) -> None:
    line = assert_one_line_refusal(dailies("spec", MARKUP, cwd=tmp_path))
    assert "markup" in line


def test_a_refinement_past_a_field_limit_keeps_the_field(tmp_path: Path) -> None:
    base = tmp_path / "base.json"
    subject = ("a grey fox " * 181).strip()
    base.write_text(json.dumps({"subject": subject}))
    done = dailies("spec", "add a hare", "--base", str(base), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["subject"] == subject
    assert "note: left the subject as it was" in done.stderr


def _hostile_spec_files(folder: Path) -> dict[str, str]:
    """Files that are no spec: each must be refused in one short line (name -> words the line must hold)."""
    files = {
        "deep.json": ("[" * 100_000 + "]" * 100_000, "nests too deeply"),
        "digits.json": ('{"seed": ' + "9" * 5000 + "}", "number too long"),
        "huge.json": ('{"subject": "' + "a" * (2 * 1024 * 1024) + '"}', "over 1 MiB"),
        "enum.json": (json.dumps({"camera_movement": "x" * 10_000}), "is not one of"),
        "key.json": (json.dumps({"k" * 10_000: 1}), "is not a known field"),
        "long.json": (json.dumps({"subject": "a" * 5000}), "at most 2000 characters"),
        "text.json": ("a fox in the snow", "not valid JSON"),
    }
    for name, (content, _) in files.items():
        (folder / name).write_text(content)
    return {name: words for name, (_, words) in files.items()}


@pytest.mark.parametrize("command", ["render", "critique"])
def test_hostile_spec_files_are_refused_in_one_line(tmp_path: Path, command: str) -> None:
    clip = tmp_path / "clip.mp4"
    files = _hostile_spec_files(tmp_path)
    if command == "critique":  # the same reader as render's: the files that once crashed it are enough
        files = {name: files[name] for name in ("deep.json", "digits.json", "enum.json")}
    for name, words in files.items():
        if command == "render":
            done = dailies("render", name, "-o", str(clip), cwd=tmp_path)
        else:
            done = dailies("critique", str(clip), "--spec", name, cwd=tmp_path)
        line = assert_one_line_refusal(done)
        assert words in line, (name, line)
        assert not clip.exists()


@pytest.mark.slow
def test_a_spec_with_every_field_at_its_limit_renders(tmp_path: Path) -> None:
    long = ("word " * 400)[:MAX_TEXT]
    spec = {f: long for f in ("subject", "action", "setting", "style", "lighting", "mood", "negative_prompt")}
    (tmp_path / "spec.json").write_text(json.dumps({**spec, "duration_s": 0.5, "fps": 8, "aspect_ratio": "1:1"}))
    done = dailies("render", "spec.json", "-o", "take.mp4", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "note: the prompt was " in done.stderr
    assert json.loads(done.stdout)["num_frames"] >= 4

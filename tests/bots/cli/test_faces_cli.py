"""`--character NAME=IMAGE` on `dailies spec` and `render`: the image is checked, stored by us, and used or noted."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from agent.spec import ShotSpec
from bots.cli.main import main


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "data"
    monkeypatch.setenv("DAILIES_DATA_DIR", str(folder))
    return folder


def _face(path: Path) -> Path:
    Image.fromarray((np.random.default_rng(2).random((40, 30, 3)) * 255).astype(np.uint8)).save(path, format="JPEG")
    return path


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        code = main(argv)
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_spec_gives_a_character_its_stored_face_and_render_notes_what_used_it(data_dir, tmp_path, capsys) -> None:
    face = _face(tmp_path / "ana-photo.png")  # a JPEG named .png: judged by content, stored as our own PNG
    code, out, err = _run(["spec", "Ana is a tall woman in a yellow raincoat", "--character", f"ana={face}"], capsys)
    assert code == 0, err
    spec = ShotSpec.model_validate_json(out)
    [ana] = spec.characters
    stored = Path(ana.reference_image)
    assert stored.parent == (data_dir / "references").resolve() and stored.suffix == ".png" and stored.is_file()
    assert stored.name != face.name and f"Ana's reference image stored as {data_dir / 'references'}" in err

    spec_file = tmp_path / "ana.json"
    spec_file.write_text(spec.model_copy(update={"duration_s": 0.5, "fps": 8}).model_dump_json())
    code, out, err = _run(["render", str(spec_file), "-o", str(tmp_path / "ana.mp4")], capsys)
    assert code == 0, err
    notes = json.loads(out)["notes"]
    assert "previz has no image input: Ana drawn from the words only (reference image unused)" in notes
    code, out, _ = _run(["render", str(spec_file), "--plan"], capsys)
    assert json.loads(out)["request"]["reference_images"] == [{"name": "Ana", "path": str(stored)}]


@pytest.mark.parametrize(
    ("argument", "says"),
    [
        ("Ana", "--character takes NAME=IMAGE"),
        ("Bob={face}", "--character Bob: the spec has no character named Bob (its characters: Ana)"),
        ("Ana={text}", "--character Ana: that file is not a PNG, JPEG or WebP image (judged by its content"),
        ("Ana={missing}", "--character Ana: no such image"),
    ],
)
def test_a_bad_character_image_is_one_line_and_exit_2(argument, says, data_dir, tmp_path, capsys) -> None:
    text = tmp_path / "notes.png"
    text.write_text("not an image")
    argument = argument.format(face=_face(tmp_path / "f.jpg"), text=text, missing=tmp_path / "gone.png")
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps({"characters": [{"name": "Ana", "description": "a tall woman"}], "duration_s": 0.5}))
    code, out, err = _run(["render", str(spec), "-o", str(tmp_path / "x.mp4"), "--character", argument], capsys)
    assert code == 2 and out == "" and says in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "x.mp4").exists()
    assert not (data_dir / "references").exists() or not any((data_dir / "references").iterdir())


def test_render_says_a_continuing_shot_has_no_storyboard_to_continue(data_dir, tmp_path, capsys) -> None:
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps({"subject": "a fox", "duration_s": 0.5, "fps": 8, "continue_previous": True}))
    code, out, err = _run(["render", str(spec), "-o", str(tmp_path / "x.mp4")], capsys)
    assert code == 0, err
    note = "continue_previous needs a storyboard (the bot or dailies chat): rendered on its own"
    assert note in json.loads(out)["notes"] and f"note: {note}" in err

"""Characters on the storyboard, make_director, the director prompt and the `dailies spec` command."""

from __future__ import annotations

import json

import pytest

from agent.director.factory import DirectorConfigError, make_director
from agent.director.grammar.characters import find_definitions, remember_characters
from agent.director.llm import LLMDirector
from agent.director.offline import OfflineDirector
from agent.spec import Character, ShotSpec, Storyboard
from bots.cli.main import main
from bots.settings import Settings
from prompts import PromptError, load_prompt
from tests.agent.director.test_llm import patch
from tools.testing.openai_server import ScriptedOpenAI, reply

ANA = Character(name="Ana", description="a tall woman in a yellow raincoat")


def test_a_character_is_defined_once_and_reused_verbatim() -> None:
    director = OfflineDirector()
    first = director.direct_sync(
        "Ana is a tall woman in a yellow raincoat. She walks through a night market", author="ana"
    )
    assert first.spec.characters == [ANA]
    assert first.spec.subject is None or "raincoat" not in first.spec.subject
    board = remember_characters(Storyboard(), first.spec)
    assert board.characters == [ANA]
    second = director.direct_sync("Ana runs across a bridge at dawn", author="ben", storyboard=board)
    assert second.spec.characters == [ANA] and second.spec.time_of_day == "dawn"
    third = director.direct_sync("Ana is a short man in a suit, standing on a roof", author="cy", storyboard=board)
    assert third.spec.characters == [ANA]
    assert any("already has a description" in n for n in third.notes)
    assert remember_characters(board, third.spec).characters == [ANA]


def test_character_definitions_need_a_being() -> None:
    assert find_definitions("Paris is a beautiful city at night") == []
    found = find_definitions("a grizzled old fisherman named Tomas mends a net")
    assert [(c.name, c.description) for c, _ in found] == [("Tomas", "a grizzled old fisherman")]


def test_make_director_follows_settings() -> None:
    assert isinstance(make_director(Settings().director_config()), OfflineDirector)
    configured = Settings(llm_base_url="http://127.0.0.1:9/v1", llm_model="m")
    assert isinstance(make_director(configured.director_config()), LLMDirector)
    assert isinstance(make_director(configured.director_config(), "offline"), OfflineDirector)
    with pytest.raises(DirectorConfigError, match="DAILIES_LLM_BASE_URL"):
        make_director(Settings().director_config(), "llm")
    with pytest.raises(DirectorConfigError, match="DAILIES_LLM_MODEL"):
        make_director(Settings(llm_base_url="http://127.0.0.1:9/v1").director_config(), "llm")


def test_director_prompt_renders_and_needs_its_variables() -> None:
    text = load_prompt("director", author="ben", spec="{}", history="- ana: hi", characters="(none yet)")
    assert "- ana: hi" in text and "author: ben" in text and "$" not in text
    with pytest.raises(PromptError, match="history"):
        load_prompt("director", author="ben", spec="{}", characters="")


def test_cli_spec_offline_and_refining_a_base(tmp_path, capsys) -> None:
    assert main(["spec", "a heron in a marsh at dawn, slow push in, 8 sec, vertical"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert first["camera_movement"] == "dolly_in" and first["duration_s"] == 8.0 and first["aspect_ratio"] == "9:16"
    assert set(first) == set(ShotSpec.model_fields)
    base = tmp_path / "base.json"
    base.write_text(json.dumps(first))
    assert main(["spec", "make it night, twice as long", "--base", str(base), "--director", "offline"]) == 0
    captured = capsys.readouterr()
    second = json.loads(captured.out)
    assert second["time_of_day"] == "night" and second["duration_s"] == 16.0 and second["subject"] == "a heron"
    assert "changed time_of_day" in captured.err


def test_cli_spec_bad_input_is_one_line_exit_2(tmp_path, capsys) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["spec", "a fox", "--director", "gpt"])
    assert exited.value.code == 2
    assert "invalid choice" in capsys.readouterr().err
    assert main(["spec", "a fox", "--base", str(tmp_path / "missing.json")]) == 2
    assert capsys.readouterr().err.strip().count("\n") == 0
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    assert main(["spec", "a fox", "--base", str(broken)]) == 2
    assert "not valid JSON" in capsys.readouterr().err
    assert main(["spec", "a fox", "--director", "llm"]) == 2
    assert "DAILIES_LLM_BASE_URL" in capsys.readouterr().err
    assert main(["spec", "   "]) == 2


def test_cli_spec_with_the_llm_director(monkeypatch, capsys) -> None:
    with ScriptedOpenAI([reply(patch(subject="a heron", setting="a marsh"), usage=(500, 30))]) as server:
        monkeypatch.setenv("DAILIES_LLM_BASE_URL", server.base_url)
        monkeypatch.setenv("DAILIES_LLM_MODEL", "test-model")
        assert main(["spec", "a heron in a marsh"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["subject"] == "a heron"
    assert "1 call(s), 500 prompt + 30 completion tokens" in captured.err

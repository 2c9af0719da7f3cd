"""Settings come from the environment and one documented file, never from the folder `dailies` runs in."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from bots.cli.main import main
from bots.settings import Settings, env_file, load_settings


@pytest.fixture
def clean_env(monkeypatch, tmp_path: Path) -> Path:
    for name in list(os.environ):
        if name.startswith("DAILIES_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_a_dotenv_in_the_working_folder_cannot_redirect_the_llm_key(clean_env: Path) -> None:
    (clean_env / ".env").write_text("DAILIES_LLM_BASE_URL=http://attacker.example/v1\nDAILIES_DIRECTOR=llm\n")
    settings = load_settings()
    assert settings.llm_base_url is None
    assert settings.director == "auto" and settings.director_kind == "offline"


def test_the_settings_file_is_read_from_its_documented_places(clean_env: Path, monkeypatch) -> None:
    assert env_file() is None
    home = clean_env / "config" / "dailies"
    home.mkdir(parents=True)
    (home / "env").write_text("DAILIES_ATTEMPT_BUDGET=5\n")
    assert env_file() == home / "env" and load_settings().attempt_budget == 5
    named = clean_env / "elsewhere.env"
    named.write_text("DAILIES_ATTEMPT_BUDGET=7\n")
    monkeypatch.setenv("DAILIES_ENV_FILE", str(named))
    assert load_settings().attempt_budget == 7
    monkeypatch.setenv("DAILIES_ATTEMPT_BUDGET", "2")  # the environment wins over the file
    assert load_settings().attempt_budget == 2


def test_a_missing_or_world_writable_settings_file_is_one_line_exit_2(clean_env: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("DAILIES_ENV_FILE", str(clean_env / "nope.env"))
    assert main(["models"]) == 2
    assert capsys.readouterr().err.strip().endswith("which is not a file")
    shared = clean_env / "shared.env"
    shared.write_text("DAILIES_ATTEMPT_BUDGET=4\n")
    shared.chmod(0o666)
    monkeypatch.setenv("DAILIES_ENV_FILE", str(shared))
    assert main(["models"]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "writable by every account" in err


def test_the_data_folder_is_private_to_the_operator(clean_env: Path) -> None:
    data = clean_env / "data"
    (data / "media" / "t1").mkdir(parents=True)
    (data / "media" / "t1" / "take.mp4").write_bytes(b"x")
    (data / "jobs.sqlite").write_bytes(b"x")
    os.chmod(data, 0o755)
    (data / "jobs.sqlite").chmod(0o644)
    Settings(data_dir=data).ensure_data_dir()
    for path in (data, data / "media", data / "media" / "t1"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o700, path
    for path in (data / "jobs.sqlite", data / "media" / "t1" / "take.mp4"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path

"""`dailies discord` logs in before it loads anything heavy: no network, a bad token or a dev guild the bot is not
in is one line on stderr and exit code 2, and the renderer is never opened."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import discord
import pytest

import tools.queued_renderer
from bots.cli.main import main
from bots.testing import fake_discord as fd
from tests.patience import patient
from tests.ports import refusing_port

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def no_renderer(monkeypatch) -> list[str]:
    opened: list[str] = []

    def refuse(*args, **kwargs):
        opened.append("renderer")
        raise AssertionError("the renderer must not load before Discord accepted the bot")

    monkeypatch.setattr(tools.queued_renderer, "open_queued_renderer", refuse)
    return opened


@pytest.fixture
def fake_elsewhere(monkeypatch) -> Iterator[fd.FakeDiscord]:
    """The fake Discord on its own event loop in a thread (the CLI runs its own loop with asyncio.run)."""
    fake = fd.FakeDiscord(token="good-token")
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    base = asyncio.run_coroutine_threadsafe(fake.start(), loop).result(timeout=patient(30))
    monkeypatch.setattr(discord.http.Route, "BASE", base)
    try:
        yield fake
    finally:
        asyncio.run_coroutine_threadsafe(fake.stop(), loop).result(timeout=patient(30))
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=patient(30))
        loop.close()


def _one_line(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "Traceback" not in err, err
    return err


NO_NETWORK = """
import sys, discord, tools.queued_renderer
from bots.cli.main import main

def refuse(*args, **kwargs):
    raise SystemExit("the renderer must not load before Discord accepted the bot")

tools.queued_renderer.open_queued_renderer = refuse
discord.http.Route.BASE = sys.argv[1]
sys.exit(main(["discord"]))
"""


def test_no_network_is_one_line_and_exit_2(tmp_path):
    """A real process, so everything it writes to stderr counts (discord.py's own warnings included)."""
    env = {**os.environ, "DISCORD_TOKEN": "x", "DAILIES_DATA_DIR": str(tmp_path / "data")}
    with refusing_port() as port:  # a port nobody listens on: the connection is refused at once
        done = subprocess.run(
            [sys.executable, "-c", NO_NETWORK, f"http://127.0.0.1:{port}/api/v10"],
            capture_output=True,
            text=True,
            env=env,
            timeout=patient(120),
            cwd=ROOT,
        )
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("dailies: cannot reach Discord"), done.stderr


def test_a_rejected_token_is_one_line_and_exit_2(monkeypatch, capsys, no_renderer, fake_elsewhere):
    monkeypatch.setenv("DISCORD_TOKEN", "stolen-token")
    assert main(["discord"]) == 2
    assert "rejected the token" in _one_line(capsys)
    assert no_renderer == [] and [c.status for c in fake_elsewhere.calls] == [401]


def test_sync_to_a_server_the_bot_is_not_in_is_one_line_and_exit_2(monkeypatch, capsys, no_renderer, fake_elsewhere):
    monkeypatch.setenv("DISCORD_TOKEN", "good-token")
    monkeypatch.setenv("DAILIES_DISCORD_DEV_GUILD", "123456789012345678")
    assert main(["discord", "--sync"]) == 2
    err = _one_line(capsys)
    assert "123456789012345678" in err and "not in it" in err
    assert no_renderer == []

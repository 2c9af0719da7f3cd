"""The Postgres checkpointer on a real local PostgreSQL: two 'bot processes' share one conversation."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path
from typing import TypedDict

import pytest

from agent.checkpoint import open_checkpointer
from bots.settings import Settings
from tests.ports import refusing_port

pytestmark = pytest.mark.postgres
SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "start_postgres.sh"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_server(folder: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """scripts/start_postgres.sh on a free port. Another process can take the port between the pick and the
    server's bind (the start then fails): two more ports are tried before giving up."""
    for _ in range(3):
        started = subprocess.run(
            [str(SCRIPT), folder, str(_free_port())], capture_output=True, text=True, env=env, timeout=300, check=False
        )
        if started.returncode in (0, 3):  # started, or no PostgreSQL on this machine
            break
    return started


@pytest.fixture(scope="module")
def postgres_url():
    """TEST_POSTGRES_URL if set, else a throwaway server started by scripts/start_postgres.sh, else skip."""
    pytest.importorskip("langgraph.checkpoint.postgres", reason="the scale extra is not installed")
    if os.environ.get("TEST_POSTGRES_URL"):
        yield os.environ["TEST_POSTGRES_URL"]
        return
    folder = tempfile.mkdtemp(prefix="dailies-pg-")
    started = _start_server(folder)
    if started.returncode != 0:
        shutil.rmtree(folder, ignore_errors=True)
        pytest.skip(f"no local PostgreSQL: {started.stderr.strip().splitlines()[-1:] or started.returncode}")
    try:
        yield started.stdout.strip().splitlines()[-1]
    finally:
        subprocess.run([str(SCRIPT), "--stop", folder], capture_output=True, timeout=60, check=False)
        shutil.rmtree(folder, ignore_errors=True)


def test_the_script_starts_a_server_whatever_locale_the_machine_has() -> None:
    psycopg = pytest.importorskip("psycopg", reason="the scale extra is not installed")
    folder = tempfile.mkdtemp(prefix="dailies-pg-")  # not under pytest's tmp_path: the postgres user must reach it
    env = {**os.environ, "LANG": "xx_YY.UTF-8", "LC_ALL": ""}  # a locale this machine does not have
    try:
        started = _start_server(folder, env)
        if started.returncode == 3:
            pytest.skip(f"no local PostgreSQL: {started.stderr.strip()}")
        assert started.returncode == 0, started.stderr
        with psycopg.connect(started.stdout.strip().splitlines()[-1], connect_timeout=10) as connection:
            assert connection.execute("SHOW server_encoding").fetchone() == ("UTF8",)
    finally:
        subprocess.run([str(SCRIPT), "--stop", folder], capture_output=True, timeout=60, check=False)
        shutil.rmtree(folder, ignore_errors=True)


class Chat(TypedDict):
    lines: list[str]


def build_graph(saver):
    from langgraph.graph import END, START, StateGraph

    async def reply(state: Chat) -> dict:
        return {"lines": [*state["lines"], f"take {len(state['lines'])}"]}

    graph = StateGraph(Chat)
    graph.add_node("reply", reply)
    graph.add_edge(START, "reply")
    graph.add_edge("reply", END)
    return graph.compile(checkpointer=saver)


async def test_two_processes_share_a_conversation(postgres_url: str) -> None:
    settings = Settings(checkpoint_url=postgres_url)
    config = {"configurable": {"thread_id": "discord-thread-1"}}
    async with open_checkpointer(settings.checkpoint_url, settings.checkpoint_path) as first:
        await build_graph(first).ainvoke({"lines": ["a fox"]}, config)
    async with open_checkpointer(
        settings.checkpoint_url, settings.checkpoint_path
    ) as second:  # another bot process, same database
        graph = build_graph(second)
        assert (await graph.aget_state(config)).values["lines"] == ["a fox", "take 1"]
        result = await graph.ainvoke({"lines": ["a fox", "take 1", "slower"]}, config)
    assert result["lines"][-1] == "take 3"


async def test_unreachable_server_is_a_clear_error_without_the_password() -> None:
    pytest.importorskip("langgraph.checkpoint.postgres", reason="the scale extra is not installed")
    with refusing_port() as port:
        url = f"postgresql://dailies:s3cret@127.0.0.1:{port}/dailies?connect_timeout=2"
        with pytest.raises(ConnectionError, match="cannot reach the Postgres checkpointer") as info:
            async with open_checkpointer(url, Path("unused.sqlite")):
                pass
    assert "s3cret" not in str(info.value)


async def test_a_checkpoint_url_that_is_not_postgres_is_refused() -> None:
    with pytest.raises(ValueError, match="postgresql://"):
        async with open_checkpointer("mysql://x@y/z", Path("unused.sqlite")):
            pass


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://bob:S3cret%PW@127.0.0.1:{port}/db",  # a bad percent-escape: psycopg quotes the password
        "postgresql://bob:S3cret%21PW@127.0.0.1:{port}/db?sslmode=bogus",  # refused before connecting
        "postgresql://bob:S3cret@127.0.0.1:{port}/db?connect_timeout=2",
    ],
)
async def test_no_refusal_of_a_checkpoint_url_shows_its_password(url: str) -> None:
    pytest.importorskip("langgraph.checkpoint.postgres", reason="the scale extra is not installed")
    with refusing_port() as port, pytest.raises(ConnectionError, match="cannot reach the Postgres") as info:
        async with open_checkpointer(url.format(port=port), Path("unused.sqlite")):
            pass
    assert "S3cret" not in str(info.value) and "%21" not in str(info.value)

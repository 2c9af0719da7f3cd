"""Shared test set-up: one torch thread, no network, a fresh data folder per test."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from tests.patience import patient

# The same examples every run, so a fuzz test cannot fail one CI run in N; HYPOTHESIS_PROFILE=explore
# searches afresh (and keeps what it finds in .hypothesis/) when you hunt for new failures. No deadline and no
# too_slow health check: both time the machine (200 ms an example), and a busy CI box is slow, not wrong.
hypothesis_settings.register_profile(
    "repeatable", derandomize=True, database=None, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.register_profile("explore")
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

os.environ.setdefault("LANGGRAPH_STRICT_MSGPACK", "true")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

# The real-server tier (tests/llm_servers, `make test-llm`) needs two LLM servers built and running: it is
# collected only when `scripts/test_llm.sh` names them in DAILIES_LLM_SERVERS, never in .ci/run.
collect_ignore = [] if os.environ.get("DAILIES_LLM_SERVERS") else ["llm_servers"]

# ci_no_skips: under .ci/run (DAILIES_CI=1) a skip fails; pytester: tests of that rule run pytest itself.
pytest_plugins = ["tests.ci_no_skips", "pytester"]


def pytest_configure(config: pytest.Config) -> None:
    try:
        import torch
    except ImportError:
        return
    torch.set_num_threads(1)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """pyproject's per-test timeout is a hang guard like any other wait: stretched by the patience factor (a test
    marked with its own timeout, or a --timeout given on the command line, keeps it)."""
    if config.getoption("timeout", None) is not None:
        return
    ini = config.getini("timeout")
    if not ini:
        return
    for item in items:
        if item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(patient(float(ini))))


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path, monkeypatch):
    """Each test gets its own data folder and no inherited Dailies or OpenAI settings."""
    for key in list(os.environ):
        if key.startswith("DAILIES_") or key in {"OPENAI_API_KEY", "DISCORD_TOKEN"}:
            monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("DAILIES_DATA_DIR", str(tmp_path / "dailies-data"))
    monkeypatch.chdir(tmp_path)
    # What an LLM endpoint answered to is remembered per URL for the process; a port reused by a later test's
    # scripted server (another dialect) must start from the top of the ladder.
    from tools.llm.structured import forget_endpoints

    forget_endpoints()

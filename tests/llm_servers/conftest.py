"""The real OpenAI-compatible servers `scripts/test_llm.sh` started: DAILIES_LLM_SERVERS="name=url,name=url"."""

from __future__ import annotations

import os

import pytest

MODEL = os.environ.get("DAILIES_LLM_SERVERS_MODEL", "smollm2")
# A 135M model on 2 shared cores: seconds per answer, sometimes tens of seconds.
TIMEOUT_S = float(os.environ.get("DAILIES_LLM_SERVERS_TIMEOUT_S", "60"))


def servers() -> dict[str, str]:
    named = [item.split("=", 1) for item in os.environ.get("DAILIES_LLM_SERVERS", "").split(",") if "=" in item]
    return {name.strip(): url.strip() for name, url in named}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "server" in metafunc.fixturenames:
        found = servers()
        metafunc.parametrize("server", list(found.items()), ids=list(found))

"""Pytest fixture around ScriptedOpenAI: `from tests.fakes.fixtures import openai_server` in a test module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tools.testing.openai_server import ScriptedOpenAI


@pytest.fixture
def openai_server() -> Iterator[ScriptedOpenAI]:
    """A running scripted server with an empty script; add answers with `openai_server.push(...)`."""
    with ScriptedOpenAI() as server:
        yield server

"""The director, reviser and judge against real servers (llama-cpp-python's and llama.cpp's llama-server, serving
SmolLM2-135M-Instruct): protocol outcomes, never the small model's taste."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from agent.compile import compile_shot
from agent.director.llm import LLMDirector
from agent.director.offline import read_offline
from agent.director.words_win import NON_CREATIVE_FIELDS, stated_fields
from agent.llm_reviser import LLMReviser
from agent.revise import fingerprint
from agent.spec import ShotSpec
from generator.families import PREVIZ
from tests.llm_servers.conftest import MODEL, TIMEOUT_S
from tools.critic.decode import read_clip
from tools.critic.judge import VisionJudge
from tools.critique import CameraMotion, Check, Critique, Expectation
from tools.llm.schema import lenient_schema, max_tokens_for
from tools.llm.structured import StructuredChat, forget_endpoints

MESSAGES = [
    "golden hour, a lighthouse on a cliff, low angle close-up",
    "a red fox trots through a snowy birch forest at night, slow pan left, 6 seconds, vertical",
]


def director(url: str) -> LLMDirector:
    return LLMDirector(base_url=url, model=MODEL, timeout_s=TIMEOUT_S)


async def test_the_director_answers_with_the_model_and_keeps_the_creators_words(server) -> None:
    name, url = server
    chosen = director(url)
    for message in MESSAGES:
        started = time.monotonic()
        reply = await chosen.direct(message, author="cli")
        took = time.monotonic() - started
        assert reply.director == "llm", reply.notes
        assert took < TIMEOUT_S
        offline = read_offline(message, None, None)
        for field in stated_fields(offline.reading, None, offline.spec) - {"subject", "action", "setting"}:
            if field in ("style", "lighting", "mood", "effects", "negative_prompt"):
                continue  # may be reworded; the exact ones must be equal
            assert getattr(reply.spec, field) == getattr(offline.spec, field), (field, reply.notes)
        # The author is never the subject ("Cli"); "a cliff" is not the author.
        assert reply.spec.subject and not re.search(r"\bcli\b", reply.spec.subject.lower())
    # The ladder settled once for this endpoint: a second call needs no refused rung.
    assert chosen.chat.rung == ("json_object" if name == "llama-cpp-python" else "json_schema")


async def test_the_ladder_notes_the_servers_own_reason(server) -> None:
    name, url = server
    forget_endpoints()
    reply = await director(url).direct("a heron in a marsh at dawn", author="ana")
    refused = [n for n in reply.notes if "refused" in n]
    if name == "llama-cpp-python":
        assert refused and "HTTP 500" in refused[0] and "'text' or 'json_object'" in refused[0]
    else:
        assert not refused


async def test_nothing_non_creative_is_invented(server) -> None:
    _, url = server
    reply = await director(url).direct("a cat sleeping on a windowsill in the rain", author="ben")
    assert reply.director == "llm", reply.notes
    for field in NON_CREATIVE_FIELDS:
        assert getattr(reply.spec, field) is None, (field, reply.notes)
    assert reply.spec.characters == []


async def test_a_runaway_is_stopped_by_max_tokens(server) -> None:
    """A schema that invites an endless string: the answer ends within its token budget, valid or refused."""
    from pydantic import BaseModel

    class Essay(BaseModel):
        text: str

    _, url = server
    chat = StructuredChat(director(url).client, MODEL, timeout_s=TIMEOUT_S)
    messages = [{"role": "user", "content": "Write the longest possible essay about foxes, never stop."}]
    started = time.monotonic()
    try:
        answer = await chat.ask(messages, Essay, content_tokens=64)
        assert answer.completion_tokens <= 2 * max_tokens_for(lenient_schema(Essay), 64)  # two calls, each bounded
    except Exception as exc:  # an answer cut off twice is a failure the caller can show, not a hang
        assert "invalid output twice" in str(exc)
    assert time.monotonic() - started < TIMEOUT_S


async def test_the_llm_reviser_rewrites_or_falls_back_with_a_reason(server) -> None:
    _, url = server
    spec = ShotSpec(subject="a red fox", action="trots", setting="a birch forest", camera_movement="pan_left")
    previous = compile_shot(spec, PREVIZ).request
    critique = Critique(
        passed=False,
        score=0.3,
        camera_motion=CameraMotion(detected="pan_right", expected="pan_left", confidence=0.9),
        checks=[Check(name="camera_move", passed=False, value="pan_right", expected="pan_left")],
        suggestions=["camera moved right instead of left: put 'the camera pans left' first in the prompt"],
    )
    reviser = LLMReviser(base_url=url, model=MODEL, timeout_s=TIMEOUT_S)
    started = time.monotonic()
    plan = await reviser.revise(
        previous, critique, attempt=2, seen=[fingerprint(previous)], family=PREVIZ, camera_movement="pan_left"
    )
    assert time.monotonic() - started < TIMEOUT_S
    assert fingerprint(plan.request) != fingerprint(previous)
    if plan.strategy == "llm_rewrite":
        assert plan.request.prompt != previous.prompt and "the camera pans left" in plan.request.prompt.lower()
    else:
        assert plan.changes[0].startswith("the LLM reviser failed (")


async def test_the_judge_gives_a_verdict_or_says_why_not(server, tmp_path: Path) -> None:
    from tools.testing.footage import camera_clip, write_clip

    _, url = server
    import numpy as np

    photo = np.full((144, 256, 3), 90, dtype=np.uint8)
    photo[40:100, 60:200] = (200, 80, 40)
    clip_path = write_clip(camera_clip(photo, "pan_left", size=(128, 72), frames=8, fps=8), tmp_path / "c.mp4", fps=8)
    judge = VisionJudge(base_url=url, model=MODEL, timeout_s=TIMEOUT_S, frames=4, columns=2)
    checks = await judge.assess(read_clip(clip_path, color_frames=4), Expectation(subject="a red fox"))
    names = {c.name for c in checks}
    if "vision_judge" in names:  # a text-only model: the server's reason, in one line
        note = next(c for c in checks if c.name == "vision_judge")
        assert note.passed and note.detail.startswith("not counted: ") and "\n" not in note.detail
    else:
        assert "judge_artifacts" in names


@pytest.mark.parametrize("message", MESSAGES[:1])
def test_dailies_spec_with_the_llm_director(server, message: str, tmp_path: Path) -> None:
    _, url = server
    env = {**os.environ, "DAILIES_LLM_BASE_URL": url, "DAILIES_LLM_MODEL": MODEL, "DAILIES_LLM_TIMEOUT_S": "60"}
    env["DAILIES_DATA_DIR"] = str(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "bots.cli.main", "spec", message, "--director", "llm"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    spec = ShotSpec.model_validate(json.loads(done.stdout))
    assert "director: llm" in done.stderr
    assert (spec.time_of_day, spec.camera_angle, spec.shot_size) == ("golden_hour", "low_angle", "close_up")

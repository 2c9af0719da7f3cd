"""The vision-LLM judge against a scripted OpenAI-compatible server on 127.0.0.1."""

from __future__ import annotations

import base64

import numpy as np
import pytest
from PIL import Image

from bots.settings import Settings
from tools.critic import critique_clip, critique_clip_async
from tools.critic.decode import read_clip
from tools.critic.judge import VisionJudge
from tools.critique import Expectation
from tools.testing.footage import camera_clip
from tools.testing.openai_server import ScriptedOpenAI, error, refusal, reply

WANTED = Expectation(subject="a red fox", setting="a birch forest", time_of_day="night", style="anime")
VERDICT = {
    "fields": [
        {"field": "subject", "matches": "yes", "evidence": "A red fox stands in the middle."},
        {"field": "setting", "matches": "unclear", "evidence": "Trees, species hard to tell."},
        {"field": "time_of_day", "matches": "no", "evidence": "Bright daylight, blue sky."},
        {"field": "style", "matches": "yes", "evidence": "Flat cel shading."},
    ],
    "artifacts": ["extra legs"],
    "summary": "A fox in daylight, not at night.",
}


@pytest.fixture(scope="module")
def clip_path(photo, clip_dir):
    from tools.testing.footage import write_clip

    frames = camera_clip(photo("chelsea"), "pan_left", size=(256, 144), frames=24, fps=12, speed=0.15)
    return write_clip(frames, clip_dir / "judge.mp4", fps=12)


def judge_for(server: ScriptedOpenAI) -> VisionJudge:
    return VisionJudge(base_url=server.base_url, model="vision-test", api_key="k", timeout_s=5, frames=6, columns=3)


def test_verdict_becomes_checks_and_suggestions(clip_path) -> None:
    with ScriptedOpenAI([reply(VERDICT)]) as server:
        critique = critique_clip(clip_path, WANTED, judge=judge_for(server))
        sent = server.requests[0]
    checks = {c.name: c for c in critique.checks}
    assert checks["judge_subject"].passed and checks["judge_setting"].passed  # unclear is not a failure
    assert not checks["judge_time_of_day"].passed and checks["judge_time_of_day"].detail.startswith("Bright")
    assert not checks["judge_artifacts"].passed and checks["judge_artifacts"].value == "extra legs"
    assert not critique.passed
    assert "the light does not read as night: add 'night lighting' to the prompt" in critique.suggestions
    assert "visible artifacts (extra legs): add 'extra legs' to the negative prompt" in critique.suggestions
    # What went out: the judge prompt with the spec's words, and a contact sheet as a data: URL.
    assert sent["model"] == "vision-test"
    assert sent["response_format"]["type"] == "json_schema"
    system, user = sent["messages"]
    assert "- time_of_day: night" in system["content"] and "6 frames" in system["content"]
    url = next(part["image_url"]["url"] for part in user["content"] if part["type"] == "image_url")
    assert url.startswith("data:image/jpeg;base64,")
    import io

    sheet = Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1])))
    assert sheet.width > sheet.height  # 3 columns x 2 rows of 16:9 tiles


async def test_async_critique_asks_the_judge_on_the_loop(clip_path) -> None:
    verdict = {**VERDICT, "fields": VERDICT["fields"][:1], "artifacts": []}
    with ScriptedOpenAI([reply(verdict)]) as server:
        critique = await critique_clip_async(clip_path, Expectation(subject="a red fox"), judge=judge_for(server))
    assert critique.passed, critique.failed_checks
    assert {c.name for c in critique.checks} >= {"judge_subject", "judge_artifacts"}


@pytest.mark.parametrize("answer", [error(503, "overloaded"), refusal("no"), reply("not json at all")])
def test_an_unavailable_judge_is_noted_and_does_not_fail_the_take(clip_path, answer) -> None:
    with ScriptedOpenAI([answer, answer]) as server:
        critique = critique_clip(clip_path, WANTED, judge=judge_for(server))
    note = next(c for c in critique.checks if c.name == "vision_judge")
    assert note.passed and note.value == "unavailable" and note.detail.startswith("not counted")
    assert critique.passed and critique.score == 1.0


def test_judge_is_off_by_default_and_needs_a_model_when_on(monkeypatch) -> None:
    assert Settings().vision_judge() is None
    with pytest.raises(ValueError, match="DAILIES_JUDGE_MODEL"):
        Settings(judge_enabled=True).vision_judge()
    monkeypatch.setenv("OPENAI_API_KEY", "s")
    judge = Settings(judge_enabled=True, judge_model="llava", llm_base_url="http://x/v1").vision_judge()
    assert judge is not None and judge.model == "llava" and judge.api_key == "s"


def test_messages_need_colour_frames(clip_path) -> None:
    judge = VisionJudge(base_url=None, model="m")
    with pytest.raises(ValueError, match="colour frames"):
        judge.messages(read_clip(clip_path), WANTED)
    assert np.asarray(read_clip(clip_path, color_frames=8).color).shape[0] == 8


def test_the_judge_climbs_down_to_a_server_without_json_schema(clip_path) -> None:
    with ScriptedOpenAI([reply(VERDICT)], dialect="llama-cpp-python") as server:
        critique = critique_clip(clip_path, WANTED, judge=judge_for(server))
    kinds = [r["response_format"]["type"] for r in server.requests]
    assert kinds == ["json_schema", "json_object"]
    assert not any(c.name == "vision_judge" for c in critique.checks)  # a verdict, not "unavailable"
    assert {c.name for c in critique.checks} >= {"judge_subject", "judge_time_of_day", "judge_artifacts"}
    sent = server.requests[1]
    assert 0 < sent["max_tokens"] <= 1024 and sent["temperature"] <= 0.3
    assert sent["response_format"]["schema"]["properties"]["summary"]["maxLength"] == 500


def test_an_unavailable_judge_says_the_servers_reason(clip_path) -> None:
    with ScriptedOpenAI([error(500, "image input is not supported by this model")], dialect="llama-server") as server:
        critique = critique_clip(clip_path, WANTED, judge=judge_for(server))
    note = next(c for c in critique.checks if c.name == "vision_judge")
    assert "HTTP 500: image input is not supported by this model" in note.detail

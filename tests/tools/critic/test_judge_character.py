"""The vision judge is shown each character's reference image and asked whether the take matches it."""

from __future__ import annotations

import base64
import io

import numpy as np
import pytest
from PIL import Image

from generator.request import ReferenceImage
from tools.critic import critique_clip
from tools.critic.judge import MAX_REFERENCES, REFERENCE_SIDE, VisionJudge
from tools.critique import Expectation
from tools.testing.footage import camera_clip
from tools.testing.openai_server import ScriptedOpenAI, reply


@pytest.fixture(scope="module")
def clip_path(photo, clip_dir):
    from tools.testing.footage import write_clip

    frames = camera_clip(photo("chelsea"), "static", size=(256, 144), frames=12, fps=12, speed=0.0)
    return write_clip(frames, clip_dir / "character.mp4", fps=12)


def _face(path, shade: int):
    Image.fromarray(np.full((600, 400, 3), shade, np.uint8)).save(path)
    return ReferenceImage(name=path.stem.capitalize(), path=str(path))


def test_the_judge_sees_the_references_and_a_mismatch_fails_the_take(clip_path, tmp_path) -> None:
    ana, ben, cy = _face(tmp_path / "ana.png", 40), _face(tmp_path / "ben.png", 120), _face(tmp_path / "cy.png", 200)
    gone = ReferenceImage(name="Dee", path=str(tmp_path / "deleted.png"))
    verdict = {
        "fields": [
            {"field": "subject", "matches": "yes", "evidence": "A cat sits on a sofa."},
            {"field": "character", "matches": "no", "evidence": "A grey cat, not the woman in the reference."},
        ],
        "artifacts": [],
        "summary": "The wrong character.",
    }
    wanted = Expectation(subject="Ana", references=[gone, ana, ben, cy])
    with ScriptedOpenAI([reply(verdict)]) as server:
        judge = VisionJudge(base_url=server.base_url, model="v", api_key="k", timeout_s=5, frames=4, columns=2)
        critique = critique_clip(clip_path, wanted, judge=judge)
        sent = server.requests[0]
    system, user = sent["messages"]
    assert "- character: Ana and Ben as in the reference image(s) after the contact sheet" in system["content"]
    texts = [part["text"] for part in user["content"] if part["type"] == "text"]
    assert texts[1:] == ["The reference image of Ana:", "The reference image of Ben:"]  # Dee's file is gone
    images = [part["image_url"]["url"] for part in user["content"] if part["type"] == "image_url"]
    assert len(images) == 1 + MAX_REFERENCES
    face = Image.open(io.BytesIO(base64.b64decode(images[1].split(",", 1)[1])))
    assert max(face.size) == REFERENCE_SIDE and abs(np.asarray(face).mean() - 40) < 3  # Ana's, scaled down
    check = next(c for c in critique.checks if c.name == "judge_character")
    assert not check.passed and check.detail.startswith("A grey cat") and not critique.passed
    assert any(s.startswith("the character does not look like the reference") for s in critique.suggestions)


def test_without_references_nothing_about_characters_is_asked(clip_path) -> None:
    verdict = {
        "fields": [{"field": "subject", "matches": "yes", "evidence": "A cat."}],
        "artifacts": [],
        "summary": "ok",
    }
    with ScriptedOpenAI([reply(verdict)]) as server:
        judge = VisionJudge(base_url=server.base_url, model="v", api_key="k", timeout_s=5, frames=4, columns=2)
        critique = critique_clip(clip_path, Expectation(subject="a cat"), judge=judge)
        system, user = server.requests[0]["messages"]
    assert "- character:" not in system["content"] and len(user["content"]) == 2
    assert critique.passed, critique.failed_checks

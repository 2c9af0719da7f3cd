"""The optional vision-LLM judge: a contact sheet and the expectation -> a verdict per spec field."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Literal

import numpy as np
import openai
from pydantic import BaseModel, ConfigDict, Field

from generator.request import ReferenceImage
from prompts import load_prompt
from tools.contact_sheet import contact_sheet, data_url
from tools.critic.decode import Clip
from tools.critique import Check, Expectation
from tools.llm.structured import LLMFailure, StructuredChat, endpoint_client

JUDGED_FIELDS = ("subject", "action", "setting", "time_of_day", "style")
JudgedField = Literal["subject", "action", "setting", "time_of_day", "style", "character"]
# Bounds in the schema the server receives: a grammar-constrained model cannot ramble past them.
MAX_EVIDENCE = 300
MAX_ARTIFACT = 80
MAX_ARTIFACTS = 10
MAX_SUMMARY = 500
VERDICT_CONTENT_TOKENS = 384
MAX_REFERENCES = 2  # reference images shown beside the contact sheet
REFERENCE_SIDE = 256  # longest side of a reference image as the judge sees it


class FieldVerdict(BaseModel):
    """Whether the frames show one thing the spec asked for."""

    model_config = ConfigDict(extra="forbid")

    field: JudgedField
    matches: Literal["yes", "no", "unclear"]
    evidence: str = Field(max_length=MAX_EVIDENCE, description="One short sentence on what is actually visible.")


class JudgeVerdict(BaseModel):
    """The judge's structured answer (sent as a strict JSON schema)."""

    model_config = ConfigDict(extra="forbid")

    fields: list[FieldVerdict] = Field(max_length=len(JUDGED_FIELDS))
    artifacts: list[Annotated[str, Field(max_length=MAX_ARTIFACT)]] = Field(
        max_length=MAX_ARTIFACTS, description="Visible generation artifacts, a few words each."
    )
    summary: str = Field(max_length=MAX_SUMMARY)


def describe(expectation: Expectation, shown: Sequence[ReferenceImage] = ()) -> list[tuple[str, str]]:
    """The judged fields the expectation names, as (field, wanted) pairs; `character` for the references shown."""
    pairs = [(name, str(value)) for name in JUDGED_FIELDS if (value := getattr(expectation, name))]
    if shown:
        names = " and ".join(reference.name for reference in shown)
        pairs.append(("character", f"{names} as in the reference image(s) after the contact sheet"))
    return pairs


def reference_parts(references: Sequence[ReferenceImage]) -> tuple[list[ReferenceImage], list[dict[str, object]]]:
    """The references that could be read (at most MAX_REFERENCES) and their message parts, each a small JPEG."""
    from PIL import Image

    shown: list[ReferenceImage] = []
    parts: list[dict[str, object]] = []
    for reference in references:
        if len(shown) == MAX_REFERENCES:
            break
        try:
            with Image.open(reference.path) as image:
                image.thumbnail((REFERENCE_SIDE, REFERENCE_SIDE))
                pixels = np.asarray(image.convert("RGB"))
        except (OSError, ValueError):  # a stored face that went missing: judged from the words only
            continue
        shown.append(reference)
        parts.append({"type": "text", "text": f"The reference image of {reference.name}:"})
        parts.append({"type": "image_url", "image_url": {"url": data_url(pixels)}})
    return shown, parts


def verdict_checks(verdict: JudgeVerdict, expectation: Expectation | None) -> list[Check]:
    """One check per judged field (unclear passes, with a note), one for artifacts."""
    wanted = dict(describe(expectation, expectation.references)) if expectation else {}
    checks: list[Check] = []
    for item in verdict.fields:
        if item.field not in wanted or any(c.name == f"judge_{item.field}" for c in checks):
            continue
        checks.append(
            Check(
                name=f"judge_{item.field}",
                passed=item.matches != "no",
                value=item.matches,
                expected=wanted[item.field],
                detail=item.evidence,
            )
        )
    artifacts = [a.strip() for a in verdict.artifacts if a.strip()]
    checks.append(
        Check(
            name="judge_artifacts",
            passed=not artifacts,
            value=", ".join(artifacts) or "none",
            expected="none",
            detail=verdict.summary,
        )
    )
    return checks


class VisionJudge:
    """An OpenAI-compatible vision model that looks at a contact sheet of the take."""

    def __init__(
        self,
        *,
        base_url: str | None,
        model: str,
        api_key: str | None = None,
        timeout_s: float = 30.0,
        frames: int = 8,
        columns: int = 4,
    ) -> None:
        if frames < 1:
            raise ValueError(f"the judge needs at least one frame, not {frames}")
        self.base_url = base_url
        self.model = model
        self.api_key = api_key
        self.timeout_s = timeout_s
        self.frames = frames
        self.columns = columns

    def messages(self, clip: Clip, expectation: Expectation | None) -> list[dict[str, object]]:
        """The chat messages: the judge prompt, then the contact sheet as a data: URL."""
        if not len(clip.color):
            raise ValueError("the clip was read without colour frames; read it with color_frames=judge.frames")
        shown, reference_content = reference_parts(expectation.references) if expectation else ([], [])
        wanted = describe(expectation, shown) if expectation else []
        listed = "\n".join(f"- {name}: {value}" for name, value in wanted) or "- (nothing specific was asked for)"
        labels = [f"{i / clip.fps:.1f}s" for i in clip.color_indices]
        sheet = contact_sheet(clip.color, columns=self.columns, labels=labels)
        prompt = load_prompt("judge", frame_count=len(clip.color), expectations=listed)
        return [
            {"role": "system", "content": prompt},
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "The contact sheet of the take:"},
                    {"type": "image_url", "image_url": {"url": data_url(sheet)}},
                    *reference_content,
                ],
            },
        ]

    async def assess(self, clip: Clip, expectation: Expectation | None) -> list[Check]:
        """Ask the model; an unreachable or confused judge is reported as a check that does not count."""
        try:
            async with endpoint_client(self.base_url, self.api_key, self.timeout_s) as client:
                chat = StructuredChat(client, self.model, timeout_s=self.timeout_s)
                answer = await chat.ask(
                    self.messages(clip, expectation), JudgeVerdict, content_tokens=VERDICT_CONTENT_TOKENS
                )
        except LLMFailure as failure:
            return [_unavailable(str(failure))]
        except openai.OpenAIError as exc:
            return [_unavailable(f"{type(exc).__name__}: {str(exc)[:200]}")]
        return verdict_checks(answer.value, expectation)


def _unavailable(reason: str) -> Check:
    return Check(
        name="vision_judge",
        passed=True,
        value="unavailable",
        expected="a verdict",
        detail=f"not counted: {reason}",
    )

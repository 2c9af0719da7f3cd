"""The optional vision-LLM judge: a contact sheet and the expectation -> a verdict per spec field."""

from __future__ import annotations

from typing import Annotated, Literal

import openai
from pydantic import BaseModel, ConfigDict, Field

from prompts import load_prompt
from tools.contact_sheet import contact_sheet, data_url
from tools.critic.decode import Clip
from tools.critique import Check, Expectation
from tools.llm.structured import LLMFailure, StructuredChat

JUDGED_FIELDS = ("subject", "action", "setting", "time_of_day", "style")
JudgedField = Literal["subject", "action", "setting", "time_of_day", "style"]
# Bounds in the schema the server receives: a grammar-constrained model cannot ramble past them.
MAX_EVIDENCE = 300
MAX_ARTIFACT = 80
MAX_ARTIFACTS = 10
MAX_SUMMARY = 500
VERDICT_CONTENT_TOKENS = 384


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


def describe(expectation: Expectation) -> list[tuple[str, str]]:
    """The judged fields the expectation names, as (field, wanted) pairs."""
    return [(name, str(value)) for name in JUDGED_FIELDS if (value := getattr(expectation, name))]


def verdict_checks(verdict: JudgeVerdict, expectation: Expectation | None) -> list[Check]:
    """One check per judged field (unclear passes, with a note), one for artifacts."""
    wanted = dict(describe(expectation)) if expectation else {}
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
        wanted = describe(expectation) if expectation else []
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
                ],
            },
        ]

    async def assess(self, clip: Clip, expectation: Expectation | None) -> list[Check]:
        """Ask the model; an unreachable or confused judge is reported as a check that does not count."""
        try:
            async with openai.AsyncOpenAI(
                base_url=self.base_url, api_key=self.api_key or "none", timeout=self.timeout_s, max_retries=0
            ) as client:
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

"""Random long text and Discord markup against the director's door, the spec, the CLI, the LLM director and the bot's
policy: no crash, no markup anywhere downstream, every field within its limit, one line for what is refused."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent.director.intake import MAX_MESSAGE_CHARS, MessageTooLong, clean_message
from agent.director.llm import LLMDirector
from agent.director.offline import OfflineDirector
from agent.director.patch import SpecPatch
from agent.markup import MARKUP, strip_markup
from agent.spec import MAX_EFFECT, MAX_TEXT, ShotSpec
from bots.cli.main import main
from bots.policy import ContentPolicy
from bots.settings import Settings
from tools.testing.openai_server import ScriptedOpenAI, reply

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TEXT_FIELDS = ("subject", "action", "setting", "style", "lighting", "mood", "negative_prompt")

WORDS = (
    "a the red fox knight hare snow forest rooftop dancing trots through at dawn night slow pan left zoom "
    "in 2 seconds 24fps vertical film noir , . ! ? and with no rain fog Ana is a tall woman"
)
ids = st.integers(0, 10**22).map(str)
names = st.text("abcdefghijklmnopqrstuvwxyz_0123456789", min_size=1, max_size=12)
markup = st.one_of(
    st.sampled_from(["@everyone", "@here", "@EVERYONE", "@Here"]),
    st.builds(lambda p, i: f"<{p}{i}>", st.sampled_from(["@", "@!", "@&", "#"]), ids),
    st.builds(lambda n, i: f"</{n}:{i}>", st.lists(names, min_size=1, max_size=3).map(" ".join), ids),
    st.builds(lambda a, n, i: f"<{a}:{n}:{i}>", st.sampled_from(["", "a"]), names, ids),
    st.builds(lambda t, s: f"<t:{t}{s}>", ids, st.sampled_from(["", ":R", ":f", ":D"])),
    st.sampled_from(["<id:browse>", "<id:customize>", "<id:guide>", "\u200b", "\u202e", "\ufeff"]),
)
words = st.one_of(
    st.sampled_from(WORDS.split()),
    st.text(max_size=8).filter(lambda t: "\x00" not in t),
)
# Creator-like text with markup in it: anywhere, several times, next to punctuation.
marked_text = st.lists(st.one_of(words, markup), min_size=1, max_size=40).map(" ".join)
# Text around and far past the limit, built from words (fast to generate, realistic to read).
long_text = st.builds(
    lambda parts, n: (" ".join(parts) * n)[: MAX_MESSAGE_CHARS * 3],
    st.lists(words, min_size=5, max_size=30),
    st.integers(1, 400),
)


def assert_within_limits(spec: ShotSpec) -> None:
    dumped = spec.model_dump_json()
    assert MARKUP.search(dumped) is None, dumped
    for name in TEXT_FIELDS:
        assert len(getattr(spec, name) or "") <= MAX_TEXT
    assert all(len(e) <= MAX_EFFECT for e in spec.effects)


@FUZZ
@given(marked_text)
def test_strip_markup_leaves_none_and_is_stable(text: str) -> None:
    cleaned = strip_markup(text)
    assert MARKUP.search(cleaned) is None
    assert strip_markup(cleaned) == cleaned


@FUZZ
@given(st.one_of(marked_text, long_text))
def test_the_offline_director_never_crashes_nor_passes_on_markup(text: str) -> None:
    try:
        cleaned = clean_message(text)
    except MessageTooLong as refused:
        assert refused.length > MAX_MESSAGE_CHARS and "\n" not in str(refused)
        return
    reply_ = OfflineDirector().direct_sync(text, author="ana")
    assert_within_limits(reply_.spec)
    assert len(cleaned) <= MAX_MESSAGE_CHARS


@FUZZ
@given(base_text=long_text, message=st.one_of(marked_text, long_text))
def test_refining_a_spec_at_its_limits_keeps_every_field_within_them(base_text: str, message: str) -> None:
    long = (base_text * 3)[:MAX_TEXT]
    base = ShotSpec(subject=long, action=long, setting=long, style=long, negative_prompt=long, effects=["rain"])
    try:
        refined = OfflineDirector().direct_sync(message, author="ben", base=base)
    except MessageTooLong:
        return
    assert_within_limits(refined.spec)


spec_values = st.one_of(st.none(), marked_text, long_text.map(lambda t: t[: MAX_TEXT + 500]))


@FUZZ
@given(st.fixed_dictionaries({name: spec_values for name in TEXT_FIELDS}), st.lists(marked_text, max_size=3))
def test_a_spec_never_holds_markup(fields: dict[str, Any], effects: list[str]) -> None:
    effects = [e[:MAX_EFFECT] for e in effects]
    try:
        spec = ShotSpec(**fields, effects=effects)
    except ValueError:  # refused by the model, which the CLI reports in one line
        over = any(v is not None and len(v) > MAX_TEXT for v in fields.values())
        # nothing but markup and spaces: blank once the markup is gone (an unset field is null, never blank)
        blank = any(v is not None and not strip_markup(v).strip() for v in [*fields.values(), *effects])
        assert over or blank
        return
    assert_within_limits(spec)


def run_cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


@FUZZ
@given(st.one_of(marked_text, long_text).filter(lambda t: "\x00" not in t))
def test_dailies_spec_answers_json_or_one_line(text: str) -> None:
    code, out, err = run_cli("spec", text)
    assert code in (0, 2), err
    if code == 2:
        assert out == "" and err.count("\n") == 1 and err.startswith("dailies: ")
    else:
        assert MARKUP.search(out) is None
        assert_within_limits(ShotSpec.model_validate(json.loads(out)))


def _patch(fields: dict[str, Any]) -> dict[str, Any]:
    return {name: None for name in SpecPatch.model_fields} | fields


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    message=marked_text,
    answer=st.fixed_dictionaries({}, optional={name: st.one_of(long_text, marked_text) for name in TEXT_FIELDS}),
    effects=st.lists(long_text.map(lambda t: t[:400]), max_size=3),
)
def test_the_llm_director_sends_no_markup_and_keeps_answers_within_limits(
    message: str, answer: dict[str, Any], effects: list[str]
) -> None:
    async def direct() -> Any:
        with ScriptedOpenAI([reply(_patch({**answer, "effects": effects or None}))]) as server:
            director = LLMDirector(base_url=server.base_url, model="test-model", api_key="k", timeout_s=5.0)
            result = await director.direct(message, author="<@1> ana", base=ShotSpec(subject="a fox @here"))
            return result, server.requests

    result, requests = asyncio.run(direct())
    for request in requests:
        for sent in request["messages"]:
            assert MARKUP.search(sent["content"]) is None, sent["content"]
    assert_within_limits(result.spec)


@settings(max_examples=200, deadline=None)
@given(text=st.one_of(marked_text, long_text), nsfw=st.booleans())
def test_the_bot_policy_passes_on_no_markup_and_nothing_over_the_limit(text: str, nsfw: bool) -> None:
    verdict = ContentPolicy(max_chars=4000).check(text, nsfw_channel=nsfw)
    if verdict.allowed:
        assert MARKUP.search(verdict.text) is None and verdict.text.strip()
    # The bot's own policy: however high the operator sets the limit, never more than the director reads.
    verdict = ContentPolicy.from_settings(Settings(discord_max_prompt_chars=4000)).check(text, nsfw_channel=nsfw)
    assert not verdict.allowed or len(verdict.text) <= MAX_MESSAGE_CHARS

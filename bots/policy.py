"""Content policy for chat text: length, mentions, blocked and mature terms, prompt-injection neutralising."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

import discord

from agent.director.intake import MAX_MESSAGE_CHARS
from agent.markup import MARKUP, strip_markup

# Mature terms allowed only in NSFW-flagged channels; operators add more through settings.
BUILTIN_MATURE_TERMS: tuple[str, ...] = (
    "nude",
    "nudity",
    "naked",
    "topless",
    "explicit",
    "nsfw",
    "porn",
    "pornographic",
    "sexual",
    "gore",
    "gory",
    "dismembered",
)

# Phrases that try to steer the director instead of describing a shot.
INJECTION_PATTERNS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p, re.IGNORECASE)
    for p in (
        r"\b(ignore|disregard|forget|override)\b[^.\n]{0,40}\b(previous|prior|above|earlier|all|system)\b"
        r"[^.\n]{0,40}\b(instructions?|prompts?|rules?|messages?)\b",
        r"\b(system|developer)\s*(prompt|message|instructions?)\b",
        r"\byou\s+are\s+now\b[^.\n]*",
        r"\b(reveal|print|show|repeat)\b[^.\n]{0,30}\b(your|the)\s+(prompt|instructions|rules)\b",
        r"</?\s*(system|assistant|user|im_start|im_end)\s*>",
        r"\bact\s+as\b[^.\n]*\b(admin|developer|jailbroken|dan)\b",
    )
)

CONTROL = re.compile(r"[\u0000-\u0008\u000b-\u001f\u007f\u200b-\u200f\u202a-\u202e\u2060-\u2064]")


@dataclass(frozen=True)
class Verdict:
    """What the policy made of one text: the cleaned text, or why it was refused."""

    allowed: bool
    text: str
    reason: str | None = None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ContentPolicy:
    """Checks and cleans a prompt before it reaches the agent."""

    max_chars: int = 1500
    blocked_terms: tuple[str, ...] = ()
    mature_terms: tuple[str, ...] = BUILTIN_MATURE_TERMS
    _blocked: re.Pattern[str] | None = field(init=False, default=None, repr=False, compare=False)
    _mature: re.Pattern[str] | None = field(init=False, default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_blocked", _terms_pattern(self.blocked_terms))
        object.__setattr__(self, "_mature", _terms_pattern(self.mature_terms))

    @classmethod
    def from_settings(cls, settings) -> ContentPolicy:
        # Never more than the director reads: a longer message would only be refused later, mid-run.
        return cls(
            max_chars=min(settings.discord_max_prompt_chars, MAX_MESSAGE_CHARS),
            blocked_terms=tuple(settings.discord_blocked_terms),
            mature_terms=(*BUILTIN_MATURE_TERMS, *settings.discord_mature_terms),
        )

    def check(self, text: str, *, nsfw_channel: bool = False) -> Verdict:
        """Refuse what must not be rendered; otherwise return the text made safe to pass on."""
        raw = unicodedata.normalize("NFKC", text or "")
        if len(raw) > self.max_chars:
            return Verdict(
                False,
                "",
                f"That's {len(raw):,} characters; a shot description can be at most {self.max_chars:,}. "
                "Try the key details: subject, action, place, camera.",
            )
        cleaned, notes = clean_text(raw)
        folded = cleaned.casefold()
        if self._blocked is not None and (hit := self._blocked.search(folded)):
            return Verdict(False, "", f"This server doesn't allow “{hit.group(0)}” in prompts.")
        if not nsfw_channel and self._mature is not None and (hit := self._mature.search(folded)):
            return Verdict(False, "", f"“{hit.group(0)}” is mature content: it's only allowed in channels marked NSFW.")
        if not cleaned.strip():
            return Verdict(False, "", "There's nothing left to direct once mentions and instructions are removed.")
        return Verdict(True, cleaned, None, tuple(notes))


def clean_text(text: str) -> tuple[str, list[str]]:
    """Drop control characters, chat markup (mentions, custom emoji, ...) and prompt-injection phrases; say what
    was removed."""
    notes: list[str] = []
    text = CONTROL.sub("", text)
    if MARKUP.search(text):
        notes.append("mentions removed")
    text = strip_markup(text)
    for pattern in INJECTION_PATTERNS:
        replaced = pattern.sub("", text)
        if replaced != text:
            if "instructions to the bot ignored" not in notes:
                notes.append("instructions to the bot ignored")
            text = replaced
    text = re.sub(r"[ \t]{2,}", " ", text).strip(" \t\n,;:")
    return text, notes


def quote_user_text(text: str, limit: int = 300) -> str:
    """User text made safe to echo in a message: no mentions, no markdown tricks, bounded length."""
    text = discord.utils.escape_mentions(discord.utils.escape_markdown(CONTROL.sub("", text)))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _terms_pattern(terms: Iterable[str]) -> re.Pattern[str] | None:
    words = sorted({t.strip().casefold() for t in terms if t and t.strip()}, key=len, reverse=True)
    if not words:
        return None
    return re.compile(r"(?<!\w)(" + "|".join(re.escape(w) for w in words) + r")(?!\w)")

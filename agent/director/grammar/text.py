"""Text helpers for the offline director: normalising a message, tokens with offsets, phrase patterns."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Same-length replacements only, so every offset in the normalised text is an offset in the original.
_SAME_LENGTH = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u00a0": " ",
        "\u2032": "'",
    }
)
_HYPHEN_IN_WORD = re.compile(r"(?<=[a-z0-9])[-_](?=[a-z0-9])")
_TOKEN = re.compile(r"[a-z0-9]+(?:[.':][a-z0-9]+)*|[^\sa-z0-9]")

CLAUSE_BREAKS = frozenset(',.;:!?()[]"|/')


def normalise(text: str) -> str:
    """Lower case, plain quotes and dashes, hyphens inside words as spaces; same length as `text`."""
    lowered = text.translate(_SAME_LENGTH)
    if len(lowered.lower()) == len(lowered):
        lowered = lowered.lower()
    else:  # a few characters change length when lowered (e.g. 'İ'): lower them one by one
        lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in lowered)
    return _HYPHEN_IN_WORD.sub(" ", lowered)


@dataclass(frozen=True)
class Token:
    text: str
    start: int
    end: int

    @property
    def is_word(self) -> bool:
        return self.text[0].isalnum()


def tokenize(norm: str) -> list[Token]:
    """Words and punctuation of a normalised text, with their offsets."""
    return [Token(m.group(0), m.start(), m.end()) for m in _TOKEN.finditer(norm)]


def phrase(pattern: str) -> re.Pattern[str]:
    """Compile a phrase pattern: a space matches any run of spaces; the match must sit on word edges."""
    body = pattern.replace(" ?", r"\s*").replace(" ", r"\s+")
    return re.compile(rf"(?<![a-z0-9])(?:{body})(?![a-z0-9])")


@dataclass(frozen=True)
class Match:
    """A phrase found in a message: which field, what value, where."""

    field: str
    value: object
    start: int
    end: int
    negated: bool = False
    mask: bool = True

    def overlaps(self, other: Match) -> bool:
        return self.start < other.end and other.start < self.end


NEGATOR = re.compile(
    r"(?<![a-z])(?:no|not|without|don't|dont|do not|never|avoid|nothing|isn't|instead of|rather than|"
    r"no more|stop|lose|remove|drop|get rid of|less)\s+(?:\w+\s+){0,2}$"
)
_NEGATION_EXCUSED = re.compile(r"(?<![a-z])(?:no\s+wait|no\s*,|not\s+too|not\s+so)\s")


def negated_before(norm: str, start: int) -> bool:
    """True when a negating word closely precedes `start` in the same clause ('no camera movement')."""
    window_start = max(0, start - 40)
    window = norm[window_start:start]
    cut = max(window.rfind(c) for c in ",.;!?")
    window = window[cut + 1 :] if cut >= 0 else window
    window = window + " " if not window.endswith(" ") else window
    found = NEGATOR.search(window)
    if found is None:
        return False
    return _NEGATION_EXCUSED.match(window, found.start()) is None


CORRECTION = re.compile(
    r"(?<![a-z])(?:actually|no wait|wait|instead|rather|i mean|scratch that|make that|on second thought|"
    r"correction|sorry|change (?:it|that) to|switch (?:it )?to|but)(?![a-z])"
)


def corrected_between(norm: str, start: int, end: int) -> bool:
    """True when a correction marker ('actually', 'no wait', 'instead') lies between two offsets."""
    return CORRECTION.search(norm, start, end) is not None


def clause_bounds(norm: str, position: int) -> tuple[int, int]:
    """Start and end offsets of the clause around `position` (between punctuation marks)."""
    start = max(norm.rfind(c, 0, position) for c in ",.;!?") + 1
    ends = [i for i in (norm.find(c, position) for c in ",.;!?") if i >= 0]
    return start, (min(ends) if ends else len(norm))

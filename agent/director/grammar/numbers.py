"""Numbers in messages: word numbers, durations ('8s', 'eight seconds', 'a minute'), frame rates, 'twice as long'."""

from __future__ import annotations

import re
from dataclasses import dataclass

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "a": 1, "an": 1, "a single": 1, "a couple of": 2, "a couple": 2,
    "couple of": 2, "a few": 3, "few": 3, "a dozen": 12, "dozen": 12,
}  # fmt: skip
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_UNIT_WORDS = "|".join(sorted((k for k in _UNITS if " " not in k), key=len, reverse=True))
_TENS_WORDS = "|".join(_TENS)
# A number said in digits or words: "8", "2.5", "eight", "twenty four", "one and a half", "a couple of".
NUMBER = (
    rf"(?:\d+(?:\.\d+)?|(?:{_TENS_WORDS})(?: ?(?:{_UNIT_WORDS}))?|a couple of|a couple|couple of|a single|a few|a dozen"
    rf"|{_UNIT_WORDS})(?: and a half| and an? half| point (?:\d|{_UNIT_WORDS}))?"
)


def word_number(text: str) -> float | None:
    """'eight' -> 8, 'twenty four' -> 24, '2.5' -> 2.5, 'one and a half' -> 1.5; None if not a number."""
    text = " ".join(text.lower().replace("-", " ").split())
    half = 0.0
    for suffix in (" and a half", " and an half", " and half"):
        if text.endswith(suffix):
            text, half = text.removesuffix(suffix), 0.5
    if " point " in text:
        whole, _, frac = text.partition(" point ")
        whole_value, frac_value = word_number(whole), word_number(frac)
        if whole_value is None or frac_value is None:
            return None
        return whole_value + float(f"0.{int(frac_value)}")
    try:
        return float(text) + half
    except ValueError:
        pass
    if text in _UNITS:
        return _UNITS[text] + half
    parts = text.split()
    if parts and parts[0] in _TENS:
        rest = " ".join(parts[1:])
        if not rest:
            return _TENS[parts[0]] + half
        if rest in _UNITS and _UNITS[rest] < 10:
            return _TENS[parts[0]] + _UNITS[rest] + half
    return None


_SECONDS = r"(?:seconds?|secs?|sec\.|s|\"|''|second long)"
_MINUTES = r"(?:minutes?|mins?|m|')"
_DURATION = re.compile(
    rf"(?<![a-z0-9.])(?:(?P<half_minute>half a minute|half minute)|(?P<half_second>half a second)"
    rf"|(?P<m>{NUMBER}) ?{_MINUTES}(?: ?(?:and )?(?P<ms>{NUMBER}) ?{_SECONDS})?"
    rf"|(?P<s>{NUMBER}) ?{_SECONDS}(?: long)?)(?![a-z0-9])"
)
_DECADE_AFTER = re.compile(
    r"\s+(?:style|look|aesthetic|vibe|vibes|era|fashion|music|diner|car|cars|movie|movies|film|films|tv|sitcom|"
    r"television|decor|design|kid|kids|man|woman|couple|noir|disco|punk|rock|hip hop|vhs|vintage|retro|suburbia|"
    r"america|japan|london|new york|tokyo|paris|hair|clothes|outfit|poster|commercial|anime|cartoon|video game)\b"
)
_DECADE_BEFORE = re.compile(r"(?:the|'|in the|early|late|mid|from the|of the|her|his|their)\s*$")

_FPS = re.compile(
    rf"(?<![a-z0-9.])(?:(?P<n>{NUMBER}) ?(?:fps|frames? (?:per|a|each|every) second|frames?/s|frames? per sec|fp s"
    rf"|p(?= |$|,|\.))"
    rf"|(?:frame ?rate|fps)(?: of| to| at| =|:)? (?P<n2>\d+(?:\.\d+)?)"
    rf"|(?:at|@) (?P<n4>24|25|30|48|50|60)(?= ?(?:$|[,.;!?])))(?![a-z0-9])"
)

_RELATIVE = re.compile(
    r"(?<![a-z0-9])(?:(?P<twice>twice as long|twice the (?:length|duration)|double (?:the )?(?:length|duration|it)"
    r"|(?:double|twice) as long|2 ?x (?:longer|as long|the length)|two times (?:as long|longer))"
    r"|(?P<thrice>three times (?:as long|longer|the length)|triple (?:the )?(?:length|duration|it)|3 ?x (?:longer"
    r"|as long))"
    r"|(?P<half>half (?:as long|the length|the duration|of that)|halve (?:it|the length|the duration)|2 ?x shorter"
    r"|half that)"
    r"|(?P<plus>(?:add|plus|extend (?:it |the shot )?by|another|(?:an )?extra|\+) ?"
    rf"(?P<pn>{NUMBER}) ?(?:more )?(?:seconds?|secs?|s)(?: more| extra| longer)?)"
    rf"|(?P<plus2>(?P<pn2>{NUMBER}) ?(?:seconds?|secs?|s) (?:longer|more))"
    r"|(?P<minus>(?:cut|trim|remove|drop|shave|take off|minus|shorten (?:it )?by|-) ?"
    rf"(?P<mn>{NUMBER}) ?(?:seconds?|secs?|s)(?: off)?)"
    rf"|(?P<minus2>(?P<mn2>{NUMBER}) ?(?:seconds?|secs?|s) (?:shorter|less))"
    r"|(?P<longer>(?:a (?:bit|little|touch) |slightly |much |way |a lot )?longer|lengthen(?: it)?|extend(?: it)?)"
    r"|(?P<shorter>(?:a (?:bit|little|touch) |slightly |much |way |a lot )?shorter|shorten(?: it)?|(?:make it "
    r"|a )?quicker cut))"
    r"(?![a-z0-9])"
)


@dataclass(frozen=True)
class NumberMatch:
    value: float
    start: int
    end: int
    relative: str | None = None  # "times", "plus" or None for an absolute value


def find_duration(norm: str) -> list[NumberMatch]:
    """Every absolute duration said, in seconds ('8s', '8 sec', 'eight seconds', '1m30s', 'a minute')."""
    found: list[NumberMatch] = []
    for hit in _DURATION.finditer(norm):
        if hit.group("half_minute"):
            found.append(NumberMatch(30.0, *hit.span()))
            continue
        if hit.group("half_second"):
            found.append(NumberMatch(0.5, *hit.span()))
            continue
        if hit.group("m"):
            unit = norm[hit.start("m") + len(hit.group("m")) :].lstrip()
            if unit.startswith(("m", "'")) and not unit.startswith("min") and not hit.group("ms"):
                continue  # '10m' is ten metres unless seconds follow ('1m30s')
            minutes = word_number(hit.group("m"))
            seconds = word_number(hit.group("ms")) if hit.group("ms") else 0.0
            if minutes is None or seconds is None:
                continue
            found.append(NumberMatch(minutes * 60 + seconds, *hit.span()))
            continue
        said = hit.group("s")
        value = word_number(said)
        if value is None or said in {"a", "an", "a single"}:
            continue  # 'wait a second', 'a second shot'
        unit = hit.group(0)[len(said) :].strip()
        if unit in {"s", '"', "''"}:
            if not said[0].isdigit():
                continue
            if (
                value >= 20
                and value % 10 == 0
                and (
                    _DECADE_AFTER.match(norm, hit.end())
                    or _DECADE_BEFORE.search(norm[max(0, hit.start() - 12) : hit.start()])
                )
            ):
                continue
        found.append(NumberMatch(value, *hit.span()))
    return found


def find_fps(norm: str) -> list[NumberMatch]:
    """Every frame rate said ('30fps', '24 frames per second', 'frame rate 12', '24p')."""
    found: list[NumberMatch] = []
    for hit in _FPS.finditer(norm):
        said = next(g for g in (hit.group("n"), hit.group("n2"), hit.group("n4")) if g)
        if hit.group("n") and hit.group(0).rstrip().endswith("p") and not said.isdigit():
            continue
        value = word_number(said)
        if value is not None:
            found.append(NumberMatch(value, *hit.span()))
    return found


def find_relative_duration(norm: str) -> NumberMatch | None:
    """'twice as long' (x2), 'half as long' (x0.5), '2 seconds longer' (+2), 'longer' (x1.5), 'shorter' (x0.67)."""
    for hit in _RELATIVE.finditer(norm):
        kind = next(k for k in ("twice", "thrice", "half", "plus", "plus2", "minus", "minus2", "longer", "shorter")
                    if hit.group(k))  # fmt: skip
        if kind == "twice":
            return NumberMatch(2.0, *hit.span(), relative="times")
        if kind == "thrice":
            return NumberMatch(3.0, *hit.span(), relative="times")
        if kind == "half":
            return NumberMatch(0.5, *hit.span(), relative="times")
        if kind in {"plus", "plus2", "minus", "minus2"}:
            amount = word_number(hit.group({"plus": "pn", "plus2": "pn2", "minus": "mn", "minus2": "mn2"}[kind]))
            if amount is None:
                continue
            return NumberMatch(amount if kind.startswith("plus") else -amount, *hit.span(), relative="plus")
        if kind == "longer":
            return NumberMatch(1.5, *hit.span(), relative="times")
        return NumberMatch(2 / 3, *hit.span(), relative="times")
    return None

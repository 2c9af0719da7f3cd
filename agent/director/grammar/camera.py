"""Reading camera moves and camera speed from a message: the 19 moves and their common synonyms."""

from __future__ import annotations

import re
from dataclasses import dataclass

from agent.director.grammar.text import Match, clause_bounds, corrected_between, negated_before, phrase

# Directions, looked for just after (or just before) a move word that needs one.
_DIRECTION = re.compile(
    r"(?<![a-z])(?:from (?:the )?(?P<from>left|right|top|bottom|above|below|the ground|the sky) to (?:the )?"
    r"(?P<to>left|right|top|bottom|sky|ground|floor|above|below)"
    r"|(?P<ccw>counter clockwise|counterclockwise|anti clockwise|anticlockwise|counter clock wise)"
    r"|(?P<cw>clockwise|clock wise)"
    r"|(?P<left>left|leftward|leftwards|to the left|port)"
    r"|(?P<right>right|rightward|rightwards|to the right|starboard)"
    r"|(?P<up>up|upward|upwards|skyward|skywards|towards? the sky|to the sky|higher|overhead|upward)"
    r"|(?P<down>down|downward|downwards|to the ground|towards? the (?:ground|floor)|lower))(?![a-z])"
)
_TO = {"sky": "up", "ground": "down", "floor": "down", "above": "up", "below": "down", "top": "up", "bottom": "down"}

_CAMERA_CONTEXT = re.compile(r"(?<![a-z])(?:camera|cam|we|shot|lens|drone|view|viewer|it|pov)\s+(?:\w+\s+){0,2}$")
_CLAUSE_START = re.compile(
    r"(?:^|[,.;:!?]|\b(?:and|then|now|actually|wait|please|just|also|make (?:the camera|it)|let's|lets))\s*"
    r"(?:(?:slowly|gently|quickly|smoothly|steadily|rapidly|fast|slow)\s+)?$"
)
_SAYS_CAMERA = re.compile(r"(?<![a-z])(?:camera|cam|we|drone|shot|move|movement)(?![a-z])")
_DETERMINER_AFTER = re.compile(r"\s+(?:a|an|the|his|her|their|its|my|our|your|some)\s")

SLOW_WORDS = (
    r"slow|slowly|slowed|gentle|gently|subtle|subtly|gradual|gradually|leisurely|creeping|creep|lazy|lazily|languid|"
    r"unhurried|measured|calm|calmly|glacial|very slow|super slow|slow moving|slow paced"
)
FAST_WORDS = (
    r"fast|quick|quickly|rapid|rapidly|swift|swiftly|speedy|brisk|briskly|sudden|suddenly|whip|swish|crash|snap|"
    r"energetic|aggressive|aggressively|frantic|hurried|very fast|super fast|fast moving|fast paced|racing"
)
MEDIUM_WORDS = r"medium speed|medium paced|moderate|moderately|steady pace|normal speed|regular speed|medium pace"
_SPEED_WORD = re.compile(
    rf"(?<![a-z])(?:(?P<slow>{SLOW_WORDS})|(?P<fast>{FAST_WORDS})|(?P<medium>{MEDIUM_WORDS}))(?![a-z])"
)
_CAMERA_WORD = re.compile(
    r"(?<![a-z])(?:camera|cam|camera move|movement|pan|pans|panning|tilt|tilts|zoom|zooms|dolly|push|pushes|orbit"
    r"|orbits|"
    r"tracking|crane)(?![a-z])"
)
_NOT_SPEED_AFTER = re.compile(r"\s*(?:motion|mo|motion|zoom lens)\b")


@dataclass(frozen=True)
class MovePattern:
    pattern: re.Pattern[str]
    family: str  # a move name, or a family that needs a direction: pan, tilt, truck, orbit, crane, pedestal, ...
    speed: str | None = None
    needs_context: bool = False  # only a camera move with camera words around, or said as an order
    needs_direction: bool = False  # only a camera move when a direction follows (truck, crab)
    note: str | None = None  # told to the creator when this pattern is what the message said


def _m(pattern: str, family: str, **kwargs: object) -> MovePattern:
    return MovePattern(phrase(pattern), family, **kwargs)  # type: ignore[arg-type]


# Ordered: earlier patterns win where two overlap.
MOVE_PATTERNS: tuple[MovePattern, ...] = (
    # static
    _m(
        r"(?:no|without(?: any)?|zero|with no) (?:camera )?(?:movement|motion|moves?|panning)"
        r"|(?:don't|dont|do not|never) move the camera|camera (?:doesn't|does not|won't|will not|never) moves?"
        r"|(?:keep|hold|leave) the camera (?:still|steady|fixed|static|locked)"
        r"|(?:keep|hold) it (?:still|static|locked off)|stop (?:moving the camera|the camera moving)"
        r"|camera (?:is|stays|remains|stay|remain|should (?:be|stay|remain)|held) (?:completely |perfectly |totally "
        r"|absolutely )?(?:static|still|fixed|stationary|locked off|locked|motionless|steady|unmoving)"
        r"|(?:static|locked off|locked down|fixed|stationary|still|motionless|unmoving|tripod|steady) "
        r"(?:camera|cam|shot|frame|view|angle)|locked off|lock off|(?:on|from) a tripod|static|still frame"
        r"|(?:less|not so|no more) shaky(?: camera| cam)?|steadier(?: camera| cam| shot)?|no (?:camera )?shake"
        r"|stabili[sz]e(?: it| the (?:camera|shot|footage))?",
        "static",
    ),
    # a dolly zoom (push in while zooming out) is not a move previz or the critic knows: the push is kept
    _m(
        r"(?:dolly|dollies|dollying) ?zoom(?:s|ing)?(?: shot| effect| in| out)?|zoom ?dolly"
        r"|vertigo (?:shot|effect|zoom)|contra ?zoom|zolly",
        "dolly_in",
        note="a dolly zoom (pushing in while zooming out) is not one of Dailies' moves yet; chose dolly_in, the push",
    ),
    # handheld
    _m(
        r"hand ?held|shaky ?(?:cam|camera|footage|handheld)|shakycam|camera shake|run and gun|found footage",
        "handheld",
    ),
    # zoom
    _m(r"(?:crash|snap|punch) zoom(?:s|ing)?(?: in(?:to)?)?", "zoom_in", speed="fast"),
    _m(r"zoom(?:s|ing|ed)? (?:in|into|closer|on|toward|towards|onto)", "zoom_in"),
    _m(r"zoom(?:s|ing|ed)? (?:out|back|away|wide|wider)", "zoom_out"),
    _m(r"zoom(?:s|ing|ed)?(?: shot)?", "zoom", needs_context=True),
    # crane / boom / jib and rising or descending drones
    _m(
        r"(?:crane|boom|jib)(?:s|ing|ed)? (?:up|upward|upwards)|(?:rising|ascending) (?:crane|boom|jib)"
        r"|(?:crane|boom|jib) shot (?:rising|rises|ascending|ascends|goes up|going up)",
        "crane_up",
    ),
    _m(
        r"(?:crane|boom|jib)(?:s|ing|ed)? (?:down|downward|downwards)|(?:descending|lowering) (?:crane|boom|jib)"
        r"|(?:crane|boom|jib) shot (?:descending|descends|lowering|lowers|drops|dropping|goes down|going down)",
        "crane_down",
    ),
    _m(
        r"(?:drone|aerial|camera|helicopter)(?: shot| view| camera)? (?:rising|rises|rise|ascending|ascends|ascend"
        r"|climbing|"
        r"climbs|lifting off|lifts off|lifts up|soaring up|soars up|goes up|going up|flies up|flying up|rising up"
        r"|rises up)"
        r"|(?:rising|ascending|climbing) (?:drone|aerial|helicopter|camera)(?: shot)?"
        r"|(?:camera|we) (?:rises|rise|lifts|ascends|ascend|climbs|cranes) (?:up )?(?:above|over|into|to|from|high)",
        "crane_up",
    ),
    _m(
        r"(?:drone|aerial|camera|helicopter)(?: shot| view| camera)? (?:descending|descends|descend|lowering|lowers"
        r"|drops|"
        r"dropping|comes down|coming down|flies down|flying down|sinks|sinking)"
        r"|(?:descending|dropping|lowering) (?:drone|aerial|helicopter|camera)(?: shot)?",
        "crane_down",
    ),
    _m(r"crane(?:s|ing)?(?: shot| move| movement)?|boom shot|jib shot", "crane", needs_context=True),
    # pedestal
    _m(
        r"(?:pedestal|ped)(?:s|ing)? (?:up|upward|upwards)|(?:camera )?(?:rises|raises|lifts|moves|goes|rising|moving)"
        r" (?:straight|vertically) up|(?:camera )?(?:rises|rising|raises) vertically|elevator (?:up|shot)",
        "pedestal_up",
    ),
    _m(
        r"(?:pedestal|ped)(?:s|ing)? (?:down|downward|downwards)|(?:camera )?(?:lowers|drops|moves|goes|sinks|lowering|"
        r"moving) (?:straight|vertically) down|(?:camera )?(?:lowers|lowering|descends|descending) vertically",
        "pedestal_down",
    ),
    _m(r"pedestal(?:s|ing)?(?: shot| move)?", "pedestal", needs_context=True),
    # orbit / arc
    _m(
        r"orbit(?:s|ing|ed)?(?: shot| move| movement| camera)?(?: around| round)?|(?:circle|circles|circling|circled) "
        r"(?:around|round)|arc(?:s|ing)? (?:shot|around|round)|arc shot|360(?: degree| degrees)?(?: shot| orbit| turn| "
        r"spin| rotation| pan| around| view)|(?:revolve|revolves|revolving|rotate|rotates|rotating) around"
        r"|(?:camera|we|drone) (?:circles|circle|circling|orbits|orbit|orbiting|arcs)",
        "orbit",
        needs_context=True,
    ),
    # dolly in / out, push in, pull back
    _m(
        r"(?:dolly|dollies|dollying|track|tracks|tracking|truck|trucks|trucking)(?: shot)? (?:in|forward|forwards"
        r"|closer|"
        r"toward|towards|into|inward)|push(?:es|ing|ed)? (?:in|forward|closer|toward|towards|into)|push in"
        r"|(?:camera|we) (?:moves|move|glides|creeps|drifts|pushes|travels|slides|goes|flies|floats) "
        r"(?:slowly |gently |quickly )?(?:forward|in|closer|toward|towards|into)"
        r"|(?:camera|we) (?:approaches|approach|closes in)|(?:move|moving) (?:in )?closer",
        "dolly_in",
    ),
    _m(
        r"(?:dolly|dollies|dollying|track|tracks|tracking|truck|trucks|trucking)(?: shot)? (?:out|back|backward"
        r"|backwards|"
        r"away|outward)|pull(?:s|ing|ed)? (?:back|out|away)|pullback|pull out"
        r"|(?:camera|we) (?:moves|move|glides|drifts|travels|slides|goes|flies|floats|backs|retreats|recedes) "
        r"(?:slowly |gently |quickly )?(?:back|backward|backwards|away|out)|(?:camera|we) (?:retreats|recedes)",
        "dolly_out",
    ),
    _m(r"dolly(?:ing)?(?: shot| move| movement)?|dollies", "dolly", needs_context=True),
    _m(
        r"(?:moving|moves|move|flying|flies|fly|gliding|glides|glide|drifting|drifts|drift|travelling|traveling) "
        r"(?:slowly |gently |steadily )?forwards?",
        "dolly_in",
        needs_context=True,
    ),
    # truck / crab (sideways)
    _m(
        r"(?:truck|trucks|trucking|crab|crabs|crabbing|dolly|dollies|slide|slides|sliding|track|tracks|tracking|move"
        r"|moves|"
        r"moving|glide|glides|gliding|strafe|strafes)(?: shot)?(?: sideways)? (?:left|right|to the left|to the right)"
        r"|(?:lateral|sideways|side) (?:move|movement|tracking|track|dolly|slide|truck)(?: shot)?",
        "truck",
        needs_direction=True,
    ),
    # tracking / following
    _m(
        r"tracking (?:shot|camera|cam|move|movement)|follow(?:ing)? (?:shot|cam|camera)|chase (?:cam|camera|shot)"
        r"|steadicam(?: shot)?|gimbal (?:shot|move)|walk and talk|leading shot"
        r"|(?:camera|we|cam|drone|shot|lens) (?:follows|follow|following|followed|tracks|track|tracking|chases|chasing|"
        r"trails|trailing|stays with|keeps up with|moves with|moving with|travels with|runs alongside|runs with)",
        "tracking",
    ),
    _m(
        r"(?:follow|follows|track|tracks|trail|trails|chase)(?= (?:the|him|her|them|it|a|an|along|behind|alongside"
        r"|after))",
        "tracking",
        needs_context=True,
    ),
    # tilt
    _m(r"tilt(?:s|ing|ed)?(?: the camera| camera| shot)?", "tilt", needs_context=False),
    _m(
        r"(?:camera|we|lens) (?:looks|look|looking|angles|points|pointing|turns) (?:up|upward|upwards|skyward)",
        "tilt_up",
    ),
    _m(
        r"(?:camera|we|lens) (?:looks|look|looking|angles|points|pointing|turns) (?:down|downward|downwards)",
        "tilt_down",
    ),
    # pan
    _m(r"(?:whip|swish|flash) pan(?:s|ning|ned)?", "pan", speed="fast"),
    _m(
        r"pan(?:s|ning|ned)?(?: shot| the camera| camera| across| over| along)?"
        r"|(?:camera|we|view) (?:turns|turn|swings|swing|sweeps|sweep|rotates|rotate|swivels|swivel)",
        "pan",
    ),
)

# What a move word is NOT when these words stand next to it.
_NOT_A_MOVE_BEFORE = {
    "pan": re.compile(
        r"(?<![a-z])(?:frying|peter|sauce|saute|baking|cake|sheet|dust|flat|salt|roasting|cooking|hot|metal|iron|"
        r"a|the|his|her|their|my|this|that|wok|stir|copper|gold|bread|brain)\s+$"
    ),
    "tilt": re.compile(r"(?<![a-z])(?:dutch|head|slight|canted)\s+$"),
    "orbit": re.compile(r"(?<![a-z])(?:into|in|to|the|an|earth|low|its|their|geostationary)\s+$"),
    "tracking": re.compile(
        r"(?<![a-z])(?:the|a|its|their|muddy|tyre|tire|animal|deer|train|railway|railroad|race|dirt|muddy)\s+$"
    ),
    "truck": re.compile(
        r"(?<![a-z])(?:the|a|red|blue|white|black|big|old|delivery|fire|pickup|food|his|her|their)\s+$"
    ),
    "crane": re.compile(r"(?<![a-z])(?:a|the|white|grey|gray|red crowned|paper|origami|construction)\s+$"),
}
_NOT_A_MOVE_AFTER = {
    "pan": re.compile(r"\s+(?:of|with|on the stove|full)\b"),
    "tilt": re.compile(r"\s+(?:shift|his|her|their|its|head)\b"),
    "zoom": re.compile(r"\s+(?:call|meeting|lens)\b"),
}


@dataclass(frozen=True)
class CameraReading:
    movement: Match | None
    speed: Match | None
    notes: tuple[str, ...] = ()
    spans: tuple[Match, ...] = ()


def _direction(norm: str, start: int, end: int, family: str) -> tuple[str, int] | None:
    """The direction word that goes with a move word, looked for in the next few words of the same clause."""
    clause_start, clause_end = clause_bounds(norm, start)
    word_end = re.match(r"[a-z]+", norm[start:])
    begin = start + (word_end.end() if word_end else 0)  # "truck left": the direction may be inside the phrase
    after = norm[begin : min(clause_end, end + 40)]
    for found in _DIRECTION.finditer(after):
        if len(after[: found.start()].split()) > 4:
            break
        kind = next(k for k, v in found.groupdict().items() if v)
        if kind == "from":
            destination = found.group("to")
            return _TO.get(destination, destination), max(end, begin + found.end())
        if kind in {"left", "right", "up", "down", "cw", "ccw"}:
            if family == "truck" and kind in {"up", "down"}:
                continue
            if family in {"tilt", "crane", "pedestal"} and kind in {"left", "right", "cw", "ccw"}:
                continue
            tail = re.match(r"\s+(?:direction|side|way)\b", after[found.end() :])
            return kind, max(end, begin + found.end() + (tail.end() if tail else 0))
    before = norm[max(clause_start, start - 14) : start]
    found = re.search(r"(?<![a-z])(left|right|upward|downward)\s+$", before)
    if found:
        word = found.group(1)
        return ({"upward": "up", "downward": "down"}[word] if "ward" in word else word), end
    return None


_RESOLVE = {
    ("pan", "left"): "pan_left",
    ("pan", "right"): "pan_right",
    ("pan", "cw"): "pan_right",
    ("pan", "ccw"): "pan_left",
    ("pan", "up"): "tilt_up",  # "pan up" is what many people call a tilt
    ("pan", "down"): "tilt_down",
    ("truck", "left"): "truck_left",
    ("truck", "right"): "truck_right",
    ("tilt", "up"): "tilt_up",
    ("tilt", "down"): "tilt_down",
    ("orbit", "left"): "orbit_left",
    ("orbit", "right"): "orbit_right",
    ("orbit", "cw"): "orbit_left",
    ("orbit", "ccw"): "orbit_right",
    ("crane", "up"): "crane_up",
    ("crane", "down"): "crane_down",
    ("pedestal", "up"): "pedestal_up",
    ("pedestal", "down"): "pedestal_down",
    ("zoom", "in"): "zoom_in",
    ("dolly", "in"): "dolly_in",
    ("dolly", "left"): "truck_left",  # "dolly left": a dolly moved sideways on its track is a truck
    ("dolly", "right"): "truck_right",
}
_DEFAULT = {"pan": "pan_right", "truck": "truck_right", "tilt": "tilt_up", "orbit": "orbit_right"}
_DEFAULT |= {"crane": "crane_up", "pedestal": "pedestal_up", "zoom": "zoom_in", "dolly": "dolly_in"}
_DIRECTIONAL = {"pan", "truck", "tilt", "orbit", "crane", "pedestal"}


def _in_camera_context(norm: str, start: int) -> bool:
    before = norm[max(0, start - 40) : start]
    return bool(_CAMERA_CONTEXT.search(before) or _CLAUSE_START.search(before))


def find_moves(norm: str, base_move: str | None = None) -> tuple[list[Match], list[str]]:
    """Every camera move named in the message, in order, with notes on directions that were assumed."""
    found: list[Match] = []
    notes: list[str] = []
    for move in MOVE_PATTERNS:
        for hit in move.pattern.finditer(norm):
            start, end = hit.span()
            if any(m.start < end and start < m.end for m in found):
                continue
            family = move.family
            said = hit.group(0)
            word = next(
                (
                    w
                    for w in _NOT_A_MOVE_BEFORE
                    if said.startswith(w[:4])
                    and (said.split()[0] in {"track", "tracks"} if w == "tracking" else family == w or w == "truck")
                ),
                None,
            )
            if word and _NOT_A_MOVE_BEFORE[word].search(norm[max(0, start - 24) : start]):
                continue
            word = next((w for w in _NOT_A_MOVE_AFTER if said.startswith(w)), None)
            if word and _NOT_A_MOVE_AFTER[word].match(norm, end):
                continue
            if family == "dolly_out" and hit.group(0).startswith("pull") and _DETERMINER_AFTER.match(norm, end):
                continue
            if (
                move.needs_context
                and not _SAYS_CAMERA.search(said)
                and not _in_camera_context(norm, start)
                and not negated_before(norm, start)
            ):
                continue
            value = family
            if family in _DIRECTIONAL or family in {"zoom", "dolly"}:
                said_direction = _direction(norm, start, end, family)
                if said_direction is None and move.needs_direction:
                    continue
                direction, end = said_direction if said_direction else ("", end)
                value = _RESOLVE.get((family, direction))
                if value is None:
                    base_family = (base_move or "").split("_")[0]
                    if base_move and base_family == family:
                        value = base_move
                    else:
                        value = _DEFAULT[family]
                        notes.append(f"no direction given for '{hit.group(0).strip()}'; chose {value}")
            found.append(Match("camera_movement", value, start, end, negated=negated_before(norm, start)))
            if move.note and not found[-1].negated:
                notes.append(move.note)
    found.sort(key=lambda m: m.start)
    return found, notes


def choose(norm: str, matches: list[Match]) -> Match | None:
    """The one value meant: the first one said, unless a later one corrects it ('actually', 'no wait')."""
    live = [m for m in matches if not m.negated]
    if not live:
        return None
    chosen = live[0]
    for later in live[1:]:
        if later.value != chosen.value and corrected_between(norm, chosen.start, later.start + 1):
            chosen = later
    return chosen


def find_speed(norm: str, move: Match | None, move_speed: str | None) -> Match | None:
    """A speed word next to the camera move ('slow push in', 'pans left quickly'), or a stated camera speed."""
    if move_speed and move is not None:
        return Match("camera_speed", move_speed, move.start, move.start)
    candidates: list[Match] = []
    for hit in _SPEED_WORD.finditer(norm):
        if _NOT_SPEED_AFTER.match(norm, hit.end()):
            continue
        value = next(k for k, v in hit.groupdict().items() if v)
        start, end = hit.span()
        near_move = False
        if move is not None:
            clause_start, clause_end = clause_bounds(norm, move.start)
            between = norm[end : move.start] if end <= move.start else norm[move.end : start]
            near_move = clause_start <= start <= clause_end + 1 and len(between.split()) <= 3
            own_start, own_end = clause_bounds(norm, start)
            if not near_move and start > move.end and len(norm[own_start:own_end].split()) <= 2:
                near_move = len(between.split()) <= 8  # "tilt up to the sky, slowly"
        clause_start, clause_end = clause_bounds(norm, start)
        camera_word = _CAMERA_WORD.search(norm[max(clause_start, start - 25) : min(clause_end, end + 25)])
        if near_move or camera_word:
            candidates.append(Match("camera_speed", value, start, end, negated=negated_before(norm, start)))
    live = [c for c in candidates if not c.negated]
    return live[0] if live else None


_FLIP = re.compile(
    r"(?<![a-z])(?:(?:the )?other (?:way|direction)|(?:the )?opposite (?:way|direction)|reverse (?:the )?(?:direction"
    r"|move)"
    r"|flip (?:the )?(?:direction|move))(?![a-z])"
)
_OPPOSITE = {"left": "right", "right": "left", "up": "down", "down": "up", "in": "out", "out": "in"}


def _flipped(move: str) -> str | None:
    family, _, direction = move.rpartition("_")
    return f"{family}_{_OPPOSITE[direction]}" if direction in _OPPOSITE else None


def _path_over_handheld(chosen: Match | None, matches: list[Match]) -> Match | None:
    """'handheld tracking shot': the path is the move; handheld is how it is held. A correction still wins."""
    live = [m for m in matches if not m.negated]
    if chosen is None or chosen.value != "handheld" or chosen is not live[0]:
        return chosen
    return next((m for m in live if m.value not in {"handheld", "static"}), chosen)


def read_camera(norm: str, base_move: str | None = None) -> CameraReading:
    """The camera move and speed the message asks for, if it names any."""
    matches, notes = find_moves(norm, base_move)
    flip = _FLIP.search(norm)
    opposite = _flipped(base_move) if flip and base_move else None
    if flip and opposite and (not matches or all(m.value == base_move for m in matches)):
        flipped = Match("camera_movement", opposite, flip.start(), flip.end())
        chosen = choose(norm, [flipped])
        return CameraReading(chosen, find_speed(norm, chosen, None), tuple(notes), (*matches, flipped))
    chosen = _path_over_handheld(choose(norm, matches), matches)
    pattern_speed = None
    if chosen is not None:
        for move in MOVE_PATTERNS:
            hit = move.pattern.match(norm, chosen.start)
            if hit and hit.end() == chosen.end and move.speed:
                pattern_speed = move.speed
                break
        live = {m.value for m in matches if not m.negated}
        if len(live) > 1:
            dropped = ", ".join(sorted(str(v) for v in live - {chosen.value}))
            notes.append(f"one camera move per shot: kept {chosen.value}, dropped {dropped}")
    speed = find_speed(norm, chosen, pattern_speed)
    if chosen is not None and chosen.value == "static":
        speed = None
    return CameraReading(movement=chosen, speed=speed, notes=tuple(notes), spans=tuple(matches))

"""The subject performs its action: walks, runs, spins, rises, jumps, flutters, sways, or steams, from the shot's words.

A performance is a pose of the subject's sprite at each instant, in the world: how far it has moved (metres,
sideways and up), and how much its sprite is scaled across (a spin turns it edge-on and round) and down (a
flutter flaps it), plus an emitter of puffs (steam, smoke) over its top. A locked-off take then still has a
subject that moves, as a real take would.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

# Action -> the words that ask for it (matched as word starts: "walk" matches "walks", "walking").
ACTION_WORDS: dict[str, tuple[str, ...]] = {
    "steam": ("steam", "smok", "smoulder", "smolder", "boil", "bubbl", "burn", "fum", "simmer", "brew", "vapor"),
    "spin": ("spin", "twirl", "pirouette", "whirl", "rotat", "turns around", "swirl"),
    "rise": ("rise", "rises", "rising", "stands up", "gets up", "stand up", "levitat", "ascend", "lifts", "emerg"),
    "sink": ("sits", "sit down", "kneel", "bows", "crouch", "descend", "sinks", "lies down", "falls"),
    "jump": ("jump", "leap", "hop", "bounc", "skip"),
    "flutter": ("flutter", "flap", "fly", "flies", "flying", "hover", "soar", "glid", "float", "swim", "drift"),
    "run": ("run", "jog", "sprint", "dash", "race", "trot", "gallop", "chase", "flee", "rush", "charg"),
    "walk": ("walk", "stroll", "wander", "march", "hike", "step", "pace", "strid", "limp", "patrol", "cross"),
    "ride": ("drive", "driv", "ride", "rides", "riding", "cycl", "skate", "roll", "sail", "leav", "depart", "arriv"),
    # Acting in place, which previz has no gesture for: a sway.
    "sway": (
        "sway",
        "danc",
        "wave",
        "waving",
        "gestur",
        "talk",
        "sing",
        "play",
        "fight",
        "toss",
        "cook",
        "stir",
        "sweep",
    ),
}
# Actions that are holding still: a subject that "stands" or "waits" breathes; any other action previz has no
# gesture for is acted as a sway (`acted_action`).
STILL_WORDS = ("stand", "wait", "rest", "sleep", "lie", "lies", "lying", "pose", "posing", "watch", "look", "stare")
STILL_WORDS += ("gaze", "think", "meditat", "listen", "hold", "perch", "read", "sit", "guard", "silhouett")
# Gait: (speed m/s, step frequency Hz, bob as a share of the subject's height). Vehicles and riders glide.
GAITS: dict[str, tuple[float, float, float]] = {
    "walk": (1.4, 1.6, 0.02),
    "run": (4.0, 2.6, 0.03),
    "ride": (6.0, 1.2, 0.005),
}
# A body surges forward and back in its stride, a quarter step out of phase with its bob (this share of its
# height): it never stops dead at the top or bottom of a bob (a gallop the camera tracks read as a frozen frame).
STRIDE_SURGE = 0.01
MAX_TRAVEL_OF_FRAME = 0.4  # a mover crosses at most 40 % of the frame's width at its distance over the shot ...
# ... and at most this share of it per second: over a 1.5 s shot 40 % was 0.27 frame/s, faster than a fast pan,
# and the critic read the walker's slide as the camera's (a locked-off close-up of a car read pan_left).
MAX_TRAVEL_RATE_OF_FRAME = 0.06
IDLE_BOB = (0.35, 0.006)  # breathing: Hz, share of the height
SWAY = (0.6, 0.05)  # acting in place (dancing, talking, cooking): a sway, Hz and share of the height
SPIN_HZ = 0.7  # turns per second
SPIN_NARROWEST = 0.4  # a spinning body seen edge-on keeps this share of its width
SPIN_DRIFT_OF_HEIGHT = 0.06  # ... and sways this share of its height sideways, a quarter turn out of step
RISE_OF_HEIGHT = 0.35  # how far a rising subject lifts over the shot; a sinking one lowers half of it
JUMP = (1.4, 0.22)  # hops per second, height of a hop as a share of the subject's height
FLUTTER = (1.1, 0.08, 5.0, 0.25)  # bob Hz, bob share of height, wing beats per second, how far the beat squashes
STEAM_RISE_OF_HEIGHT = 0.3  # puffs rise this share of the subject's height per second ...
STEAM_LIFE_S = 2.4  # ... for this long, growing and fading


@dataclass(frozen=True)
class Pose:
    """Where the sprite is relative to its place, in metres, and how it is scaled about its middle column and centre."""

    dx: float = 0.0
    dy: float = 0.0
    across: float = 1.0  # horizontal scale; negative mirrors it (a turn seen from behind)
    down: float = 1.0  # vertical scale


def _words_in(text: str, words: tuple[str, ...]) -> bool:
    return any(re.search(r"(?<![a-z])" + re.escape(w), text) for w in words)


def action_of(text: str | None) -> str:
    """The action a shot's words ask of its subject, or "idle" (none asked, or one previz does not know: it breathes).

    A subject with no action named keeps still but for breathing: a lighthouse does not sway. (The compositor
    has a subject whose spec names an action previz does not know sway rather than idle: the action is acted.)
    """
    words = (text or "").lower()
    for action, cues in ACTION_WORDS.items():
        if _words_in(words, cues):
            return action
    return "idle"


def acted_action(action_words: str | None, named: bool, alive: bool = True) -> str:
    """The action previz performs: `action_of` the words, and a sway for an action the spec names (`named`) that
    previz has no gesture for ("howls", "making a snowman"), unless it is holding still ("stands", "waits") or
    the subject is drawn as a thing, not a body (`alive` false: "waves crash" on a placard swayed the frame)."""
    action = action_of(action_words)
    if action == "idle" and named and alive and not _words_in((action_words or "").lower(), STILL_WORDS):
        return "sway"
    return action


@dataclass(frozen=True)
class Performance:
    """A subject `height` m tall playing an action over a `duration` s shot, in a frame `frame_width` m wide there.

    `frame_height` (metres at the subject, 0 when unknown) calms the acting in close shots: a close-up frames a
    part of the subject, and its bob, sway or flap moves that part within the frame as the whole body would
    move within a medium shot. Acted out at full size, a butterfly filling a close-up flapped the whole frame,
    which reads as a handheld camera and as flicker. Travel across the world is not calmed.
    """

    action: str
    height: float
    duration: float
    frame_width: float
    travels_with_camera: bool = False  # a tracking shot: the camera already carries the subject along
    frame_height: float = 0.0

    @property
    def reach(self) -> float:
        """The share of its height the subject acts with: 1 when the frame holds all of it, less in close shots."""
        if self.frame_height <= 0 or self.height <= 0:
            return 1.0
        return min(1.0, self.frame_height / self.height)

    @property
    def speed(self) -> float:
        """How fast the subject crosses the world, m/s (0 when it does not travel)."""
        if self.action not in GAITS or self.travels_with_camera:
            return 0.0
        natural = GAITS[self.action][0]
        per_shot = MAX_TRAVEL_OF_FRAME * self.frame_width / max(self.duration, 1e-6)
        return min(natural, per_shot, MAX_TRAVEL_RATE_OF_FRAME * self.frame_width)

    def pose(self, t: float) -> Pose:
        """The pose at `t` seconds into the shot (the subject is where the framing put it mid-shot)."""
        h, action, reach = self.height * self.reach, self.action, self.reach
        if action in GAITS:
            _, hz, bob = GAITS[action]
            # sin², not |sin|: a body's rise and fall is smooth (a kink at each footfall would read as flicker).
            speed = self.speed
            # A walker crossing the frame never surges back against its own travel (it would stop dead).
            surge_m = STRIDE_SURGE * h if speed == 0 else min(STRIDE_SURGE * h, 0.5 * speed / (2 * math.pi * hz))
            surge = surge_m * math.sin(2 * math.pi * hz * t)
            return Pose(dx=speed * (t - self.duration / 2) + surge, dy=bob * h * math.sin(math.pi * hz * t) ** 2)
        if action == "spin":
            # A body turning stays a body edge-on (a flat sprite would vanish: a blurred, empty frame), and
            # it drifts round as it turns, so no instant of the turn stands still.
            turn = math.cos(2 * math.pi * SPIN_HZ * t)
            across = math.copysign(SPIN_NARROWEST + (1 - SPIN_NARROWEST) * abs(turn), turn)
            drift = SPIN_DRIFT_OF_HEIGHT * h * math.sin(2 * math.pi * SPIN_HZ * t)
            return Pose(dx=drift, across=across, dy=IDLE_BOB[1] * h)
        if action in {"rise", "sink"}:
            ease = 0.5 - 0.5 * math.cos(math.pi * min(1.0, max(0.0, t / max(self.duration, 1e-6))))
            lift = RISE_OF_HEIGHT * h * ease
            return Pose(dy=lift if action == "rise" else -lift / 2)
        if action == "jump":
            hz, share = JUMP
            return Pose(dy=share * h * abs(math.sin(math.pi * hz * t)))
        if action == "flutter":
            hz, share, beats, squash = FLUTTER
            return Pose(
                dx=0.1 * h * math.sin(2 * math.pi * hz * 0.5 * t),
                dy=share * h * math.sin(2 * math.pi * hz * t),
                down=1.0 - squash * reach * (0.5 + 0.5 * math.sin(2 * math.pi * beats * t)),
            )
        if action == "sway":
            hz, share = SWAY
            return Pose(
                dx=share * h * math.sin(2 * math.pi * hz * t), dy=IDLE_BOB[1] * h * abs(math.sin(math.pi * hz * t))
            )
        hz, share = IDLE_BOB
        return Pose(dy=share * h * abs(math.sin(math.pi * hz * t)))

    @property
    def steams(self) -> bool:
        return self.action == "steam"

"""Words to pictures: sky palettes by time of day, colour words, setting and subject kinds, style looks."""

from __future__ import annotations

import re
from dataclasses import dataclass

RGB = tuple[int, int, int]


@dataclass(frozen=True)
class SkyPalette:
    """Colours and light of one time of day."""

    zenith: RGB
    horizon: RGB
    sun: RGB
    sun_elevation: float  # radians; below 0 the sun is set
    light: float  # overall brightness of lit things
    tint: RGB  # multiplied into every surface
    stars: bool = False
    moon: bool = False


SKIES: dict[str, SkyPalette] = {
    "dawn": SkyPalette((70, 85, 150), (250, 175, 150), (255, 214, 170), 0.05, 0.72, (255, 220, 215)),
    "morning": SkyPalette((95, 150, 225), (205, 226, 245), (255, 246, 220), 0.32, 0.95, (250, 250, 245)),
    "day": SkyPalette((55, 115, 215), (180, 212, 240), (255, 255, 235), 0.95, 1.0, (255, 255, 255)),
    "golden_hour": SkyPalette((85, 110, 180), (255, 185, 105), (255, 190, 90), 0.09, 0.85, (255, 215, 170)),
    "dusk": SkyPalette((35, 38, 88), (220, 110, 95), (255, 150, 110), -0.03, 0.55, (215, 175, 200)),
    "night": SkyPalette((6, 9, 28), (28, 34, 70), (235, 235, 255), 0.45, 0.32, (150, 170, 230), True, True),
}

COLOUR_WORDS: dict[str, RGB] = {
    "red": (200, 50, 35),
    "orange": (230, 120, 30),
    "yellow": (235, 200, 40),
    "gold": (220, 170, 50),
    "green": (60, 150, 60),
    "blue": (45, 90, 200),
    "purple": (130, 60, 170),
    "pink": (235, 120, 170),
    "white": (235, 235, 235),
    "black": (30, 30, 34),
    "grey": (128, 128, 128),
    "gray": (128, 128, 128),
    "brown": (120, 75, 40),
    "silver": (190, 195, 205),
}

SETTING_WORDS: dict[str, tuple[str, ...]] = {
    "city": ("city", "street", "urban", "downtown", "alley", "rooftop", "skyline", "town", "neon", "cyberpunk"),
    "desert": ("desert", "dune", "sand", "canyon", "mesa"),
    "sea": ("sea", "ocean", "beach", "coast", "shore", "lake", "harbor", "harbour", "island"),
    "snow": ("snow", "winter", "arctic", "glacier", "ice", "tundra", "frozen"),
    "forest": ("forest", "wood", "jungle", "grove", "birch", "pine", "tree"),
}

PERSON_WORDS = (
    "man",
    "woman",
    "person",
    "girl",
    "boy",
    "child",
    "kid",
    "detective",
    "astronaut",
    "knight",
    "soldier",
    "dancer",
    "runner",
    "chef",
    "king",
    "queen",
    "robot",
    "wizard",
    "witch",
    "pilot",
    "samurai",
    "she",
    "he",
    "people",
    "hiker",
    "skater",
    "singer",
    "cowboy",
    "ninja",
    "princess",
    "warrior",
    "traveler",
    "traveller",
    "skateboarder",
    "surfer",
    "cyclist",
    "biker",
    "swimmer",
    "climber",
    "skier",
    "snowboarder",
    "gymnast",
    "ballerina",
    "musician",
    "guitarist",
    "violinist",
    "drummer",
    "fisherman",
    "farmer",
    "monk",
    "priest",
    "nurse",
    "doctor",
    "student",
    "teacher",
    "explorer",
    "sailor",
    "pirate",
    "viking",
    "archer",
    "boxer",
    "couple",
    "bride",
    "groom",
    "grandmother",
    "grandfather",
    "mother",
    "father",
    "baby",
    "toddler",
    "businessman",
    "police",
    "firefighter",
)
ANIMAL_WORDS = (
    "fox",
    "dog",
    "cat",
    "wolf",
    "horse",
    "deer",
    "bear",
    "rabbit",
    "lion",
    "tiger",
    "cow",
    "sheep",
    "goat",
    "puppy",
    "kitten",
    "elk",
    "moose",
    "squirrel",
    "raccoon",
    "panther",
    "leopard",
    "pig",
)
# Small flyers, drawn with wings: a placard filling a close-up flapped the whole frame (read as a handheld camera).
WINGED_WORDS = (
    "butterfly",
    "butterflies",
    "moth",
    "moths",
    "bee",
    "bees",
    "wasp",
    "dragonfly",
    "dragonflies",
    "hummingbird",
    "ladybug",
)
BIG_ANIMALS = ("horse", "deer", "bear", "elk", "moose", "cow", "lion", "tiger")
VEHICLE_WORDS = ("car", "truck", "van", "bus", "taxi", "jeep", "vehicle", "motorcycle")

# Looks: keyword groups -> flags of the Look.
MONO_WORDS = ("noir", "black and white", "black-and-white", "b&w", "monochrome", "grayscale", "greyscale")
GRAIN_WORDS = ("film", "35mm", "16mm", "8mm", "grain", "vintage", "noir", "retro", "analog", "super 8")
FLAT_WORDS = ("anime", "cartoon", "cel", "flat", "ghibli", "comic", "illustrat", "pixar", "2d")
SEPIA_WORDS = ("sepia", "vintage", "old photo", "antique", "1920s")
NEON_WORDS = ("neon", "cyberpunk", "synthwave", "vaporwave")
VIGNETTE_WORDS = ("cinematic", "film", "noir", "moody", "dark", "vignette", "35mm", "dramatic", "tense")
WARM_WORDS = ("warm", "sunset", "cozy", "candle")
COOL_WORDS = ("cold", "cool", "icy", "blue hour", "melancholy", "sad")


def words_in(text: str, words: tuple[str, ...]) -> bool:
    """True when any of `words` is in `text` as a word start (so 'fox' matches 'foxes', not 'firefox')."""
    return any(re.search(r"(?<![a-z])" + re.escape(w), text) for w in words)


def first_colour(text: str) -> RGB | None:
    """The first colour word in `text`, as RGB."""
    best: tuple[int, RGB] | None = None
    for word, rgb in COLOUR_WORDS.items():
        match = re.search(r"(?<![a-z])" + word + r"(?![a-z])", text)
        if match and (best is None or match.start() < best[0]):
            best = (match.start(), rgb)
    return best[1] if best else None


def setting_kind(text: str) -> str:
    """One of city, desert, sea, snow, forest or field (the default) from free text."""
    for kind, words in SETTING_WORDS.items():
        if words_in(text, words):
            return kind
    return "field"


def subject_kind(text: str) -> str:
    """person, animal, big_animal, winged, vehicle or placard (anything else) from the subject's words."""
    if re.search(r"(?<![a-z])(" + "|".join(WINGED_WORDS) + r")(?![a-z])", text):
        return "winged"
    if words_in(text, VEHICLE_WORDS):
        return "vehicle"
    if words_in(text, ANIMAL_WORDS):
        return "big_animal" if words_in(text, BIG_ANIMALS) else "animal"
    if words_in(text, PERSON_WORDS):
        return "person"
    return "placard"


def ascii_text(text: str) -> str:
    """OpenCV's fonts draw ASCII only: replace everything else."""
    return "".join(ch if 32 <= ord(ch) < 127 else "?" for ch in text)

"""The cinematography lexicon: phrases for framing, angle, time of day, aspect, style, light, mood and effects."""

from __future__ import annotations

import re

from agent.director.grammar.text import phrase

Table = tuple[tuple[re.Pattern[str], str], ...]


def _table(*rows: tuple[str, str]) -> Table:
    return tuple((phrase(pattern), value) for pattern, value in rows)


# Ordered: the first row that matches a stretch of text wins it.
SHOT_SIZES: Table = _table(
    (
        r"(?:extreme|very|super|ultra) close ?ups?(?: shot)?|extreme closeups?|macro(?: shot| lens| close ?up| view)?"
        r"|detail shot|insert shot",
        "extreme_close_up",
    ),
    (
        r"medium close ?ups?(?: shot)?|medium closeups?|mid close ?ups?|head and shoulders(?: shot)?|chest shot"
        r"|bust shot",
        "medium_close_up",
    ),
    (
        r"(?:extreme|very|ultra) wide(?: shot| angle| view| framing)?|extreme long shot|establishing shot"
        r"|epic wide(?: shot)?",
        "extreme_wide",
    ),
    (r"medium wide(?: shot)?|medium long shot|cowboy shot|american shot|knee shot|three quarter shot", "medium_wide"),
    (
        r"medium shot|mid shot|midshot|medium framing|waist shot|waist up(?: shot)?|mid range shot|medium close",
        "medium",
    ),
    (r"close ?ups?(?: shot)?|closeups?|tight shot|tight framing|close shot|up close|tightly framed", "close_up"),
    (
        r"wide shot|wide angle(?: shot| lens| view)?|(?<!minute\s)(?<!second\s)(?<!seconds\s)(?<!sec\s)long shot"
        r"|full shot|full body shot|wide framing|wide view"
        r"|wide frame|(?<=make\sit\s)wide|(?<=go\s)wide|(?<=keep\sit\s)wide"
        # "a wide aerial shot of", "a wide establishing shot": the size before the shot's other words
        r"|wide(?= (?:aerial|drone|overhead|high angle|low angle|establishing|tracking|static|cinematic|panoramic"
        r"|landscape|exterior|dolly|crane|pan|orbit)(?: \w+)? shot)"
        r"|(?:(?<=,\s)|(?<=,)|^)wide(?=\s*(?:[,.;]|$))",  # "..., wide, ...": a clause of its own is the size
        "wide",
    ),
)
# Abbreviations, matched case-sensitively in the original text.
SHOT_ABBREVIATIONS: dict[str, str] = {
    "ECU": "extreme_close_up",
    "XCU": "extreme_close_up",
    "BCU": "extreme_close_up",
    "MCU": "medium_close_up",
    "CU": "close_up",
    "MWS": "medium_wide",
    "MLS": "medium_wide",
    "MS": "medium",
    "WS": "wide",
    "LS": "wide",
    "EWS": "extreme_wide",
    "ELS": "extreme_wide",
    "XWS": "extreme_wide",
}
ANGLE_ABBREVIATIONS: dict[str, str] = {"POV": "pov", "OTS": "over_the_shoulder"}
ABBREVIATION = re.compile(
    r"(?<![A-Za-z0-9])(" + "|".join([*SHOT_ABBREVIATIONS, *ANGLE_ABBREVIATIONS]) + r")(?![A-Za-z0-9])"
)

ANGLES: Table = _table(
    (
        r"birds?'?s?'? ?eye(?: view| shot| angle| perspective)?|top ?down(?: view| shot| angle)?|overhead(?: shot"
        r"| view| "
        r"angle)?|(?:from )?directly (?:above|overhead)|straight down|god'?s eye(?: view)?|flat lay",
        "overhead",
    ),
    (
        r"high angle(?: shot| view)?|(?:seen |shot |filmed |viewed |looking )?from above|(?:camera|shot|view"
        r"|lens) looking down (?:on|at)"
        r"|high shot",
        "high_angle",
    ),
    (
        r"low angle(?: shot| view)?|worms?'?s?'? ?eye(?: view| shot| angle| perspective)?|(?:seen |shot |filmed "
        r"|viewed "
        r"|looking )?from (?:below|beneath|the ground)|(?:camera|shot|view|lens) looking up (?:at|to)"
        r"|ground level(?: shot| view)?|low shot",
        "low_angle",
    ),
    (r"(?:at )?eye level(?: shot| view| angle)?|eye height|neutral angle", "eye_level"),
    (
        r"aerial(?: shot| view| footage| drone shot| perspective| photography| video)?|drone (?:shot|view|footage"
        r"|camera|cam|"
        r"perspective|video)|(?:from|by|with) (?:a )?drone|from the air|from (?:a )?helicopter|helicopter shot"
        r"|fly ?over shot",
        "aerial",
    ),
    (
        r"dutch (?:angle|tilt)|canted (?:angle|frame|shot|camera)|tilted (?:frame|horizon|angle|camera)|oblique angle",
        "dutch",
    ),
    (
        r"pov|point of view(?: shot)?|first person(?: view| perspective| pov| shot| camera)?|through (?:his|her|their"
        r"|its|"
        r"the \w+'s|the) eyes|subjective (?:camera|shot)|helmet cam|gopro(?: shot| view)?|body cam",
        "pov",
    ),
    (r"over (?:the|his|her|their|a) shoulder(?: shot| view)?|ots shot", "over_the_shoulder"),
)

TIMES: Table = _table(
    (r"late afternoon|golden hour|magic hour|golden light of (?:the )?(?:evening|afternoon)", "golden_hour"),
    (r"early morning|mid morning|morning|in the am", "morning"),
    (r"dawn|sunrise|sun rise|daybreak|first light|break of day|sunup|crack of dawn|rising sun", "dawn"),
    (r"blue hour|dusk|sunset|sun set|sundown|evening|twilight|nightfall|gloaming|setting sun", "dusk"),
    (
        r"midnight|night ?time|night|nights|moonlight|moonlit|moon lit|under the stars|after dark|starry sky|tonight",
        "night",
    ),
    (
        r"midday|mid day|noon|high noon|day ?time|day ?light|broad daylight|afternoon|during the day|in the day|by day"
        r"|(?<=make\sit\s)day|(?:sunny|bright|clear|hot|summer|winter|spring|autumn|fall|beautiful) day"
        r"|(?<=cloudy\s)day|(?<=overcast\s)day",
        "day",
    ),
)

ASPECTS: Table = _table(
    (
        r"9 ?[:x/] ?16|(?<!1)9 by 16|vertical(?: video| format| frame| framing| aspect| version| clip| crop"
        r"| orientation"
        r"| ratio| shot)?|portrait (?:mode|orientation|format|aspect|video|ratio|frame|version)|(?<=make\sit\s)portrait"
        r"|(?<=in\s)portrait(?!\s+of\b)"
        r"|(?:for|on|as|in) (?:a )?(?:tiktok|tik tok|reels|instagram reels|ig reels|insta reels|shorts|youtube shorts"
        r"|yt shorts|"
        r"stories|instagram stories|insta stories|snapchat|phones?|mobile|smartphones?)|tiktok|tik tok|youtube shorts|"
        r"instagram reels|phone screen",
        "9:16",
    ),
    (
        r"1 ?[:x/] ?1|square(?: format| frame| aspect| video| crop| ratio| version| clip| shot| framing)?"
        r"|(?:for|on) (?:an )?instagram(?: post| feed)?|instagram (?:post|feed)",
        "1:1",
    ),
    (
        r"16 ?[:x/] ?9|16 by 9|wide ?screen|landscape (?:mode|orientation|format|aspect|video|ratio|version)"
        r"|horizontal(?: video| format| frame| orientation| version)?|(?:for|on) youtube",
        "16:9",
    ),
    (
        r"4 ?[:x/] ?3|academy ratio|1\.33(?: ?: ?1)?|1\.37(?: ?: ?1)?|old tv|tv ratio|full ?screen|standard definition",
        "4:3",
    ),
    (
        r"2\.39(?: ?: ?1)?|2\.35(?: ?: ?1)?|2\.4(?:0)? ?: ?1|2\.40|21 ?[:x/] ?9|cinema ?scope|scope|anamorphic"
        r"|ultra ?wide(?: aspect| format| screen| ratio)?|letterbox(?:ed)?|cinematic (?:aspect|ratio|widescreen"
        r"|letterbox|"
        r"bars)|black bars|movie theater ratio",
        "2.39:1",
    ),
)
# "vertical cliff", "the town square", "a portrait of": words after or before that say it is not a frame shape.
ASPECT_NOT_BEFORE = re.compile(
    r"(?:the|a|an|town|city|market|main|village|public|times|red|central|old|this|that|per|each|one)\s+$"
)
ASPECT_OK_AFTER = re.compile(
    r"\s*(?:$|[,.;:!?)]|(?:video|format|frame|framing|aspect|version|clip|shot|crop|orientation|ratio|for|please"
    r"|instead|"
    r"too|and|with|but|then|now|mode|1:1|9:16|16:9|so|like|cut|edit|size|vertical)\b"
    r"|\d+(?:\.\d+)? ?(?:s|secs?|seconds?)\b)"  # "vertical 8 seconds"
)

STYLES: Table = _table(
    (r"film noir|neo noir|noir", "film noir"),
    (r"anime|manga|studio ghibli|ghibli|makoto shinkai", "anime"),
    (r"pixar(?: style)?|disney(?: style)?|3d animat(?:ed|ion)|3d cartoon|cgi|3d render(?:ed)?", "3D animation"),
    (r"2d animat(?:ed|ion)|hand drawn(?: animation)?|cel shaded|cel animation|cartoon(?:ish|y)?|animated", "cartoon"),
    (r"claymation|clay animation|stop motion|stop frame", "stop motion"),
    (
        r"watercolou?r(?: painting)?|oil painting|acrylic painting|gouache|impressionis[tm]|impressionistic|"
        r"van gogh(?: style)?|monet(?: style)?|ukiyo ?e|hokusai|pop art|art deco|art nouveau|baroque|surrealis[tm]|"
        r"surreal|cubis[tm]|renaissance painting",
        "",
    ),
    (r"pixel art|8 ?bit|16 ?bit|low poly|voxel|lego|minecraft style|paper cut ?out|papercraft|origami style", ""),
    (
        r"comic book|comic style|graphic novel|pencil sketch|charcoal(?: drawing)?|ink drawing|line art|sketch(?:ed)?",
        "",
    ),
    (r"cyberpunk|steampunk|solarpunk|dieselpunk|vaporwave|synthwave|retrowave|outrun|dreamcore|liminal", ""),
    (
        r"(?:35|16|70|65|8) ?mm(?: film)?|super ?8|vhs(?: tape| footage)?|camcorder|polaroid|kodachrome|technicolor|"
        r"kodak(?: \w+)?|fujifilm|portra|film stock|shot on film|analog film|celluloid",
        "",
    ),
    (r"black and white|black & white|b ?& ?w|b/w|monochrome|greyscale|grayscale|sepia(?: tone(?:d)?)?|desaturated", ""),
    (
        r"documentary(?: style)?|nature documentary|news footage|home video|music video|commercial|infomercial|"
        r"mockumentary|nat geo|national geographic",
        "",
    ),
    (
        r"photorealistic|photo ?real|hyper ?realistic|hyperreal|ultra realistic|realistic|lifelike|"
        r"unreal engine|octane render|ray traced|4k|8k|hdr",
        "",
    ),
    (
        r"cinematic|filmic|hollywood(?: style)?|blockbuster|epic movie|movie trailer|trailer style|"
        r"wes anderson(?: style)?|tarantino|kubrick|spielberg|nolan|tarkovsky|wong kar ?wai|david lynch|lynchian",
        "",
    ),
    (
        r"retro|vintage|old school|(?:19)?[2-9]0'?s(?= (?:style|look|aesthetic|vibe|vibes|film|movie|sitcom|tv|vhs))"
        r"|(?<=the\s)(?:19)?[2-9]0'?s|minimalis[tm]|minimal|gothic|gritty|dreamy pastel|pastel|neon noir|vintage film",
        "",
    ),
)
# "in the style of X", "X style", "X aesthetic", "shot on X": the user's own words, kept as said.
STYLE_PHRASES = (
    re.compile(
        r"(?<![a-z])in the style of (?:an? |the )?(?P<x>[a-z0-9'& ]{2,40}?)(?=\s*(?:$|[,.;:!?]|\band\b|\bwith\b))"
    ),
    re.compile(
        r"(?<![a-z])(?P<x>(?:[a-z0-9'&]+ ){0,2}[a-z0-9'&]+) (?:style|aesthetic|look|vibe|vibes|inspired|esque)(?![a-z])"
    ),
    re.compile(
        r"(?<![a-z])(?:shot|filmed|captured) on (?P<x>(?:an? )?[a-z0-9'& ]{2,30}?)(?=\s*(?:$|[,.;:!?]|\band\b))"
    ),
    re.compile(
        r"(?<![a-z])(?:looks?|looking) like (?P<x>(?:an? |the )?[a-z0-9'& ]{2,40}?)(?=\s*(?:$|[,.;:!?]|\band\b))"
    ),
)
# Style words that set the look even when they describe a noun ("a cyberpunk city"); others only when said
# of the shot ("make it vintage"), so "a vintage car" stays a car.
STRONG_STYLE = re.compile(
    r"noir|anime|manga|ghibli|cyberpunk|steampunk|solarpunk|dieselpunk|vaporwave|synthwave|pixel art|claymation|"
    r"stop motion|watercolou?r|oil painting|ukiyo|pixar|lego|low poly|black and white|b ?& ?w|monochrome|sepia|"
    r"\d+ ?mm|super ?8|vhs|8 ?bit|cel shaded|comic|cartoon|van gogh|impressionis|pop art|art deco|cgi|3d"
)
STYLE_NOT = frozenset(
    {"the", "a", "an", "in", "same", "this", "that", "my", "your", "different", "another", "any", "it", "its"}
)

LIGHTING = (
    re.compile(
        r"(?<![a-z])(?:(?:soft|hard|harsh|warm|cool|cold|dim|bright|dramatic|moody|natural|golden|blue|red|green"
        r"|purple|"
        r"pink|orange|neon|candle|fire|moon|sun|studio|volumetric|rim|back|side|top|key|fill|ambient|diffused|diffuse|"
        r"dappled|low key|high key|flickering|strobe|strobing|fluorescent|tungsten|lantern|torch|street|window|"
        r"overhead|practical|colou?red|cinematic|dark|gloomy|hazy|silver|pale|amber|teal|cyan|magenta|crimson)"
        r" ?(?:light|lights|lighting|glow|glowing|lit|light rays)|backlit|back lit|backlight(?:ing)?|silhouett(?:e|ed"
        r"|es)|"
        r"neon(?: lit| lights| glow| signs)?|candle ?lit|candlelight|firelight|fire lit|moonlight|sunlight|lamplight|"
        r"torchlight|chiaroscuro|rim light(?:ing)?|god rays|light rays|sun rays|lens flare lighting|"
        r"bioluminescen(?:t|ce)|(?:(?:under|in) )?(?:an? |the )?(?:single |lone |harsh |soft |bright )?spot ?lights?|"
        r"lit (?:by|with) (?:[a-z]+ ){0,3}(?:light|lights|lamps?|candles?|neon|signs|fire|torches|lanterns|moonlight|"
        r"sunlight|screens?|streetlights?|headlights))(?![a-z])"
    ),
    # An overcast sky is the light a cinematographer plans for (soft, shadowless), not weather to draw.
    re.compile(
        r"(?<![a-z])(?:overcast(?: sky| skies| light)?|cloudy(?= (?:day|morning|afternoon|evening))|cloudy skies"
        r"|cloudy sky|(?:grey|gray|leaden) skies"
        r"|under (?:a )?(?:grey|gray|cloudy|heavy|leaden) (?:sky|skies|clouds))(?![a-z])"
    ),
)

# "this one is too dark", "brighter": how a take's exposure should change, as the light to ask for ("a lighter
# shade of blue" is no edit: a bare comparative counts only at the end of what is said).
_SAID_END = r"\s*(?:$|[,.;:!?]|and\b|but\b|please\b|this time\b|overall\b)"
EXPOSURE_EDITS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "bright light",
        re.compile(
            r"(?<![a-z])(?:(?:a (?:bit|little|touch) |much |way )?(?:too|so|very|really) dark|(?:brighter|lighter)(?="
            + _SAID_END
            + ")"
            r"|less dark|more light|brighten(?: it| this| that)?(?: up)?|lighten(?: it| this| that)? up)(?![a-z])"
        ),
    ),
    (
        "dim light",
        re.compile(
            r"(?<![a-z])(?:(?:a (?:bit|little|touch) |much |way )?(?:too|so|very|really) bright|(?:darker|dimmer)(?="
            + _SAID_END
            + ")"
            r"|less bright|less light|darken(?: it| this| that)?)(?![a-z])"
        ),
    ),
)

MOODS = re.compile(
    r"(?<![a-z])(?:more |less |very |really |so |extra |super )?(?P<x>eerie|serene|ominous|melanchol(?:y|ic)|tense"
    r"|suspenseful|dreamy|dreamlike|nostalgic|mysterious|"
    r"whimsical|somber|sombre|gloomy|moody|haunting|foreboding|uplifting|tranquil|peaceful|romantic|epic|playful|cozy|"
    r"cosy|chaotic|hopeful|lonely|creepy|spooky|joyful|cheerful|melancholic|bittersweet|menacing|ethereal|magical|"
    r"mystical|heroic|triumphant|sad|sorrowful|frightening|terrifying|calm|relaxing|energetic|intense|dramatic|"
    r"festive|grim|bleak|desolate|dark|upbeat|happy|funny|comedic|hilarious|sinister|dystopian|utopian)"
    r"(?P<after> (?:mood|feel|feeling|vibe|vibes|atmosphere|tone|ambience|ambiance)|(?=\s*(?:$|[,.;:!?]|and\s|but\s)))"
)
MOOD_SAID = re.compile(
    r"(?<![a-z])(?:mood|feel|feeling|vibe|atmosphere|tone)(?: is| should be| of"
    r"|:)? (?P<x>[a-z]+(?: and [a-z]+)?)(?![a-z])"
)

EFFECTS: Table = _table(
    (r"(?:super |extreme |in )?slow ?(?:motion|mo)|slowmo|high speed (?:camera|footage)|bullet time", "slow motion"),
    (r"time ?lapse|timelapse", "time-lapse"),
    (r"hyper ?lapse", "hyperlapse"),
    (r"speed ramp(?:ing)?|fast motion|sped up|fast forward", "fast motion"),
    (
        r"(?:heavy |light |pouring |torrential |steady |soft |gentle )?(?:rain|raining)|rainy|rainfall|downpour"
        r"|drizzl(?:e|ing)|rainstorm|rain storm|stormy|(?<!snow\s)(?<!dust\s)(?<!sand\s)(?<!ice\s)storms?",
        "rain",
    ),
    (
        r"(?<=make\sit\s)snow|(?<=let\sit\s)snow|snow(?=\s+instead\b)|snowing|snowfall|falling snow|snow falling"
        r"|(?<=add\s)(?:some |more )?snow|(?<=more\s)snow"
        r"|snowflakes|snow flakes|blizzard|snowstorm|snow storm|flurries",
        "snow",
    ),
    (r"(?:dust|sand) ?storms?|(?:blowing|swirling|drifting) (?:dust|sand)|dust clouds?", "dust"),
    (r"(?:heat )?haze|fog|foggy|mist|hazy", "fog"),
    # Fireworks are the effect beside a subject ("with fireworks", "fireworks behind"); alone they are the subject.
    (
        r"fireworks?(?: display| show)? (?:behind|overhead|above|in the (?:sky|background))|(?<=with\s)fireworks?",
        "fireworks",
    ),
    (r"(?:anamorphic )?lens flares?|flares", "lens flare"),
    (r"particles|sparkles|glitter|dust motes|floating dust|dust particles", "particles"),
    (r"sparks|embers|fireflies", "sparks"),
    (r"motion blur", "motion blur"),
    (r"film grain|grainy|grain", "film grain"),
    (r"glitch(?:es|y)?|datamosh(?:ing)?|chromatic aberration", "glitch"),
    (r"lightning|thunderstorm", "lightning"),
    (r"bokeh|shallow depth of field|shallow focus|rack focus|tilt ?shift", "shallow depth of field"),
    (r"smoke|smoky", "smoke"),
    (r"light leaks?", "light leak"),
    (r"vignette", "vignette"),
    (r"reverse motion|in reverse|played backwards", "reverse"),
    (r"freeze frame", "freeze frame"),
)

"""Word lists for reading who, what and where: verbs, places, clothing, function words, vague words."""

from __future__ import annotations


def words_of(text: str) -> frozenset[str]:
    """The set of words in a space-separated string."""
    return frozenset(text.split())


VERBS = words_of(
    """
    walk run ride play dance fly swim jump sit stand eat drink read write sing cook fight chase climb fall float drift
    spin glide race sail drive wander stroll sprint gallop crawl hover soar dive splash roll bounce burn glow flicker
    rise crash break melt bloom grow sway wave smile laugh cry look stare watch talk hug kiss paint skate surf ski hike
    march fish sleep rest wait hunt graze prowl stalk leap pounce flow pour drip shine sparkle explode collapse emerge
    approach enter leave exit cross pass move turn twirl perform juggle type practice train lift carry push pull throw
    catch kick hit swing shoot aim open close build repair fix mend knit sew bake stir chop serve sip taste feed pet
    brush comb wash clean sweep mop dig plant water harvest pick gather collect blow burst fade flutter soar land
    launch orbit erupt rush stride trot jog tiptoe limp stumble slide skid drift tumble wobble shake shiver tremble
    nod wink blink yawn stretch kneel bow pray meditate sneak hide peek search explore discover wander roam patrol
    guard protect attack defend duel battle swordfight fence box wrestle punch strike slash stab chop cut slice
    dice knead roast fry grill boil simmer steam smoke light ignite extinguish spray paint draw sketch sculpt carve
    weave play strum drum whistle hum shout scream whisper yell call chant cheer clap applaud celebrate toast
    dine feast devour gobble nibble chew lick bite sniff smell howl bark meow purr roar growl hiss chirp buzz
    swarm flock herd migrate nest perch preen flap glide circle swoop hunt forage graze drink bathe wade paddle
    row steer pilot navigate commute travel arrive depart wait queue shop browse sell buy trade bargain haggle
    work study teach learn lecture present argue debate discuss chat converse gossip flirt date marry propose
    cradle hold embrace comfort console carry rock lull tuck dress undress wear change try fit pose model strut
    walk rollerblade skateboard snowboard cycle bike pedal hop skip gallop buck rear charge stampede crawl slither
    coil strike wriggle squirm burrow tunnel emerge surface sink drown float bob drift ripple splash spill leak
    trickle cascade tumble plunge spray mist rain snow hail freeze thaw melt evaporate condense swirl twist curl
    unfurl unfold blossom wilt wither decay rot rust crumble shatter splinter crack split tear rip fold crumple
    wrap unwrap tie untie knot braid stitch patch glue tape nail hammer saw drill screw weld solder wire plug
    unplug charge type click scroll swipe tap text phone film photograph record edit direct act rehearse audition
    knock breathe grab toss reach wipe stroke scratch rub fetch spit pounce flip shuffle deal pour sprinkle
    sing dance perform bow exit hover descend ascend levitate teleport transform morph shift shapeshift grow shrink
    do go have
    """
)
# Words ending in -ing that are nouns, not actions.
NOUN_ING = words_of(
    """
    building ceiling morning evening painting clothing king ring thing something nothing anything everything wedding
    spring string wing lighting setting ending pudding earring sibling viking swing landing opening railing stocking
    icing sing sling sting ding bling duckling darling dumpling wing offspring awning bedding bearing ceiling coving
    dwelling feeling filling footing frosting heading hearing inkling lining meaning mooring outing pairing piping
    plating railing rigging roofing saying seating shilling shipping siding sitting stuffing tiling timing topping
    trimming warning wiring writing clearing fencing flooring gathering planking scaffolding shavings
    stuffing stirring underpinning sing boxing marketing banking parking shopping camping fishing hunting baking
    during including regarding according concerning notwithstanding pending following spring sibling
    """
)
PLACES = words_of(
    """
    forest woods wood jungle desert beach shore coast ocean sea lake river pond stream waterfall mountain mountains
    hill hills valley canyon cliff cliffs field fields meadow prairie savanna tundra glacier volcano island cave
    city town village street streets alley alleyway road highway square plaza market park garden gardens
    yard backyard courtyard rooftop roof room kitchen bedroom bathroom office classroom library bar cafe restaurant
    diner shop store mall station platform airport harbor harbour port dock pier marina coastline rooftops
    gallery theater theatre arena gym gymnasium studio
    warehouse factory farm barn stable ranch orchard vineyard greenhouse space orbit galaxy planet moon mars
    underwater reef seabed sky skyline clouds subway tunnel corridor hallway lobby basement attic cellar
    garage driveway parking lot laboratory lab hospital school campus cemetery graveyard ruins wasteland swamp
    marsh bayou lagoon bay fjord dunes dune oasis steppe plains plain countryside suburb suburbs downtown
    metropolis neighborhood neighbourhood boulevard avenue lane path trail track railway tracks spaceship
    spacecraft cockpit deck interior exterior stage ballroom hall arcade casino nightclub
    club pub tavern inn hotel apartment house home mansion cabin hut tent camp campsite campfire snow grass
    """
)
CLOTHING = words_of(
    """
    dress coat suit jacket hat cap armor armour uniform hoodie robe robes cloak gown shirt kimono costume sweater
    scarf boots glasses sunglasses raincoat tuxedo jeans overalls helmet mask veil apron trench trenchcoat cape
    skirt shorts trousers pants sneakers shoes gloves hood poncho vest tie bowtie leather denim silk velvet
    """
)
DETERMINERS = words_of(
    "a an the this that these those his her their its my our your some any every each one two three four five several "
    "many few no"
)
AUXILIARIES = words_of("is are was were be being been gets get got keeps keep starts start begins begin")
PRONOUNS = words_of("it he she they him her them this that these those we you i me us")
STATIC_PREPS = (
    "in front of",
    "on top of",
    "next to",
    "in",
    "inside",
    "at",
    "on",
    "near",
    "by",
    "beside",
    "under",
    "underneath",
    "beneath",
    "within",
    "amid",
    "amidst",
    "among",
    "behind",
    "atop",
    "outside",
    "above",
    "below",
    "during",
)
PATH_PREPS = (
    "out of",
    "through",
    "across",
    "along",
    "over",
    "into",
    "onto",
    "past",
    "toward",
    "towards",
    "around",
    "from",
    "between",
    "throughout",
)
# What someone rides: "a boy on a bike" is who, not where.
RIDDEN = words_of("bike bicycle horse horseback motorbike motorcycle skateboard scooter unicycle surfboard camel pony")
# -ing nouns that are a verb after a noun and before a place ("a snowy owl landing on a branch").
VERB_BEFORE_PREP_ING = words_of("landing sitting fishing shopping camping hunting stirring swinging")
ATTRIBUTE_PREPS = frozenset({"with", "wearing", "of", "holding", "carrying", "dressed", "clad"})
NOT_A_SETTING = words_of(
    """
    background foreground distance frame shot style slow motion focus view sight silhouette the front a row circles
    circle line pairs unison tandem place time love reverse fall autumn spring summer winter wind breeze air
    sunshine darkness
    """
)
# Words that carry no content on their own: a message made only of these is too vague to render.
VAGUE = words_of(
    """
    something anything stuff thing things cool awesome nice epic interesting random whatever good great amazing
    beautiful pretty fun funny video clip shot scene film movie footage animation content one version take render
    it this that please thanks thank ok okay yes yeah yep sure hmm lol wow love like perfect better worse same
    again more less bit little lot very really just also too so now then some kind sort of cinematic vibe vibes
    idea ideas surprise me whatever you want anything cool camera movement motion direction
    """
)
CLAUSE_SPLITTERS = frozenset({"then", "while", "but", "whilst", "meanwhile", "as", "when", "until", "before", "after"})

"""Creator requests end to end on the embedded default: offline director -> previz -> critic, first takes only.

    .venv/bin/python bench/creator_requests.py [--only N ...] [--keep DIR]

Each request is what a creator would type in chat (weather, night, vertical, close-ups, every kind of
move at every speed, still shots with a performing subject), some in the words of the VBench prompt
suites. It goes through the offline director (`dailies spec`), is compiled for previz, rendered and
encoded as a take (`dailies render`), and critiqued against its own spec (`dailies critique --spec`).
Prints each request's verdict and the share of first takes that pass (target >= 95 %): previz moves
the camera exactly as asked, so a failure is the critic's or previz's.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

import cv2

from agent.compile import compile_shot
from agent.director.offline import OfflineDirector
from agent.expect import expectation_from
from generator.families import PREVIZ
from generator.previz import PrevizGenerator
from tools.critic import critique_clip
from tools.take import render_take

TARGET = 0.95
MAX_BYTES = 10 * 1024 * 1024
# What creators typed, one shot a line: moves, speeds, sizes, light, aspect and weather vary together.
REQUESTS: tuple[str, ...] = (
    "a samurai stands in the rain at night, neon signs, slow dolly in, close-up, 6 seconds, vertical",
    "a cup of coffee steaming on a wooden table, static shot, morning light",
    "a ballerina spins on an empty stage, static, medium shot",
    "the camera orbits right around a bronze statue in a park at golden hour",
    "orbit left around a dancer on a rooftop at dusk, wide shot",
    "slow pan left across a harbor at sunset",
    "fast pan right over a wheat field at noon, 16:9",
    "tilt up from the boots to the face of a cowboy in the desert",
    "tilt down to a puddle in a city street at night",
    "truck left along a row of market stalls in the morning",
    "truck right past a line of parked cars, medium speed",
    "dolly out from a sleeping baby in a nursery, slow",
    "push in on an old man reading by a window, medium close-up",
    "zoom in on a hawk perched on a fence post, day",
    "slow zoom out from a lone tree in a snowy field at dawn",
    "pedestal up past a stack of old books in a library",
    "pedestal down to a cat under a kitchen table",
    "crane up over a village in the mountains at dawn, extreme wide shot",
    "crane down into a crowded town square, wide",
    "tracking shot of a horse galloping on a beach at golden hour",
    "the camera follows a cyclist through the streets of Paris, medium shot",
    "handheld shot of a man running through a forest at night",
    "a red fox trots through a snowy birch forest at dawn, static, wide",
    "a lighthouse on a cliff in a storm, rain and fog, slow dolly in",
    "a girl walks through falling snow in a city at night, tracking shot, vertical",
    "a butterfly flutters over a meadow, close-up, static, 1:1",
    "a car drives along a coastal road at dusk, drone shot rising",
    "a knight rides through a misty forest at dawn, slow pan right",
    "a robot walks across a desert at noon, wide, truck left, 2.39:1",
    "an astronaut floats near a space station window, slow zoom in, 4:3",
    "a chef tosses vegetables in a pan, medium shot, handheld, warm light",
    "fireflies over a pond at dusk, static, wide",
    "a dog runs across a park in the morning, pan right, medium speed",
    "a woman rises from a chair by a fireplace at night, medium close-up, static",
    "dust blows across an abandoned western town at noon, slow truck right",
    "a skateboarder rolls down a street in the rain, fast tracking shot",
    "waves crash on rocks at golden hour, slow tilt up, vertical",
    "an old train leaves a station in the snow, wide, static, film grain",
    # More of our own: every move at each speed, weather, night, vertical and close shots, and requests in the
    # words of the VBench prompt suites (/work/shared/data/vbench), as a creator would paste them.
    "a detective walks down a foggy alley at night, slow tracking shot, 9:16",
    "close-up of a bee on a sunflower, slow zoom in, morning",
    "extreme close-up of an old woman's eyes, static, candlelight",
    "a hummingbird hovers by a red flower, medium shot, handheld",
    "slow crane down onto a wedding table at golden hour, medium wide",
    "fast tilt down from the sky to a racing car on a desert road",
    "a surfer rides a wave at sunset, fast pan left, wide",
    "medium truck left past a snowy cabin at dawn, wide shot",
    "slow pedestal down along a waterfall in a forest, vertical",
    "fast dolly out from a lighthouse at night in the rain",
    "a monk meditates in a temple courtyard, slow orbit right, medium shot",
    "fast zoom out from a sailboat on the ocean at noon",
    "a wolf howls on a snowy ridge at night, wide, static",
    "dust storm over a desert highway at dusk, slow pan right, 2.39:1",
    "a cyclist rides through the rain in a city at night, fast tracking shot, vertical",
    "close-up of a cowboy's face at golden hour, slow dolly in",
    "a girl runs across a field of flowers, handheld, morning, 4:3",
    "a ship sails through fog at dawn, slow truck right, wide",
    "medium tilt up along a skyscraper at night, neon, vertical",
    "a campfire crackles in a forest at night, close-up, static",
    "Mount Fuji, zoom in.",
    "Pyramid, zoom out.",
    "Alhambra, pan right.",
    "Laptop, tilt down.",
    "The camera orbits around. Conference room, the camera circles around.",
    "A boat sailing leisurely along the Seine River with the Eiffel Tower in background, zoom in",
    "A cute happy Corgi playing in park, sunset, animated style",
    "Busy freeway at night.",
    "A person is making snowman",
    "a sheep running to join a herd of its kind",
    "Snow rocky mountains peaks canyon, tilt up",
    "a train crossing over a tall bridge, slow pan left",
)


def run_one(text: str, folder: Path, n: int) -> tuple[bool, str]:
    """Direct, render and critique one request; (passed, a line saying what happened)."""
    reply = asyncio.run(OfflineDirector().direct(text, author="bench"))
    spec = reply.spec
    request = compile_shot(spec, PREVIZ).request
    take = render_take(request, PrevizGenerator(), folder / f"{n:02d}.mp4", max_bytes=MAX_BYTES)
    critique = critique_clip(take.path, expectation_from(spec, request))
    failed = [f"{c.name}={c.value} (wanted {c.expected})" for c in critique.checks if not c.passed]
    move = spec.camera_movement or "-"
    line = (
        f"{move} {spec.camera_speed or '-'} {spec.shot_size or '-'} {spec.time_of_day or '-'} "
        f"{take.width}x{take.height} -> {critique.camera_motion.detected} ({critique.camera_motion.confidence:.2f}), "
        f"score {critique.score:.2f}" + (f"; failed: {'; '.join(failed)}" if failed else "")
    )
    return critique.passed, line


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", type=int, nargs="*", help="request numbers to run (default: all)")
    parser.add_argument("--keep", type=Path, help="keep the takes in this folder")
    args = parser.parse_args()
    cv2.setNumThreads(1)
    chosen = args.only or list(range(len(REQUESTS)))
    started = time.perf_counter()
    passed = 0
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        for n in chosen:
            ok, line = run_one(REQUESTS[n], folder, n)
            passed += ok
            print(f"{n:2d} {'PASS' if ok else 'FAIL'} {REQUESTS[n]!r}\n     {line}", flush=True)
    share = passed / len(chosen)
    print(
        f"first takes passed: {passed}/{len(chosen)} = {share:.1%} (target >= {TARGET:.0%}); "
        f"{time.perf_counter() - started:.0f} s"
    )


if __name__ == "__main__":
    main()

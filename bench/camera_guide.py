"""Does the previz guide move a real model's camera? VBench-2.0's camera-motion prompts, with and without it.

    python bench/camera_guide.py --model DIR [--strength 0.6] [--per-move 12] [--out camera_guide.json]
    python bench/camera_guide.py --tiny wan-vace --per-move 1     # the same path on tiny random weights (CPU)

For each prompt of tests/data/vbench/Camera_Motion.json (zoom in/out, tilt up/down, pan left/right, static,
orbits; "oblique" has no move in our vocabulary and is left out) the offline director reads the shot, the
spec is compiled for the model's family, and the same seed is rendered twice: from the words alone, and
guided by the shot's previz animatic. Our critic reads each take's camera; the figure is the share of takes
whose move it reads as the one asked for, per move and overall, without and with the guide, and their ratio;
the animatic itself (the guide, rendered by previz) is read too, as the ceiling a guided take aims at.
Render time is reported too (the guide adds a previz render and, for CogVideoX, changes the steps run).

Needs the project installed with the gpu extra and a pipeline folder whose family takes a guide
(`dailies models`: guide_modes). On tiny random weights the camera reads are noise: that run proves the path.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from agent.compile import compile_shot
from agent.director.offline import OfflineDirector
from agent.expect import expectation_from
from agent.spec import ShotSpec
from generator.guide import guide_request
from generator.previz import PrevizGenerator
from generator.request import CameraGuide, RenderRequest
from generator.vocabulary import moves_compatible
from tools.critic import critique_clip
from tools.take import render_take

PROMPTS = Path(__file__).resolve().parents[1] / "tests" / "data" / "vbench" / "Camera_Motion.json"
# VBench's labels and the moves of ours that count as reading them right.
ACCEPTED = {
    "zoom_in": {"zoom_in", "dolly_in"},
    "zoom_out": {"zoom_out", "dolly_out"},
    "orbits": {"orbit_left", "orbit_right"},
}
LEFT_OUT = {"oblique"}
SIDES = ("plain", "guided", "animatic")  # from the words, with the guide, the guide itself
MAX_BYTES = 50 * 1024 * 1024  # keep the takes as rendered: the critic, not the upload limit, is measured


def load_prompts(path: Path, per_move: int, moves: set[str] | None) -> list[dict[str, str]]:
    """Up to `per_move` prompts of each VBench label (in file order), without the ones we cannot express."""
    taken: dict[str, int] = defaultdict(int)
    chosen = []
    for entry in json.loads(path.read_text(encoding="utf-8")):
        label = entry["auxiliary_info"]
        if label in LEFT_OUT or (moves and label not in moves) or taken[label] >= per_move:
            continue
        taken[label] += 1
        chosen.append({"prompt": entry["prompt_en"], "label": label})
    return chosen


def read_shot(director: OfflineDirector, prompt: str, label: str) -> ShotSpec | None:
    """The spec the offline director reads, or None when it misreads the move (counted apart, not rendered)."""
    spec = director.direct_sync(prompt, author="vbench").spec
    return spec if spec.camera_movement in ACCEPTED.get(label, {label}) else None


def judge(generator: Any, request: RenderRequest, spec: ShotSpec, out: Path) -> dict[str, Any]:
    """Render, encode and critique one take: the move the critic read and how long the render took."""
    started = time.perf_counter()
    take = render_take(request, generator, out, max_bytes=MAX_BYTES)
    render_s = time.perf_counter() - started
    critique = critique_clip(take.path, expectation_from(spec, request))
    detected = critique.camera_motion.detected
    assert spec.camera_movement is not None
    return {
        "detected": detected,
        "right": moves_compatible(spec.camera_movement, detected),
        "confidence": critique.camera_motion.confidence,
        "render_s": round(render_s, 3),
        "notes": [note for note in take.notes if "guide" in note],
    }


def run(generator: Any, family: Any, prompts: list[dict[str, str]], strength: float, steps: int | None,
        folder: Path) -> dict[str, Any]:  # fmt: skip
    """Every prompt rendered from the words and with the guide; the rows and the totals."""
    director, previz = OfflineDirector(), PrevizGenerator()
    rows, misread = [], []
    for index, entry in enumerate(prompts):
        spec = read_shot(director, entry["prompt"], entry["label"])
        if spec is None:
            misread.append(entry["prompt"])
            continue
        plain = compile_shot(spec, family, steps=steps, seed=index).request
        # One pass each: a shot longer than the family renders in one (a long take) is cut to one pass here.
        plain = plain.model_copy(update={"num_frames": family.fit_frames(plain.num_frames)})
        guided = plain.model_copy(update={"guide": CameraGuide(strength=strength)})
        row = {"prompt": entry["prompt"], "label": entry["label"], "move": spec.camera_movement}
        row["plain"] = judge(generator, plain, spec, folder / f"{index:03d}-plain.mp4")
        row["guided"] = judge(generator, guided, spec, folder / f"{index:03d}-guided.mp4")
        row["animatic"] = judge(previz, guide_request(guided), spec, folder / f"{index:03d}-animatic.mp4")
        rows.append(row)
        read = " | ".join(f"{side} {row[side]['detected']:>11}" for side in SIDES)
        print(f"{entry['label']:>9} {spec.camera_movement:>11}: {read}", flush=True)
    return {"rows": rows, "misread_by_the_director": misread, "totals": totals(rows)}


def totals(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Share of takes read as the asked move, per VBench label and overall, without and with the guide."""
    by_label: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(("n", *SIDES), 0))
    for row in rows:
        counts = by_label[row["label"]]
        counts["n"] += 1
        for side in SIDES:
            counts[side] += int(row[side]["right"])
    n = len(rows)
    right = {side: round(sum(c[side] for c in by_label.values()) / n, 4) if n else 0.0 for side in SIDES}
    seconds = {side: round(sum(r[side]["render_s"] for r in rows) / n, 3) if n else None for side in SIDES}
    return {
        "takes": n,
        "per_label": {label: dict(counts) for label, counts in sorted(by_label.items())},
        "camera_right": right,
        "guided_over_plain": round(right["guided"] / right["plain"], 3) if right["plain"] else None,
        "mean_render_s": seconds,
    }


def tiny_model(name: str, root: Path) -> str:
    """A tiny random-weight pipeline folder (offline) of a guide family."""
    from generator.diffusers.tiny import make_tiny

    return str(make_tiny(name, root / name))


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--model", help="a pipeline folder (or family/hub id) whose family takes a guide")
    source.add_argument("--tiny", choices=("wan-vace", "ltx", "ltx-condition", "cogvideox"), help="tiny weights")
    parser.add_argument("--strength", type=float, default=0.6, help="guide strength, more than 0 and less than 1")
    parser.add_argument("--per-move", type=int, default=12, help="prompts per VBench label (12 is all)")
    parser.add_argument("--moves", default=None, help="comma-separated VBench labels (default: all but oblique)")
    parser.add_argument("--steps", type=int, default=None, help="denoising steps (default: the family's)")
    parser.add_argument("--prompts", type=Path, default=PROMPTS, help="VBench-2.0 Camera_Motion.json")
    parser.add_argument("--out", type=Path, default=Path("camera_guide.json"), help="the JSON report")
    parser.add_argument("--keep", type=Path, default=None, help="keep the takes in this folder")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not 0 < args.strength < 1:
        print("--strength is more than 0 and less than 1", file=sys.stderr)
        return 2
    import torch

    from generator.diffusers.backend import DiffusersGenerator

    torch.set_num_threads(max(1, torch.get_num_threads() if torch.cuda.is_available() else 1))
    with tempfile.TemporaryDirectory() as scratch:
        model = args.model or tiny_model(args.tiny, Path(scratch))
        generator = DiffusersGenerator(model)
        if not generator.family.guide_modes:
            print(f"{generator.family.title} takes no camera guide ({generator.family.guide_how})", file=sys.stderr)
            return 2
        generator.load()
        moves = set(args.moves.split(",")) if args.moves else None
        prompts = load_prompts(args.prompts, args.per_move, moves)
        folder = args.keep or Path(scratch) / "takes"
        folder.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        report = run(generator, generator.family, prompts, args.strength, args.steps, folder)
    report.update(
        model=args.model or f"tiny {args.tiny} (random weights: camera reads are noise)",
        family=generator.family.name,
        strength=args.strength,
        device=generator.device,
        wall_s=round(time.perf_counter() - started, 1),
    )
    args.out.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(report["totals"], indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

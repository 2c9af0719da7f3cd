"""`dailies render SPEC.json -o OUT.mp4`: render a spec to a Take."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

from agent.compile import CompiledShot, compile_shot
from agent.spec import MAX_DURATION_S, ShotSpec
from bots.cli.errors import UserError
from bots.cli.faces import add_character_option, attach_faces
from bots.cli.io import print_json, read_json_model
from bots.settings import Settings
from generator.backends import BACKENDS, make_generator, resolve_family
from generator.base import Generator, Progress
from generator.errors import Failure, InvalidRequest, ModelUnavailable
from generator.families import ModelFamily
from generator.guide import guide_plan, parse_guide
from generator.request import CameraGuide, RenderRequest
from tools.long_take import is_long, render_long_take
from tools.renderer import local_segments
from tools.take import Take, render_take


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("render", help="render a ShotSpec JSON file to an mp4; prints the Take JSON")
    parser.add_argument("spec", help="ShotSpec JSON file")
    parser.add_argument(
        "-o", "--out", default=None, help="output .mp4 path; its poster goes beside it as .jpg (not needed with --plan)"
    )
    parser.add_argument("--force", action="store_true", help="replace an existing OUT.mp4 and OUT.jpg")
    parser.add_argument(
        "--backend", choices=sorted(BACKENDS), default=None, help="default: diffusers with --model, else settings"
    )
    parser.add_argument("--model", default=None, help="model family, local folder or hub id (diffusers)")
    parser.add_argument(
        "--plan", action="store_true", help="print the compiled request and how it would render; load nothing"
    )
    parser.add_argument(
        "--guide",
        default=None,
        metavar="previz[:STRENGTH]|off",
        help="condition the model on the shot's previz animatic (strength 0-1, default 0.6) where the family "
        "takes a guide; default: DAILIES_GUIDE",
    )
    parser.add_argument("--seed", type=int, default=None, help="override the spec's seed")
    parser.add_argument("--steps", type=int, default=None, help="denoising steps (diffusers)")
    parser.add_argument("--max-mb", type=float, default=None, help="byte budget of the mp4 in MiB (default 10)")
    parser.add_argument(
        "--segment-s",
        type=float,
        default=None,
        help="longest single pass in seconds (default: settings, 10); longer shots render as joined segments",
    )
    add_character_option(parser)
    parser.set_defaults(func=run)


def _print_progress(progress: Progress) -> None:
    eta = f", ETA {progress.eta_s:.1f} s" if progress.eta_s is not None else ""
    print(f"{progress.stage}: step {progress.step}/{progress.total}{eta}", file=sys.stderr, flush=True)


def _print_plan(compiled: CompiledShot, backend: str, family: ModelFamily, settings: Settings) -> int:
    """The request as compiled and, for diffusers, scheduler, guidance, memory plan and speed-ups: no model loaded."""
    request = compiled.request
    plan = {"backend": backend, "family": family.name, "request": request.model_dump(mode="json", exclude_none=True)}
    plan["notes"] = compiled.notes
    plan["guide"] = guide_plan(family, request)
    if backend == "diffusers":
        from generator.diffusers.preview import render_plan

        options = settings.backend_options()
        plan["diffusers"] = render_plan(
            family,
            request.width,
            request.height,
            request.guidance,
            speedups=options.speedups,
            attention=options.attention,
        )
    print(json.dumps(plan, indent=2))
    return 0


def _guide(wanted: str | None, settings: Settings) -> CameraGuide | None:
    """The guide `--guide` asks for (else DAILIES_GUIDE's): one render has no critic loop, so auto is refused."""
    if wanted is None:
        return parse_guide(settings.guide).first_guide
    try:
        choice = parse_guide(wanted)
    except ValueError as exc:
        raise UserError(f"--guide: {exc}") from None
    if choice.mode == "auto":
        raise UserError("--guide auto needs the critic's loop (a conversation); one render takes previz[:S] or off")
    return choice.first_guide


def run(args: argparse.Namespace, settings: Settings) -> int:
    spec = attach_faces(read_json_model(args.spec, ShotSpec, "spec"), args.character, settings)
    if args.seed is not None and args.seed < 0:
        raise UserError(f"--seed must be 0 or more, not {args.seed}")
    if args.max_mb is not None and args.max_mb <= 0:
        raise UserError(f"--max-mb must be more than 0, not {args.max_mb}")
    # A model names a diffusers model: `--model X` alone renders with diffusers, not the previz default.
    backend = args.backend or ("diffusers" if args.model else settings.backend)
    model = args.model or settings.model
    try:
        family = resolve_family(backend, model)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    segment_s = args.segment_s if args.segment_s is not None else settings.segment_s
    if not 0 < segment_s <= MAX_DURATION_S:
        raise UserError(f"--segment-s must be more than 0 and at most {MAX_DURATION_S:g}, not {segment_s:g}")
    guide = _guide(args.guide, settings)
    compiled = compile_shot(
        spec, family, seed=args.seed, steps=args.steps, model=model, segment_s=segment_s, guide=guide
    )
    if args.plan:
        return _print_plan(compiled, backend, family, settings)
    if args.out is None:
        raise UserError("render needs -o OUT.mp4 (or --plan to see the compiled request without rendering)")
    out = Path(args.out)
    if out.suffix.lower() != ".mp4":
        raise UserError(f"output must be an .mp4 file, not {out.name!r}")
    existing = [path.name for path in (out, out.with_suffix(".jpg")) if path.exists()]
    if existing and not args.force:
        raise UserError(
            f"{' and '.join(existing)} already exist in {out.parent}: the take and its poster would replace them; "
            "pass --force to replace, or choose another -o"
        )
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"cannot create output folder {out.parent}: {exc.strerror}") from None
    if spec.continue_previous:  # there is no storyboard here: say so rather than ignore it
        compiled.notes.append("continue_previous needs a storyboard (the bot or dailies chat): rendered on its own")
    for note in compiled.notes:
        print(f"note: {note}", file=sys.stderr)
    generator = make_generator(backend, model=model, options=settings.backend_options())
    max_bytes = int((args.max_mb if args.max_mb is not None else settings.max_upload_mb) * 1024 * 1024)
    take = _render(compiled.request, generator, out, max_bytes=max_bytes, segment_s=segment_s)
    take.notes[:0] = compiled.notes
    print_json(take)
    return 0


def _render(request: RenderRequest, generator: Generator, out: Path, *, max_bytes: int, segment_s: float) -> Take:
    """One pass, or a long take as segments (files beside `out`) joined into `out`."""
    if not is_long(request, segment_s):
        try:
            return render_take(request, generator, out, max_bytes=max_bytes, progress=_print_progress)
        except (ModelUnavailable, InvalidRequest) as exc:  # the user can fix these: one line, exit 2
            raise UserError(str(exc)) from None
    outcome = asyncio.run(
        render_long_take(
            request,
            render_segment=local_segments(generator),
            out_path=out,
            max_bytes=max_bytes,
            segment_s=segment_s,
            progress=_print_progress,
        )
    )
    if isinstance(outcome, Failure):
        if outcome.kind in ("invalid_request", "model_unavailable"):
            raise UserError(outcome.message)
        raise RuntimeError(outcome.message)
    return outcome

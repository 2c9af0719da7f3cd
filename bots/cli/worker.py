"""`dailies worker`: join the Ray cluster and keep one warm render actor per GPU of this node alive."""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import signal
import socket
import sys
import time
from types import FrameType

from bots.cli.errors import UserError
from bots.settings import Settings
from generator.backends import BACKENDS, resolve_family
from generator.queue.ray_connect import ClusterUnreachable, connect

NAME_PATTERN = re.compile(r"[A-Za-z0-9._-]{1,60}")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("worker", help="serve warm render actors on this node of a Ray cluster")
    parser.add_argument("--backend", choices=sorted(BACKENDS), default=None, help="default: settings")
    parser.add_argument("--model", default=None, help="model family, local folder or hub id (diffusers)")
    parser.add_argument("--gpus", type=int, default=None, help="actors to start, one GPU each (default: every GPU)")
    parser.add_argument(
        "--cpu-workers",
        type=int,
        default=0,
        help="N GPU-less actors instead, one CPU and one torch thread each (previz; diffusers to try it out)",
    )
    parser.add_argument("--check-s", type=float, default=10.0, help="seconds between health checks of the actors")
    parser.add_argument("--once", action="store_true", help="start the actors, print them and exit (they stay up)")
    parser.add_argument(
        "--name",
        default=None,
        help="what this worker's actor names carry (default: host, backend and model); "
        "give two workers on one host serving the same model different names",
    )
    parser.set_defaults(func=run)


def _local_gpus() -> int:
    import ray

    node = ray.get_runtime_context().get_node_id()
    for entry in ray.nodes():
        if entry.get("NodeID") == node:
            return int(entry.get("Resources", {}).get("GPU", 0))
    return 0


class _Stop(Exception):
    """SIGTERM: stop the actors like Ctrl-C does."""


def _raise_stop(signum: int, frame: FrameType | None) -> None:
    raise _Stop


def _tag(name: str | None, backend: str, model: str | None) -> str:
    """What this worker's actor names carry: --name, else the host, backend and (hashed) model."""
    if name is not None:
        if not NAME_PATTERN.fullmatch(name):
            raise UserError("--name takes 1 to 60 letters, digits, '.', '_' or '-'")
        return name
    tag = f"{socket.gethostname()}-{backend}"
    if model:
        # Two workers on one host serving different models must not share actor names.
        tag += "-" + hashlib.sha1(model.encode()).hexdigest()[:8]
    return tag


def _resources(args: argparse.Namespace, settings: Settings) -> tuple[int, float, float]:
    """(actors, GPUs each, CPUs each) for this node."""
    if args.cpu_workers:
        return args.cpu_workers, 0.0, 1.0
    count = args.gpus if args.gpus is not None else _local_gpus()
    if count < 1:
        raise UserError(
            "this Ray node has no GPU: start it with `ray start --num-gpus=N`, "
            "or serve previz on its CPUs with --backend previz --cpu-workers N"
        )
    return count, settings.ray_num_gpus or 1.0, 1.0


def run(args: argparse.Namespace, settings: Settings) -> int:
    backend = args.backend or settings.backend
    model = args.model or settings.model
    try:
        resolve_family(backend, model)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    if args.cpu_workers < 0 or (args.gpus is not None and args.gpus < 1):
        raise UserError("--gpus must be 1 or more and --cpu-workers 0 or more")
    tag = _tag(args.name, backend, model)
    try:
        connect(settings.ray_address, namespace="dailies")
    except ClusterUnreachable as exc:
        raise UserError(str(exc)) from None

    from generator.queue.ray_supervisor import WorkerBusy, WorkerSupervisor

    count, num_gpus, num_cpus = _resources(args, settings)
    supervisor = WorkerSupervisor(
        count=count,
        backend=backend,
        model=model,
        num_gpus=num_gpus,
        num_cpus=num_cpus,
        tag=tag,
        options=settings.backend_options(),
    )
    signal.signal(signal.SIGTERM, _raise_stop)
    try:
        supervisor.claim()
    except WorkerBusy as exc:
        raise UserError(str(exc)) from None
    try:
        print(f"starting {count} render actor(s) for {backend} ({model or 'default'})...", file=sys.stderr, flush=True)
        supervisor.ensure()
        shown = {"workers": supervisor.names, "backend": backend, "model": model}
        print(json.dumps({**shown, "adopted": supervisor.adopted, "replaced": supervisor.replaced}), flush=True)
        if args.once:
            supervisor.release()
            return 0
        while True:
            time.sleep(args.check_s)
            for name in supervisor.ensure():
                print(f"restarted {name}", file=sys.stderr, flush=True)
    except (KeyboardInterrupt, _Stop):
        print("stopping the render actors", file=sys.stderr, flush=True)
        supervisor.stop()
    return 0

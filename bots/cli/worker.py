"""`dailies worker`: join the Ray cluster and keep one warm render actor per GPU of this node alive."""

from __future__ import annotations

import argparse
import hashlib
import json
import socket
import sys
import time

from bots.cli.errors import UserError
from bots.settings import Settings
from generator.backends import BACKENDS, resolve_family


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
    parser.set_defaults(func=run)


def _connect(address: str) -> None:
    try:
        import ray
    except ImportError:
        raise UserError("Ray is not installed: pip install 'dailies[scale]'") from None
    host, _, port = address.rpartition(":")
    if host and port.isdigit():  # Ray retries an unreachable head for minutes: fail fast instead
        try:
            socket.create_connection((host, int(port)), timeout=5).close()
        except OSError as exc:
            raise UserError(f"cannot reach the Ray head at {address!r}: {exc.strerror or exc}") from None
    try:
        ray.init(address=address, namespace="dailies", log_to_driver=False)
    except (ConnectionError, RuntimeError, ValueError) as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise UserError(
            f"cannot join the Ray cluster at {address!r}: {first_line} "
            "(start this node with `ray start --address=HEAD:6379` first)"
        ) from None


def _local_gpus() -> int:
    import ray

    node = ray.get_runtime_context().get_node_id()
    for entry in ray.nodes():
        if entry.get("NodeID") == node:
            return int(entry.get("Resources", {}).get("GPU", 0))
    return 0


def run(args: argparse.Namespace, settings: Settings) -> int:
    backend = args.backend or settings.backend
    model = args.model or settings.model
    try:
        resolve_family(backend, model)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    if args.cpu_workers < 0 or (args.gpus is not None and args.gpus < 1):
        raise UserError("--gpus must be 1 or more and --cpu-workers 0 or more")
    _connect(settings.ray_address or "auto")

    from generator.queue.ray_pool import WorkerSupervisor

    if args.cpu_workers:
        count, num_gpus, num_cpus = args.cpu_workers, 0.0, 1.0
    else:
        count = args.gpus if args.gpus is not None else _local_gpus()
        if count < 1:
            raise UserError("this Ray node has no GPU: start it with `ray start --num-gpus=N` or use --cpu-workers N")
        num_gpus, num_cpus = settings.ray_num_gpus or 1.0, 1.0
    tag = f"{socket.gethostname()}-{backend}"
    if model:
        # Two workers on one host serving different models must not share actor names.
        tag += "-" + hashlib.sha1(model.encode()).hexdigest()[:8]
    supervisor = WorkerSupervisor(
        count=count, backend=backend, model=model, num_gpus=num_gpus, num_cpus=num_cpus, tag=tag
    )
    print(f"starting {count} render actor(s) for {backend} ({model or 'default'})...", file=sys.stderr, flush=True)
    supervisor.ensure()
    print(json.dumps({"workers": supervisor.names, "backend": backend, "model": model}), flush=True)
    if args.once:
        return 0
    try:
        while True:
            time.sleep(args.check_s)
            for name in supervisor.ensure():
                print(f"restarted {name}", file=sys.stderr, flush=True)
    except KeyboardInterrupt:
        print("stopping the render actors", file=sys.stderr, flush=True)
        supervisor.stop()
    return 0

"""`dailies worker` refuses clearly: an unknown backend, bad counts, no reachable Ray cluster."""

from __future__ import annotations

import argparse
import socket

import pytest

from bots.cli import worker
from bots.cli.errors import UserError
from bots.settings import Settings

pytest.importorskip("ray", reason="the scale extra (ray) is not installed")


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    worker.register(parser.add_subparsers())
    return parser.parse_args(["worker", *argv])


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_unreachable_head_is_one_clear_line() -> None:
    settings = Settings(ray_address=f"127.0.0.1:{closed_port()}")
    with pytest.raises(UserError, match="cannot reach the Ray head"):
        worker.run(parse("--cpu-workers", "1"), settings)


def test_bad_counts_and_models_are_refused_before_connecting() -> None:
    with pytest.raises(UserError, match="--gpus must be 1 or more"):
        worker.run(parse("--gpus", "0"), Settings())
    with pytest.raises(UserError, match="neither a model family"):
        worker.run(parse("--backend", "diffusers", "--model", "no-such-family-xyz"), Settings())

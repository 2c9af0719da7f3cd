"""Local ports for tests: one that refuses connections for as long as a test needs it to."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def refusing_port() -> Iterator[int]:
    """A 127.0.0.1 port bound for the whole block but never listening: every connection to it is refused.

    A port found free and closed again can be taken by any other process (a Ray worker, another test run) before
    the test connects to it; a bound socket keeps it ours.
    """
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]

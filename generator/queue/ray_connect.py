"""Joining a Ray cluster from a Dailies process, with one clear line when it cannot (unreachable, token auth)."""

from __future__ import annotations

import os
import socket

AUTH_HINT = (
    "a cluster with token authentication needs RAY_AUTH_MODE=token and its token on this machine too "
    "(~/.ray/auth_token, RAY_AUTH_TOKEN_PATH or RAY_AUTH_TOKEN; `ray get-auth-token` on the head prints it)"
)


class ClusterUnreachable(RuntimeError):
    """The Ray cluster cannot be joined; the message says why and what to do, in one line."""


def connect(address: str | None, *, namespace: str | None = None) -> None:
    """ray.init against an existing cluster (`address`, default "auto"); no-op if this process already joined one."""
    try:
        import ray
        from ray.exceptions import RayError
    except ImportError:
        raise ClusterUnreachable("Ray is not installed: pip install 'dailies[scale]'") from None
    if ray.is_initialized():
        return
    address = address or "auto"
    host, _, port = address.rpartition(":")
    if host and port.isdigit():  # Ray retries an unreachable head for minutes: fail fast instead
        try:
            socket.create_connection((host, int(port)), timeout=5).close()
        except OSError as exc:
            raise ClusterUnreachable(f"cannot reach the Ray head at {address!r}: {exc.strerror or exc}") from None
    try:
        ray.init(address=address, namespace=namespace, log_to_driver=False)
    except (ConnectionError, RuntimeError, ValueError, RayError) as exc:
        text = str(exc).strip()
        first_line = text.splitlines()[0] if text else type(exc).__name__
        mode = os.environ.get("RAY_AUTH_MODE") or "unset"
        raise ClusterUnreachable(
            f"cannot join the Ray cluster at {address!r}: {first_line} "
            f"(start this node with `ray start --address=HEAD_IP:6379` first; RAY_AUTH_MODE is {mode}: {AUTH_HINT})"
        ) from None

"""The critic: watch a take, measure camera motion and quality, and judge it against what was asked."""

from __future__ import annotations

from tools.critic.critic import critique_clip, critique_clip_async
from tools.critic.decode import Clip, ClipError, read_clip

__all__ = ["Clip", "ClipError", "critique_clip", "critique_clip_async", "read_clip"]

"""A one-minute shot: segments joined vs one pass (previz), wall and CPU time, and how visible each join is."""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from pathlib import Path

import cv2

from generator.previz import PrevizGenerator
from generator.request import CameraPath, LookHints, RenderRequest
from tools.critic.long_take import join_checks
from tools.long_take import render_long_take
from tools.renderer import local_segments
from tools.take import Take, render_take

BUDGET = 10 * 1024 * 1024


def minute(width: int, height: int, fps: int) -> RenderRequest:
    return RenderRequest(
        prompt="a red fox trots across the snow",
        width=width,
        height=height,
        num_frames=60 * fps,
        fps=fps,
        seed=7,
        camera=CameraPath(movement="pan_right", speed="slow"),
        look=LookHints(subject="a red fox", setting="a birch forest", time_of_day="dusk"),
    )


def timed(work):
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", default="416x240", help="frame size WxH (default 416x240)")
    parser.add_argument("--fps", type=int, default=12)
    parser.add_argument("--segment-s", type=float, default=10.0)
    args = parser.parse_args()
    cv2.setNumThreads(1)
    width, height = (int(side) for side in args.size.split("x"))
    request = minute(width, height, args.fps)
    print(f"60 s at {args.fps} fps, {width}x{height}, previz (load avg {os.getloadavg()[0]:.1f})")
    with tempfile.TemporaryDirectory() as folder:
        one, one_wall, one_cpu = timed(lambda: render_take(request, PrevizGenerator(), Path(folder) / "one.mp4",
                                                          max_bytes=BUDGET))  # fmt: skip
        print(f"one pass            {one_wall:6.2f} s wall  {one_cpu:6.2f} s cpu  {one.num_frames} frames")
        render = local_segments(PrevizGenerator())
        joined, wall, cpu = timed(
            lambda: asyncio.run(
                render_long_take(request, render_segment=render, out_path=Path(folder) / "long.mp4", max_bytes=BUDGET,
                                 segment_s=args.segment_s)
            )
        )  # fmt: skip
        assert isinstance(joined, Take), joined
        print(
            f"{len(joined.segments)} segments joined  {wall:6.2f} s wall  {cpu:6.2f} s cpu  {joined.num_frames} frames"
            f"  ({wall / one_wall:.2f}x the single pass's wall time, {cpu / one_cpu:.2f}x its cpu)"
        )
        starts = [part.start_frame for part in joined.segments[1:]]
        joins = join_checks(joined.path, starts, args.fps)
        values = [check.value or 0.0 for check in joins]
        cuts = sum(not check.passed for check in joins)
        print(
            f"joins: {len(joins)}, called a cut by the detector: {cuts}; change across a join / around it: "
            f"max {max(values):.2f}, mean {sum(values) / len(values):.2f} (1 = invisible)"
        )
        control = join_checks(one.path, starts, args.fps)  # the same frames in the single pass: the baseline
        base = [check.value or 0.0 for check in control]
        print(f"same frames in the single pass: max {max(base):.2f}, mean {sum(base) / len(base):.2f}")


if __name__ == "__main__":
    main()

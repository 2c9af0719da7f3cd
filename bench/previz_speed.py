"""Previz speed at 832x480 on one core, as a multiple of real time (target: >= 4x), per camera move."""

from __future__ import annotations

import argparse
import os
import time

import cv2

from generator.previz import PrevizGenerator
from generator.request import CameraPath, LookHints, RenderRequest

MOVES = (
    "static",
    "pan_left",
    "tilt_up",
    "zoom_in",
    "handheld",
    "truck_left",
    "dolly_in",
    "orbit_left",
    "crane_up",
    "tracking",
)


def measure(movement: str, seconds: float, fps: int, width: int, height: int) -> tuple[float, float, float, float]:
    """(scene build s, ms per frame, whole render wall s, whole render CPU s) for one clip."""
    request = RenderRequest(
        prompt="a red fox trots across the snow in a birch forest",
        width=width,
        height=height,
        num_frames=round(seconds * fps),
        fps=fps,
        seed=7,
        camera=CameraPath(movement=movement, speed="medium"),
        look=LookHints(
            subject="a red fox",
            setting="a birch forest",
            caption="a red fox trots across the snow",
            shot_size="wide",
            time_of_day="golden_hour",
            style="35mm film",
        ),
    )
    started = time.perf_counter()
    cpu_started = time.process_time()
    frames = PrevizGenerator().iter_frames(request)
    next(frames)
    build = time.perf_counter() - started
    count = sum(1 for _ in frames)
    total = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    return build, (total - build) / max(count, 1) * 1000, total, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--fps", type=int, default=24)
    parser.add_argument("--size", default="832x480")
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.split("x"))
    cv2.setNumThreads(1)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core
    print(
        f"previz {width}x{height}, {args.seconds:g} s at {args.fps} fps, one core (load avg {os.getloadavg()[0]:.1f})"
    )
    print("steady: frames after the scene is built; overall: whole render by wall clock; cpu: by CPU time")
    print("(on a shared box the CPU-time figure is what one free core would give)")
    print(f"{'move':12s} {'build s':>8s} {'ms/frame':>9s} {'steady x':>9s} {'overall x':>10s} {'cpu x':>7s}")
    overall, by_cpu = [], []
    for movement in MOVES:
        build, ms, total, cpu = measure(movement, args.seconds, args.fps, width, height)
        steady = 1000 / args.fps / ms
        overall.append(args.seconds / total)
        by_cpu.append(args.seconds / cpu)
        print(f"{movement:12s} {build:8.2f} {ms:9.2f} {steady:8.1f}x {overall[-1]:9.1f}x {by_cpu[-1]:6.1f}x")
    median = sorted(overall)[len(overall) // 2]
    print(f"wall clock: slowest {min(overall):.1f}x, median {median:.1f}x real time (target >= 4x)")
    print(f"CPU time:   slowest {min(by_cpu):.1f}x, median {sorted(by_cpu)[len(by_cpu) // 2]:.1f}x real time")


if __name__ == "__main__":
    main()

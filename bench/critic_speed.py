"""Critic speed: critique time of a 5 s 832x480 16 fps clip, as a multiple of real time, on one core.

    .venv/bin/python bench/critic_speed.py [--runs 7] [--seconds 5] [--size 832x480] [--fps 16] [--all-cores]

The clip is a real photograph panned by a virtual camera, encoded with libx264 like a take. The process
is pinned to one CPU core (unless --all-cores) and the clock starts after imports and a warm-up call,
so process start is excluded. Prints wall time and CPU time (on a shared machine CPU time is the
fairer figure: it leaves out the time other processes held the core), and the decode share.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from tools.critic.critic import assemble, observe
from tools.critic.decode import read_clip
from tools.testing.footage import camera_clip, photos, write_clip

TARGET = 20.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--size", default="832x480")
    parser.add_argument("--fps", type=int, default=16)
    parser.add_argument("--all-cores", action="store_true")
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.split("x"))
    if not args.all_cores and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    frames = camera_clip(
        photos()["astronaut"](),
        "pan_left",
        size=(width, height),
        frames=round(args.seconds * args.fps),
        fps=args.fps,
        speed=0.12,
        noise=3.0,
    )
    with tempfile.TemporaryDirectory() as folder:
        path = write_clip(frames, Path(folder) / "take.mp4", fps=args.fps, crf=23)
        size_kb = path.stat().st_size / 1024
        assemble(observe(read_clip(path)), None)  # warm-up: imports, OpenCV's first calls
        totals, cpus, decodes = [], [], []
        for _ in range(args.runs):
            started, cpu = time.perf_counter(), time.process_time()
            clip = read_clip(path)
            decoded = time.process_time()
            critique = assemble(observe(clip), None)
            totals.append(time.perf_counter() - started)
            cpus.append(time.process_time() - cpu)
            decodes.append(decoded - cpu)
    median, best, cpu = statistics.median(totals), min(totals), statistics.median(cpus)
    print(f"clip: {args.seconds:g} s, {width}x{height}, {args.fps} fps, {len(frames)} frames, {size_kb:.0f} KiB")
    print(f"cores: {cores}; runs: {args.runs}; detected: {critique.camera_motion.detected}")
    print(f"critique wall time: median {median * 1000:.0f} ms, best {best * 1000:.0f} ms")
    print(f"critique CPU time: median {cpu * 1000:.0f} ms (decode {statistics.median(decodes) / cpu:.0%})")
    print(
        f"real-time multiple: CPU {args.seconds / cpu:.1f}x, wall median {args.seconds / median:.1f}x, "
        f"wall best {args.seconds / best:.1f}x (target >= {TARGET:g}x)"
    )


if __name__ == "__main__":
    main()

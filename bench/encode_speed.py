"""Encoder speed and size against the byte budget: a previz take, and 60 s of 1280x720 streamed."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

from generator.previz import PrevizGenerator
from generator.request import CameraPath, LookHints, RenderRequest
from tools.encode import DEFAULT_MAX_BYTES, THREADS, encode_mp4


def report(name: str, seconds: float, out, budget: int, elapsed: float, cpu: float) -> None:
    print(
        f"{name:34s} {elapsed:6.2f} s  ({seconds / elapsed:5.1f}x real time; cpu {cpu:6.2f} s, "
        f"{seconds / cpu:5.1f}x on one core)  {out.width}x{out.height}  "
        f"{out.bytes / 1024:8.0f} KiB of {budget / 1024:6.0f} KiB ({out.bytes / budget:4.0%})  "
        f"{out.bitrate / 1000:6.0f} kbit/s  passes {out.passes}"
    )


def main() -> None:
    cv2.setNumThreads(1)
    print(f"encoder: libx264 veryfast, capped CRF, {THREADS} x264 thread (load avg {os.getloadavg()[0]:.1f})")
    request = RenderRequest(
        prompt="a red fox trots across the snow",
        width=832,
        height=480,
        num_frames=240,
        fps=24,
        seed=7,
        camera=CameraPath(movement="truck_left", speed="medium"),
        look=LookHints(subject="a red fox", setting="a birch forest", style="35mm film", time_of_day="golden_hour"),
    )
    frames = PrevizGenerator().render(request).frames
    rng = np.random.default_rng(1)
    texture = cv2.resize(rng.integers(0, 255, (120, 426, 3), dtype=np.uint8), (2560, 720))
    grain = rng.integers(0, 24, (4, 720, 1280, 3), dtype=np.uint8)

    def long_clip():
        for i in range(24 * 60):
            x = i * 3 % 1280
            yield cv2.add(texture[:, x : x + 1280], grain[i % 4])

    with tempfile.TemporaryDirectory() as tmp:
        for name, source, fps, n, seconds, budget in (
            ("previz 10 s 832x480, 10 MiB", frames, 24, None, 10.0, DEFAULT_MAX_BYTES),
            ("previz 10 s 832x480, 1 MiB", frames, 24, None, 10.0, 1024 * 1024),
            ("synthetic 60 s 1280x720 24 fps, 10 MiB", long_clip, 24, 24 * 60, 60.0, DEFAULT_MAX_BYTES),
        ):
            started, cpu_started = time.perf_counter(), time.process_time()  # cpu: every thread of the process
            out = encode_mp4(source, fps, Path(tmp) / "clip.mp4", max_bytes=budget, num_frames=n)
            report(name, seconds, out, budget, time.perf_counter() - started, time.process_time() - cpu_started)


if __name__ == "__main__":
    main()

"""Previz and the critic agree: a seeded sample of the grid of moves x speeds x sizes x light x aspects x effects.

    .venv/bin/python bench/previz_agreement.py [--cases 120] [--seed 1] [--long-side 416] [--seconds 2] [--fps 16]

Each case is rendered by previz and critiqued against its own spec (`agent/testing/agreement.py`). Prints the
share of cases that pass for every value of every axis, then each failing case with what failed and what the
critic read. Previz performs the spec exactly, so every case should pass (target: 100 %).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import cv2

from agent.testing.agreement import AXES, Case, failed_checks, judge_case, sample


def _table(results: list[tuple[Case, dict[str, str], str]]) -> None:
    """Pass rate per value of each axis, worst first."""
    for axis in AXES:
        tally: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for case, failed, _ in results:
            tally[getattr(case, axis)][0] += not failed
            tally[getattr(case, axis)][1] += 1
        cells = sorted(tally.items(), key=lambda item: (item[1][0] / item[1][1], item[0]))
        print(f"{axis:8s} " + "  ".join(f"{value} {ok}/{n}" for value, (ok, n) in cells))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=120)  # the cells docs/critic.md reports
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--long-side", type=int, default=416)
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--fps", type=int, default=16)
    parser.add_argument("--keep", type=Path, help="keep the takes in this folder")
    args = parser.parse_args()
    cv2.setNumThreads(1)
    started = time.perf_counter()
    results: list[tuple[Case, dict[str, str], str]] = []
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        for case in sample(args.cases, args.seed):
            critique = judge_case(case, folder, long_side=args.long_side, seconds=args.seconds, fps=args.fps)
            reading = f"{critique.camera_motion.detected} ({critique.camera_motion.confidence:.2f})"
            results.append((case, failed_checks(critique), reading))
    _table(results)
    failing = [(case, failed, reading) for case, failed, reading in results if failed]
    for case, failed, reading in failing:
        print(f"FAIL {case.id}: read {reading}; " + "; ".join(f"{k}={v}" for k, v in failed.items()))
    passed = len(results) - len(failing)
    print(
        f"agreement: {passed}/{len(results)} = {passed / len(results):.1%} of cases pass (seed {args.seed}, "
        f"long side {args.long_side}, {args.seconds:g} s at {args.fps} fps); {time.perf_counter() - started:.0f} s"
    )


if __name__ == "__main__":
    main()

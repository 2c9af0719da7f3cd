"""The submitter of scripts/ray_cluster_check.py: queues N previz jobs on a Ray cluster and waits for them all.

It is the bot's render path (open_queued_renderer over a RayPool, takes returned as bytes) with one addition:
each render appends its start and end (job, actor pid, time) to a log, so the check can see every render,
orphans included. Run again after a kill, it re-attaches: job ids are fixed, submission is idempotent.

    python scripts/ray_cluster_submitter.py ADDRESS DATA_DIR JOBS FRAMES RENDER_LOG
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from generator.base import CancelToken, Generator, ProgressCallback
from generator.queue import Job, JobTask, QueueLimits
from generator.queue.ray_connect import connect
from generator.queue.ray_pool import RayPool
from generator.request import LookHints, RenderRequest
from tools.queued_renderer import (
    RenderSetup,
    bytes_take_task,
    open_queued_renderer,
    store_returned_take,
    submitter_name,
)

MAX_BYTES = 50 * 1024 * 1024
SUBJECTS = ("a lighthouse on a cliff", "a red fox in the snow", "a tram in the rain", "a kite over a beach")


def logged(task: JobTask, log_path: str) -> JobTask:
    """The task, writing one JSON line to `log_path` as each render starts and ends (in the actor's process)."""

    def write(entry: dict[str, Any]) -> None:
        with open(log_path, "a", encoding="utf-8") as log:
            log.write(json.dumps(entry) + "\n")

    def run(generator: Generator, job: Job, progress: ProgressCallback, cancel: CancelToken) -> dict[str, Any]:
        write({"job": job.id, "pid": os.getpid(), "event": "start", "t": time.time()})
        outcome = "error"
        try:
            value = task(generator, job, progress, cancel)
            outcome = "done"
            return value
        finally:
            write({"job": job.id, "pid": os.getpid(), "event": "end", "t": time.time(), "outcome": outcome})

    return run


def request(index: int, frames: int) -> RenderRequest:
    subject = SUBJECTS[index % len(SUBJECTS)]
    return RenderRequest(
        prompt=f"{subject} at dusk",
        width=832,
        height=480,
        num_frames=frames,
        fps=24,
        seed=index,
        look=LookHints(subject=subject, time_of_day="dusk"),
    )


def main(argv: list[str]) -> int:
    address, data_dir, count, frames, render_log = argv
    data = Path(data_dir)
    jobs = int(count)
    limits = QueueLimits(max_queued=max(200, jobs), per_user=jobs, user_concurrency=2, max_attempts=5)
    setup = RenderSetup(jobs_path=data / "jobs.sqlite", limits=limits, ray_workers=2, ray_address=address)
    connect(address)
    task = logged(bytes_take_task(MAX_BYTES), render_log)
    pool = RayPool(task, store_returned_take, owner=submitter_name(setup.jobs_path))
    renderer = open_queued_renderer(setup, executors=list(pool.slots(2)))
    queue = renderer.queue
    ids = [f"job-{index:03d}" for index in range(jobs)]
    for index, job_id in enumerate(ids):
        out = data / "media" / f"take-{job_id}.mp4"
        queue.submit(request(index, int(frames)), owner="ana", meta={"out_path": str(out)}, job_id=job_id)
    print(json.dumps({"submitted": len(ids), "pid": os.getpid()}), flush=True)
    while not all(queue.get(job_id).finished for job_id in ids):
        time.sleep(0.2)
    history = [list(entry) for entry in pool.history]
    (data / f"history-{os.getpid()}.json").write_text(json.dumps(history))
    renderer.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

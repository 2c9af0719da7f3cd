"""A submitter process for the restart tests: queues one stepped job on a cluster's actors, then waits to be killed.

python -m tests.generator.queue.ray_submitter ADDRESS JOBS_SQLITE OWNER PREFIX JOB_ID STEPS SEED
"""

from __future__ import annotations

import sys
import time

import ray

from generator.queue import JobQueue, JobStore, QueueLimits
from generator.queue.ray_pool import RayPool
from tests.generator.queue.ray_helpers import frames_task, stepped_request


def main(argv: list[str]) -> None:
    address, store, owner, prefix, job_id, steps, seed = argv
    ray.init(address=address, log_to_driver=False)
    pool = RayPool(frames_task, poll_s=0.05, prefix=prefix, owner=owner)
    queue = JobQueue(JobStore.open(store), pool.slots(1), QueueLimits(max_attempts=3))
    queue.start()
    queue.submit(stepped_request(int(steps), int(seed)), owner="ana", job_id=job_id)
    print("submitted", flush=True)
    time.sleep(600)  # the test kills this process mid-render


if __name__ == "__main__":
    main(sys.argv[1:])

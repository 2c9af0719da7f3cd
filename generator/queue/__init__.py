"""The render job queue: fair across users, capped, persisted in SQLite, served by warm workers."""

from __future__ import annotations

from generator.queue.eta import Eta, StepTimes
from generator.queue.executors import JobTask, LocalExecutor
from generator.queue.job import Job, JobPriority, JobStatus, QueueLimits
from generator.queue.queue import Executor, JobQueue, JobUpdate, WorkerLost
from generator.queue.store import JobStore, JobStoreError

__all__ = [
    "Eta",
    "Executor",
    "Job",
    "JobPriority",
    "JobQueue",
    "JobStatus",
    "JobStore",
    "JobStoreError",
    "JobTask",
    "JobUpdate",
    "LocalExecutor",
    "QueueLimits",
    "StepTimes",
    "WorkerLost",
]

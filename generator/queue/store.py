"""JobStore: jobs and ETA statistics in SQLite in the data folder, so a restart loses nothing."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

from generator.errors import Failure
from generator.queue.eta import StatKey
from generator.queue.job import Job

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL,
    thread TEXT,
    delivered INTEGER NOT NULL DEFAULT 0,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_status ON jobs (status);
CREATE INDEX IF NOT EXISTS jobs_thread ON jobs (thread, delivered);
CREATE TABLE IF NOT EXISTS step_times (
    model TEXT NOT NULL,
    size TEXT NOT NULL,
    mean REAL NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (model, size)
);
"""


class JobStoreError(RuntimeError):
    """The job store cannot be opened or written (unwritable data folder, corrupt file): one clear line."""


class JobStore:
    """A thread-safe SQLite table of jobs; the queue writes every state change through it."""

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self._db = connection
        self._lock = threading.Lock()
        self.path = path

    @classmethod
    def open(cls, path: str | Path) -> JobStore:
        """Open (creating) the store at `path`, or raise JobStoreError naming the folder and the reason."""
        path = Path(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise JobStoreError(f"cannot create the data folder {path.parent}: {exc.strerror or exc}") from None
        try:
            db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=10)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.executescript(_SCHEMA)
            db.execute("BEGIN IMMEDIATE")  # proves the file is writable now, not at the first job
            db.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            raise JobStoreError(f"cannot write the job store {path}: {exc} (is the data folder writable?)") from None
        return cls(db, path)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _write(self, sql: str, params: tuple[object, ...]) -> sqlite3.Cursor:
        with self._lock:
            try:
                return self._db.execute(sql, params)
            except sqlite3.DatabaseError as exc:
                raise JobStoreError(f"cannot write the job store {self.path}: {exc}") from None

    def add(self, job: Job) -> Job:
        """Insert a new job and give it its submission number."""
        with self._lock:
            try:
                cursor = self._db.execute(
                    "INSERT INTO jobs (id, status, thread, data) VALUES (?, ?, ?, '{}')",
                    (job.id, job.status, job.thread),
                )
            except sqlite3.DatabaseError as exc:
                raise JobStoreError(f"cannot write the job store {self.path}: {exc}") from None
        stored = job.model_copy(update={"seq": int(cursor.lastrowid or 0)})
        self.save(stored)
        return stored

    def save(self, job: Job) -> None:
        self._write(
            "UPDATE jobs SET status = ?, thread = ?, delivered = ?, data = ? WHERE id = ?",
            (job.status, job.thread, int(job.delivered_at is not None), job.model_dump_json(), job.id),
        )

    def _select(self, where: str, params: tuple[object, ...] = ()) -> list[Job]:
        with self._lock:
            rows = self._db.execute(f"SELECT data FROM jobs WHERE {where} ORDER BY seq", params).fetchall()
        return [Job.model_validate_json(row[0]) for row in rows]

    def get(self, job_id: str) -> Job | None:
        jobs = self._select("id = ?", (job_id,))
        return jobs[0] if jobs else None

    def unfinished(self) -> list[Job]:
        return self._select("status IN ('queued', 'running')")

    def undelivered(self, thread: str | None = None) -> list[Job]:
        """Jobs whose outcome has not been handed to their thread yet (unfinished ones included)."""
        if thread is None:
            return self._select("delivered = 0")
        return self._select("delivered = 0 AND thread = ?", (thread,))

    def recover(self, max_attempts: int) -> list[Job]:
        """After a restart: running jobs go back to the queue (or fail past max_attempts); the unfinished ones."""
        recovered = []
        for job in self.unfinished():
            if job.status == "running":
                if job.attempts >= max_attempts:
                    job = job.model_copy(
                        update={
                            "status": "failed",
                            "finished_at": time.time(),
                            "failure": Failure(
                                kind="internal", message=f"the render was interrupted {job.attempts} times; gave up"
                            ),
                        }
                    )
                else:
                    job = job.model_copy(update={"status": "queued", "worker": None})
                self.save(job)
            if not job.finished:
                recovered.append(job)
        return recovered

    def load_step_times(self) -> dict[StatKey, tuple[float, int]]:
        with self._lock:
            rows = self._db.execute("SELECT model, size, mean, count FROM step_times").fetchall()
        return {(model, size): (mean, count) for model, size, mean, count in rows}

    def save_step_time(self, key: StatKey, mean: float, count: int) -> None:
        self._write(
            "INSERT INTO step_times (model, size, mean, count) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (model, size) DO UPDATE SET mean = excluded.mean, count = excluded.count",
            (*key, mean, count),
        )

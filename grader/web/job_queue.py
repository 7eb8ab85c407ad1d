"""The jobs waiting in the runner (:mod:`grader.web.jobs`), and which one goes to a grading worker next.

Waiting jobs go in (priority, arrival) order, and only as workers free up: the pool never queues behind our back,
so a trainee's sheet goes before a batch that has not started yet. A *suspect*, a job that may kill its worker
(:func:`grader.web.job_settling.settle_jobs`), goes alone: the jobs in flight finish first and none starts beside it,
and the runner hands it to a pool of its own (:func:`grader.web.job_pools.start_pool`), so that a worker that dies
under it is its own. (The runner keeps the suspects in the database too, ``jobs.run_alone``, and tells the queue
about them again after a restart.) Nothing goes while the queue is held (a broken pool's processes are being
stopped).
"""
from __future__ import annotations

import heapq
import itertools
import threading
from collections import deque

__all__ = ["JobQueue"]


class JobQueue:
    """Thread-safe: jobs are put from requests and follow-ups, and taken by whoever pumps the queue."""

    def __init__(self, workers: int):
        self.workers = workers
        self._lock = threading.Lock()
        self._waiting: list[tuple[int, int, int]] = []      # heap of (priority, arrival, job id)
        self._arrival = itertools.count()
        self._suspects: set[int] = set()                    # run alone until they are finished
        self._alone: deque[int] = deque()                   # suspects waiting
        self._alone_running: int | None = None
        self._in_flight = 0                                 # taken, not back yet
        self._held = 0

    def put(self, job_id: int, priority: int) -> None:
        """Queue ``job_id`` (a suspect: to run alone)."""
        with self._lock:
            if job_id not in self._suspects:
                heapq.heappush(self._waiting, (priority, next(self._arrival), job_id))
            elif job_id not in self._alone:
                self._alone.append(job_id)

    def take(self) -> int | None:
        """The next job to hand to a worker, counted as in flight until :meth:`back`; None if none may go now."""
        with self._lock:
            if self._held or self._alone_running is not None:
                return None
            if self._alone:
                if self._in_flight:
                    return None                             # (the jobs in flight finish first)
                job_id = self._alone_running = self._alone.popleft()
            elif self._in_flight >= self.workers or not self._waiting:
                return None
            else:
                _, _, job_id = heapq.heappop(self._waiting)
            self._in_flight += 1
            return job_id

    def back(self, *job_ids: int) -> None:
        """``job_ids``, taken, are in flight no more (they came back, or no pool would take them)."""
        with self._lock:
            self._in_flight -= len(job_ids)
            if self._alone_running in job_ids:
                self._alone_running = None

    def running_alone(self) -> int | None:
        """The suspect in flight alone, if any: nothing else was in flight when it went, and nothing has gone since."""
        with self._lock:
            return self._alone_running

    def suspect(self, job_id: int) -> None:
        """From now on, ``job_id`` runs alone, until :meth:`clear`."""
        with self._lock:
            self._suspects.add(job_id)

    def clear(self, job_id: int) -> None:
        """``job_id`` is finished: no longer a suspect."""
        with self._lock:
            self._suspects.discard(job_id)

    def hold(self) -> None:
        """Let no job go until as many :meth:`release` calls."""
        with self._lock:
            self._held += 1

    def release(self) -> None:
        with self._lock:
            self._held -= 1

    def waiting(self) -> int:
        """Jobs queued here and not yet handed to a worker."""
        with self._lock:
            return len(self._waiting) + len(self._alone)

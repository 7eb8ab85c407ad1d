"""The pools of worker processes the job runner hands jobs to, and stopping one for good.

A pool is retired, never handed a job again, when it broke (a worker process died: a photo that makes OpenCV
segfault, memory exhausted) or when it could not take a job (it could not start a worker process). What becomes of
the jobs that were on it is decided (:mod:`grader.web.job_settling`) only once every process of it has ended:
:mod:`concurrent.futures` hands back the jobs of a broken pool *before* it stops its other processes, and a pool
whose ``submit`` raised may still run that job later. A job queued again any sooner could be graded by two processes
at once, both writing the same sheet's files. So the processes of a retired pool are waited for (a broken pool sends
them SIGTERM; a pool that could not take a job lets them finish what they run) and killed if they have not ended in
time.
"""
from __future__ import annotations

import concurrent.futures as cf
import logging
import multiprocessing
import multiprocessing.connection
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

from grader.web.job_worker import JobContext, _warm_up

__all__ = ["KILL_WAIT_S", "STOP_GRACE_S", "WorkerPool", "retire", "start_pool", "stop_processes"]
log = logging.getLogger(__name__)

#: seconds the processes of a broken pool have to end after its SIGTERM, before they are killed
STOP_GRACE_S = 10.0
#: seconds a killed process has to be gone (one stuck in the kernel, in a write to a dead disk, may take longer)
KILL_WAIT_S = 5.0


@dataclass(eq=False)
class WorkerPool:
    """An executor and the jobs handed to it that have not come back; thread-safe."""

    executor: cf.Executor
    jobs: set[int] = field(default_factory=set)          # handed to it, not come back (or come back broken)
    refused: list[int] = field(default_factory=list)     # its submit raised: it may run them all the same
    broke: bool = False                                  # a worker process of it died
    retired: bool = False                                # handed no more jobs; its processes are being stopped
    settled: bool = False                                # ended, and what was on it decided
    alone: bool = False                                  # a suspect's own, of one worker (:func:`start_pool`)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def took(self, job_id: int) -> None:
        with self._lock:
            self.jobs.add(job_id)

    def came_back(self, job_id: int, *, broken: bool) -> str:
        """A job's future is done. Returns ``"decided"`` (settled with the pool already: nothing to do), ``"back"``
        (an outcome: off the pool), ``"first_break"`` (the first come back because the pool broke: retire it),
        ``"broken"`` (another; it stays on the pool, to be settled with it) or ``"late"`` (broken, and handed over
        as the pool was being settled: settle it on its own)."""
        with self._lock:
            if job_id not in self.jobs:
                return "decided"
            if not broken:
                self.jobs.discard(job_id)
                return "back"
            first, self.broke = not self.broke, True
            return "late" if self.settled else "first_break" if first else "broken"

    def refuse(self, job_id: int) -> bool:
        """Note that the pool would not take ``job_id`` (it may run it all the same); False if it is settled already."""
        with self._lock:
            if not self.settled:
                self.refused.append(job_id)
            return not self.settled

    def retire_once(self) -> bool:
        """Mark it retired; False if it was already."""
        with self._lock:
            first, self.retired = not self.retired, True
            return first

    def take_left(self) -> tuple[list[int], list[int], bool]:
        """Take the jobs left on it and the refused ones, marking it settled; and whether this settling pass ends a
        hold on the queue (a pass after a break, or a late one)."""
        with self._lock:
            jobs, refused = sorted(self.jobs), list(self.refused)
            self.jobs.clear()
            self.refused.clear()
            ends_hold = self.broke or self.settled
            self.settled = True
            return jobs, refused, ends_hold

    def processes(self) -> list[multiprocessing.Process]:
        """Its worker processes (none for a thread pool). Read them before shutting it down, which forgets them:
        :class:`concurrent.futures.ProcessPoolExecutor` keeps them in a private attribute."""
        return list((getattr(self.executor, "_processes", None) or {}).values())


def _require_private(executor, names: tuple[str, ...]) -> None:
    """The two private attributes of :class:`concurrent.futures.ProcessPoolExecutor` the runner relies on (CPython 3.11
    to 3.13): without ``_processes`` it could not wait for a broken pool's processes before running their jobs again,
    and a job could be graded by two processes at once. A Python that renames them fails here, loudly, not later."""
    missing = [n for n in names if not hasattr(executor, n)]
    if missing:
        raise RuntimeError(f"this Python's ProcessPoolExecutor has no {', '.join(missing)}: the job runner cannot "
                           f"tell when a broken pool's processes have ended (grader/web/job_pools.py)")


def start_pool(ctx: JobContext, *, mode: str, workers: int, alone: bool = False) -> WorkerPool:
    """A new pool of ``workers``: processes that import the pipeline once (``mode="process"``), or threads.

    ``alone``: a suspect's pool, of one worker (:class:`grader.web.job_queue.JobQueue`). In the pool of every worker,
    an idle worker killed while the suspect runs (the OOM killer's choice) would break the pool and be charged to the
    suspect; in a pool of its own, a worker that dies is the suspect's."""
    if mode == "process":
        executor = cf.ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                                          initializer=_warm_up, initargs=(ctx.pipeline, ctx.data_dir))
        # All its workers start with the first job, before the pool's own thread starts watching them, as in a "fork"
        # pool. Started one per job instead (the default under "spawn", CPython 3.11 to 3.13), a worker may be watched
        # only once another job comes back: its death goes unnoticed until then, its job left running meanwhile.
        _require_private(executor, ("_safe_to_dynamically_spawn_children", "_processes"))
        executor._safe_to_dynamically_spawn_children = False
        return WorkerPool(executor, alone=alone)
    return WorkerPool(cf.ThreadPoolExecutor(max_workers=workers, thread_name_prefix="grader-job"), alone=alone)


def retire(pool: WorkerPool, *, grace_s: float, then: Callable[[list[int]], None],
           fallback: Callable[[Callable[[], None]], None]) -> None:
    """Stop ``pool`` for good, in a thread of its own: shut it down (what it has not started is cancelled), wait until
    its processes have ended (:func:`stop_processes`), then call ``then`` with the ids of those that could not be
    stopped. ``fallback(fn)`` runs the stopping elsewhere if no thread can be started."""
    processes = pool.processes()        # (before the shutdown forgets them)

    def stop() -> None:
        stuck: list[int] = []
        try:
            pool.executor.shutdown(wait=not processes, cancel_futures=True)    # (a thread pool: wait for its threads)
            stuck = stop_processes(processes, grace_s=grace_s)
        except Exception:  # noqa: BLE001 - logged; what was on it is settled all the same
            log.exception("stopping a retired grading worker pool failed")
        finally:
            then(stuck)
    try:
        threading.Thread(target=stop, name="grader-pool-stop", daemon=True).start()
    except RuntimeError:
        fallback(stop)


def stop_processes(processes: list[multiprocessing.Process], *, grace_s: float) -> list[int]:
    """Wait until each of ``processes`` has ended, killing those still running after ``grace_s`` seconds. Returns the
    process ids of those that had not ended even then (stuck in the kernel: they run no more of a job, but a write
    they were in may still land)."""
    alive = _wait_ended(processes, grace_s)
    if alive:
        log.error("grading worker process(es) %s still running %.0f s after their pool was stopped: killing them",
                  ", ".join(str(p.pid) for p in alive), grace_s)
        for p in alive:
            p.kill()
        alive = _wait_ended(alive, KILL_WAIT_S)
    return [p.pid for p in alive]


def _wait_ended(processes: list[multiprocessing.Process], seconds: float) -> list[multiprocessing.Process]:
    """The processes still running after waiting up to ``seconds`` for them to end. (By their sentinels, which do not
    reap them: the pool's own thread joins them.)"""
    end = time.monotonic() + seconds
    running = {s: p for p in processes if (s := _sentinel(p)) is not None}
    while running and (left := end - time.monotonic()) > 0:
        for ended in multiprocessing.connection.wait(list(running), timeout=left):
            del running[ended]
    return list(running.values())


def _sentinel(process: multiprocessing.Process) -> int | None:
    try:
        return process.sentinel
    except ValueError:          # closed: it has ended
        return None

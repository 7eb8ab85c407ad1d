"""At start: finish what a crash (kill -9, a power cut) left unfinished, before any request is served.

The steps, in this order:

1. finish exercise removals a crash cut short (first: a sheet of a removed exercise is not graded again); record the
   photo folders that no sheet holds (a crash between writing a sending's photos and recording it) as their sheets
   where they hold the whole sending, five minutes old, and move the others, an hour old, to ``quarantine/``
   (:mod:`grader.web.unrecorded`);
2. re-queue the jobs left ``running`` and dispatch the queued ones (:meth:`grader.web.jobs.JobRunner.recover`; if
   the database refuses it for now, the job runner tries again until it goes through, and the start goes on: given
   up after three requests' attempts, those jobs would wait for the next start);
3. queue sheets left queued without a job, as their callers would have, and fail those left running by a job that
   failed (:mod:`grader.web.stranded`), resume batch splits and merges cut short
   (:func:`grader.web.page_merge.merge_finished_batches`);
4. regrade the sheets whose stored correction or dispute is missing from their score
   (:func:`grader.web.review_actions.settle_stored_reviews`);
5. from then on, have the job runner sweep for sheets an error left queued without a job
   (:func:`grader.web.stranded.watch`), and for photo folders no sheet holds, as step 1 does
   (:func:`grader.web.unrecorded.watch`: another process on the data folder may crash while this one runs).

``grader serve`` starts it before serving. Under any other WSGI server (waitress or gunicorn importing
``create_app``) the first request starts it, and every request, whichever arrives meanwhile, waits until it has
finished: none sees or acts on half-recovered state (a correction racing the recovery's regrade of its sheet). A
static file's (``/static/...``: the stylesheet, app.js), which reads no state, is served at once.
It runs in a thread of its own, and a request waits for it only until it has run ``RECOVERY_WAIT_S`` seconds (the
app's setting): a step that hangs (a locked database, a stuck disk) must not hold every request, and with it every
server thread, for good. Past that, a request is answered 503 as for a failed attempt, and the step is logged once,
by name; the recovery keeps running, and once it has finished, requests are served as usual.

A step that fails is logged, in English with its traceback, and tried again by the next request; the steps done
before it are not run again (re-queueing the jobs a second time would grade them twice). The request whose
attempt failed is answered 503, "try again in a moment", as it must not act on what the failed step left. A step
that fails :data:`ATTEMPTS` times is given up and logged as such, and the recovery goes on with the next steps:
one damaged row or a bug in one step must not keep a class from its pages, and what the step left undone is what
the crash left, which the next start tries again.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from flask import Flask, make_response, request

log = logging.getLogger(__name__)

#: times a failing step is tried (one attempt per request) before the app serves without it
ATTEMPTS = 3
#: what a request turned away by a failed attempt is told to wait, in seconds (``Retry-After``)
RETRY_AFTER_S = 5


@dataclass
class _Attempt:
    """One run of the steps not done yet, in the recovery's thread; ``ok`` once ``done`` is set."""
    started: float = field(default_factory=time.monotonic)
    done: threading.Event = field(default_factory=threading.Event)
    ok: bool = False


class StartupRecovery:
    """The start's recovery, run once to the end: call it before serving; ``True`` when requests may be served
    (finished, or its failing steps given up), ``False`` when the caller should try again later: the attempt it
    waited for failed, or has been running ``wait_s`` seconds (a step that hangs). A call starts an attempt if none
    is running (in a thread of its own), and concurrent calls wait for the one running."""

    def __init__(self, runner, *, wait_s: float, attempts: int = ATTEMPTS, sweep: dict | None = None,
                 unrecorded_every_s: float | None = None):
        self.attempts = attempts
        self.wait_s = wait_s
        sweep = sweep or {}          # grader.web.stranded.watch's settings
        self._steps: list[tuple[str, Callable[[], object]]] = [
            ("finish the removals a crash cut short", lambda: _finish_removals(runner)),
            ("set aside the photo folders no sheet holds", lambda: _set_aside_unrecorded(runner)),
            ("re-queue the interrupted jobs", runner.recover),
            ("resume the batch merges a crash cut short", lambda: _merge_finished_batches(runner)),
            ("regrade the sheets missing a stored correction or dispute", lambda: _settle_stored_reviews(runner)),
            ("watch for sheets left queued without a grading job", lambda: _watch_stranded(runner, **sweep)),
            ("watch for photo folders no sheet holds", lambda: _watch_unrecorded(runner, unrecorded_every_s)),
        ]
        self._next = 0              # the first step not done yet
        self._failures = 0          # of that step
        self._step_started = 0.0    # when that step started (time.monotonic)
        self._finished = False      # set only once every step is done or given up
        self._attempt: _Attempt | None = None     # the one running
        self._hung: set[int] = set()              # steps whose hang was logged
        self._lock = threading.Lock()

    def __call__(self) -> bool:
        if self._finished:
            return True
        with self._lock:
            if self._finished:
                return True
            if self._attempt is None:
                self._attempt = _Attempt()
                threading.Thread(target=self._attempt_thread, args=(self._attempt,), name="startup-recovery",
                                 daemon=True).start()
            attempt = self._attempt
        if attempt.done.wait(max(0.0, attempt.started + self.wait_s - time.monotonic())):
            return attempt.ok
        self._log_hang()
        return False

    def _attempt_thread(self, attempt: _Attempt) -> None:
        ok = False
        try:
            ok = self._run()
        finally:
            with self._lock:
                self._finished = attempt.ok = ok
                self._attempt = None            # a failed attempt: the next call starts another
            attempt.done.set()

    def _log_hang(self) -> None:
        """Say once, per step, that a step has kept requests waiting past the bound (its name, for how long)."""
        with self._lock:
            step = self._next
            if self._finished or step >= len(self._steps) or step in self._hung:
                return
            self._hung.add(step)
        log.warning("startup recovery: still trying to %s after %.0f s; requests are answered 503 until it finishes "
                    "(a step that hangs: a locked database, a stuck disk?)", self._steps[step][0],
                    time.monotonic() - self._step_started)

    def _run(self) -> bool:
        while self._next < len(self._steps):
            what, step = self._steps[self._next]
            self._step_started = time.monotonic()
            try:
                step()
            except Exception:  # noqa: BLE001 - logged; tried again, or given up, below
                self._failures += 1
                if self._failures < self.attempts:
                    log.exception("startup recovery: could not %s (attempt %d of %d); the next request tries again",
                                  what, self._failures, self.attempts)
                    return False
                log.exception("startup recovery: could not %s (attempt %d of %d); giving up on it and serving "
                              "without it (the next start tries again)", what, self._failures, self.attempts)
            if self._next in self._hung:
                log.warning("startup recovery: the step that kept requests waiting (%s) ended after %.0f s",
                            what, time.monotonic() - self._step_started)
            self._next += 1
            self._failures = 0
        return True


def _on_the_data(runner, step: Callable[..., object]) -> None:
    """``step(conn, data folder)``, on a connection of its own."""
    from grader.web.db import connect

    conn = connect(runner.ctx.database)
    try:
        step(conn, Path(runner.ctx.data_dir))
    finally:
        conn.close()


def _finish_removals(runner) -> None:
    from grader.web.removal import finish_removals

    _on_the_data(runner, finish_removals)


def _set_aside_unrecorded(runner) -> None:
    from grader.web.unrecorded import set_aside_unrecorded

    _on_the_data(runner, set_aside_unrecorded)


def _merge_finished_batches(runner) -> None:
    from grader.web import page_merge

    page_merge.merge_finished_batches(runner)


def _settle_stored_reviews(runner) -> None:
    from grader.web import review_actions

    review_actions.settle_stored_reviews(runner.ctx)


def _watch_stranded(runner, **sweep) -> None:
    from grader.web import stranded

    stranded.watch(runner, **sweep)


def _watch_unrecorded(runner, every_s: float | None) -> None:
    from grader.web import unrecorded

    unrecorded.watch(runner, every_s=unrecorded.UNRECORDED_SWEEP_S if every_s is None else every_s)


def init_app(app: Flask, runner) -> None:
    """Run the recovery before the first request is served (every request but a static file's waits for it, up to
    the app's ``RECOVERY_WAIT_S``); ``grader serve`` calls ``app.extensions["grader.recover"]()`` at start, too.
    Not at import or in CLI commands (``flask init-db`` must not start grading)."""
    from grader.web import stranded

    sweep = {"every_s": app.config.get("JOBS_SWEEP_S", stranded.SWEEP_EVERY_S),
             "older_than_s": app.config.get("JOBS_STRANDED_AFTER_S", stranded.STRANDED_AFTER_S)}
    recovery = StartupRecovery(runner, wait_s=app.config["RECOVERY_WAIT_S"], sweep=sweep,
                               unrecorded_every_s=app.config.get("UNRECORDED_SWEEP_S"))
    app.extensions["grader.recover"] = recovery

    @app.before_request
    def wait_for_recovery():
        # A static file (the stylesheet, app.js) reads nothing the recovery puts right: served at once, so that the
        # page a slow recovery finally lets through is not left without its style and its script.
        if request.endpoint == "static" or recovery():
            return None
        from grader.web import error_response
        from grader.web.i18n import gettext as _

        text = _("Server baru dinyalakan ulang dan masih bersiap. Coba lagi sebentar lagi.")
        response = make_response(error_response(503, text))
        response.headers["Retry-After"] = str(RETRY_AFTER_S)
        return response

"""The job runner's worker pools: a worker process that dies, a pool that cannot take a job.

A photo that kills its worker (OpenCV segfaults on it, or it exhausts memory) breaks the pool, and every job in
flight on it comes back broken. Only the job that kills a worker while it runs alone may be charged for it; its
neighbours are run again, never while their old process is still stopping.
"""
import errno
import os
import signal
import time
from pathlib import Path

import pytest

from grader.web.jobs import MAX_ATTEMPTS, JobContext, JobRunner
from grader.web.testing import jpeg_bytes, make_test_app
from test_web_jobs import stored, wait_for, wait_for_job


class SideBySidePipeline:
    """Grades a sheet while its neighbour, a photo named ``die*``, kills its worker process (as a photo that makes
    OpenCV segfault does) its first ``dies`` runs: at the moment a neighbour is being graded, or, when none is, once
    one has ended or after a while (1.5 s; 10 s the first run, which waits for its neighbour to start).

    Every run notes in ``log`` when it starts and, every 0.1 s, that it is still going (``time pid event photo``), so
    a test can see which runs of a sheet overlapped. ``stop`` is how the neighbour's first run takes its pool's
    SIGTERM: ``"at_once"``, ``"slowly"`` (it goes on for 2 s, as a process caught in a slow write), ``"never"``."""

    def __init__(self, log: Path, *, dies: int, stop: str = "at_once"):
        self.log, self.dies, self.stop = str(log), dies, stop

    def grade_upload(self, files, **kwargs):
        import grader.web.testing as fake

        name = files[0][0]
        if name.startswith("die"):
            earlier = sum(1 for _, _, event, photo in self.notes() if event == "start" and photo == name)
            started = time.time()
            self.note("start", name)
            if earlier < self.dies:
                end = started + (10.0 if earlier == 0 else 1.5)     # (the first run is side by side)
                while time.time() < end and not self.neighbour_running() and not self.neighbour_ended(started):
                    time.sleep(0.02)
                self.note("dies", name)
                os._exit(3)
            return fake.grade_upload(files, **kwargs)
        first = not any(photo == name for _, _, _, photo in self.notes())
        if first and self.stop == "slowly":
            signal.signal(signal.SIGTERM, lambda *_: (self.going_on("stopping", name, 2.0), os._exit(1)))
        elif first and self.stop == "never":
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
        self.note("start", name)
        self.going_on("grading", name, (30.0 if self.stop == "never" else 4.0) if first else 0.5)
        result = fake.grade_upload(files, **kwargs)
        self.note("end", name)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        return result

    def regrade(self, *args):
        import grader.web.testing as fake
        return fake.regrade(*args)

    def going_on(self, event, name, seconds):
        end = time.time() + seconds
        while time.time() < end:
            self.note(event, name)
            time.sleep(0.1)

    def note(self, event, name):
        with open(self.log, "a") as f:
            f.write(f"{time.time():.3f} {os.getpid()} {event} {name}\n")

    def notes(self):
        try:
            with open(self.log) as f:
                return [(float(t), int(pid), event, photo) for t, pid, event, photo in (line.split() for line in f)]
        except FileNotFoundError:
            return []

    def neighbour_running(self):
        """A run of the neighbour has started in a process still alive and has not ended."""
        started = {pid for _, pid, event, photo in self.notes() if event == "start" and not photo.startswith("die")}
        ended = {pid for _, pid, event, _ in self.notes() if event == "end"}
        return any(pid not in ended and _alive(pid) for pid in started)

    def neighbour_ended(self, since):
        return any(event == "end" and not photo.startswith("die") and t >= since
                   for t, _, event, photo in self.notes())


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def runs_of(log: Path, name: str) -> list[tuple[int, float, float]]:
    """The runs of photo ``name``: ``(pid, first note, last note)``, in the order they started."""
    runs: dict[int, list[float]] = {}
    for line in log.read_text().splitlines():
        t, pid, _, photo = line.split()
        if photo == name:
            runs.setdefault(int(pid), []).append(float(t))
    return sorted(((pid, min(ts), max(ts)) for pid, ts in runs.items()), key=lambda r: r[1])


def two_sheets(app, code, names=("a_1.jpg", "b_1.jpg")):
    conn, first = stored(app, code, names[0])
    _, second = stored(app, code, names[1], jpeg_bytes(color="#eee"))
    return conn, first, second


def context(app, pipeline) -> JobContext:
    return JobContext(database=app.config["DATABASE"], data_dir=str(app.config["DATA_DIR"]), pipeline=pipeline)


def two_sheets_side_by_side(app, code, tmp_path, **pipeline):
    conn, culprit, neighbour = two_sheets(app, code, ("die_1.jpg", "ok_1.jpg"))
    log = tmp_path / "runs.log"
    return conn, culprit, neighbour, log, context(app, SideBySidePipeline(log, **pipeline))


def test_a_photo_that_kills_its_worker_does_not_take_its_neighbour_down(code, tmp_path):
    """QA: a photo that killed its worker process three times failed for good, and so did the sheet graded beside
    it each time (every job in flight on a broken pool was charged an attempt). Now the jobs in flight are run
    again one at a time: only the one that kills a worker while it runs alone is charged."""
    app = make_test_app(JOBS_RECOVER=False)
    conn, culprit, neighbour, log, ctx = two_sheets_side_by_side(app, code, tmp_path, dies=MAX_ATTEMPTS + 1)
    runner = JobRunner(ctx, mode="process", workers=2, retry_delay_s=0.05)
    try:
        bad = runner.submit("grade", {"submission_id": culprit})
        good = runner.submit("grade", {"submission_id": neighbour})
        assert wait_for(conn, neighbour, timeout=90)["state"] == "done"
        row = wait_for(conn, culprit, timeout=90)
        assert row["state"] == "failed" and row["error_code"] == "worker_crashed"
        assert runner.status(bad).attempts == MAX_ATTEMPTS
        assert wait_for_job(runner, good).state == "done" and runner.status(good).attempts == 1
    finally:
        runner.shutdown(wait=False)
    (_, _, first_died), *alone = runs_of(log, "die_1.jpg")
    graded = runs_of(log, "ok_1.jpg")
    assert len(alone) >= MAX_ATTEMPTS - 1 and all(first_died < start for _, start, _ in alone)
    assert not [(a, b) for a in alone for b in graded if a[1] <= b[2] and b[1] <= a[2]], "it ran beside it again"


def test_a_job_submitted_to_run_alone_never_runs_beside_another(code, tmp_path):
    """A sheet failed as worker_crashed and graded again (grader.web.grade_again) is submitted to run alone: even
    its first run goes with nothing beside it, so its neighbour is never thrown out with it."""
    app = make_test_app(JOBS_RECOVER=False)
    conn, culprit, neighbour, log, ctx = two_sheets_side_by_side(app, code, tmp_path, dies=MAX_ATTEMPTS + 1)
    runner = JobRunner(ctx, mode="process", workers=2, retry_delay_s=0.05)
    try:
        bad = runner.submit("grade", {"submission_id": culprit}, run_alone=True)
        good = runner.submit("grade", {"submission_id": neighbour})
        assert wait_for(conn, neighbour, timeout=90)["state"] == "done"
        assert wait_for(conn, culprit, timeout=90)["error_code"] == "worker_crashed"
        assert runner.status(good).attempts == 1 and runner.status(bad).attempts == MAX_ATTEMPTS
    finally:
        runner.shutdown(wait=False)
    died, graded = runs_of(log, "die_1.jpg"), runs_of(log, "ok_1.jpg")
    assert len(died) == MAX_ATTEMPTS and len(graded) == 1
    assert not [(a, b) for a in died for b in graded if a[1] <= b[2] and b[1] <= a[2]], "it ran beside another"


@pytest.mark.parametrize("stop", ["slowly", "never"])
def test_a_neighbour_is_run_again_only_once_its_old_process_has_stopped(code, tmp_path, stop):
    """Review: the jobs of a broken pool were queued again as soon as it broke, before its other processes were
    stopped: a neighbour whose process took a moment to stop (a slow write) was graded by two processes at once,
    writing the same files. Now its process is waited for (and killed, if it does not stop on SIGTERM) first."""
    app = make_test_app(JOBS_RECOVER=False)
    conn, culprit, neighbour, log, ctx = two_sheets_side_by_side(app, code, tmp_path, dies=1, stop=stop)
    runner = JobRunner(ctx, mode="process", workers=2, retry_delay_s=0.05, stop_grace_s=1.0)
    try:
        bad = runner.submit("grade", {"submission_id": culprit})
        good = runner.submit("grade", {"submission_id": neighbour})
        assert wait_for(conn, neighbour, timeout=90)["state"] == "done"
        assert wait_for(conn, culprit, timeout=90)["state"] == "done"
        attempts = runner.status(bad).attempts, runner.status(good).attempts
    finally:
        runner.shutdown(wait=False)
    runs = runs_of(log, "ok_1.jpg")
    assert len(runs) == 2
    (_, _, first_ended), (_, second_started, _) = runs
    assert second_started > first_ended, f"the second run started while the first was still going: {runs}"
    assert attempts == (1, 1)


def test_a_process_pool_that_could_not_start_a_worker_is_replaced(code, monkeypatch):
    """A process pool whose worker could not be started (too many processes, memory short) keeps the job it
    failed to take, to run later behind our back; it is shut down and replaced, and the job is graded once."""
    import concurrent.futures.process as cfp

    app = make_test_app(JOBS_RECOVER=False)
    conn, sid = stored(app, code, "a_1.jpg")
    runner = JobRunner(context(app, "grader.web.testing"), mode="process", workers=1, retry_delay_s=0.05)
    real, spawned = cfp.ProcessPoolExecutor._spawn_process, []

    def spawn(pool):
        spawned.append(pool)
        if len(spawned) == 1:
            raise OSError(errno.EAGAIN, "Resource temporarily unavailable")
        return real(pool)
    monkeypatch.setattr(cfp.ProcessPoolExecutor, "_spawn_process", spawn)
    try:
        job = runner.submit("grade", {"submission_id": sid})
        assert wait_for(conn, sid, timeout=60)["state"] == "done"
        assert runner.status(job).attempts == 2
    finally:
        runner.shutdown(wait=False)
    assert len(spawned) == 2 and spawned[1] is not spawned[0]


def test_a_pool_whose_workers_cannot_start_fails_its_jobs_instead_of_starting_new_pools_for_ever(code, tmp_path,
                                                                                                   monkeypatch):
    """Review: the jobs of a pool that broke before any of them started went to a new pool at once, uncharged: a
    pipeline whose import kills every worker started pool after pool, for ever. Such a break costs each job an
    attempt now."""
    (tmp_path / "killing_pipeline.py").write_text("import os\nos._exit(3)\n")
    monkeypatch.syspath_prepend(str(tmp_path))         # (the workers import it; this process never does)
    app = make_test_app(JOBS_RECOVER=False)
    conn, first, second = two_sheets(app, code)
    runner = JobRunner(context(app, "killing_pipeline"), mode="process", workers=2, retry_delay_s=0.05)
    try:
        jobs = [runner.submit("grade", {"submission_id": sid}) for sid in (first, second)]
        for sid in (first, second):
            row = wait_for(conn, sid, timeout=60)
            assert row["state"] == "failed" and row["error_code"] == "worker_crashed"
        assert [runner.status(job).attempts for job in jobs] == [MAX_ATTEMPTS, MAX_ATTEMPTS]
    finally:
        runner.shutdown(wait=False)


@pytest.mark.parametrize("states, broke, alone, expected", [
    ({1: "running", 2: "running", 3: "queued"}, True, None, {"suspects": [1, 2], "again": [3]}),
    ({1: "running", 2: "queued", 3: "done"}, True, 1, {"crashed_alone": [1], "again": [2], "finished": [3]}),
    ({1: "running", 2: "queued", 3: "done"}, True, None, {"suspects": [1], "again": [2], "finished": [3]}),
    ({1: "queued", 2: "queued"}, True, None, {"charged": [1, 2]}),
    ({1: "queued", 2: "failed"}, False, None, {"refused": [1], "finished": [2]}),
])
def test_what_becomes_of_the_jobs_left_on_a_retired_pool(states, broke, alone, expected):
    """Only the suspect run alone is charged: the one job running beside idle workers may not be the one that died."""
    from grader.web.job_settling import Settlement, settle_jobs

    refused = [] if broke else [1]
    jobs = [j for j in states if j not in refused]
    assert settle_jobs(states, jobs=jobs, refused=refused, broke=broke, stuck=[], alone=alone) == Settlement(**expected)
    assert settle_jobs({1: "running", 2: "running"}, jobs=[1, 2], refused=[], broke=True, stuck=[99], alone=None) == \
        Settlement(left=[1, 2])                        # (a process that could not be killed may still write)


def test_a_suspect_runs_alone():
    """The jobs in flight finish first, and nothing starts beside a suspect; the rest go in (priority, arrival)."""
    from grader.web.job_queue import JobQueue

    queue = JobQueue(workers=2)
    for job, priority in ((1, 1), (2, 1), (3, 0)):
        queue.put(job, priority)
    assert [queue.take(), queue.take(), queue.take()] == [3, 1, None]
    queue.suspect(7)
    queue.put(7, 0)
    queue.put(8, 0)
    queue.back(3)
    assert queue.take() is None                        # (1 is still in flight)
    queue.back(1)
    assert [queue.take(), queue.take()] == [7, None]   # alone
    assert queue.running_alone() == 7
    queue.back(7)
    assert queue.running_alone() is None
    assert [queue.take(), queue.take(), queue.take()] == [8, 2, None]
    queue.hold()
    queue.back(8)
    assert queue.take() is None


def test_the_one_job_running_is_not_charged_when_an_idle_worker_dies(code, tmp_path):
    """Review: when a pool broke with one job running, that job was charged, even when the process that died was an
    idle worker beside it (killed by the OOM killer, say). Now a job is charged only when it was run alone (a suspect)
    when its pool broke; here it is given its attempt back and run again alone."""
    import signal as signals

    app = make_test_app(JOBS_RECOVER=False)
    conn, sid = stored(app, code, "ok_1.jpg")
    log = tmp_path / "runs.log"
    runner = JobRunner(context(app, SideBySidePipeline(log, dies=0)), mode="process", workers=2, retry_delay_s=0.05)
    try:
        job = runner.submit("grade", {"submission_id": sid})
        end = time.time() + 60
        while not (log.exists() and log.read_text()) and time.time() < end:
            time.sleep(0.05)
        grading = runs_of(log, "ok_1.jpg")[0][0]
        idle = [p.pid for p in runner._current_pool().processes() if p.pid != grading]
        assert len(idle) == 1
        os.kill(idle[0], signals.SIGKILL)
        assert wait_for(conn, sid, timeout=60)["state"] == "done"
        assert runner.status(job).attempts == 1
    finally:
        runner.shutdown(wait=False)
    assert len(runs_of(log, "ok_1.jpg")) == 2          # (its first run was stopped with its pool)


def test_a_suspect_is_not_charged_when_an_idle_worker_dies_while_it_runs_alone(code, tmp_path):
    """Review: a suspect (a sheet failed as worker_crashed, graded again) ran alone in the pool of every worker, so a
    worker killed while idle beside it (the OOM killer's choice) broke the pool, and the suspect was charged as the
    crasher and run again. It runs in a pool of its own now: only its own worker's death is charged to it, and the
    sheets after it are graded by a new pool, uncharged."""
    import signal as signals

    app = make_test_app(JOBS_RECOVER=False)
    conn, suspect, after = two_sheets(app, code, ("ok_1.jpg", "next_1.jpg"))
    log = tmp_path / "runs.log"
    runner = JobRunner(context(app, SideBySidePipeline(log, dies=0)), mode="process", workers=2, retry_delay_s=0.05)
    try:
        runner.warm_up()                               # (the pool's workers are up, idle)
        job = runner.submit("grade", {"submission_id": suspect}, run_alone=True)
        end = time.time() + 60
        while not (log.exists() and log.read_text()) and time.time() < end:
            time.sleep(0.05)
        grading = runs_of(log, "ok_1.jpg")[0][0]
        idle = [p.pid for p in runner._current_pool().processes() if p.pid != grading]
        assert idle
        for pid in idle:
            os.kill(pid, signals.SIGKILL)
        assert wait_for(conn, suspect, timeout=60)["state"] == "done"
        assert runner.status(job).attempts == 1
        later = runner.submit("grade", {"submission_id": after})
        assert wait_for(conn, after, timeout=60)["state"] == "done"
        assert runner.status(later).attempts == 1
    finally:
        runner.shutdown(wait=False)
    assert len(runs_of(log, "ok_1.jpg")) == 1          # its one run was not stopped


def test_a_job_in_flight_when_its_pool_broke_still_runs_alone_after_a_restart(code, tmp_path):
    """Review: the jobs to run alone were kept in memory only: after a restart, a photo that had killed its worker
    ran beside other sheets again, breaking their pool again. Now it runs alone after the restart too, and the
    crash it was charged with before the restart still counts."""
    app = make_test_app(JOBS_RECOVER=False)
    conn, culprit, neighbour, log, ctx = two_sheets_side_by_side(app, code, tmp_path, dies=99)
    before = JobRunner(ctx, mode="process", workers=2, retry_delay_s=600)    # (the culprit's next run: not before)
    try:
        bad = before.submit("grade", {"submission_id": culprit})
        before.submit("grade", {"submission_id": neighbour})
        assert wait_for(conn, neighbour, timeout=90)["state"] == "done"
        end = time.time() + 60
        while (job := before.status(bad)).state != "queued" or job.attempts != 1:    # charged once, run alone
            assert time.time() < end, job
            time.sleep(0.05)
    finally:
        before.shutdown(wait=False)                    # the server stops
    _, later = stored(app, code, "new_1.jpg", jpeg_bytes(color="#ddd"))
    restart = time.time()
    after = JobRunner(ctx, mode="process", workers=2, retry_delay_s=0.05)
    try:
        after.recover()
        after.submit("grade", {"submission_id": later})
        assert wait_for(conn, later, timeout=90)["state"] == "done"
        row = wait_for(conn, culprit, timeout=90)
        assert row["state"] == "failed" and row["error_code"] == "worker_crashed"
        assert after.status(bad).attempts == MAX_ATTEMPTS
    finally:
        after.shutdown(wait=False)
    alone = [run for run in runs_of(log, "die_1.jpg") if run[1] > restart]
    graded = runs_of(log, "new_1.jpg")
    assert not [(a, b) for a in alone for b in graded if a[1] <= b[2] and b[1] <= a[2]], "it ran beside it again"
    assert len(alone) == MAX_ATTEMPTS - 1              # (its crash before the restart counts)


class OverlapPipeline:
    """Grades each sheet for 0.3 s, noting in ``runs`` when (in threads: a runner of mode ``thread``)."""

    def __init__(self):
        self.runs = []

    def grade_upload(self, files, **kwargs):
        import grader.web.testing as fake
        start = time.monotonic()
        time.sleep(0.3)
        self.runs.append((files[0][0], start, time.monotonic()))
        return fake.grade_upload(files, **kwargs)


def test_the_jobs_running_when_the_server_died_run_alone_at_the_next_start(code):
    """A server killed in the same crash as its worker (the OOM killer, a service manager stopping the whole service)
    never sees the pool break: the jobs left running may hold the photo that killed it. At the next start each runs
    alone; the attempt counts (a restart under a job does), so a photo that takes the server down fails in the end."""
    app = make_test_app(JOBS_RECOVER=False)
    conn, first, second = two_sheets(app, code)
    _, third = stored(app, code, "c_1.jpg", jpeg_bytes(color="#ddd"))
    jobs = []
    for sid, state in ((first, "running"), (second, "running"), (third, "queued")):
        jobs.append(conn.execute("INSERT INTO jobs(kind, payload, state, attempts, created_at) VALUES ('grade', ?, ?, "
                                 "?, 'x')", (f'{{"submission_id": {sid}}}', state, int(state == "running"))).lastrowid)
        conn.execute("UPDATE submissions SET job_id=?, state=? WHERE id=?", (jobs[-1], state, sid))
    pipeline = OverlapPipeline()
    runner = JobRunner(context(app, pipeline), mode="thread", workers=2)
    try:
        assert runner.recover() == (3, 0)
        for sid in (first, second, third):
            assert wait_for(conn, sid, timeout=30)["state"] == "done"
        assert [runner.status(job).attempts for job in jobs] == [2, 2, 1]
    finally:
        runner.shutdown()
    runs = {name: (start, end) for name, start, end in pipeline.runs}
    for name in ("a_1.jpg", "b_1.jpg"):
        start, end = runs[name]
        assert not [other for other, (s, e) in runs.items() if other != name and s <= end and start <= e], name

"""Load check: twenty trainees upload ~4 MB photos at the same moment, on loopback.

:func:`run_load_check` starts the app under waitress on ``127.0.0.1`` (a free
port, a throw-away data folder), fires the uploads from parallel clients that
behave like browsers (GET the form for the CSRF token and cookie, POST the
photos, poll the result's JSON status), and reports the median and 95th
percentile time from the start of the upload to the finished result, plus how
many uploads were lost. Lost means: the POST failed, no result arrived within
the time limit, or the database or the disk does not hold the upload. It
must be 0. Bounded in count (``uploads`` <= 100) and time (``timeout_s``).

Run it alone with ``python -m grader.web.bench_load [--uploads N]``.
"""
from __future__ import annotations

import argparse
import concurrent.futures as cf
import http.cookiejar
import json
import logging
import os
import re
import secrets
import statistics
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)
MAX_UPLOADS = 100
PHOTO_TARGET_BYTES = 4_000_000


@dataclass
class LoadReport:
    uploads: int
    pages_per_upload: int
    photo_mb: float
    median_s: float | None
    p95_s: float | None
    max_s: float | None
    wall_s: float
    graded: int
    failed: int
    lost: int
    workers: int
    notes: list[str] = field(default_factory=list)
    max_queue_depth: int = 0        # requests waiting for a waitress thread at most (the check's point: they queue)

    def as_dict(self) -> dict:
        return asdict(self)


class _QueueDepth(logging.Filter):
    """Keeps the deepest "Task queue depth is N" waitress logs while the check runs, and drops those warnings: twenty
    uploads at once are meant to queue for the server's threads, and a warning per request buried the report
    (``make bench``). The depth is reported instead (:attr:`LoadReport.max_queue_depth`)."""

    def __init__(self) -> None:
        super().__init__()
        self.deepest = 0

    def filter(self, record: logging.LogRecord) -> bool:
        if record.getMessage().startswith("Task queue depth is") and record.args:
            self.deepest = max(self.deepest, int(record.args[0]))
            return False
        return True


SAMPLES = Path(__file__).resolve().parents[2] / "sample_scans"


def _encode_near(img, target_bytes: int) -> bytes:
    """JPEG bytes of PIL ``img`` close to ``target_bytes`` (highest quality not far above it)."""
    import io

    data = b""
    for quality in (97, 95, 92, 90, 87, 84, 80, 75):
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=quality)
        data = buf.getvalue()
        if len(data) <= target_bytes * 1.2:
            break
    return data


def sample_photos(data_dir: Path, *, pages: int = 2, target_bytes: int = PHOTO_TARGET_BYTES):
    """One handwritten sample sheet from ``sample_scans/``, upscaled to 12 MP and re-encoded to about
    ``target_bytes``; its answer key is registered under ``data_dir``. ``None`` if the samples are absent."""
    import shutil

    from PIL import Image

    index = SAMPLES / "index.json"
    if not index.is_file():
        return None
    sheets: dict[tuple[str, str], dict[int, str]] = {}
    for ph in json.loads(index.read_text())["photos"]:
        if not ph.get("expect_refusal") and ph["file"].startswith("s"):
            sheets.setdefault((ph["exercise"], ph["file"].split("-")[0]), {})[ph["page"]] = ph["file"]
    for (code, _), files in sorted(sheets.items()):
        key = SAMPLES / "keys" / code / "answer_key.json"
        if set(range(1, pages + 1)) <= set(files) and key.is_file() and all((SAMPLES / f).is_file() for f in files.values()):
            (data_dir / "exercises" / code).mkdir(parents=True, exist_ok=True)
            shutil.copy(key, data_dir / "exercises" / code / "answer_key.json")
            out = []
            for page in range(1, pages + 1):
                img = Image.open(SAMPLES / files[page]).convert("RGB")
                scale = (12e6 / (img.width * img.height)) ** 0.5
                img = img.resize((round(img.width * scale), round(img.height * scale)), Image.Resampling.BICUBIC)
                data = _encode_near(img, target_bytes)
                if len(data) < 0.8 * target_bytes:      # upscaling smooths: add a phone sensor's grain back
                    import numpy as np

                    arr = np.asarray(img, dtype=np.int16)
                    grain = np.random.default_rng(page).normal(0, 2.5, arr.shape).astype(np.int16)
                    img = Image.fromarray(np.clip(arr + grain, 0, 255).astype(np.uint8))
                    data = _encode_near(img, target_bytes)
                out.append((f"halaman_{page}.jpg", data))
            return code, out
    return None


def make_photos(code: str, *, pages: int = 2, target_bytes: int = PHOTO_TARGET_BYTES) -> list[tuple[str, bytes]]:
    """Phone-sized photos (12 MP, about ``target_bytes`` each) of a blank sheet carrying exercise ``code``."""
    from grader.photo.mock_photo import mock_photo

    out = []
    for page in range(1, pages + 1):
        shot = mock_photo(page=page, exercise=code, frame=(3000, 4000), coverage=0.6, noise=6.0, seed=page)
        quality = 95
        data = shot.jpeg(quality)
        while len(data) > target_bytes * 1.25 and quality > 70:
            quality -= 3
            data = shot.jpeg(quality)
        out.append((f"halaman_{page}.jpg", data))
    return out


def _multipart(fields: dict[str, str], files: list[tuple[str, str, bytes]]) -> tuple[bytes, str]:
    boundary = "----grader" + secrets.token_hex(12)
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, filename, data in files:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                     f"Content-Type: image/jpeg\r\n\r\n".encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _one_trainee(base: str, code: str, trainee: str, photos: list[tuple[str, bytes]], deadline: float,
                 go: threading.Event) -> tuple[float | None, str]:
    """Upload like a browser and wait for the result; returns (seconds from upload to result, final state)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect())
    html = opener.open(base + "/", timeout=30).read().decode()
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    body, ctype = _multipart({"csrf_token": csrf, "client_token": secrets.token_urlsafe(12), "code": code,
                              "trainee": trainee},
                             [(f"photo_{i}", name, data) for i, (name, data) in enumerate(photos, start=1)])
    go.wait()
    start = time.perf_counter()
    req = urllib.request.Request(base + "/", data=body, headers={"Content-Type": ctype}, method="POST")
    try:
        opener.open(req, timeout=120)
        return None, "no_redirect"
    except urllib.error.HTTPError as exc:
        if exc.code not in (302, 303):
            return None, f"http_{exc.code}"
        location = exc.headers["Location"]
    status_url = base + location + ".json"
    while time.perf_counter() < deadline:
        state = json.loads(opener.open(status_url, timeout=30).read())["state"]
        if state in ("done", "failed"):
            return time.perf_counter() - start, state
        time.sleep(0.2)
    return None, "timeout"


def run_load_check(*, uploads: int = 20, pages: int = 2, timeout_s: float = 600.0, workers: int | None = None,
                   photos: list[tuple[str, bytes]] | None = None, pipeline=None) -> LoadReport:
    """Start the app on loopback and time ``uploads`` simultaneous trainee uploads (see module docs)."""
    import waitress

    if not 1 <= uploads <= MAX_UPLOADS:
        raise ValueError(f"uploads must be 1..{MAX_UPLOADS}")
    old_env = os.environ.get("GRADER_DATA_DIR")
    with tempfile.TemporaryDirectory(prefix="grader-load-") as tmp:
        os.environ["GRADER_DATA_DIR"] = tmp
        try:
            from grader.commands.serve import ensure_demo_data
            from grader.web import create_app
            from grader.web.db import connect

            code = ensure_demo_data()
            source = "given"
            if photos is None:
                sample = sample_photos(Path(tmp), pages=pages)
                if sample:
                    (code, photos), source = sample, "sample_scans (upscaled to 12 MP)"
                else:
                    photos, source = make_photos(code, pages=pages), "mock photos of a blank sheet"
            app = create_app({"PIPELINE": pipeline, "JOBS_MODE": "process", "JOBS_WORKERS": workers,
                              "TRAINER_PASSWORD": secrets.token_urlsafe(12)})
            runner = app.extensions["grader.jobs"]
            runner.warm_up()                     # as `grader serve` does
            depth, queue_log = _QueueDepth(), logging.getLogger("waitress.queue")
            queue_log.addFilter(depth)
            server = waitress.create_server(app, host="127.0.0.1", port=0, threads=max(8, uploads // 2))
            thread = threading.Thread(target=server.run, daemon=True)
            thread.start()
            base = f"http://127.0.0.1:{server.effective_port}"
            go = threading.Event()
            t0 = time.perf_counter()
            deadline = t0 + timeout_s
            try:
                with cf.ThreadPoolExecutor(max_workers=uploads) as pool:
                    futures = [pool.submit(_one_trainee, base, code, f"peserta-{i:03d}", photos, deadline, go)
                               for i in range(uploads)]
                    time.sleep(0.5)              # every client has its form: now all upload at once
                    t_go = time.perf_counter()
                    go.set()
                    outcomes = [f.result() for f in futures]
                wall = time.perf_counter() - t_go
            finally:
                # Leave the server's loop first, then close its socket: closing it under the loop's select() made
                # the server thread die with EBADF (a warning in the test run).
                server.del_channel()
                thread.join(timeout=5)
                server.close()
                runner.shutdown(wait=False)
                queue_log.removeFilter(depth)
            conn = connect(app.config["DATABASE"])
            stored = conn.execute("SELECT COUNT(*) FROM submissions").fetchone()[0]
            on_disk = sum(1 for r in conn.execute("SELECT path FROM uploads") if (Path(tmp) / r["path"]).is_file())
            conn.close()
        finally:
            if old_env is None:
                os.environ.pop("GRADER_DATA_DIR", None)
            else:
                os.environ["GRADER_DATA_DIR"] = old_env
    times = sorted(t for t, state in outcomes if t is not None)
    lost = sum(1 for t, _ in outcomes if t is None)
    notes = [f"photos: {source}"]
    if stored != uploads:
        notes.append(f"{stored} submissions stored for {uploads} uploads")
        lost = max(lost, uploads - stored)
    if on_disk != uploads * len(photos):
        notes.append(f"{on_disk} of {uploads * len(photos)} photos on disk")
        lost = max(lost, uploads - on_disk // max(1, len(photos)))
    notes += sorted({state for t, state in outcomes if t is None})
    p95 = times[min(len(times) - 1, max(0, round(0.95 * len(times)) - 1))] if times else None
    return LoadReport(uploads=uploads, pages_per_upload=len(photos),
                      photo_mb=round(sum(len(d) for _, d in photos) / len(photos) / 1e6, 2),
                      median_s=round(statistics.median(times), 2) if times else None,
                      p95_s=round(p95, 2) if p95 is not None else None,
                      max_s=round(times[-1], 2) if times else None, wall_s=round(wall, 2),
                      graded=sum(1 for _, s in outcomes if s == "done"),
                      failed=sum(1 for _, s in outcomes if s == "failed"), lost=lost,
                      workers=runner.workers, notes=notes, max_queue_depth=depth.deepest)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--uploads", type=int, default=20)
    p.add_argument("--pages", type=int, default=2, choices=(1, 2))
    p.add_argument("--timeout", type=float, default=600.0)
    args = p.parse_args(argv)
    report = run_load_check(uploads=args.uploads, pages=args.pages, timeout_s=args.timeout)
    print(json.dumps(report.as_dict(), indent=1))
    return 0 if report.lost == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())

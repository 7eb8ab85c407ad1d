"""A stand-in for :mod:`grader.pipeline` with the same contract, for testing the web layer fast.

``create_app(test_config={"PIPELINE": "grader.web.testing"})`` grades with
this module. It decodes nothing expensive: it makes a small annotated image
from the photo, copies the answer key with a few planted mistakes, and
refuses any file whose name contains ``blur`` (too blurry) or ``otherex`` (printed for
exercise ``OTHER01``) and advises a retake of any whose name contains ``bent``. With ``solo`` in a name, the
fields of a page no photo showed are left unread (``page_missing``), as the real grader leaves them, and the sheet
is partial only then (a refused photo of a page another photo showed leaves it graded, as for real); otherwise a
single photo stands for the whole sheet. A name ``qr-<id>-…`` reads as if the QR named trainee ``<id>``,
``num-<id>-…`` as if ``<id>`` were written and read firmly, ``unsure-<id>-…`` as if it were read with its last box
unsure (evidence that pairs a batch's single pages, but names nobody); a later photo ``qr-<id>-…`` naming another
trainee than the first is refused as their page (``other_trainee``). Deterministic, so tests can assert exact
numbers.
"""
from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageDraw

from grader.file_names import split_page

WRONG_FIELD = "II.3"          # always read one more than expected
REVIEW_FIELD = "V.B"          # always unsure
LINKED_FIELD = "V.C"          # also unsure when a file name says "sums"; settled by a correction of REVIEW_FIELD
SECTIONS_ON_PAGE2 = ("IV", "V")


def _status(value, expected, confidence: float) -> str:
    if confidence < 0.6:
        return "review"
    if value is None:
        return "blank"
    return "ok" if value == expected else "wrong"


def _summarise(result: dict) -> dict:
    counts = {k: 0 for k in ("ok", "wrong", "review", "blank", "unreadable")}
    for f in result["fields"]:
        counts[f["status"]] += 1
    result["counts"] = counts
    graded = counts["ok"] + counts["wrong"] + counts["blank"]
    result["score"] = round(100.0 * counts["ok"] / graded, 1) if graded else None
    wrong = [f for f in result["fields"] if f["status"] in ("wrong", "blank")]
    result["top_fixes"] = [{"message_id": f"Periksa {f['label']} ({f['id']}): seharusnya {f['expected']}.",
                            "message_en": f"Check {f['label_en']} ({f['id']}): it should be {f['expected']}.",
                            "where": f"Halaman {f['page']}, {f['section']}",
                            "where_en": f"Page {f['page']}, {f['section']}"} for f in wrong[:3]]
    result["rules"] = [{"id": "ballots_balance", "severity": "error",
                        "status": "violated" if any(f["id"] == WRONG_FIELD and f["status"] == "wrong"
                                                    for f in result["fields"]) else "ok",
                        "message_id": "Surat suara diterima harus sama dengan digunakan + rusak + sisa (II)",
                        "message_en": "Ballots received must equal used + damaged + unused (II)",
                        "fields": ["II.1", "II.2", "II.3", "II.4"], "lhs": None, "rhs": None}]
    return result


def _page_image(data: bytes, out: Path, label: str) -> bool:
    try:
        img = Image.open(io.BytesIO(data))
        img.draft("RGB", (400, 560))
        img = img.convert("RGB")
        img.thumbnail((400, 560))
    except Exception:  # noqa: BLE001 - the fake only decorates what it can read
        return False
    ImageDraw.Draw(img).rectangle([4, 4, img.width - 5, img.height - 5], outline=(200, 0, 0), width=4)
    ImageDraw.Draw(img).text((10, 10), label, fill=(200, 0, 0))
    out.parent.mkdir(parents=True, exist_ok=True)
    img.save(out)
    return True


def grade_upload(files: list[tuple[str, bytes]], *, key=None, exercise: str | None = None,
                 trainee: str | None = None, out_dir: Path, keep_aligned: bool = False, kept=(),
                 own_sheet: bool = False) -> dict:
    out_dir = Path(out_dir)
    pages, refused = [], 0
    # as the real pipeline: a photo whose QR names another trainee than the first one naming anyone ("qr-<id>-…") is
    # a page of their sheet, refused, with words for whoever sent it (own_sheet: a trainee's own sending)
    qr_ids = [name.split("-")[1] for name, _ in files if name.startswith("qr-")]
    for i, (name, data) in enumerate(files, start=1):
        if name.startswith("qr-") and name.split("-")[1] != qr_ids[0] and "blur" not in name.lower():
            from grader.pipeline import other_trainee_error, refusal_json
            refused += 1
            page = split_page(name.replace("qr-", ""))[1] or i
            own = (own_sheet or kept) and i - 1 not in kept
            pages.append({"file": name, "page": page, "annotated": None, "advice": None, "refusal": refusal_json(
                other_trainee_error(page, None, name.split("-")[1], by_qr=True, own=bool(own)))})
            continue
        if "blur" in name.lower():
            refused += 1
            # (the page its name says, as the real pipeline says the page its markers name: align._located)
            page = split_page(name.replace("qr-", ""))[1] or i
            pages.append({"file": name, "page": page, "annotated": None, "refusal": {
                "code": "too_blurry", "message_id": "Foto terlalu buram. Pegang ponsel lebih stabil, lalu foto ulang.",
                "message_en": "The photo is too blurry. Hold the phone steady and take it again."}})
            continue
        page = split_page(name.replace("qr-", ""))[1] or i
        if "otherex" in name.lower() and key is not None and key.exercise != "OTHER01":   # printed for OTHER01
            from grader.pipeline import refusal_json, wrong_exercise_error
            refused += 1
            # (as the real pipeline, the number written on a page refused after it was read: "num-<id>-...")
            written = name.split("-")[1] if name.startswith("num-") else None
            pages.append({"file": name, "page": page, "annotated": None, "advice": None, "sheet_exercise": "OTHER01",
                          "refusal": refusal_json(wrong_exercise_error("OTHER01", key.pairs, key.exercise, key.pairs)),
                          **({"trainee_number": {"value": written, "status": "ok", "sure": written}} if written else {})})
            continue
        ok = _page_image(data, out_dir / f"page{page}.png", f"p{page}")
        advice = None
        if "bent" in name.lower():
            from grader.retake_advice import print_out_of_place_advice    # the real text (imported only when needed)
            advice = print_out_of_place_advice(page, ["IV.1.bubbles"])
        elif "both" in name.lower():          # "both" in a name: a photo of both pages, the other one not sent
            from grader.retake_advice import two_pages_advice
            advice = two_pages_advice(page, 3 - page)
        ident = None
        if ok:      # as the real pipeline: the header's number and name, cut out
            from grader.grading.feedback_files import IDENTITY_NAME
            ident = IDENTITY_NAME.format(page=page)
            Image.new("L", (240, 24), 230).save(out_dir / ident)
        number = {}
        if name.startswith("unsure-"):       # the number boxes read, the last one unsure
            value = name.split("-")[1]
            number = {"trainee_number": {"value": value, "status": "review", "sure": value[:-1] + "?"}}
        pages.append({"file": name, "page": page, "refusal": None, "advice": advice,
                      "annotated": f"page{page}.png" if ok else None, "identity_crop": ident, **number})
    # as the real pipeline: a new photo of a page that a photo kept from an earlier sheet shows is refused, not graded
    graded = {p["page"]: p["file"] for i, p in enumerate(pages) if i in kept and not p["refusal"]}
    for i, p in enumerate(pages):
        if i not in kept and not p["refusal"] and p["page"] in graded:
            from grader.pipeline import page_again_error, refusal_json
            refused += 1
            p.update(refusal=refusal_json(page_again_error(p["page"], graded[p["page"]], (), kept=True)),
                     annotated=None)
    read_pages = {p["page"] for p in pages if not p["refusal"]}
    # "solo" in a name: the fields of the pages no photo showed are left unread, as the real grader does (the
    # other tests' single photos stand for a whole sheet)
    solo = any("solo" in name.lower() for name, _ in files)
    from grader.file_names import names_nobody, trainee_from_filename
    stem = Path(files[0][0]).stem.split("_")[0] if files else None
    if files and names_nobody(files[0][0]):
        # by the real pipeline's rule (trainee_from_filename): a default name names nobody with its page mark on
        # ("Untitled_p2", "Foto_p1": the stand-in matched the name with it, and named "Untitled"), and in
        # kelas/Budi/hal1.jpg the folder names the trainee
        stem = trainee_from_filename(files[0][0])
    qr = files and files[0][0].startswith("qr-")          # "qr-<id>-...": as if the QR carried trainee <id>
    number = files and files[0][0].startswith("num-")     # "num-<id>-...": as if <id> were written and read firmly
    if qr or number:
        stem = files[0][0].split("-")[1]
    result = {"exercise": exercise or (key.exercise if key else None), "template": "chasil-kwk" if key else None,
              "trainee": stem if qr or number else (trainee or stem), "trainee_name": None,   # as for real: QR, number,
              "identity_source": "qr" if qr else "trainee_number" if number else ("caller" if trainee else "filename"),
              "status": "refused" if refused == len(files) else ("partial" if (solo and read_pages != {1, 2}) or
                                                                   (refused and not solo) else "graded"),
              "pages": pages, "fields": [], "rules": [], "findings": [], "top_fixes": [], "score": None,
              "counts": {}}
    if key is None or result["status"] == "refused":
        result["counts"] = {k: 0 for k in ("ok", "wrong", "review", "blank", "unreadable")}
        return result
    crops = out_dir / "crops"
    crops.mkdir(parents=True, exist_ok=True)
    unsure = {REVIEW_FIELD} | ({LINKED_FIELD} if any("sums" in name.lower() for name, _ in files) else set())
    for fid, expected in sorted(key.fields.items()):
        section = fid.split(".")[0]
        page = 2 if section in SECTIONS_ON_PAGE2 else 1
        if solo and page not in read_pages:
            result["fields"].append({"id": fid, "page": page, "section": section, "label": f"Isian {fid}",
                                     "label_en": f"Entry {fid}", "kind": "digits", "value": None, "confidence": 0.0, "status": "unreadable",
                                     "expected": expected, "boxes": [], "crop": None, "corrected_by": None,
                                     "corrected_at": None, "notes": ["page_missing"]})
            continue
        value = expected + 1 if fid == WRONG_FIELD else expected
        confidence = 0.4 if fid in unsure else 0.97
        crop = None
        if fid in {WRONG_FIELD} | unsure:
            crop = f"crops/{fid}.png"
            Image.new("L", (90, 36), 235).save(out_dir / crop)
        result["fields"].append({
            "id": fid, "page": page, "section": section, "label": f"Isian {fid}", "label_en": f"Entry {fid}",
            "kind": "digits", "value": value, "confidence": confidence,
            "status": _status(value, expected, confidence), "expected": expected,
            "boxes": list(f"{value:03d}".replace("0", "X", 2 if value < 10 else 1 if value < 100 else 0)),
            "crop": crop, "corrected_by": None, "corrected_at": None,
            # (the last box unsure, as the reader says it; LINKED_FIELD without the list, as results stored before it)
            "unsure_boxes": [2] if fid == REVIEW_FIELD else [],
            "notes": ["unsure_box"] if fid in unsure else []})
    return _summarise(result)


def redraw_feedback(result: dict, out_dir: Path) -> None:
    """Nothing to redraw: this stand-in's page images carry no verdicts."""


def regrade(result: dict, corrections: dict[str, int | None], key, *, disputed=(), said=None) -> dict:
    import copy

    new = copy.deepcopy(result)
    for f in new["fields"]:
        if f["id"] in disputed and f["id"] not in corrections and f["status"] in ("ok", "wrong", "blank"):
            own = (said or {}).get(f["id"])         # (as the real grader: wrong on the trainee's own word)
            if own is not None and f.get("expected") is not None and own != f["expected"]:
                f["status"], f["read_as"] = "wrong", str(own)
                f["notes"] = f["notes"] + ["wrong_by_trainees_word"]
            else:
                f["status"] = "review"
        if f["id"] in corrections:
            f["value"] = corrections[f["id"]]
            f["confidence"] = 1.0
            f["corrected_by"] = "trainer"
            f["status"] = _status(f["value"], key.fields.get(f["id"]), 1.0)
    # As context would on a "sums" sheet (V.A + V.B = V.C): REVIEW_FIELD corrected to the key's value makes the sum
    # back up the unsure LINKED_FIELD; corrected to another value, the sum fails and V.A goes to review too.
    fields = {f["id"]: f for f in new["fields"]}
    linked, b, a = fields.get(LINKED_FIELD), fields.get(REVIEW_FIELD, {}), fields.get("V.A")
    if b.get("corrected_by") and linked and "unsure_box" in linked["notes"] and not linked["corrected_by"] \
            and linked["id"] not in disputed:
        if b["value"] == key.fields.get(REVIEW_FIELD):
            linked["status"] = _status(linked["value"], key.fields.get(LINKED_FIELD), 0.97)
            linked["notes"] = linked["notes"] + ["backed_up_by_arithmetic"]
        elif a and not a["corrected_by"]:
            a["status"], a["notes"] = "review", a["notes"] + ["in_failing_rule_unsure"]
    return _summarise(new)


# -- helpers for the web tests ------------------------------------------------------------------
TEST_PASSWORD = "latihan-rahasia"


def failing_first(monkeypatch, times: int | None, error) -> list:
    """This fake pipeline raises ``error()`` the first ``times`` times it is run (every time: ``times=None``), then
    grades; returns the list of its runs. (For the job modes that run in this process: ``inline``, ``thread``.)"""
    import sys

    fake = sys.modules[__name__]
    real, runs = fake.grade_upload, []

    def flaky(*args, **kwargs):
        runs.append(1)
        if times is None or len(runs) <= times:
            raise error()
        return real(*args, **kwargs)
    monkeypatch.setattr(fake, "grade_upload", flaky)
    return runs


def make_test_app(**config):
    """An app on the current ``GRADER_DATA_DIR`` with this fake pipeline, run inline (no processes)."""
    from grader.web import create_app

    return create_app({"TESTING": True, "PIPELINE": __name__, "JOBS_MODE": "inline",
                       "TRAINER_PASSWORD": TEST_PASSWORD, **config})


def csrf_of(client, path: str = "/") -> str:
    """The session's CSRF token, as the page at ``path`` embeds it."""
    import re

    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def log_in(client, name: str = "Ibu Sari", password: str = TEST_PASSWORD):
    token = csrf_of(client, "/trainer/masuk")
    return client.post("/trainer/masuk", data={"csrf_token": token, "name": name, "password": password})


def stored_an_hour_ago(app) -> None:
    """Move everything ``app`` has stored so far (batches, sheets, photos) an hour into the past."""
    from grader.web.db import connect

    conn = connect(app.config["DATABASE"])
    try:
        with conn:
            for table in ("batches", "submissions", "uploads"):
                conn.execute(f"UPDATE {table} SET created_at = strftime('%Y-%m-%dT%H:%M:%S+00:00', created_at, "
                             "'-1 hour')")
    finally:
        conn.close()


def jpeg_bytes(size: tuple[int, int] = (600, 800), color: str = "white", quality: int = 85) -> bytes:
    img = Image.new("RGB", size, color)
    ImageDraw.Draw(img).rectangle([20, 20, size[0] - 20, size[1] - 20], outline="black", width=6)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def batch_photo_names(app, trainer, code: str, files: list[tuple[str, bytes]]) -> tuple[str, list[str]]:
    """Send ``files`` as one batch of ``code`` from a logged-in ``trainer`` client: the batch page's HTML, and the file
    names of the photos stored for the exercise's batch sheets, in name order."""
    from grader.web.db import get_db

    resp = trainer.post(f"/trainer/latihan/{code}/batch", data={
        "csrf_token": csrf_of(trainer, f"/trainer/latihan/{code}"),
        "photos": [(io.BytesIO(data), name) for name, data in files]}, content_type="multipart/form-data")
    assert resp.status_code == 302, resp.status_code
    with app.app_context():
        names = [r["filename"] for r in get_db().execute(
            "SELECT u.filename FROM uploads u JOIN submissions s ON s.id=u.submission_id WHERE s.exercise=? "
            "AND s.source='batch' ORDER BY u.filename", (code,))]
    return trainer.get(resp.location).get_data(as_text=True), names


def reads_together(monkeypatch, module, name: str, *, parties: int = 2, timeout_s: float = 1.0) -> None:
    """Make each thread's first call of ``module.name`` (a read before a write, ``review_actions.corrections_for``)
    return only once ``parties`` threads have made theirs, or after ``timeout_s``: two requests racing to check then
    store each read before either stores, unless one must wait for the other's write lock to read at all (then the
    first goes on alone after the timeout, and the second reads what it stored)."""
    import threading

    all_read, first = threading.Barrier(parties, timeout=timeout_s), threading.local()
    read = getattr(module, name)

    def read_then_wait(*args, **kwargs):
        out = read(*args, **kwargs)
        if not getattr(first, "done", False):
            first.done = True
            try:
                all_read.wait()
            except threading.BrokenBarrierError:
                pass
        return out

    monkeypatch.setattr(module, name, read_then_wait)

"""A trainer's batch sent again after a failure: what the first sending stored and what the next one brings are one
batch, whatever the trainer chose the second time, and no failure leaves a batch marked as being stored."""
import hashlib

import pytest

from grader.web.db import connect
from grader.web.testing import jpeg_bytes, log_in, make_test_app

PHOTOS = {name: jpeg_bytes(color=f"#{shade:02x}{shade:02x}{shade:02x}") for shade, name in enumerate(
    ["017_1.jpg", "017_2.jpg", "021_1.jpg", "021_2.jpg", "033_1.jpg", "salah.jpg"], start=200)}
#: the class as first chosen: trainee 017's page 2 forgotten, and a photo chosen by mistake
FIRST = ["017_1.jpg", "021_1.jpg", "021_2.jpg", "salah.jpg"]
#: chosen again after the failure: 017's page 2 and trainee 033 added, the wrong photo left out, in another order
AGAIN = ["033_1.jpg", "021_2.jpg", "017_2.jpg", "021_1.jpg", "017_1.jpg"]
#: only what is missing: the photos the first sending left out, 017's page 2 and trainee 033
MISSING = ["021_2.jpg", "017_2.jpg", "021_1.jpg", "033_1.jpg"]


def send(trainer, code, names, form):
    from test_web_trainer import batch
    return batch(trainer, code, [(name, PHOTOS[name]) for name in names], client_token=form)


def sheets_of(app, photos: dict[str, bytes] | None = None) -> list[list[str]]:
    """Each sheet the batches hold now (not merged into another): its photos' names, or, with ``photos``, the keys
    of those it holds (photos whose names are alike)."""
    named = {hashlib.sha256(data).hexdigest(): name for name, data in (photos or {}).items()}
    conn = connect(app.config["DATABASE"])
    try:
        rows = conn.execute("SELECT s.id, u.filename, u.sha256 FROM submissions s JOIN uploads u ON "
                            "u.submission_id = s.id WHERE s.state != 'merged' ORDER BY s.id, u.position").fetchall()
    finally:
        conn.close()
    by_sheet: dict[int, list[str]] = {}
    for r in rows:
        by_sheet.setdefault(r["id"], []).append(named[r["sha256"]] if photos else r["filename"])
    return sorted(by_sheet.values())


@pytest.mark.parametrize("failure, form, chosen", [
    ("full_disk", "same", AGAIN), ("full_disk", "new", AGAIN), ("full_disk", "new", MISSING),
    ("answer_lost", "same", AGAIN)],
    ids=["cut_short-same_form-chosen_again", "cut_short-page_reloaded-chosen_again",
         "cut_short-page_reloaded-only_the_missing", "answer_lost-same_form-chosen_again"])
def test_a_batch_sent_again_with_another_choice_of_photos_completes_the_first(code, monkeypatch, failure, form,
                                                                             chosen):
    """Review: a trainer whose batch failed (a full disk cut it short, or its answer was lost on the way) and who
    then chose the photos again (the missing page added, a wrong photo removed, the folder picked in another order)
    started a second batch: trainee 017's page 1 in the first and page 2 in the second stayed two half sheets, and
    after the answer was lost the added photos were not stored at all (the same form led to the first batch as it
    was). Now the form sent again after a failure, whatever it holds, is the first batch; so is a new form (the page
    opened again) holding photos of a batch cut short. Nothing is stored twice, and pages pair by file name across
    everything the batch holds."""
    from test_web_trainee import full_disk_after

    app = make_test_app()
    trainer = app.test_client()
    log_in(trainer)
    with monkeypatch.context() as m:
        if failure == "full_disk":
            full_disk_after(m, writes=1)                  # 017's page 1 fits, then the disk is full
        first = send(trainer, code, FIRST, "klas")
    assert first.status_code == 302 and "/trainer/batch/" in first.location
    resent = send(trainer, code, chosen, "klas" if form == "same" else "klas-lagi")
    assert resent.status_code == 302 and resent.location == first.location       # the first batch
    expected = [["017_1.jpg", "017_2.jpg"], ["021_1.jpg", "021_2.jpg"], ["033_1.jpg"]]
    if failure == "answer_lost":
        expected.append(["salah.jpg"])                  # stored the first time: the trainer removes its sheet
    assert sheets_of(app) == sorted(expected)            # 017's pages paired across the two sendings; none twice
    status = trainer.get(resent.location + ".json").get_json()
    assert status["complete"] and sorted(i["trainee"] for i in status["items"]) == sorted(
        ["017", "021", "033"] + (["salah"] if failure == "answer_lost" else []))
    conn = connect(app.config["DATABASE"])
    try:
        assert conn.execute("SELECT COUNT(*) FROM batches").fetchone()[0] == 1
        stored = [r[0] for r in conn.execute("SELECT u.sha256 FROM uploads u JOIN submissions s ON "
                                             "s.id = u.submission_id WHERE s.state != 'merged'")]
        assert sorted(stored) == sorted({hashlib.sha256(PHOTOS[n]).hexdigest() for n in FIRST + chosen
                                         if failure == "answer_lost" or n != "salah.jpg"})
    finally:
        conn.close()
    page = trainer.get(resent.location).get_data(as_text=True)
    assert "021_1.jpg</code>: Penyimpanan server penuh" not in page           # stored now: no longer listed
    if failure == "full_disk":                            # never stored, and not sent again: still said
        assert "salah.jpg</code>: Penyimpanan server penuh" in page
    again = send(trainer, code, chosen, "klas" if form == "same" else "klas-lagi")
    assert again.location == first.location and len(sheets_of(app)) == len(expected)    # once more: as it is


FAULTS = {
    # the batch's merge step cannot be marked due (after its photos are stored, the way the code was)
    "merge_mark": "CREATE TRIGGER fault BEFORE UPDATE OF merged ON batches BEGIN SELECT RAISE(ABORT, 'disk I/O "
                  "error'); END",
    # the batch cannot be marked stored whole, once every photo is
    "whole_mark": "CREATE TRIGGER fault BEFORE UPDATE OF client_token ON batches WHEN NEW.client_token = 'err' "
                  "BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END",
}


@pytest.mark.parametrize("fault", FAULTS)
def test_an_error_after_a_batchs_photos_are_stored_never_leaves_it_being_stored(code, fault):
    """Review: an unexpected error once a batch's photos were stored (marking its merge step due, or the batch
    stored whole) left it marked "being stored" until the next start: the form sent again was led to it as if it
    were whole, and its sheets waited for the next start to be graded. Now the batch is cut short (or, when nothing
    of it was stored, not kept), what was stored is graded at once, and the same form sent again completes it."""
    from test_web_trainer import CLASS, batch

    app = make_test_app(PROPAGATE_EXCEPTIONS=False)
    trainer = app.test_client()
    log_in(trainer)
    conn = connect(app.config["DATABASE"])
    try:
        conn.execute(FAULTS[fault])
        resp = batch(trainer, code, CLASS, client_token="err")
        assert resp.status_code in (302, 500)
        assert conn.execute("SELECT COUNT(*) FROM batches WHERE client_token LIKE 'storing:%'").fetchone()[0] == 0
        assert trainer.get("/trainer/kiriman/err.json").status_code == 404   # not "arrived": sending again completes
        assert conn.execute("SELECT COUNT(*) FROM submissions WHERE state != 'done'").fetchone()[0] == 0   # graded
        conn.execute("DROP TRIGGER fault")
    finally:
        conn.close()
    resent = batch(trainer, code, CLASS, client_token="err")
    assert resent.status_code == 302 and "/trainer/batch/" in resent.location
    conn = connect(app.config["DATABASE"])
    try:
        assert [tuple(r) for r in conn.execute("SELECT client_token FROM batches")] == [("err",)]
        assert sorted(r[0] for r in conn.execute("SELECT u.sha256 FROM uploads u")) == sorted(
            hashlib.sha256(data).hexdigest() for _, data in CLASS)                            # each photo once
        assert {r[0] for r in conn.execute("SELECT state FROM submissions")} == {"done"}
    finally:
        conn.close()


def test_a_batch_sent_again_hashes_the_photos_it_holds_once(code, monkeypatch):
    """Review: storing a batch sent again hashed once more every photo of it, to tell those the batch holds already,
    which the request had just hashed (a class's 400 MB, twice, on a small server). Only the request hashes them."""
    import hashlib as real

    import grader.web.sheet_storing as sheet_storing
    from test_web_trainee import full_disk_after

    app = make_test_app()
    trainer = app.test_client()
    log_in(trainer)
    with monkeypatch.context() as m:
        full_disk_after(m, writes=1)                    # 017's page 1 is stored
        send(trainer, code, FIRST, "klas")
    hashed = []

    class Counting:
        @staticmethod
        def sha256(data=b""):
            hashed.append(bytes(data))
            return real.sha256(data)
    monkeypatch.setattr(sheet_storing, "hashlib", Counting)
    import grader.web.batch_storing as batch_storing
    monkeypatch.setattr(batch_storing, "queue_grading", lambda *a, **k: None)   # (the storing only: no merge step)
    assert send(trainer, code, AGAIN, "klas").status_code == 302
    assert PHOTOS["017_1.jpg"] not in hashed and PHOTOS["021_1.jpg"] in hashed


def _cut_short(app, trainer, code, monkeypatch):
    from test_web_trainee import full_disk_after
    with monkeypatch.context() as m:
        full_disk_after(m, writes=1)                      # 017's page 1 fits, then the disk is full
        first = send(trainer, code, FIRST, "klas")
    return first.location


def _batch_rows(app):
    conn = connect(app.config["DATABASE"])
    try:
        return [dict(r) for r in conn.execute("SELECT id, client_token, created_by FROM batches ORDER BY id")]
    finally:
        conn.close()


def test_a_batch_another_form_is_storing_into_is_not_stored_into_beside_it(code, monkeypatch):
    """Review: the batch's own form sent again while a reopened page's form was storing into it took the batch over
    (its claim compared with that request's 'storing' mark), so both could store the same missing photos."""
    app = make_test_app()
    trainer = app.test_client()
    log_in(trainer)
    location = _cut_short(app, trainer, code, monkeypatch)
    before = sheets_of(app)
    conn = connect(app.config["DATABASE"])
    conn.execute("UPDATE batches SET client_token='storing:klas-lagi'")      # the reopened page's request, storing
    conn.commit()
    conn.close()
    resent = send(trainer, code, AGAIN, "klas")
    assert resent.status_code == 302 and resent.location == location
    assert [r["client_token"] for r in _batch_rows(app)] == ["storing:klas-lagi"]    # still that request's
    assert sheets_of(app) == before                                                # nothing stored beside it


@pytest.mark.parametrize("who", ["another trainer", "a day later"])
def test_a_new_form_completes_only_its_trainers_recent_batch(code, monkeypatch, who):
    """Review: a new form holding a photo of any batch cut short completed it, however old and whoever sent it: a
    class sent again weeks later had its photos taken as already stored, and not graded again."""
    app = make_test_app()
    trainer = app.test_client()
    log_in(trainer)
    location = _cut_short(app, trainer, code, monkeypatch)
    if who == "another trainer":
        trainer = app.test_client()
        log_in(trainer, name="Pak Budi")
    else:
        conn = connect(app.config["DATABASE"])
        conn.execute("UPDATE batches SET created_at='2026-01-01T00:00:00+00:00'")
        conn.commit()
        conn.close()
    resent = send(trainer, code, AGAIN, "klas-lagi")
    assert resent.status_code == 302 and resent.location != location          # a batch of its own
    assert len(_batch_rows(app)) == 2


def test_the_job_runner_refuses_a_python_without_the_pool_internals_it_relies_on():
    """Without ProcessPoolExecutor's private _processes the runner could not wait for a broken pool's processes,
    and a job could be graded twice at once: that fails when the pool starts, not silently later."""
    from grader.web.job_pools import _require_private

    class Renamed:
        _processes: dict = {}

    with pytest.raises(RuntimeError, match="_safe_to_dynamically_spawn_children"):
        _require_private(Renamed(), ("_safe_to_dynamically_spawn_children", "_processes"))
    _require_private(Renamed(), ("_processes",))


#: page 1 and page 2 of trainees a and b, each sent in their own chat export's zip under the same inner names
ZIPPED = {name: jpeg_bytes(color=color) for name, color in
          (("a1", "#d0d0d0"), ("b1", "#c0c0c0"), ("b2", "#b0b0b0"), ("a2", "#a0a0a0"))}


@pytest.mark.parametrize("zips, later, expected", [
    (("A.zip", "B.zip"), [("B.zip", {"C.Hasil 2.jpg": "b2"})], [["a1"], ["b1", "b2"]]),
    (("A.zip", "B.zip"), [("B.zip", {"C.Hasil 2.jpg": "b2"}), ("A.zip", {"C.Hasil 2.jpg": "a2"})],
     [["a1", "a2"], ["b1", "b2"]]),
    (("A.zip", "B.zip"), [("C.Hasil 2.jpg", "b2")], [["a1"], ["b1"], ["b2"]]),
    (("WhatsApp Chat.zip", "WhatsApp Chat.zip"), [("WhatsApp Chat.zip", {"C.Hasil 2.jpg": "b2"})],
     [["a1"], ["b1"], ["b2"]])],
    ids=["its_own_zip", "each_its_own_zip_in_another_order", "a_loose_file", "a_zip_named_as_both"])
def test_a_page_sent_later_pairs_only_with_the_held_page_of_its_own_zip(code, zips, later, expected):
    """Review: a page sent later paired by file name with a page the batch held from another zip of it: the stored
    photos did not say which zip they came from, and two trainees' chat exports hold the same names. Now each
    photo's place (its zip, and its folder in it) is kept, and a page sent later pairs only with a held page of the
    same place, the same zip sent again (whatever its order among the files); a loose file, or a zip whose name both
    held pages' zips had, could be either trainee's, so it pairs with neither (the merge step may still pair it by
    the QR or the number written on it)."""
    from test_web_trainer import batch, zip_of

    app = make_test_app()
    trainer = app.test_client()
    log_in(trainer)
    first = batch(trainer, code, [(zips[0], zip_of({"C.Hasil 1.jpg": ZIPPED["a1"]})),
                                  (zips[1], zip_of({"C.Hasil 1.jpg": ZIPPED["b1"]}))], client_token="kelas")
    assert sheets_of(app, ZIPPED) == [["a1"], ["b1"]]
    conn = connect(app.config["DATABASE"])
    try:           # kept without the upload's index: the same zip sent again is known whatever its order
        assert [r[0] for r in conn.execute("SELECT place FROM uploads ORDER BY id")] == [f"{zips[0]}: .",
                                                                                          f"{zips[1]}: ."]
    finally:
        conn.close()
    files = [(name, zip_of({member: ZIPPED[photo] for member, photo in what.items()}) if isinstance(what, dict)
              else ZIPPED[what]) for name, what in later]
    resent = batch(trainer, code, files, client_token="kelas")          # the same form: the same batch
    assert resent.status_code == 302 and resent.location == first.location
    assert sheets_of(app, ZIPPED) == expected


def test_a_page_held_from_before_places_were_kept_pairs_by_name_with_nothing(code):
    """A batch stored before the photos' places were kept (a database from an older version, given the column at the
    start) and sent again after: its held pages' zips are not known, so a page sent later pairs with none of them by
    file name (either trainee's could be it), and the rest of the batch is stored as ever."""
    from test_web_trainer import batch, zip_of

    app = make_test_app()
    trainer = app.test_client()
    log_in(trainer)
    first = batch(trainer, code, [("A.zip", zip_of({"C.Hasil 1.jpg": ZIPPED["a1"]})),
                                  ("B.zip", zip_of({"C.Hasil 1.jpg": ZIPPED["b1"]}))], client_token="kelas")
    conn = connect(app.config["DATABASE"])
    conn.execute("ALTER TABLE uploads DROP COLUMN place")            # as an older version stored them
    conn.close()
    app = make_test_app()                                              # the start adds the column
    trainer = app.test_client()
    log_in(trainer)
    resent = batch(trainer, code, [("B.zip", zip_of({"C.Hasil 2.jpg": ZIPPED["b2"]})),
                                   ("A.zip", zip_of({"C.Hasil 1.jpg": ZIPPED["a1"], "C.Hasil 2.jpg": ZIPPED["a2"]}))],
                   client_token="kelas")
    assert resent.location == first.location
    # b2: its held page's zip is not known; a2: its page 1 is in this sending, in its zip, and pairs as ever
    assert sheets_of(app, ZIPPED) == [["a1", "a2"], ["b1"], ["b2"]]
    conn = connect(app.config["DATABASE"])
    try:
        # (then the merge step's sheet of a1 and a2: a merge's photos have no place, as they pair by name no more)
        assert [r[0] for r in conn.execute("SELECT place FROM uploads ORDER BY id LIMIT 4")] == [
            None, None, "B.zip: .", "A.zip: ."]
    finally:
        conn.close()


def test_the_same_photos_sent_from_two_forms_at_once_are_stored_once(code, monkeypatch):
    """h35b's load check: the same class zip sent from two batch forms at once (two trainers holding the group's chat
    export, or a second tab) was stored twice, 80 photos for 40, each graded twice: each sending looked for the
    other's photos before the other had stored them. The second now waits for the first, and skips what it stored,
    as a form sent minutes later does."""
    import threading

    import grader.web.trainer.batch_upload as batch_upload

    app = make_test_app()
    trainers = [app.test_client(), app.test_client()]
    for trainer in trainers:
        log_in(trainer)
    real, storing, go = batch_upload.store_batch, threading.Event(), threading.Event()

    def held_up(*args, **kwargs):
        if not storing.is_set():          # (the first sending, held while its photos are being stored)
            storing.set()
            go.wait(10)
        return real(*args, **kwargs)
    monkeypatch.setattr(batch_upload, "store_batch", held_up)
    answers = {}
    first = threading.Thread(target=lambda: answers.setdefault(1, send(trainers[0], code, FIRST, "form-a")))
    first.start()
    assert storing.wait(10)
    second = threading.Thread(target=lambda: answers.setdefault(2, send(trainers[1], code, FIRST, "form-b")))
    second.start()
    second.join(1.0)                      # (unheld, it is stored in this time; waiting for the first, it is not)
    go.set()
    first.join(10)
    second.join(10)
    assert [answers[n].status_code for n in (1, 2)] == [302, 303]
    assert "/trainer/batch/" in answers[1].location and answers[2].location.endswith(f"/trainer/latihan/{code}")
    assert sheets_of(app, PHOTOS) == [["017_1.jpg"], ["021_1.jpg", "021_2.jpg"], ["salah.jpg"]]

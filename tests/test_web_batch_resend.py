"""A trainer's batch whose sending failed: no failure leaves it marked as being stored, and sending it again
completes it."""
import hashlib

import pytest

from grader.commands.serve import ensure_demo_data
from grader.web.db import connect
from grader.web.testing import jpeg_bytes, log_in, make_test_app

PHOTOS = {name: jpeg_bytes(color=f"#{shade:02x}{shade:02x}{shade:02x}") for shade, name in enumerate(
    ["017_1.jpg", "017_2.jpg", "021_1.jpg", "021_2.jpg", "033_1.jpg", "salah.jpg"], start=200)}
#: the class as first chosen: trainee 017's page 2 forgotten, and a photo chosen by mistake
FIRST = ["017_1.jpg", "021_1.jpg", "021_2.jpg", "salah.jpg"]
#: chosen again after the failure: 017's page 2 and trainee 033 added, the wrong photo left out, in another order
AGAIN = ["033_1.jpg", "021_2.jpg", "017_2.jpg", "021_1.jpg", "017_1.jpg"]


@pytest.fixture
def code():
    return ensure_demo_data()


def send(trainer, code, names, form):
    from test_web_trainer import batch
    return batch(trainer, code, [(name, PHOTOS[name]) for name in names], client_token=form)


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

    import grader.web.uploads as uploads
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
    monkeypatch.setattr(uploads, "hashlib", Counting)
    monkeypatch.setattr(uploads, "queue_grading", lambda *a, **k: None)     # (the storing only: no merge step)
    assert send(trainer, code, AGAIN, "klas").status_code == 302
    assert PHOTOS["017_1.jpg"] not in hashed and PHOTOS["021_1.jpg"] in hashed

"""A trainer's batch whose sending failed: no failure leaves it marked as being stored, and sending it again
completes it."""
import hashlib

import pytest

from grader.commands.serve import ensure_demo_data
from grader.web.db import connect
from grader.web.testing import log_in, make_test_app


@pytest.fixture
def code():
    return ensure_demo_data()


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

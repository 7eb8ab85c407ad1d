"""Words a trainee's own pages say to the trainee, where the trainer's pages say the same of "the trainee" (the fake
pipeline, inline)."""
import json
import re

from grader.web.testing import WRONG_FIELD, csrf_of, jpeg_bytes, log_in
from test_web_trainee import upload


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_a_dispute_is_the_trainees_own_on_their_page_and_the_trainees_on_the_trainers(app, client, code):
    """Rehearsal (helper-164): the trainee's result page said "Peserta menyanggah bacaan kami" of the dispute they had
    just sent (a pair's note, the trainer's words), and "Disanggah peserta" on the field's row. Their page, and the
    printout made for them, say "Anda menyanggah"; the trainer's pages keep the third person."""
    from grader.exercise.store import load_key
    from grader.grading.findings import DISPUTED_EN, DISPUTED_ID
    said = str(load_key(code).fields[WRONG_FIELD])
    page = upload(client, code=code, photos=[("017_1.jpg", jpeg_bytes())]).location
    token = page.rsplit("/", 1)[1]
    client.post(f"/hasil/{token}/sanggah", data={"csrf_token": csrf_of(client, page), "field": WRONG_FIELD,
                                                 "written": said})
    with app.app_context():         # (the real grader's note of a disputed pair; the fake pipeline makes none)
        from grader.web.db import get_db
        db = get_db()
        res = json.loads(db.execute("SELECT result FROM submissions WHERE token=?", (token,)).fetchone()["result"])
        res["findings"] = [{"kind": "cross_check", "severity": "review", "fields": ["IV.1", "IV.1.tally"],
                            "code": "pair_unsure", "message_id": f"Paslon 1: angka 7, turus 5. {DISPUTED_ID}",
                            "message_en": f"Pair 1: digits 7, tally 5. {DISPUTED_EN}"}]
        db.execute("UPDATE submissions SET result=? WHERE token=?", (json.dumps(res), token))
        db.commit()
    mine = _text(client.get(page).get_data(as_text=True))
    assert "Paslon 1: angka 7, turus 5. Anda menyanggah bacaan kami; pelatih akan memeriksanya." in mine
    assert f"Anda menyanggah bacaan ini: Anda menulis {said}" in mine
    assert "Peserta menyanggah" not in mine and "Disanggah peserta" not in mine
    english = _text(client.get(page + "?lang=en").get_data(as_text=True))
    assert "Pair 1: digits 7, tally 5. You dispute our reading; a trainer will check." in english
    assert f"You disputed this reading: you wrote {said}" in english
    assert "The trainee disputes" not in english and "Disputed by the trainee" not in english
    printed = _text(client.get(page + "/cetak?lang=id").get_data(as_text=True))
    assert "Anda menyanggah bacaan kami" in printed and "Peserta menyanggah" not in printed
    printed_en = _text(client.get(page + "/cetak?lang=en").get_data(as_text=True))
    assert "You dispute our reading" in printed_en and "The trainee disputes" not in printed_en
    trainer = app.test_client()
    assert log_in(trainer).status_code == 302
    theirs = _text(trainer.get("/trainer/lembar/1?lang=id").get_data(as_text=True))
    assert "Peserta menyanggah bacaan kami; pelatih akan memeriksanya." in theirs
    assert f"Disanggah peserta: menulis {said}" in theirs and "Anda menyanggah" not in theirs
    theirs_en = _text(trainer.get("/trainer/lembar/1?lang=en").get_data(as_text=True))
    assert "The trainee disputes our reading" in theirs_en and "You dispute" not in theirs_en
    assert "Anda menyanggah" not in _text(trainer.get(f"/trainer/latihan/{code}/periksa?lang=id").get_data(as_text=True))

"""End to end, from sample_scans/ to verdicts: planted mistakes are found as the right kind of finding,
clean sheets get no finding against the trainee, and what we could not read is review, never wrong."""
import json
from pathlib import Path

import pytest

from grader.exercise.store import load_key
from grader.grading.mistakes_eval import FOUND, MISSED, against_trainee, classify_mistake, clear_review_queue
from grader.pipeline import grade_upload

SAMPLES = Path(__file__).resolve().parents[1] / "sample_scans"


def _sheets():
    index = json.loads((SAMPLES / "index.json").read_text())
    sheets: dict[str, list[dict]] = {}
    for e in index["photos"]:
        if e["expect_refusal"] is None:
            sheets.setdefault(e["file"].split("-")[0], []).append(e)
    return sorted(sheets.items())


SHEETS = _sheets()


@pytest.fixture(scope="module")
def graded():
    out = {}
    for sid, entries in SHEETS:
        key = load_key(str(SAMPLES / "keys" / entries[0]["exercise"]))
        truths = [json.loads((SAMPLES / e["truth"]).read_text()) for e in entries]
        files = [(e["file"], (SAMPLES / e["file"]).read_bytes()) for e in entries]
        out[sid] = (grade_upload(files, key=key), truths, key)
    return out


def test_the_sample_set_has_clean_and_mistaken_sheets():
    kinds = {m for _, es in SHEETS for e in es for m in e["mistakes"]}
    assert len(SHEETS) >= 8 and len(kinds) >= 3


@pytest.mark.parametrize("sid", [s for s, _ in SHEETS])
def test_planted_mistakes_are_found(graded, sid):
    res, truths, _ = graded[sid]
    for t in truths:
        for m in t["mistakes"]:
            # found as its own kind of finding, or honestly left to review (never silently missed)
            assert classify_mistake(res, m) != MISSED, f"{sid}: planted {m['kind']} on {m['fields']} not reported"


def _read_surely(res, fid) -> bool:
    f = next(f for f in res["fields"] if f["id"] == fid)
    # (confidence is rounded to 4 places in the result: keep clear of the 0.999 bar)
    return f["status"] in ("ok", "wrong") and (f["kind"] in ("bubbles", "tally") or f["confidence"] >= 0.9995)


@pytest.mark.parametrize("sid", [s for s, _ in SHEETS])
def test_planted_mistakes_on_surely_read_fields_are_found_as_their_kind(graded, sid):
    res, truths, _ = graded[sid]
    for m in (m for t in truths for m in t["mistakes"]):
        if m["kind"] in ("tally_mismatch", "bubbles_mismatch", "blank_leading_box") and \
                all(_read_surely(res, f) for f in m["fields"]):
            assert classify_mistake(res, m) == FOUND, f"{sid}: {m['kind']} on {m['fields']} read surely, not found"


@pytest.mark.parametrize("sid", [s for s, _ in SHEETS])
def test_nothing_is_marked_wrong_that_the_trainee_wrote_right(graded, sid):
    res, truths, key = graded[sid]
    written = {fid: v for t in truths for fid, v in t["fields"].items()}
    for f in res["fields"]:
        if f["status"] == "wrong":
            truth_value = written.get(f["id"])
            assert truth_value == f["value"] and truth_value != f["expected"], (
                f"{sid}: {f['id']} marked wrong: read {f['value']}, written {truth_value}, key {f['expected']}")


@pytest.mark.parametrize("sid", [s for s, es in SHEETS if not any(e["mistakes"] for e in es)])
def test_clean_sheet_reports_nothing_against_the_trainee(graded, sid):
    res, _, _ = graded[sid]
    assert res["counts"]["wrong"] == 0
    assert against_trainee(res) == []


@pytest.mark.parametrize("sid", [s for s, _ in SHEETS])
def test_once_a_trainer_clears_the_review_queue_every_planted_mistake_is_found(graded, sid):
    """The trainer corrects or confirms what we were unsure of (least sure first); after the regrades, every
    planted mistake is found as its kind and a clean sheet still shows nothing against the trainee. (A correction
    can also put a field into review: a sum that now fails withdraws the back-up it gave.)"""
    res, truths, key = graded[sid]
    written = {fid: v for t in truths for fid, v in t["fields"].items()}
    reviewed, actions = clear_review_queue(res, written, key)
    assert not [f for f in reviewed["fields"] if f["status"] in ("review", "unreadable")]
    assert actions == sum(bool(f["corrected_by"]) for f in reviewed["fields"])      # one look per field at most
    mistakes = [m for t in truths for m in t["mistakes"]]
    for m in mistakes:
        assert classify_mistake(reviewed, m) == FOUND, f"{sid}: planted {m['kind']} on {m['fields']} not found"
    if not mistakes:
        assert against_trainee(reviewed) == against_trainee(res) == []



def test_a_page_whose_digits_are_mostly_unclear_is_advised_again_and_the_advice_follows_corrections():
    """Trainee rehearsal (helper-134): a page 1 photographed off a monitor passed the gate, every field went to
    review, and the trainee saw "100 / 100 sementara, Perlu dicek: 35" with no word that the photo was the problem,
    nor a retake button (the web page offers one beside any advice). Half the digit boxes read below 0.9 or more:
    the advice names the fields in review; a trainer's corrections take theirs out of it."""
    from types import SimpleNamespace

    from grader.read.sheet_reader import FieldReading
    from grader.retake_advice import UNCLEAR_PHOTO_ADVICE, advice_without, retake_advice

    ids = ("I.A.1.L", "I.A.1.P", "I.A.1.J", "II.1")
    page = SimpleNamespace(number=1, fields=[SimpleNamespace(id=i, graded=True) for i in ids])

    def reads(confs):
        return {i: FieldReading(i, "digits", 1, 12, min(c), "ok" if min(c) >= 0.997 else "review", ("X", "1", "2"), c)
                for i, c in zip(ids, confs)}
    ordinary = reads([(1.0, 0.99, 0.95), (1.0, 0.998, 1.0), (0.85, 1.0, 1.0), (1.0, 0.6, 0.999)])
    assert retake_advice(page, ordinary) is None                 # 2 of 12 boxes unclear: an ordinary page
    unclear = reads([(0.5, 0.7, 0.95), (1.0, 0.4, 0.3), (0.85, 0.2, 1.0), (1.0, 0.998, 0.999)])
    advice = retake_advice(page, unclear, file="p1.jpg")        # 6 of 12
    assert advice["code"] == UNCLEAR_PHOTO_ADVICE and advice["fields"] == ["I.A.1.J", "I.A.1.L", "I.A.1.P"]
    assert "Foto ulang halaman 1" in advice["message_id"] and "bukan dari layar" in advice["message_id"]
    assert "3 isian menunggu pelatih" in advice["message_id"] and "not a screen" in advice["message_en"]
    rest = advice_without(advice, 1, {"I.A.1.L": {}, "I.A.1.J": {}})
    assert rest["code"] == UNCLEAR_PHOTO_ADVICE and rest["fields"] == ["I.A.1.P"] and "1 isian" in rest["message_id"]
    assert advice_without(rest, 1, {"I.A.1.P": {}}) is None


def test_a_photo_of_both_pages_grades_one_and_says_to_photograph_the_other_on_its_own(tmp_path):
    """Trainee rehearsals (helper-134, helper-136): a photo of both pages side by side had one page graded and the
    trainee told the other "tidak ada di kiriman ini", though they had sent it, in that photo. The photo's markers of
    the other page are seen; when no photo of the sending brought that page, the advice says to photograph it on its
    own. A sending that has it says nothing of the kind."""
    import cv2
    import numpy as np

    from grader.exercise.store import load_key
    from grader.photo.align import align_photo
    from grader.pipeline import grade_upload
    from grader.result_rows import retake_advised
    from grader.retake_advice import TWO_PAGES_ADVICE, advice_without

    samples = Path(__file__).resolve().parents[1] / "sample_scans"
    truth = json.loads((samples / "s0001-p1.truth.json").read_text())
    key = load_key(str(samples / "keys" / truth["exercise"]))
    pages = [cv2.imread(str(samples / f"s0001-p{n}.jpg")) for n in (1, 2)]
    h = min(p.shape[0] for p in pages)
    side = np.hstack([cv2.resize(p, (round(p.shape[1] * h / p.shape[0]), h)) for p in pages])
    both = cv2.imencode(".jpg", side, [cv2.IMWRITE_JPEG_QUALITY, 92])[1].tobytes()
    aligned = align_photo(both)
    assert {aligned.page.number, aligned.other_page} == {1, 2}
    assert align_photo((samples / "s0001-p1.jpg").read_bytes()).other_page is None
    res = grade_upload([("kedua.jpg", both)], key=key)
    (page,) = res["pages"]
    assert res["status"] == "partial" and page["advice"]["code"] == TWO_PAGES_ADVICE
    other = aligned.other_page
    assert f"Foto halaman {other} sendiri" in page["advice"]["message_id"]
    assert f"Photograph page {other} on its own" in page["advice"]["message_en"]
    assert retake_advised(res) == f"kedua.jpg={TWO_PAGES_ADVICE}"
    assert advice_without(page["advice"], page["page"], {"I.A.1.L": {}}) == page["advice"]
    # with the other page sent too, as its own photo: no such advice
    alone = (samples / f"s0001-p{other}.jpg").read_bytes()
    res = grade_upload([("kedua.jpg", both), (f"hal{other}.jpg", alone)], key=key)
    assert all(not p["advice"] or p["advice"]["code"] != TWO_PAGES_ADVICE for p in res["pages"])


def test_no_retake_is_advised_for_the_sample_photos_and_one_is_for_print_out_of_place(graded):
    from types import SimpleNamespace

    from grader.read.sheet_reader import FieldReading
    from grader.retake_advice import retake_advice

    pages = [p for res, _, _ in graded.values() for p in res["pages"] if not p["refusal"]]
    assert pages and all(p["advice"] is None for p in pages)          # flat sample photos read in place
    graded_ids = ("IV.1.bubbles", "IV.1.tally", "IV.2.tally")
    page = SimpleNamespace(number=2, fields=[SimpleNamespace(id=i, graded=True) for i in graded_ids])
    reads = {"IV.1.bubbles": FieldReading("IV.1.bubbles", "bubbles", 2, None, 0.1, "review",
                                          notes=("misaligned", "misaligned")),
             "IV.1.tally": FieldReading("IV.1.tally", "tally", 2, 48, 0.35, "review", notes=("bent_grid",)),
             "IV.2.tally": FieldReading("IV.2.tally", "tally", 2, 39, 0.65, "review", notes=("faint_stroke",))}
    advice = retake_advice(page, reads, file="p2.jpg")
    assert advice["fields"] == ["IV.1.bubbles"]                 # a bent grid alone is no sign of a bad photo
    reads["H.X.bubbles"] = FieldReading("H.X.bubbles", "bubbles", 2, None, 0.1, "review", notes=("misaligned",))
    assert retake_advice(page, reads, file="p2.jpg")["fields"] == ["IV.1.bubbles"]
    assert "halaman 2" in advice["message_id"] and "1 isian" in advice["message_id"]
    del reads["IV.1.bubbles"]
    assert retake_advice(page, reads, file="p2.jpg") is None

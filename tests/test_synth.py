"""Tests of the synthetic photo generator (``grader synth``) and the committed ``sample_scans/``."""
from __future__ import annotations

import io
import json
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from grader.cli import main
from grader.exercise.scenario import generate_exercise
from grader.sheet.identity import decode_payload
from grader.sheet.layout import layout_sheet
from grader.sheet.schema import resolve_template
from grader.synth.camera import Curl, Pose, camera_transform
from grader.synth.fill import fill_page, random_hand
from grader.synth.generate import Job, SynthOptions, make_one, plan_sheet
from grader.synth.photo import Conditions, take_photo
from grader.synth.refusals import too_large
from grader.synth.truth import REFUSAL_CODES, boxes_value, load_truth, truth_point_mm
from grader.synth.values import MISTAKE_KINDS, plan_writing

SAMPLES = Path(__file__).resolve().parents[1] / "sample_scans"
SMALL = SynthOptions(count=2, seed=7, mistakes=1.0, max_megapixels=2.0)
KEY_CHANGING = {"wrong_count", "swapped_lp", "sum_off_by_one"}


@pytest.fixture(scope="module")
def spec():
    return resolve_template("chasil-kwk")


def _aruco(gray: np.ndarray) -> dict[int, np.ndarray]:
    params = cv2.aruco.DetectorParameters()
    params.cornerRefinementMethod = cv2.aruco.CORNER_REFINE_SUBPIX
    det = cv2.aruco.ArucoDetector(cv2.aruco.getPredefinedDictionary(cv2.aruco.DICT_4X4_50), params)
    corners, ids, _ = det.detectMarkers(gray)
    return {} if ids is None else {int(i): c[0] for i, c in zip(ids.ravel(), corners)}


def test_same_seed_gives_same_bytes_and_truth(tmp_path):
    job = Job("s0000-p2", "sheet", 0, 2)
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    make_one(job, SMALL, a)
    make_one(job, SMALL, b)
    assert (a / "s0000-p2.jpg").read_bytes() == (b / "s0000-p2.jpg").read_bytes()
    assert (a / "s0000-p2.truth.json").read_text() == (b / "s0000-p2.truth.json").read_text()
    other = replace(SMALL, seed=8)
    c = tmp_path / "c"
    c.mkdir()
    make_one(job, other, c)
    assert (c / "s0000-p2.jpg").read_bytes() != (a / "s0000-p2.jpg").read_bytes()


def _check_truth_consistency(t: dict) -> None:
    kinds = {m["kind"] for m in t["mistakes"]}
    planted = {f for m in t["mistakes"] for f in m["fields"]}
    for fid, marks in t["boxes"].items():
        if fid.endswith(".bubbles"):
            assert int("".join(marks)) == t["fields"][fid], fid
            continue
        fixed = list(marks)
        for i, _old, new in t["overwrites"].get(fid, []):
            assert fixed[i] == "?"
            fixed[i] = new
        assert boxes_value(fixed) == t["fields"][fid], (fid, marks)
        if "" in marks:
            assert "blank_leading_box" in kinds and fid in planted, f"unplanned blank box in {fid}"
    for fid, cells in t["cells"].items():
        assert sum(cells) == t["fields"][fid]
        assert all(1 <= c <= 5 for c in cells) and all(c == 5 for c in cells[:-1])
    for fid, v in t["fields"].items():
        for mirror in (".bubbles", ".tally"):
            if fid.endswith(mirror) and fid not in planted:
                assert v == t["fields"][fid[: -len(mirror)]], fid
    for fid, expected in t["key"].items():
        if fid not in planted or not kinds & KEY_CHANGING:
            assert t["fields"][fid] == expected, fid
    assert sorted(t["overwritten"]) == sorted(t["overwrites"])


def test_generated_truth_is_consistent(tmp_path):
    entry = make_one(Job("s0001-p1", "sheet", 1, 1), SMALL, tmp_path)
    t = load_truth(tmp_path / entry["truth"])
    assert t["expect_refusal"] is None and t["page"] == 1
    assert (tmp_path / t["file"]).is_file()
    _check_truth_consistency(t)
    assert len(t["truth_points"]) == 16 + len({(round(p[0], 3), round(p[1], 3)) for p in t["truth_points"][16:]})


def test_planned_writing_is_consistent_over_many_seeds(spec):
    seen = set()
    for seed in range(60):
        ex = generate_exercise(spec, pairs=1 + seed % 6, seed=seed)
        sheet = layout_sheet(spec, contest=ex.contest, pairs=ex.pairs)
        w = plan_writing(sheet, ex.fields, np.random.default_rng(seed), mistake_rate=0.8)
        seen |= {m["kind"] for m in w.mistakes}
        for page in (1, 2):
            ids = [f.id for f in sheet.pages[page - 1].fields]
            t = {"fields": {i: w.fields.get(i) for i in ids}, "boxes": {i: w.boxes[i] for i in ids if i in w.boxes},
                 "cells": {i: w.cells[i] for i in ids if i in w.cells},
                 "key": {i: ex.fields[i] for i in ids if i in ex.fields},
                 "mistakes": [m for m in w.mistakes if set(ids) & set(m["fields"])],
                 "overwrites": {i: [list(x) for x in w.overwritten[i]] for i in w.overwritten if i in ids},
                 "overwritten": [i for i in w.overwritten if i in ids]}
            _check_truth_consistency(t)
        if not w.mistakes:
            assert all(w.fields[f] == v for f, v in ex.fields.items())
    assert seen == set(MISTAKE_KINDS)


def test_every_field_written_off_the_key_is_a_listed_planted_mistake(spec):
    """helper-142: a planted mistake tried and rejected (its fields overlapping an earlier one's) kept the tally or
    bubbles it had drawn: the sheet carried a tally of 85 against a key of 80 that its truth's mistakes did not list,
    and the evaluation counted planted mistakes found and missed without it."""
    for seed in range(450):       # (few pairs: two mistakes on one pair's trio, which showed it, are likelier)
        ex = generate_exercise(spec, pairs=1 + seed % 2, seed=seed)
        sheet = layout_sheet(spec, contest=ex.contest, pairs=ex.pairs)
        w = plan_writing(sheet, ex.fields, np.random.default_rng(seed), mistake_rate=1.0)
        planted = {f for m in w.mistakes for f in m["fields"]}
        for f in sheet.fields():     # (a pair's tally and bubbles follow its digits, unless planted apart)
            if f.graded and f.kind in ("digits", "bubbles", "tally"):
                same = w.fields[f.mirrors] if f.mirrors else ex.fields[f.id]
                assert w.fields[f.id] == same or f.id in planted, (seed, f.id, w.mistakes)


def test_filled_page_still_has_markers_and_qr(spec):
    plan = plan_sheet(SMALL, 3)
    page = plan.sheet.pages[0]
    filled = fill_page(plan.sheet, page, plan.ident.for_page(1), plan.writing, np.random.default_rng(0),
                       hand=plan.hand, px_per_mm=8)
    gray = cv2.cvtColor(filled.image, cv2.COLOR_RGB2GRAY)
    found = _aruco(gray)
    assert set(found) == {m.id for m in page.markers}
    for m in page.markers:
        assert np.abs(found[m.id] - (np.array(m.corners) * 8 - 0.5)).max() < 0.6
    text, _, _ = cv2.QRCodeDetector().detectAndDecode(gray)
    ident = decode_payload(text)
    assert (ident.page, ident.exercise, ident.pairs) == (1, plan.exercise.code, plan.sheet.pairs)
    # The handwriting is really there: the digit boxes hold ink, and the blank margin does not.
    box = plan.sheet.field("I.A.1.J").boxes[-1].to_px(8)
    inner = filled.image[box[1] + 8:box[1] + box[3] - 8, box[0] + 8:box[0] + box[2] - 8]
    assert inner.min() < 128
    assert filled.image[400:600, 20:60].min() > 150


def test_truth_points_follow_the_full_camera_chain(spec):
    """Markers detected in a curled, tilted, rotated photo sit where the truth points say."""
    plan = plan_sheet(SMALL, 2)
    page = plan.sheet.pages[1]
    rng = np.random.default_rng(5)
    filled = fill_page(plan.sheet, page, plan.ident.for_page(2), plan.writing, rng, hand=plan.hand)
    cond = Conditions(megapixels=3.0, roll_deg=-128.0, tilt_deg=24.0, tilt_axis_deg=40.0, coverage=0.7,
                      curl_strength=0.9, noise=0.004, sharpen=0.2, jpeg_quality=95, chat_app=True, chat_side=1600)
    photo = take_photo(filled, page, cond, rng)
    img = cv2.imdecode(np.frombuffer(photo.data, np.uint8), cv2.IMREAD_GRAYSCALE)
    assert img.shape[::-1] == photo.size and max(photo.size) == 1600
    assert photo.info["curl"]["lift_mm"] > 3
    found = _aruco(img)
    assert set(found) == {m.id for m in page.markers}
    for m in page.markers:
        assert np.abs(found[m.id] - photo.transform(np.array(m.corners))).max() < 1.0, m.id
    # Box corners land on the printed box lines: darker than the paper around them.
    pts = photo.transform(np.array(truth_point_mm(page)[16:]))
    vals = [img[int(round(y)) - 1:int(round(y)) + 2, int(round(x)) - 1:int(round(x)) + 2].min() for x, y in pts]
    paper = np.percentile(img, 90)
    assert np.median(vals) < paper * 0.7


def test_camera_transform_inverts_exactly():
    curl = Curl(normal=(0.7071, 0.7071), offset=0.0, lift_mm=10.0, reach_mm=60.0, wave_mm=1.0,
                wave_k=(0.03, 0.01), wave_phase=0.3)
    pose = Pose(tilt_deg=28, tilt_axis_deg=70, roll_deg=200, focal_px=3000, distance_mm=450,
                look_at_mm=(100, 150))
    t = camera_transform(pose, (4000, 3000), curl)
    pts = np.array([[0, 0], [210, 297], [30, 40], [105, 148.5], [200, 10]], float)
    assert np.abs(t.inverse(t(pts)) - pts).max() < 1e-3
    flat = camera_transform(pose, (4000, 3000), Curl())
    assert np.abs(flat(pts[:1]) - t(pts[:1])).max() > 5   # the curled corner really moves


def test_refusal_files_are_what_they_claim(tmp_path):
    data, info = too_large(np.random.default_rng(0))
    assert len(data) < 400_000
    with pytest.raises(Image.DecompressionBombError):
        Image.open(io.BytesIO(data)).load()
    e = make_one(Job("r000-corrupt_file", "corrupt_file", 100000, 1), SMALL, tmp_path)
    raw = (tmp_path / e["file"]).read_bytes()
    assert raw[:2] == b"\xff\xd8" and not raw.rstrip(b"\x00").endswith(b"\xff\xd9")
    e = make_one(Job("r001-not_an_image", "not_an_image", 100001, 1), SMALL, tmp_path)
    assert cv2.imdecode(np.frombuffer((tmp_path / e["file"]).read_bytes(), np.uint8), cv2.IMREAD_COLOR) is None
    t = load_truth(tmp_path / e["truth"])
    assert t["expect_refusal"] == "not_an_image" and t["fields"] == {}


def test_cli_writes_photos_truth_keys_and_index(tmp_path, capsys):
    out = tmp_path / "set"
    rc = main(["synth", "--out", str(out), "--count", "1", "--refusals", "2", "--seed", "3", "--pages", "2",
               "--max-megapixels", "2", "-j", "1", "--pairs", "1"])
    assert rc == 0
    # (it says the sheets and the exercises written, with the keys that grade them: helper-141 graded a class drawn
    # over two exercises against one key, and did not know why two sheets were refused)
    said = capsys.readouterr().out
    assert "(1 sheet(s), 2 refusal cases" in said and f"--key {out / 'keys'}" in said
    index = json.loads((out / "index.json").read_text())
    files = [p["file"] for p in index["photos"]]
    assert files == ["s0000-p2.jpg", "r000-too_blurry.jpg", "r001-too_dark.jpg"]
    t = load_truth(out / "s0000-p2.truth.json")
    assert t["pairs"] == 1 and "IV.KK" in t["fields"]
    assert (out / "keys" / t["exercise"] / "answer_key.json").is_file()
    assert main(["synth", "--out", str(out), "--mistakes", "2"]) == 2
    assert main(["synth", "--out", str(out), "--pages", "3"]) == 2


def test_cli_names_only_the_exercises_whose_keys_it_wrote(tmp_path, capsys):
    """The closing line names the exercises and the folder of their keys. A corrupt_file case's sheet (cut short) has
    no key, and its exercise was listed there all the same (`make samples` named V3XXTN, which sample_scans/keys does
    not hold; helper-174)."""
    out = tmp_path / "set"
    assert main(["synth", "--out", str(out), "--count", "0", "--refusals", "9", "--seed", "3",
                 "--max-megapixels", "0.5", "-j", "1"]) == 0
    said = capsys.readouterr().out
    line = next(s for s in said.splitlines() if s.startswith("exercises: "))
    named = line.removeprefix("exercises: ").split(" (", 1)[0].split(", ")
    index = json.loads((out / "index.json").read_text())["photos"]
    assert {p["exercise"] for p in index if p["expect_refusal"] == "corrupt_file"} - set(named)
    assert named and all((out / "keys" / code / "answer_key.json").is_file() for code in named), line


def test_cli_fills_a_trainers_exercise_for_the_trainees_of_a_roster(tmp_path, isolated_data_dir):
    """Rehearsal (helper-89): a class rehearsed end to end needs photos of the exercise the trainer made (its traps,
    its code in the QR) filled in by the roster's trainees (their number in the QR and written in the boxes, their
    name on the name line), as the personalised sheets are printed; ``grader synth`` drew exercises of its own and
    random trainees, so the rehearsal had to patch its internals. ``--exercise CODE --roster CSV`` do that."""
    from grader.exercise.store import save_exercise
    ex = generate_exercise(resolve_template("chasil-kwk"), contest="bupati", pairs=2, seed=7, traps=("damaged",))
    save_exercise(ex)
    roster = tmp_path / "peserta.csv"
    roster.write_text("nomor;nama\n7;Siti Aminah\n12;Budi Santoso\n", encoding="utf-8")
    out = tmp_path / "kelas"
    rc = main(["synth", "--out", str(out), "--count", "3", "--pages", "1", "--seed", "1", "--max-megapixels", "2",
               "-j", "1", "--exercise", ex.code.lower(), "--roster", str(roster)])
    assert rc == 0
    truths = [load_truth(out / f"s{i:04d}-p1.truth.json") for i in range(3)]
    assert [t["exercise"] for t in truths] == [ex.code] * 3
    assert [(t["trainee"], t["trainee_name"]) for t in truths] == [("7", "Siti Aminah"), ("12", "Budi Santoso"),
                                                                   ("7", "Siti Aminah")]     # the roster, again
    assert all(t["personalised"] and t["key"] == {k: ex.fields[k] for k in t["key"]} for t in truths)
    assert boxes_value(truths[1]["boxes"]["H.TRAINEE"]) == 12                     # the number written, too
    qr = cv2.QRCodeDetector().detectAndDecode(cv2.imread(str(out / "s0001-p1.jpg")))[0]
    if qr:                                                                          # (when the photo lets it)
        assert decode_payload(qr).trainee == "12" and decode_payload(qr).exercise == ex.code
    assert main(["synth", "--out", str(out), "--exercise", "ZZZZZZ"]) == 2          # not in the store: said so
    assert main(["synth", "--out", str(out), "--exercise", ex.code, "--pairs", "3"]) == 2   # the exercise decides


def test_sample_scans_are_complete_and_parse():
    truths = sorted(SAMPLES.glob("*.truth.json"))
    assert len(truths) >= 25
    total = sum(p.stat().st_size for p in SAMPLES.rglob("*") if p.is_file())
    assert total < 20 * 1024 * 1024
    refusals, pages, planted, kinds = set(), set(), 0, set()
    for path in truths:
        t = load_truth(path)
        assert (SAMPLES / t["file"]).is_file(), t["file"]
        assert t["file"].rsplit(".", 1)[0] + ".truth.json" == path.name
        if t["expect_refusal"]:
            assert t["expect_refusal"] in REFUSAL_CODES
            refusals.add(t["expect_refusal"])
        else:
            pages.add(t["page"])
            planted += bool(t["mistakes"])
            kinds |= {m["kind"] for m in t["mistakes"]}
            _check_truth_consistency(t)
            assert (SAMPLES / "keys" / t["exercise"] / "answer_key.json").is_file()
    assert pages == {1, 2}
    assert planted >= 3 and kinds == set(MISTAKE_KINDS)
    assert len(refusals) >= 6


def test_exif_oriented_photo_displays_like_the_truth(spec):
    """Camera originals may store turned pixels plus an EXIF tag; the truth is in the displayed frame."""
    plan = plan_sheet(SMALL, 4)
    page = plan.sheet.pages[0]
    rng = np.random.default_rng(9)
    filled = fill_page(plan.sheet, page, plan.ident.for_page(1), plan.writing, rng, hand=plan.hand)
    cond = Conditions(megapixels=2.0, roll_deg=3.0, tilt_deg=10.0, coverage=0.8, noise=0.004, exif_orientation=6)
    photo = take_photo(filled, page, cond, rng)
    raw = Image.open(io.BytesIO(photo.data))
    assert raw.getexif().get(0x0112) == 6 and raw.size == photo.size[::-1]   # stored sideways
    shown = cv2.imdecode(np.frombuffer(photo.data, np.uint8), cv2.IMREAD_GRAYSCALE)   # honours EXIF
    assert shown.shape[::-1] == photo.size
    found = _aruco(shown)
    for m in page.markers:
        assert np.abs(found[m.id] - photo.transform(np.array(m.corners))).max() < 1.0, m.id


def test_refusal_codes_match_the_photo_reader():
    from grader.photo.refusal import REASON_CODES
    from grader.synth.refusals import REFUSAL_KINDS
    assert set(REFUSAL_CODES) <= set(REASON_CODES)
    for code, also in REFUSAL_KINDS.values():
        assert code in REFUSAL_CODES and set(also) <= set(REFUSAL_CODES)


def _ink_beyond_boxes(image: np.ndarray, sheet, page, s: float) -> int:
    """Dark pixels in the paper just above and below the page's digit boxes (0.3-1.2 mm beyond the printed
    border, within the box's width): where a digit written across its border puts ink."""
    gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    dark = 0
    for f in page.fields:
        if f.kind != "digits":
            continue
        for b in f.boxes:
            x, w = int((b.x + 0.4) * s), int((b.w - 0.8) * s)
            for y0, y1 in ((b.y - 1.2, b.y - 0.3), (b.y + b.h + 0.3, b.y + b.h + 1.2)):
                dark += int((gray[int(y0 * s):int(y1 * s), x:x + w] < 130).sum())   # (the row lines are ~180)
    return dark


def test_across_borders_writers_cross_their_box_borders_and_the_default_is_unchanged(spec):
    plain = plan_sheet(SMALL, 3)
    across = plan_sheet(replace(SMALL, across_borders=1.0), 3)
    # the option's draws come after the writer's own: the sheet's writing is the same, its writer larger and over
    assert across.writing == plain.writing and "overshoot" not in plain.hand.to_json()
    assert across.hand.overshoot >= 0.08 and across.hand.digit_height >= 0.8 and across.hand.sloppy == 1.0
    page = plain.sheet.pages[0]
    inks = [_ink_beyond_boxes(fill_page(p.sheet, page, p.ident.for_page(1), p.writing, np.random.default_rng(0),
                                        hand=p.hand, px_per_mm=8).image, p.sheet, page, 8) for p in (plain, across)]
    assert inks[0] < 20 and inks[1] > 100, inks

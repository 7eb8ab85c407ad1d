"""Photocopied and "fit to page" prints in the generator (``grader synth --copies``), and that they read."""
from __future__ import annotations

import json
from dataclasses import replace

import cv2
import numpy as np
import pytest

import grader.synth.generate as generate
from grader.cli import main
from grader.exercise.store import load_key
from grader.grading.mistakes_eval import against_trainee, right_charged
from grader.pipeline import grade_upload
from grader.synth.copier import CopierPass, PrintCopy, copy_print, random_print_copy
from grader.synth.fill import fill_page
from grader.synth.generate import Job, SynthOptions, make_one, plan_sheet
from grader.synth.photo import Conditions, take_photo
from grader.synth.truth import load_truth, truth_point_mm
from test_synth import _aruco

SMALL = SynthOptions(count=2, seed=7, max_megapixels=2.0)
COPIED = replace(SMALL, copies=1.0, copy_kind="copy_of_copy")
#: The darkest copy drawn (every mid grey black, thick lines, grey background, halftone), twice over.
DARK = CopierPass(blur_mm=0.06, mid=0.75, gain=2.8, spread_mm=0.1, fog=0.15, uneven=0.06, speckle_per_cm2=1.5,
                  streaks=((0.3, 0.3, 0.6),), vertical=True, light_band=None, screen=True)
#: The lightest: the grey digits in the bubbles and the grey labels fade out, the thin lines thin.
LIGHT = CopierPass(blur_mm=0.06, mid=0.45, gain=1.4, spread_mm=0.0, fog=0.0, uneven=0.06, speckle_per_cm2=1.5,
                   streaks=(), vertical=False, light_band=(0.5, 15, 0.4), screen=True)


def test_copies_are_off_by_default_reproducible_and_leave_the_writing_alone(tmp_path):
    job = Job("s0000-p2", "sheet", 0, 2)
    dirs = {name: tmp_path / name for name in ("plain", "copy", "again")}
    for name, opts in (("plain", SMALL), ("copy", COPIED), ("again", COPIED)):
        dirs[name].mkdir()
        make_one(job, opts, dirs[name])
    plain, copy, again = (load_truth(d / "s0000-p2.truth.json") for d in dirs.values())
    assert "print" not in plain["photo"] and SynthOptions().copies == 0
    # Reproducible: the same options give the same bytes.
    assert (dirs["copy"] / "s0000-p2.jpg").read_bytes() == (dirs["again"] / "s0000-p2.jpg").read_bytes()
    assert copy == again and copy["photo"]["print"]["kind"] == "copy_of_copy"
    assert len(copy["photo"]["print"]["passes"]) == 2
    # The copy changes the print, not what the trainee wrote nor their hand.
    assert (dirs["copy"] / "s0000-p2.jpg").read_bytes() != (dirs["plain"] / "s0000-p2.jpg").read_bytes()
    for key in ("fields", "boxes", "cells", "mistakes"):
        assert copy[key] == plain[key], key
    assert copy["photo"]["hand"] == plain["photo"]["hand"]


def test_a_share_of_sheets_is_copied_and_named_in_the_index(tmp_path):
    out = tmp_path / "set"
    assert main(["synth", "--out", str(out), "--count", "8", "--pages", "2", "--seed", "3", "--copies", "0.5",
                 "--max-megapixels", "2", "-j", "1"]) == 0
    index = json.loads((out / "index.json").read_text())
    kinds = [p.get("print") for p in index["photos"]]
    assert 0 < sum(k is not None for k in kinds) < 8 and index["options"]["copies"] == 0.5
    for entry in index["photos"]:
        truth = load_truth(out / entry["truth"])
        assert truth["photo"].get("print", {}).get("kind") == entry.get("print")
    assert main(["synth", "--out", str(out), "--copies", "1.5"]) == 2
    assert main(["synth", "--out", str(out), "--copies", "1", "--copy-kind", "laser"]) == 2


def test_copy_print_places_the_print_where_placed_says():
    """The copied print's markers sit where ``PrintCopy.placed`` puts them (to a fraction of a pixel)."""
    plan = plan_sheet(SMALL, 1)
    page = plan.sheet.pages[0]
    copy = PrintCopy("fit_copy", 0.95, 0.8, (2.0, -1.5), (replace(LIGHT, speckle_per_cm2=0.0, screen=False),))
    s = 8.0
    filled = fill_page(plan.sheet, page, plan.ident.for_page(1), plan.writing, np.random.default_rng(0),
                       hand=plan.hand, px_per_mm=s, copy=copy, copy_rng=np.random.default_rng(1))
    found = _aruco(cv2.cvtColor(filled.image, cv2.COLOR_RGB2GRAY))
    assert set(found) == {m.id for m in page.markers}
    for m in page.markers:
        want = copy.place(np.array(m.corners), (page.width_mm, page.height_mm)) * s - 0.5
        assert np.abs(found[m.id] - want).max() < 0.7, m.id
        assert np.abs(found[m.id] - (np.array(m.corners) * s - 0.5)).max() > 5   # the print really moved
    # The trainee writes in the printed boxes, where they are on the paper.
    box = next(f for f in copy.placed(page).fields if f.kind == "digits").boxes[-1]
    x, y, w, h = box.to_px(s)
    assert filled.image[y + 8:y + h - 8, x + 8:x + w - 8].min() < 128


def test_copy_print_leaves_the_render_alone_and_fades_or_darkens_mid_greys():
    gray = np.full((240, 200), 255, np.uint8)
    gray[100:140, 40:160] = 150                   # a grey-150 patch, as the digits in the bubbles
    gray[20:60, 40:160] = 0
    before = gray.copy()
    flat = dict(scale=1.0, angle_deg=0.0, offset_mm=(0.0, 0.0))
    quiet = dict(uneven=0.0, speckle_per_cm2=0.0, streaks=(), light_band=None, screen=False, fog=0.0)
    dark = copy_print(gray, PrintCopy("copy", passes=(replace(DARK, **quiet),), **flat), 8.0,
                      np.random.default_rng(0))
    light = copy_print(gray, PrintCopy("copy", passes=(replace(LIGHT, **quiet),), **flat), 8.0,
                       np.random.default_rng(0))
    assert np.array_equal(gray, before)
    assert dark[120, 100] < 40 and light[120, 100] > 170          # the grey goes black, or fades
    assert dark[40, 100] < 40 and light[40, 100] < 40             # black stays black
    assert dark[200, 100] > 240 and light[200, 100] > 240         # white stays white


def test_truth_points_follow_a_fit_to_page_print(tmp_path):
    """A print at 95 % sits inside the paper: the truth's marker corners are where the photo shows them."""
    opts = replace(SMALL, copies=1.0, copy_kind="fit")
    entry = make_one(Job("s0000-p1", "sheet", 0, 1), opts, tmp_path)
    truth = load_truth(tmp_path / entry["truth"])
    assert truth["photo"]["print"]["scale"] < 0.97
    img = cv2.imdecode(np.frombuffer((tmp_path / entry["file"]).read_bytes(), np.uint8), cv2.IMREAD_GRAYSCALE)
    found = _aruco(img)
    page = plan_sheet(opts, 0).sheet.pages[0]
    pts = np.array(truth["truth_points"])
    assert np.allclose(pts[:, :2], truth_point_mm(page), atol=1e-3)   # template mm, as before
    for k, m in enumerate(page.markers):
        if m.id in found:
            assert np.abs(found[m.id] - pts[4 * k:4 * k + 4, 2:]).max() < 1.5, m.id
    assert len(found) >= 3


def test_take_photo_of_a_fit_print_maps_through_the_placement():
    plan = plan_sheet(SMALL, 2)
    page = plan.sheet.pages[1]
    copy = PrintCopy("fit", 0.94, -0.3, (1.0, 1.0))
    rng = np.random.default_rng(4)
    filled = fill_page(plan.sheet, page, plan.ident.for_page(2), plan.writing, rng, hand=plan.hand, copy=copy,
                       copy_rng=np.random.default_rng(5))
    photo = take_photo(filled, copy.placed(page), Conditions(megapixels=3.0, roll_deg=20.0, tilt_deg=15.0,
                                                             coverage=0.8, noise=0.004, jpeg_quality=95), rng)
    found = _aruco(cv2.imdecode(np.frombuffer(photo.data, np.uint8), cv2.IMREAD_GRAYSCALE))
    assert set(found) == {m.id for m in page.markers}
    wh = (page.width_mm, page.height_mm)
    for m in page.markers:
        assert np.abs(found[m.id] - photo.transform(copy.place(np.array(m.corners), wh))).max() < 1.0
        assert np.abs(found[m.id] - photo.transform(np.array(m.corners))).max() > 10


def test_random_copies_stay_on_the_paper_and_are_reproducible():
    for seed in range(200):
        c = random_print_copy(np.random.default_rng(seed))
        assert c == random_print_copy(np.random.default_rng(seed))
        assert 0.94 * 0.97 - 1e-9 <= c.scale <= 1.0 and abs(c.angle_deg) < 3
        corners = c.place(np.array([[10.0, 10.0], [200.0, 10.0], [200.0, 287.0], [10.0, 287.0]]), (210.0, 297.0))
        assert corners.min() > 1.0 and corners[:, 0].max() < 209 and corners[:, 1].max() < 296
    with pytest.raises(ValueError):
        random_print_copy(np.random.default_rng(0), "laser")


@pytest.mark.parametrize("passes", [None, (LIGHT, LIGHT), (DARK, DARK)], ids=["drawn", "lightest", "darkest"])
def test_a_copied_sheet_reads_and_grades_with_nothing_held_against_the_trainee(tmp_path, monkeypatch, passes):
    """Both pages of a clean sheet copied twice: as the generator draws it, and from a 94 % "fit to page" print at
    the lightest setting twice (the grey digits in the bubbles and the grey labels gone, a pale band) or at the
    darkest twice (toner spread fills in the markers' white cells: only each cell's centre is read,
    ``locate.CELL_MARGIN``; before, such pages were refused as ``markers_not_found``)."""
    opts = replace(SMALL, seed=11, pairs=3, max_megapixels=3.0, copies=1.0, copy_kind="copy_of_copy")
    if passes:
        copy = PrintCopy("copy_of_copy", 0.94, -1.2, (-3.0, 3.0), passes)
        monkeypatch.setattr(generate, "print_copy", lambda opts, index: copy)
    entries = [make_one(Job(f"s0000-p{p}", "sheet", 0, p), opts, tmp_path) for p in (1, 2)]
    generate.write_keys(opts, [Job("s0000-p1", "sheet", 0, 1)], tmp_path)
    truths = [load_truth(tmp_path / e["truth"]) for e in entries]
    assert all(len(t["photo"]["print"]["passes"]) == 2 and not t["mistakes"] for t in truths)
    key = load_key(str(tmp_path / "keys" / truths[0]["exercise"]))
    result = grade_upload([(e["file"], (tmp_path / e["file"]).read_bytes()) for e in entries], key=key)
    assert all(p["refusal"] is None for p in result["pages"])
    written = {fid: v for t in truths for fid, v in t["fields"].items()}
    assert against_trainee(result) == [] and right_charged(result, written) == []
    fields = [f for f in result["fields"] if f["id"] in written]
    assert sum(f["status"] == "ok" for f in fields) >= 0.7 * len(fields)
    assert all(f["value"] == written[f["id"]] for f in fields if f["status"] == "ok")


def test_the_lightest_copy_reads_its_bubbles_and_blames_no_curled_paper(tmp_path, monkeypatch):
    """The lightest copy twice over fades a band of printed bubble rings (toner running short) to nearly nothing:
    faint rings are not misplaced ones. Each pair's bubbles are read as written, no field is noted
    ``misaligned`` and the page carries no advice to retake a curled sheet (it once sent pair 3's bubbles to
    review, saying "curled or folded paper?", for a sheet lying flat)."""
    opts = replace(SMALL, seed=11, pairs=3, max_megapixels=3.0, copies=1.0, copy_kind="copy_of_copy")
    copy = PrintCopy("copy_of_copy", 0.94, -1.2, (-3.0, 3.0), (LIGHT, LIGHT))
    monkeypatch.setattr(generate, "print_copy", lambda opts, index: copy)
    entry = make_one(Job("s0000-p2", "sheet", 0, 2), opts, tmp_path)
    generate.write_keys(opts, [Job("s0000-p2", "sheet", 0, 2)], tmp_path)
    truth = load_truth(tmp_path / entry["truth"])
    key = load_key(str(tmp_path / "keys" / truth["exercise"]))
    result = grade_upload([(entry["file"], (tmp_path / entry["file"]).read_bytes())], key=key)
    page = result["pages"][0]
    assert page["refusal"] is None and page["advice"] is None, page["advice"]
    bubbles = {f["id"]: f for f in result["fields"] if f["kind"] == "bubbles"}
    assert sorted(bubbles) == ["IV.1.bubbles", "IV.2.bubbles", "IV.3.bubbles"]
    for fid, f in bubbles.items():
        assert (f["status"], f["value"]) == ("ok", truth["fields"][fid]), f
        assert "misaligned" not in (f.get("notes") or ()), f

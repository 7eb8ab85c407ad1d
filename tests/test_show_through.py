"""A sheet printed on both sides of one paper, its back showing through (``grader synth --show-through``)."""
from __future__ import annotations

import json

import numpy as np
import pytest

import grader.synth.generate as generate
from grader.cli import main
from grader.synth.fill import fill_page
from grader.synth.generate import Job, SynthOptions, back_page, make_one, plan_sheet
from grader.synth.show_through import PAPER_DIFFUSION_MM, show_through
from grader.synth.truth import load_truth

SMALL = SynthOptions(count=2, seed=7, mistakes=1.0, max_megapixels=2.0)
PAPER = (0.95, 0.94, 0.92)
PX_PER_MM = 4.0


def _paper(h: int = 120, w: int = 80) -> np.ndarray:
    return np.broadcast_to(np.round(np.array(PAPER) * 255).astype(np.uint8), (h, w, 3)).copy()


def test_the_back_darkens_the_front_mirrored_blurred_and_by_its_strength():
    front, back = _paper(), _paper()
    back[40:80, 5:25] = 0                          # a solid black mark near the back's left edge
    back[10:30, 40] = 0                            # a line one pixel wide, just right of the centre (x = 40 of 80)
    seen = show_through(front, back, strength=0.2, px_per_mm=PX_PER_MM, back_paper_rgb=PAPER).astype(float)
    darkening = (1 - seen / front.astype(float)).mean(axis=2)
    # seen from the front, the mark sits mirrored about the paper's centre: x 5..24 -> 55..74
    assert darkening[60, 65] == pytest.approx(0.2, abs=0.01)
    assert darkening[60, 15] == pytest.approx(0.0, abs=0.01)
    assert darkening[100, 40] == pytest.approx(0.0, abs=0.01)    # bare back paper shows nothing
    # the line (mirrored to x = 39) spreads through the paper: fainter, and wider than one pixel
    assert 0.02 < darkening[20, 39] < 0.1
    assert darkening[20, 39 - int(PAPER_DIFFUSION_MM * PX_PER_MM)] > 0.005
    assert darkening[20, 40] < darkening[20, 39]          # (not where the line is on the back)
    # the front's own ink stays as dark as it was, or darker
    assert (seen <= front + 0.5).all()


def test_no_strength_leaves_the_front_alone_and_bad_input_is_said():
    front, back = _paper(), _paper()
    back[:] = 0
    assert show_through(front, back, strength=0.0, px_per_mm=PX_PER_MM, back_paper_rgb=PAPER) is front
    with pytest.raises(ValueError, match="one size"):
        show_through(front, back[:, :-1], strength=0.1, px_per_mm=PX_PER_MM, back_paper_rgb=PAPER)
    with pytest.raises(ValueError, match="between 0 and 1"):
        show_through(front, back, strength=1.5, px_per_mm=PX_PER_MM, back_paper_rgb=PAPER)


def _filled_pages(monkeypatch) -> list[np.ndarray]:
    """What make_one hands the camera: the filled page, captured."""
    seen = []
    real = generate.take_photo

    def capture(filled, *args):
        seen.append(filled.image.copy())
        return real(filled, *args)

    monkeypatch.setattr(generate, "take_photo", capture)
    return seen


def test_the_back_is_the_other_page_as_written_showing_through_the_photo(tmp_path, monkeypatch):
    """Off by default (a set stays byte for byte the same); on, page 1's photo shows page 2 of the same sheet, its
    print and the same strokes page 2's own photo carries, and the truth and the writing stay as they were."""
    assert SynthOptions().show_through == 0.0
    opts = SynthOptions(count=2, seed=7, mistakes=1.0, max_megapixels=2.0, show_through=0.2)
    seen = _filled_pages(monkeypatch)
    for name, o in (("plain", SMALL), ("through", opts)):
        (tmp_path / name).mkdir()
        make_one(Job("s0000-p1", "sheet", 0, 1), o, tmp_path / name)
    plain_img, through_img = seen
    plain, through = (load_truth(tmp_path / n / "s0000-p1.truth.json") for n in ("plain", "through"))
    assert "show_through" not in plain["photo"]
    assert through["photo"]["show_through"] == {"strength": 0.2, "back_page": 2}
    for key in ("fields", "boxes", "cells", "mistakes", "truth_points"):
        assert through[key] == plain[key], key
    assert through["photo"]["hand"] == plain["photo"]["hand"]
    # the back is page 2 exactly as its own photo fills it
    plan = plan_sheet(opts, 0)
    back = back_page(plan, opts, Job("s0000-p1", "sheet", 0, 1))
    page2 = fill_page(plan.sheet, plan.sheet.pages[1], plan.ident.for_page(2), plan.writing,
                      np.random.default_rng([opts.seed, 2, 0, 2]), hand=plan.hand)
    assert np.array_equal(back.image, page2.image)
    # and page 1's photo is its own filled page with that back showing through
    expected = show_through(plain_img, back.image, strength=0.2, px_per_mm=back.px_per_mm,
                            back_paper_rgb=back.paper["paper_rgb"])
    assert np.array_equal(through_img, expected)
    assert (through_img.astype(int) - plain_img).min() < -25 and (through_img <= plain_img).all()
    assert (tmp_path / "through" / "s0000-p1.jpg").read_bytes() != (tmp_path / "plain" / "s0000-p1.jpg").read_bytes()


def test_cli_takes_a_strength_and_writes_it_in_the_index(tmp_path, capsys):
    out = tmp_path / "set"
    assert main(["synth", "--out", str(out), "--count", "1", "--pages", "2", "--seed", "3", "--show-through",
                 "0.1", "--max-megapixels", "0.5", "-j", "1"]) == 0
    index = json.loads((out / "index.json").read_text())
    assert index["options"]["show_through"] == 0.1
    assert load_truth(out / "s0000-p2.truth.json")["photo"]["show_through"] == {"strength": 0.1, "back_page": 1}
    capsys.readouterr()
    assert main(["synth", "--out", str(out), "--show-through", "1.5"]) == 2
    assert "--show-through is a strength between 0 and 1" in capsys.readouterr().err
    plain = tmp_path / "plain"
    assert main(["synth", "--out", str(plain), "--count", "1", "--pages", "2", "--seed", "3",
                 "--max-megapixels", "0.5", "-j", "1"]) == 0
    assert "show_through" not in json.loads((plain / "index.json").read_text())["options"]


# --- Reading a page whose back shows through (grader/read/show_through.py) ---

def test_a_box_faint_view_takes_no_ink_below_the_floor():
    """The faint view looks for a dry pen's strokes just above the paper; on a page whose back shows through, the
    back's mirrored lines are that faint, and only ink above the floor counts."""
    from grader.recognize.box_preprocess import preprocess_for_reading
    crop = np.full((80, 80), 235, np.uint8)
    crop[20:60, 38:42] = 40                       # a firm 1
    crop[30:32, 8:72] = 200                       # a faint line across the box, ink about 0.15
    crop[50:52, 8:72] = 200
    assert list(preprocess_for_reading([crop]).faint_index) == [0]
    assert list(preprocess_for_reading([crop], faint_floor=0.2).faint_index) == []
    assert list(preprocess_for_reading([crop], faint_floor=0.1).faint_index) == [0]


@pytest.fixture(scope="module")
def duplex_photos(tmp_path_factory):
    """Page 1 of one sheet of the measured set (seed 194), printed on one side and on both at strength 0.25."""
    out = {}
    for strength in (0.0, 0.25):
        d = tmp_path_factory.mktemp(f"st{strength}")
        make_one(Job("s0002-p1", "sheet", 2, 1), SynthOptions(count=80, seed=194, mistakes=0.3,
                                                              show_through=strength), d)
        out[strength] = (d / "s0002-p1.jpg", load_truth(d / "s0002-p1.truth.json"))
    return out


def test_the_back_showing_through_is_measured_from_the_template(duplex_photos):
    from grader.photo.align import align_photo
    from grader.read.show_through import SHOWS_THROUGH, faint_floor, show_through_level
    levels = {}
    for strength, (photo, truth) in duplex_photos.items():
        a = align_photo(photo.read_bytes(), contest=truth["contest"], pairs=truth["pairs"])
        levels[strength] = show_through_level(a.gray, a.sheet, a.page, px_per_mm=a.px_per_mm)
    assert abs(levels[0.0]) < SHOWS_THROUGH <= levels[0.25]
    assert faint_floor(levels[0.0]) == 0.0 and faint_floor(levels[0.25]) > 0.1


def test_the_back_showing_through_sends_no_right_reading_to_review(duplex_photos):
    """At strength 0.25 the back's mirrored tally grid and print lay faint lines across page 1's boxes; the faint
    view took them for strokes, and '-- -' (0), '--1' and other fields read right on the page printed on one side
    went to review, 'faint_ink'. They read as on the one-sided page now, and nothing is accepted wrong."""
    from grader.pipeline import read_photo
    reads = {}
    for strength, (photo, truth) in duplex_photos.items():
        pr = read_photo(photo.read_bytes(), filename=photo.name, contest=truth["contest"], pairs=truth["pairs"])
        reads[strength] = {fid: r for fid, r in pr.readings.items() if r.kind == "digits"}
    plain, duplex = reads[0.0], reads[0.25]
    faint = [fid for fid, r in duplex.items() if "faint_ink" in r.notes]
    assert faint == [], faint
    for fid in ("I.A.3.J", "III.B.P"):
        assert (duplex[fid].value, duplex[fid].status) == (plain[fid].value, plain[fid].status) == (
            duplex_photos[0.25][1]["fields"][fid], "ok"), fid
    truth = duplex_photos[0.25][1]["fields"]
    assert all(r.value == truth[fid] for fid, r in duplex.items() if r.status == "ok" and fid in truth)

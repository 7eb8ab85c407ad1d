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

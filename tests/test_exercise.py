"""Exercises: every generated key satisfies its template's rules, and the handout adds up to the key."""
import json
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from grader.cli import main
from grader.errors import GraderError
from grader.exercise.scenario import CODE_ALPHABET, DAMAGED, INVALID, TRAPS, ballot_counts, generate_exercise
from grader.exercise.store import load_key
from grader.rules import evaluate_rules, expand_rules
from grader.sheet.layout import layout_sheet

SAMPLE_KEYS = Path(__file__).resolve().parents[1] / "sample_scans" / "keys"


@settings(max_examples=150, deadline=None)
@given(seed=st.integers(0, 10**6), pairs=st.integers(1, 6), contest=st.sampled_from(["gubernur", "bupati", "walikota"]),
       traps=st.lists(st.sampled_from(TRAPS), unique=True, max_size=3))
def test_generated_keys_satisfy_every_rule_and_the_ballot_list(chasil_spec, seed, pairs, contest, traps):
    ex = generate_exercise(chasil_spec, contest=contest, pairs=pairs, seed=seed, traps=traps)
    sheet = layout_sheet(chasil_spec, contest=ex.contest, pairs=ex.pairs)
    assert set(ex.fields) == {f.id for f in sheet.number_fields()}
    results = evaluate_rules(expand_rules(chasil_spec.rules, sheet), ex.fields)
    assert results and all(r.status == "ok" for r in results), [r.rule.id for r in results if r.status != "ok"]
    counts = ballot_counts(ex.ballots)
    for pid in sheet.pair_ids:
        assert counts.get(pid, 0) == ex.fields[f"IV.{pid}"]
    assert counts.get(INVALID, 0) == ex.fields["V.B"]
    assert counts.get(DAMAGED, 0) == ex.fields["II.3"]
    assert all(0 <= v <= 999 for v in ex.fields.values())
    tally_cap = min(len(f.cells) for f in sheet.fields() if f.kind == "tally") * 5
    assert max(ex.fields[f"IV.{p}"] for p in sheet.pair_ids) <= tally_cap
    if "damaged" in traps:
        assert ex.fields["II.3"] >= 1
    if "dptb" in traps:
        assert ex.fields["I.A.3.J"] >= 1 and ex.fields["I.B.3.J"] >= 1
    if "kolom_kosong" in traps:
        assert ex.pairs == 1 and "IV.KK" in ex.fields
    assert len(ex.code) == 6 and set(ex.code) <= set(CODE_ALPHABET)


def test_same_inputs_same_exercise(chasil_spec):
    a = generate_exercise(chasil_spec, pairs=3, seed=7)
    b = generate_exercise(chasil_spec, pairs=3, seed=7)
    c = generate_exercise(chasil_spec, pairs=3, seed=8)
    assert a == b and a.code != c.code


def test_a_mayors_election_is_set_in_a_kelurahan_a_regents_in_a_desa_or_a_kelurahan(chasil_spec):
    """helper-140 (s46): a Walikota exercise was set in "Desa Sukamaju"; a city has kelurahan, not desa."""
    city = {generate_exercise(chasil_spec, contest="walikota", seed=s).village for s in range(12)}
    regency = {generate_exercise(chasil_spec, contest="bupati", seed=s).village for s in range(12)}
    assert city and all(v.startswith("Kelurahan ") for v in city)
    assert any(v.startswith("Desa ") for v in regency) and any(v.startswith("Kelurahan ") for v in regency)
    # (and the office is "wali kota", as KBBI and the KPU write it, on the handout and the sheet: "WALIKOTA" was not)
    from grader.exercise.handout import _office
    from grader.sheet.layout import layout_sheet
    assert _office(generate_exercise(chasil_spec, contest="walikota", seed=1)) == "WALI KOTA"
    subtitle = layout_sheet(chasil_spec, contest="walikota", pairs=3).pages[0].labels[1].text
    assert subtitle.startswith("PEMILIHAN WALI KOTA DAN WAKIL WALI KOTA")


def test_rule_catches_a_broken_sum(chasil_spec):
    ex = generate_exercise(chasil_spec, pairs=2, seed=3)
    values = dict(ex.fields)
    values["V.A"] += 1
    rules = expand_rules(chasil_spec.rules, layout_sheet(chasil_spec, pairs=2))
    bad = {r.rule.base_id for r in evaluate_rules(rules, values) if r.status == "violated"}
    assert bad == {"valid_votes_sum", "all_votes_sum"}


def test_exercise_new_writes_key_and_handout_and_registers_the_code(tmp_path, capsys):
    out = tmp_path / "ex"
    assert main(["exercise", "new", "chasil-kwk", "--pairs", "1", "--seed", "5", "--trap", "damaged",
                 "--trap", "dptb", "-o", str(out)]) == 0
    key = json.loads((out / "answer_key.json").read_text())
    assert key["format"] == "grader-answer-key/1" and key["pairs"] == 1 and key["fields"]["II.3"] >= 1
    assert (out / "handout.pdf").read_bytes().startswith(b"%PDF-")
    by_code = load_key(key["exercise"].lower())  # codes are case-insensitive for typing
    assert by_code.fields == key["fields"]
    assert load_key(str(out)).exercise == key["exercise"]
    capsys.readouterr()
    assert main(["exercise", "list"]) == 0
    [line] = [ln for ln in capsys.readouterr().out.splitlines() if ln.startswith(key["exercise"])]
    assert line.split("\t")[3:] == ["1 paslon", "damaged,dptb"]          # (its traps too: helper-145)


def test_the_kolom_kosong_trap_says_it_made_a_single_pair_exercise(tmp_path, capsys):
    assert main(["exercise", "new", "chasil-kwk", "--pairs", "2", "--seed", "5", "--trap", "kolom_kosong",
                 "-o", str(tmp_path / "ex"), "--no-register"]) == 0
    assert json.loads((tmp_path / "ex" / "answer_key.json").read_text())["pairs"] == 1
    err = capsys.readouterr().err
    assert "warning: a kolom kosong exists only with a single pair" in err and "has 1 pair, not 2" in err
    # (helper-145: without --pairs, the template's three became one without a word)
    assert main(["exercise", "new", "chasil-kwk", "--seed", "5", "--trap", "kolom_kosong",
                 "-o", str(tmp_path / "ex2"), "--no-register"]) == 0
    assert "note: a kolom kosong exists only with a single pair" in capsys.readouterr().err


def test_unknown_code_is_a_clear_error():
    with pytest.raises(GraderError) as info:
        load_key("ZZZZZZ")
    assert info.value.code == "unknown_exercise" and "ZZZZZZ" in info.value.message_id


def test_a_removed_exercise_is_one_whose_key_became_the_mark_and_was_not_created_again(tmp_path):
    from grader.exercise.store import REMOVED_MARK, exercises_dir, removed_exercises
    for code, files in (("AAA111", [REMOVED_MARK]), ("BBB222", [REMOVED_MARK, "answer_key.json"]),
                        ("CCC333", ["answer_key.json"])):
        d = exercises_dir(tmp_path) / code
        d.mkdir(parents=True)
        for f in files:
            (d / f).write_text("")
    # BBB222: re-created, and a crash came before the mark was cleared: its new class must not be removed
    assert removed_exercises(base=tmp_path) == ["AAA111"]


@pytest.mark.parametrize("change, said", [
    ({"template": "nosuch"}, "its form (template nosuch"),
    ({"pairs": 9}, "9 pairs) does not exist"),
    ({"fields": {}}, "no expected value for: I.A.1.J"),
    ({"extra": "IV.9"}, "fields its form lacks: IV.9"),
])
def test_a_key_that_cannot_grade_its_form_is_refused_at_load(tmp_path, capsys, change, said):
    """Review: with an unknown template or pairs every sheet of a batch was refused one by one (exit 0), and with no
    fields every trainee scored 100."""
    data = json.loads((SAMPLE_KEYS / "6ARJET" / "answer_key.json").read_text())
    if "extra" in change:
        data["fields"][change.pop("extra")] = 5
    data.update(change)
    (tmp_path / "answer_key.json").write_text(json.dumps(data))
    with pytest.raises(GraderError) as err:
        load_key(str(tmp_path))
    assert err.value.code == "bad_key" and said in err.value.message
    photo = str(Path(__file__).resolve().parents[1] / "sample_scans" / "s0001-p1.jpg")
    assert main(["grade", photo, "--key", str(tmp_path)]) == 2
    assert said in capsys.readouterr().err


def test_a_key_given_as_the_wrong_file_or_folder_says_what_it_is(tmp_path, monkeypatch, capsys):
    """A trainer's slips (h41b): `--key sample_scans/keys` (the folder around the exercises' folders) and an empty
    folder were told "no exercise with code KEYS" or "neither a key file nor an exercise code"; the handout PDF or the
    class CSV given as the key, a UTF-8 decoding error; and a key saved again by Notepad (a BOM) was refused."""
    monkeypatch.chdir(tmp_path)
    photo = str(Path(__file__).resolve().parents[1] / "sample_scans" / "s0001-p1.jpg")
    (tmp_path / "kosong").mkdir()
    (tmp_path / "handout.pdf").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    for key, said in ((str(SAMPLE_KEYS), f"{SAMPLE_KEYS} is a folder without answer_key.json; the folders "
                                         "6ARJET, E4KWNN, UVQJCU in it each hold one: name the exercise's folder"),
                      ("kosong", "kosong is a folder without answer_key.json"),
                      ("handout.pdf", "handout.pdf: not an answer key (not JSON text; a key is the answer_key.json")):
        assert main(["grade", photo, "--key", key]) == 2
        err = capsys.readouterr().err
        assert said in err and "codec" not in err and "no exercise with code" not in err and "neither" not in err, err
    notepad = tmp_path / "6ARJET"
    notepad.mkdir()
    (notepad / "answer_key.json").write_bytes(b"\xef\xbb\xbf" + (SAMPLE_KEYS / "6ARJET" / "answer_key.json").read_bytes())
    assert load_key(str(notepad)).exercise == "6ARJET"


def test_a_code_not_in_this_folders_store_says_how_to_reach_the_key(tmp_path, monkeypatch, capsys):
    """A trainer who made the exercise in one folder and grades from another (h41b: cd Downloads) was told only "no
    exercise with code KVDH6W (looked in …/Downloads/instance/exercises)": the store is ./instance of the folder
    `grader exercise new` ran in (or $GRADER_DATA_DIR), and the key's own folder works as --key too."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GRADER_DATA_DIR", raising=False)
    photo = str(Path(__file__).resolve().parents[1] / "sample_scans" / "s0001-p1.jpg")
    assert main(["grade", photo, "--key", "6ARJET"]) == 2
    err = capsys.readouterr().err
    assert f"no exercise with code 6ARJET (looked in {tmp_path / 'instance' / 'exercises'})" in err
    assert "GRADER_DATA_DIR" in err and "--key path/to/answer_key.json" in err


def test_a_code_not_found_names_what_was_typed_where_it_was_read_otherwise(tmp_path):
    """Rehearsal (s44): ``--key GDWURS`` (a G, never in a code, is taken for the 6 it looks like) said "no exercise
    with code 6DWURS", a code the trainer never typed. It says both now; a code typed in lower case is not echoed."""
    from grader.errors import GraderError
    from grader.exercise.store import load_key_by_code
    with pytest.raises(GraderError) as got:
        load_key_by_code("GDWURS", base=tmp_path)
    assert "6DWURS (GDWURS)" in got.value.message and "Kode latihan 6DWURS (GDWURS) tidak" in got.value.message_id
    with pytest.raises(GraderError) as got:
        load_key_by_code(" kvdh6w", base=tmp_path)
    assert "code KVDH6W (looked in" in got.value.message


def test_the_handout_says_how_tally_cells_and_bubbles_are_filled_and_that_the_empty_column_is_valid(monkeypatch):
    """Print review (s34): the tally reader takes one group of five per cell, left to right and row by row, and the
    bubbles a 0 for a box filled with X; neither sheet nor handout said so. And with one pair, V.A is the pair's
    votes plus the kolom kosong's, which the sheet's label then, "(seluruh paslon)", did not say (it is "(IV)" now)."""
    import grader.exercise.handout as handout
    from grader.exercise.scenario import generate_exercise
    from grader.sheet.schema import resolve_template
    said: list[str] = []
    monkeypatch.setattr(handout._Pages, "wrapped", lambda self, text, **kw: said.append(text))
    spec = resolve_template("chasil-kwk")
    handout.render_handout(generate_exercise(spec, pairs=1, seed=3), dpi=50)
    text = " ".join(said)
    assert "satu ikat lima" in text and "baris demi baris" in text and "hitamkan bulatan 0" in text
    assert "suara paslon ditambah suara kolom kosong" in text
    said.clear()
    handout.render_handout(generate_exercise(spec, pairs=3, seed=3), dpi=50)
    assert "satu ikat lima" in " ".join(said) and "Kolom kosong dihitung" not in " ".join(said)


def test_a_handout_of_two_pages_keeps_its_closing_steps_together_and_says_its_code_on_each_page(monkeypatch):
    """Print review (s34): a 6-pair handout's page 2 held the second half of one sentence and nothing else; and
    a ballot list run onto page 2 had no heading there, and no page said its exercise code or number. A long upload
    address ran off the paper."""
    from PIL import ImageDraw

    import grader.exercise.handout as handout
    from grader.exercise.scenario import generate_exercise
    from grader.sheet.schema import resolve_template
    drawn: list[tuple[int, str]] = []
    real = ImageDraw.ImageDraw.text

    def spy(self, xy, text, *args, **kwargs):
        drawn.append((id(self._image), xy, text))
        return real(self, xy, text, *args, **kwargs)
    monkeypatch.setattr(ImageDraw.ImageDraw, "text", spy)
    # (ten ballots to a row keep every generated list on page 1 now; a longer list, as five to a row, runs on)
    monkeypatch.setattr(handout, "BALLOT_COLUMNS", 5)
    ex = generate_exercise(resolve_template("chasil-kwk"), pairs=6, contest="gubernur", seed=7)
    url = "http://pelatihan-kpps-kecamatan-muara-beliti-kabupaten-musi-rawas.local:8773/?kode=" + ex.code
    pages = handout.render_handout(ex, dpi=60, upload_url=url)
    assert len(pages) == 2
    page_of = {id(im): n for n, im in enumerate(pages, start=1)}
    said = [(page_of.get(img), xy, text) for img, xy, text in drawn]
    closing = [n for n, _, t in said if t and len(t) > 10 and t in handout.CLOSING_WITH_QR]
    assert len(closing) >= 2 and len(set(closing)) == 1
    assert [n for n, _, t in said if t.startswith("Kode latihan " + ex.code + " · hal.")] == [1, 2]
    assert any(n == 2 and t == "Daftar surat suara (lanjutan)" for n, _, t in said)
    pieces = [t for _, _, t in said if t and t in url and len(t) > 8]
    assert "".join(pieces) == url and len(pieces) >= 2     # the address whole, in lines that fit beside the code


def test_the_upload_qr_takes_no_sheet_of_paper_of_its_own():
    """Rehearsal (helper-140): the closing steps stood above the upload QR, 44 mm together; a handout whose ballot
    list left 33 mm on its page printed a second page for them alone (for 30 trainees, 30 more sheets). They stand
    beside the code, which shrinks before it takes a page; the code still reads at print resolution."""
    import cv2
    import numpy as np

    import grader.exercise.handout as handout
    from grader.exercise.scenario import generate_exercise
    from grader.sheet.schema import resolve_template
    ex = generate_exercise(resolve_template("chasil-kwk"), pairs=2, contest="walikota", seed=1)
    url = "http://192.168.1.20:8000/?kode=" + ex.code
    pages = handout.render_handout(ex, dpi=200, upload_url=url)
    assert len(pages) == len(handout.render_handout(ex, dpi=200)) == 1
    assert cv2.QRCodeDetector().detectAndDecode(np.array(pages[-1]))[0] == url


def test_the_closing_steps_put_on_a_page_of_their_own_stay_inside_the_margin(monkeypatch):
    """Read-through of f4dffb6: when even the smallest code did not fit, the block went to a new page with the code
    back at 32 mm, but its words were still laid out beside a 24 mm one, and ran 8 mm past the right margin."""
    import grader.exercise.handout as handout
    from grader.sheet.render import font
    p = handout._Pages(dpi=60)
    p.y = handout.PAGE_H_MM - handout.MARGIN_MM - 10            # no room left on this page
    drawn = []
    real = p.text
    monkeypatch.setattr(p, "text", lambda text, **kw: (drawn.append((text, kw)), real(text, **kw)))
    handout._closing_with_qr(p, "http://pelatihan-kpps-kecamatan-muara-beliti-kabupaten-musi-rawas.local:8773/?kode=A")
    assert len(p.pages) == 2 and drawn
    for text, kw in drawn:
        face = font(p.px(kw["size"]), mono=kw.get("mono", False))
        right = handout.MARGIN_MM + kw["indent"] + face.getlength(text) / p.s
        assert right <= handout.PAGE_W_MM - handout.MARGIN_MM + 0.5, (text, right)

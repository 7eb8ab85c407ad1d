"""Templates validate, lay out without overlaps, and broken ones fail with a precise message."""
import copy
import itertools

import pytest
import yaml

from grader.errors import TemplateError
from grader.sheet.layout import layout_problems, layout_sheet
from grader.sheet.schema import list_templates, load_template, parse_template

TEMPLATE_FILES = list_templates()


def test_at_least_the_chasil_template_ships():
    assert "chasil-kwk" in [p.stem for p in TEMPLATE_FILES]


@pytest.mark.parametrize("path", TEMPLATE_FILES, ids=lambda p: p.stem)
def test_every_variant_lays_out_cleanly(path):
    spec = load_template(path)
    for contest, pairs in itertools.product(spec.contests, range(spec.pairs_min, spec.pairs_max + 1)):
        sheet = layout_sheet(spec, contest=contest, pairs=pairs)
        assert layout_problems(sheet) == []
        for page in sheet.pages:
            ids = [f.id for f in page.fields]
            assert len(ids) == len(set(ids)), "field ids must be unique on a page"
        graded = [f.id for f in sheet.fields() if f.graded]
        assert len(graded) == len(set(graded)), "a graded field lives on exactly one page"


def test_chasil_fields_follow_the_form(chasil_spec):
    sheet = layout_sheet(chasil_spec, pairs=3)
    ids = {f.id for f in sheet.fields()}
    for row in ("I.A.1", "I.A.4", "I.B.3", "III.A", "III.B"):
        assert {f"{row}.L", f"{row}.P", f"{row}.J"} <= ids
    assert {"II.1", "II.2", "II.3", "II.4", "V.A", "V.B", "V.C", "H.TRAINEE", "H.NAME", "H.CHECK"} <= ids
    for n in "123":
        assert sheet.field(f"IV.{n}").kind == "digits" and len(sheet.field(f"IV.{n}").boxes) == 3
        bubbles = sheet.field(f"IV.{n}.bubbles")
        assert bubbles.kind == "bubbles" and len(bubbles.bubbles) == 3 and all(len(c) == 10 for c in bubbles.bubbles)
        assert sheet.field(f"IV.{n}.tally").mirrors == f"IV.{n}"
    assert "IV.KK" not in ids
    assert "IV.KK" in {f.id for f in layout_sheet(chasil_spec, pairs=1).fields()}
    assert all(b.w >= 7 and b.h >= 7 for f in sheet.fields() if f.kind == "digits" for b in f.boxes)


def test_markers_sit_at_least_8mm_inside_the_paper(chasil_spec):
    for page in layout_sheet(chasil_spec).pages:
        for m in page.markers:
            assert m.rect.x >= 8 and m.rect.y >= 8
            assert page.width_mm - m.rect.x2 >= 8 and page.height_mm - m.rect.y2 >= 8
        assert [m.id for m in page.markers] == [4 * (page.number - 1) + k for k in range(4)]


def _base():
    return yaml.safe_load(TEMPLATE_FILES[0].read_text())


def _set(data, path, value):
    keys = path.split("/")
    node = data
    for k in keys[:-1]:
        node = node[int(k)] if isinstance(node, list) else node[k]
    last = keys[-1]
    if value is _DELETE:
        del node[last]
    elif isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
    return data


_DELETE = object()

BROKEN = [
    ("id", _DELETE, "id", "is required but missing"),
    ("id", "Bad Id", "id", "must be lowercase letters, digits and dashes"),
    ("version", "one", "version", "must be an integer, got str 'one'"),
    ("style/digit_box/w_mm", 5, "style.digit_box.w_mm", "digit boxes must be at least 7.0 mm, got 5.0"),
    ("markers/inset_mm", 4, "markers.inset_mm", "must be at least 8 mm from the paper edge, got 4.0"),
    ("parameters/contest/default", "presiden", "parameters.contest.default", "'presiden' is not one of"),
    ("pages/0/blocks/0/type", "grid", "pages[0].blocks[0].type", "unknown block type 'grid'"),
    ("pages/0/blocks/0/rows/1/id", "i.a.1", "pages[0].blocks[0].rows[1].id", "is not a valid field id"),
    ("pages/0/blocks/0/columns", [], "pages[0].blocks[0].columns", "must list at least one column"),
    ("rules/0/severity", "fatal", "rules[0].severity", "must be 'error' or 'warning', got 'fatal'"),
    ("rules/0/check", "{row}.J = {row}.L", "rules[0].check", "must look like 'A + B == C' or 'A <= B'"),
    ("rules/1/foreach", _DELETE, "rules[1].check", "uses ['col'] but foreach does not define it"),
    ("pages/1/number", 3, "pages", "page numbers must be 1..2 in order, got [1, 3]"),
]


@pytest.mark.parametrize("path,value,key,problem", BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_template_names_file_key_and_problem(path, value, key, problem):
    data = _set(copy.deepcopy(_base()), path, value)
    with pytest.raises(TemplateError) as info:
        parse_template(data, source="broken.yaml")
    err = info.value
    assert err.source == "broken.yaml"
    assert err.key == key
    assert problem in err.problem
    assert str(err).startswith(f"broken.yaml: {key}: ")


def test_unparseable_yaml_reports_the_line(tmp_path):
    p = tmp_path / "bad.yaml"
    p.write_text("id: x\nversion: [1,\n")
    with pytest.raises(TemplateError) as info:
        load_template(p)
    assert info.value.source == "bad.yaml" and info.value.key.startswith("line ")
    assert "not valid YAML" in info.value.problem


def test_shared_layout_is_the_layout_computed_once(chasil_spec):
    from grader.sheet.layout import shared_layout

    a = shared_layout(chasil_spec, contest="bupati", pairs=4)
    assert a == layout_sheet(chasil_spec, contest="bupati", pairs=4)
    assert shared_layout(chasil_spec, contest="bupati", pairs=4) is a
    assert shared_layout(chasil_spec, contest="bupati", pairs=5) is not a
    # another template object (even an equal one) gets its own
    assert shared_layout(copy.deepcopy(chasil_spec), contest="bupati", pairs=4) is not a

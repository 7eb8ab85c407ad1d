"""Bubble-column reader: hand-like fills on a rendered sheet, photographed badly."""
import cv2
import numpy as np
import pytest

from grader.recognize.bubbles import BubbleReading, decide_column, read_bubbles

PX = 8.0
BLUE_INK = 0.19      # luminance of blue ballpoint ink at full density
BLACK_INK = 0.09




def fill_bubble(alpha: np.ndarray, rect, rng, *, kind: str = "fill") -> None:
    """A pen fill of one bubble: a jittered ellipse, sometimes scribbly, light or erased."""
    r = rect.w / 2 * PX
    cx, cy = (rect.center[0] * PX - 0.5 + rng.normal(0, r * 0.08), rect.center[1] * PX - 0.5 + rng.normal(0, r * 0.08))
    if kind == "circled":                                     # a pen loop around the printed outline, not a fill
        x0, y0 = int(cx - 3 * r), int(cy - 3 * r)
        m = np.zeros((int(6 * r), int(6 * r)), np.float32)
        axes = (int(r * rng.uniform(1.05, 1.35) * 16), int(r * rng.uniform(1.05, 1.35) * 16))
        cv2.ellipse(m, (int((cx - x0) * 16), int((cy - y0) * 16)), axes, rng.uniform(0, 180), rng.uniform(0, 40),
                    rng.uniform(340, 370), 1.0, max(1, int(round(0.4 * PX))), cv2.LINE_AA, 4)
        roi = alpha[y0:y0 + m.shape[0], x0:x0 + m.shape[1]]
        roi[:] = 1 - (1 - roi) * (1 - m * rng.uniform(0.7, 1.0))
        return
    size, dens = {"fill": (rng.uniform(0.85, 1.2), rng.uniform(0.65, 1.0)),
                  "over": (rng.uniform(1.2, 1.35), rng.uniform(0.7, 1.0)),
                  "light": (rng.uniform(0.75, 1.0), rng.uniform(0.3, 0.45)),
                  "pale": (rng.uniform(0.85, 1.0), rng.uniform(0.28, 0.32)),     # even, a third of a pen fill
                  "erased": (rng.uniform(0.8, 1.1), rng.uniform(0.1, 0.16))}[kind]
    x0, y0 = int(cx - 3 * r), int(cy - 3 * r)                 # work on a patch around the bubble
    m = np.zeros((int(6 * r), int(6 * r)), np.float32)
    axes = (int(r * size * rng.uniform(0.85, 1.05) * 16), int(r * size * rng.uniform(0.85, 1.05) * 16))
    centre = (int((cx - x0) * 16), int((cy - y0) * 16))
    cv2.ellipse(m, centre, axes, rng.uniform(0, 180), 0, 360, 1.0, -1, cv2.LINE_AA, 4)
    if kind in ("fill", "light") and rng.random() < 0.5:      # scribble gaps
        gaps = (rng.random(m.shape) < 0.15).astype(np.float32)
        m *= 1 - 0.4 * cv2.GaussianBlur(gaps, (0, 0), 0.8)
    if kind == "erased":
        m = cv2.GaussianBlur(m, (0, 0), 1.5)
    roi = alpha[y0:y0 + m.shape[0], x0:x0 + m.shape[1]]
    roi[:] = 1 - (1 - roi) * (1 - m * dens)


def photograph(page: np.ndarray, alpha: np.ndarray, rng, *, ink: float = BLUE_INK, hard: bool = True) -> np.ndarray:
    """Ink on paper, then uneven light, a shadow edge, blur, noise, JPEG and a small misalignment."""
    img = page * (1 - alpha * (1 - ink))
    h, w = img.shape
    yy, xx = np.mgrid[0:h:8, 0:w:8].astype(np.float32)          # light varies slowly: 1/8 resolution
    light = rng.uniform(0.6, 1.0) + rng.uniform(-0.3, 0.3) * (xx / w - 0.5) + rng.uniform(-0.3, 0.3) * (yy / h - 0.5)
    if hard:
        a = rng.uniform(0, np.pi)
        d = (xx - w / 2) * np.cos(a) + (yy - h / 2) * np.sin(a) - rng.uniform(-300, 300)
        light *= 1 - rng.uniform(0.2, 0.4) / (1 + np.exp(-d / rng.uniform(8, 40)))
    light = cv2.resize(np.clip(light, 0.25, 1.1), (w, h), interpolation=cv2.INTER_LINEAR)
    img = cv2.GaussianBlur(img * light * 235 + 10, (0, 0), rng.uniform(0.4, 1.2) if hard else 0.5)
    img += rng.normal(0, 3.0 if hard else 1.0, img.shape).astype(np.float32)
    scale = 1 + (rng.uniform(-0.005, 0.005) if hard else 0.0)
    tx, ty = (rng.uniform(-0.4, 0.4, 2) * PX) if hard else (0.0, 0.0)
    m = np.float32([[scale, 0, 0], [0, scale, 0]])
    m[:, 2] = np.array([w / 2, h / 2]) * (1 - scale) + (tx, ty)
    img = cv2.warpAffine(np.clip(img, 0, 255).astype(np.uint8), m, (w, h), borderMode=cv2.BORDER_REPLICATE)
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(60, 90))])
    return cv2.imdecode(buf, cv2.IMREAD_GRAYSCALE)


def filled(sheet, blank_page, plan: dict, rng, **photo_kw) -> np.ndarray:
    """``plan``: field id -> list per column of [(digit, kind), ...]."""
    alpha = np.zeros_like(blank_page)
    for fid, columns in plan.items():
        f = sheet.field(fid)
        for c, marks in enumerate(columns):
            for digit, kind in marks:
                fill_bubble(alpha, f.bubbles[c][digit], rng, kind=kind)
    return photograph(blank_page, alpha, rng, **photo_kw)


def spelled(value: int, kind: str = "fill") -> list:
    return [[(int(ch), kind)] for ch in f"{value:03d}"]


def test_reads_numbers_with_zero_filled_leading_columns(sheet, blank_page):
    rng = np.random.default_rng(1)
    values = {"IV.1.bubbles": 47, "IV.2.bubbles": 0, "IV.3.bubbles": 908, "IV.4.bubbles": 150}
    gray = filled(sheet, blank_page, {k: spelled(v) for k, v in values.items()}, rng)
    for fid, value in values.items():
        r = read_bubbles(gray, sheet.field(fid), px_per_mm=PX)
        assert isinstance(r, BubbleReading)
        assert (r.value, r.status) == (value, "ok"), (fid, r)
        assert r.digits == tuple(int(ch) for ch in f"{value:03d}")
        assert r.confidence > 0.9
        assert len(r.fill) == 3 and all(len(col) == 10 for col in r.fill)


def test_empty_leading_column_is_a_leading_zero_with_a_note(sheet, blank_page):
    rng = np.random.default_rng(2)
    gray = filled(sheet, blank_page, {"IV.1.bubbles": [[], [(4, "fill")], [(7, "fill")]],
                                      "IV.2.bubbles": [[], [], [(5, "fill")]]}, rng)
    r = read_bubbles(gray, sheet.field("IV.1.bubbles"), px_per_mm=PX)
    assert (r.value, r.status, r.digits) == (47, "ok", (None, 4, 7))
    assert r.column_notes == ("none_filled", "", "")
    r = read_bubbles(gray, sheet.field("IV.2.bubbles"), px_per_mm=PX)
    assert (r.value, r.status) == (5, "ok")


def test_a_circled_bubble_is_no_empty_column(sheet, blank_page):
    """A trainee who circles bubbles instead of filling them leaves nothing inside them: read as empty, a circled
    leading 4 would pass as a leading zero (472 read 72, then "wrong" and a cross-check error against the digits),
    and a field of circles as blank. A ring of ink around a bubble of a column read empty sends it to review."""
    rng = np.random.default_rng(30)
    gray = filled(sheet, blank_page, {"IV.1.bubbles": [[(4, "circled")], [(7, "fill")], [(2, "fill")]],
                                      "IV.2.bubbles": [[(0, "circled")], [(3, "circled")], [(5, "circled")]],
                                      "IV.3.bubbles": [[], [(4, "fill")], [(7, "fill")]]}, rng)
    r = read_bubbles(gray, sheet.field("IV.1.bubbles"), px_per_mm=PX)
    assert (r.value, r.status, r.column_notes[0]) == (None, "review", "marked_around"), r
    r = read_bubbles(gray, sheet.field("IV.2.bubbles"), px_per_mm=PX)       # (not blank)
    assert (r.value, r.status, r.column_notes) == (None, "review", ("marked_around",) * 3), r
    r = read_bubbles(gray, sheet.field("IV.3.bubbles"), px_per_mm=PX)       # a truly empty leading column still is one
    assert (r.value, r.status, r.column_notes) == (47, "ok", ("none_filled", "", ""))


def test_nothing_filled_is_blank(sheet, blank_page):
    rng = np.random.default_rng(3)
    gray = filled(sheet, blank_page, {}, rng)
    for fid in ("IV.1.bubbles", "IV.4.bubbles"):
        r = read_bubbles(gray, sheet.field(fid), px_per_mm=PX)
        assert (r.value, r.status) == (None, "blank")
        assert r.column_notes == ("none_filled",) * 3


def test_two_filled_bubbles_in_a_column_go_to_review(sheet, blank_page):
    rng = np.random.default_rng(4)
    gray = filled(sheet, blank_page, {"IV.1.bubbles": [[(0, "fill")], [(3, "fill"), (8, "fill")], [(2, "fill")]]},
                  rng)
    r = read_bubbles(gray, sheet.field("IV.1.bubbles"), px_per_mm=PX)
    assert r.status == "review" and r.value is None          # (two fills: no number is favoured)
    assert r.column_notes[1] == "multiple_filled" and r.digits[1] is None
    assert r.confidence < 0.5


def test_erased_second_bubble_is_read_with_a_note(sheet, blank_page):
    rng = np.random.default_rng(5)
    gray = filled(sheet, blank_page, {"IV.2.bubbles": [[(0, "fill")], [(6, "fill"), (2, "erased")], [(1, "fill")]]},
                  rng)
    r = read_bubbles(gray, sheet.field("IV.2.bubbles"), px_per_mm=PX)
    assert (r.value, r.status) == (61, "ok")
    assert r.column_notes[1] == "erased_second"
    assert r.confidence < 0.99


def test_light_fill_alone_is_read_with_a_note(sheet, blank_page):
    rng = np.random.default_rng(6)
    gray = filled(sheet, blank_page, {"IV.3.bubbles": [[(0, "fill")], [(3, "light")], [(9, "fill")]]}, rng,
                  hard=False)
    r = read_bubbles(gray, sheet.field("IV.3.bubbles"), px_per_mm=PX)
    assert (r.value, r.status) == (39, "ok")
    assert r.column_notes[1] == "light_fill"
    assert r.fill[1][3] < 0.3


def test_empty_column_after_a_filled_one_goes_to_review(sheet, blank_page):
    rng = np.random.default_rng(7)
    gray = filled(sheet, blank_page, {"IV.1.bubbles": [[(4, "fill")], [], [(7, "fill")]],
                                      "IV.2.bubbles": [[(0, "fill")], [(4, "fill")], []]}, rng)
    for fid in ("IV.1.bubbles", "IV.2.bubbles"):
        r = read_bubbles(gray, sheet.field(fid), px_per_mm=PX)
        assert r.status == "review" and r.value is None, fid


def test_random_fields_on_bad_photos_are_exact_or_reviewed_never_wrong(sheet, blank_page):
    rng = np.random.default_rng(8)
    read, accepted_wrong = 0, 0
    for _ in range(8):
        plan, truth = {}, {}
        for pid in ("1", "2", "3", "4"):
            value = int(rng.integers(0, 1000))
            kinds = rng.choice(["fill", "over"], size=3, p=[0.8, 0.2])
            plan[f"IV.{pid}.bubbles"] = [[(int(ch), str(k))] for ch, k in zip(f"{value:03d}", kinds)]
            truth[f"IV.{pid}.bubbles"] = value
        gray = filled(sheet, blank_page, plan, rng, ink=BLACK_INK if rng.random() < 0.4 else BLUE_INK)
        for fid, value in truth.items():
            r = read_bubbles(gray, sheet.field(fid), px_per_mm=PX)
            read += r.value == value
            accepted_wrong += r.status == "ok" and r.value != value
    assert accepted_wrong == 0
    assert read == 32


def test_decide_column_policy():
    empty = np.full(10, 0.01)
    assert decide_column(empty)[:2] == (None, "none_filled")
    one = empty.copy()
    one[4] = 0.6
    digit, note, conf, ok = decide_column(one)
    assert (digit, note, ok) == (4, "", True) and conf > 0.95
    two = one.copy()
    two[7] = 0.5
    assert decide_column(two)[1:4:2] == ("multiple_filled", False)
    smudge = one.copy()
    smudge[1] = 0.1
    assert decide_column(smudge)[:2] == (4, "erased_second")
    faint = empty.copy()
    faint[2] = 0.06
    faint[5] = 0.05
    assert decide_column(faint)[3] is False      # neither clearly empty nor clearly marked


def test_light_fill_alone_is_not_called_an_erasure_when_pen_peaks_are_given():
    # s0006-p2's planted "571": the 5 is a light hatched fill, every other bubble of its column clean.
    scores = np.array([0.0088, 0.0055, 0.002, -0.0045, -0.0022, 0.2058, 0.0018, -0.0103, -0.0051, -0.0018])
    peaks = np.where(np.arange(10) == 5, 0.45, 0.01)
    digit, note, conf, ok = decide_column(scores, peaks=peaks)
    assert (digit, note, ok) == (5, "light_fill", True) and conf >= 0.9
    # a real pale smudge beside the light fill is still an erasure
    smudged = scores.copy()
    smudged[2] = 0.06
    assert decide_column(smudged, peaks=peaks)[:2] == (5, "erased_second")


def test_rejects_other_field_kinds(sheet, blank_page):
    with pytest.raises(ValueError):
        read_bubbles(np.zeros((10, 10), np.uint8), sheet.field("IV.1.tally"), px_per_mm=PX)
    with pytest.raises(ValueError):
        read_bubbles(np.zeros((10, 10), np.float32), sheet.field("IV.1.bubbles"), px_per_mm=PX)


def test_column_on_a_badly_bent_part_of_the_page_goes_to_review(sheet, blank_page):
    rng = np.random.default_rng(9)
    gray = filled(sheet, blank_page, {"IV.1.bubbles": spelled(253)}, rng, hard=False)
    f = sheet.field("IV.1.bubbles")
    x, y, w, h = f.bubbles[1][0].grow(0.8).to_px(PX)
    y2 = f.bubbles[1][-1].grow(0.8).to_px(PX)[1] + h
    strip = gray[y:y2, x:x + w]
    # The middle column stretched to 1.4 times its height (as a failed curl correction can leave it).
    stretched = cv2.resize(strip, (w, int(strip.shape[0] * 1.4)), interpolation=cv2.INTER_LINEAR)
    gray = gray.copy()
    gray[y:y2, x:x + w] = stretched[:strip.shape[0]]
    r = read_bubbles(gray, f, px_per_mm=PX)
    assert r.status == "review" and r.value is None
    assert r.column_notes[1] == "misaligned"
    assert r.digits[0] == 2 and r.column_notes[0] == ""


def test_a_field_in_review_favours_a_number_only_where_every_doubtful_column_has_a_clear_favourite():
    from grader.recognize.bubbles import _favoured_value
    clean = np.full(10, 0.005)

    def col(**marks):
        c = clean.copy()
        for d, v in marks.items():
            c[int(d[1:])] = v
        return c
    # Two marks in a column favour nothing, however much darker one is: a second mark past the erasure rules'
    # reach may be a pale but real second fill, and which one the trainee meant is not ours to say.
    for second in (0.16, 0.25, 0.4):
        cols = np.stack([col(d0=0.6), col(d3=0.5, d9=second), col(d5=0.55)])
        decided = [decide_column(c) for c in cols]
        notes = tuple(d[1] for d in decided)
        assert notes[1] == "multiple_filled" and _favoured_value(decided, notes, cols) is None, second
    cols = np.stack([clean, col(d4=0.6), col(d3=0.085, d9=0.012)])   # a light fill short of the margin
    decided = [decide_column(c) for c in cols]
    notes = tuple(d[1] for d in decided)
    assert notes[2] == "light_fill" and not decided[2][3] and _favoured_value(decided, notes, cols) == 43
    assert _favoured_value(decided, ("", "", "misaligned"), cols) is None   # the print was not where it belongs
    cols = np.stack([col(d4=0.6), clean, col(d3=0.085, d9=0.012)])   # 4 _ 3: no leading zero can be empty there
    decided = [decide_column(c) for c in cols]
    assert _favoured_value(decided, tuple(d[1] for d in decided), cols) is None

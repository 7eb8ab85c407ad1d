"""Place and label the digit boxes of five photographed 2017 plano forms in ``../shared/data/kawalc1/photos``.

Five of kawalc1's photos (``static__contoh-pilgub__1`` to ``5``) are C1-KWK plano forms of the 2017 DKI Jakarta
governor election from five polling stations: phone photos of forms on a wall or a board, other writers than any
labelled crop's, for **evaluation only** (never weights, calibration or any choice of threshold). There is no
reference layout to register them onto, so each row of boxes (:data:`ROWS`) was placed by hand: its corners read
by eye off zoomed views of the photo with a pixel grid (4x to 8x), then checked by drawing the row and its even
split over the photo at 4x and moved where a line was missed (one data section was 2-5 px off at first). The row is
split evenly into its boxes when it is read (:func:`grader.recognize.labelled_crops.load_kawalc1_photo_boxes`).
Snapping the edges to the darkest line nearby was tried and left: on these low-resolution photos it jumped to
pen strokes and to the line under a row as often as it found the row's own.

What each box holds was read by hand, one character per box (``X``, ``_`` blank, ``?`` left out as ambiguous), and
checked against each form's own sums (pairs 1 + 2 + 3 = valid votes; valid + invalid = total; the data section
repeats the Jumlah column): every sum the labels cover holds. Left out: two boxes written over (a struck 6 beside
a 7; a 1 and a 0 on each other), a row of empty boxes ringed by a reviewer's red pen (Grogol), the data section of
the blurriest photo (Cililitan), and photo 6 (its Jumlah column is cut off).

    python -m training.kawalc1_photos        # rewrites grader/recognize/kawalc1_photo_boxes.json
"""
from __future__ import annotations

import json

import numpy as np

from grader.recognize.labelled_crops import PHOTO_BOXES_FILE

# photo -> (polling station, [(field, row corners read by eye: tl, tr, br, bl, or x0, y0, x1, y1), labels]), and
# what was left out of it
ROWS = {
    "static__contoh-pilgub__1.jpeg": ("TPS 36 Pasar Minggu", [
        ("1", (767.3, 248.3, 846.7, 283.3), "X11"),
        ("2", (768.3, 380, 848.3, 415.7), "100"),
        ("3", (769.3, 517.7, 850, 552.7), "X92"),
        ("sah", (770.7, 654.3, 851.7, 676.7), "203"),
        ("tidak_sah", (771.7, 712.7, 855, 763.3), "XX8"),
        ("data_sah", ((275, 806.3), (378.8, 805.5), (378.8, 825), (275, 825.5)), "203"),
        ("data_tidak_sah", ((275, 825.5), (378.8, 825), (378, 842.5), (274.5, 843)), "XX8"),
        ("data_total", ((274.5, 843), (378, 842.5), (377.5, 860), (274.5, 860.5)), "211")], None),
    "static__contoh-pilgub__2.jpeg": ("TPS 36 Bukit Duri", [
        ("1", (617.7, 175, 686.7, 207.3), "X74"),
        ("2", (614.3, 294.7, 683.3, 326.7), "X61"),
        ("3", (612.7, 414.3, 681.7, 446), "198"),
        ("sah", (611.7, 532, 680, 552), "333"),
        ("tidak_sah", (611.7, 580, 680, 624), "XX1"),
        ("data_sah", (191.25, 663.75, 281.25, 679.25), "333"),
        ("data_tidak_sah", (191.25, 679.25, 281.25, 694.5), "XX1"),
        ("data_total", (191.25, 694.5, 281.25, 709.5), "334")], None),
    "static__contoh-pilgub__3.jpg": ("TPS 19 Grogol", [
        ("1", (769.3, 235, 848.3, 276.7), "020"),
        ("2", (765, 384, 841.7, 422.7), "413"),
        ("3", (758.3, 526, 835, 563.3), "088"),
        ("tidak_sah", (748.3, 718.3, 823.3, 766.7), "004"),
        ("data_sah", (264.5, 818, 368.75, 835.5), "521"),
        ("data_tidak_sah", (264.5, 835.5, 368.75, 851.25), "?04"),
        ("data_total", (264.5, 851.25, 368.75, 867.5), "525")],
        "the Jumlah column's valid-votes row: empty, but a reviewer's red ring runs through its boxes; the first box "
        "of the data section's invalid votes ('?'): a 1 and a 0 written on each other"),
    "static__contoh-pilgub__4.jpg": ("TPS 32 Cililitan", [
        ("1", (663.3, 248, 729, 279.3), "XXX"),
        ("2", (660.7, 365, 727.3, 396.7), "449"),
        ("3", (658.3, 482.7, 723.3, 515), "XXX"),
        ("sah", (655, 601.7, 721.7, 623.3), "___"),
        ("tidak_sah", (655, 650, 720.7, 691.7), "003")],
        "the data section: too blurred at this resolution to place its boxes (the valid-votes row of the Jumlah "
        "column was left empty by its writer: three blank boxes)"),
    "static__contoh-pilgub__5.jpeg": ("TPS 54 Kalibata", [
        ("1", (723.2, 198.8, 811.2, 240), "X98"),
        ("2", (722, 344, 810, 381.2), "107"),
        ("3", (718.8, 491.2, 808, 531.2), "368"),
        ("sah", (717.2, 643.2, 806.8, 667.2), "5?3"),
        ("tidak_sah", (716, 706, 806.8, 760), "XX2"),
        ("data_sah", ((223.5, 797.75), (319, 799.4), (319, 817.25), (223.5, 815)), "573"),
        ("data_tidak_sah", ((223.5, 815), (319, 817.25), (319, 835.25), (223.5, 832.5)), "XX2"),
        ("data_total", ((223.5, 832.5), (319, 835.25), (319, 853.1), (223.5, 849.75)), "575")],
        "the second box of the valid votes ('?'): a 6 struck through and a 7 beside it"),
}


def corners(row) -> np.ndarray:
    """A row's four corners (tl, tr, br, bl) from corners or an upright rectangle (x0, y0, x1, y1)."""
    if len(row) == 4 and not np.isscalar(row[0]):
        return np.float64(row)
    x0, y0, x1, y1 = row
    return np.float64([[x0, y0], [x1, y0], [x1, y1], [x0, y1]])


def build() -> dict:
    forms = []
    for photo, (place, rows, left_out) in ROWS.items():
        fields = [{"field": field, "quad": [[round(float(x), 1), round(float(y), 1)] for x, y in corners(row)],
                   "label": label} for field, row, label in rows]
        forms.append({"photo": photo, "place": place, "fields": fields, **({"left_out": left_out} if left_out else {})})
    return {"about": __doc__.split("\n\n")[0].replace("\n", " "), "made_by": "python -m training.kawalc1_photos",
            "forms": forms}


def dumps(spec: dict) -> str:
    """The file's text: one line per row of boxes, so that a hand-read label is easy to find and check."""
    lines = ["{", f' "about": {json.dumps(spec["about"], ensure_ascii=False)},',
             f' "made_by": {json.dumps(spec["made_by"])},', ' "forms": [']
    for i, form in enumerate(spec["forms"]):
        head = ", ".join(f"{json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}" for k, v in form.items() if k != "fields")
        lines.append("  {" + head + ', "fields": [')
        lines += ["   " + json.dumps(f) + ("," if j < len(form["fields"]) - 1 else "") for j, f in enumerate(form["fields"])]
        lines.append("  ]}" + ("," if i < len(spec["forms"]) - 1 else ""))
    return "\n".join(lines + [" ]", "}"]) + "\n"


def main() -> int:
    PHOTO_BOXES_FILE.write_text(dumps(build()))
    print(PHOTO_BOXES_FILE)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

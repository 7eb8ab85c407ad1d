"""The fixed train / held-out split of the kawalc1 real crops, by form.

The split is by *form* (one scanned C1 form, or one 2019 plano photo set),
never by crop, so no writer appears on both sides.  The held-out list was
fixed before any model was trained, chosen only so that every class (digits,
``X``, ``-``, blank) appears on both sides; the training script copies it into
``grader/models/digits.json``, where the evaluation reads it from.
"""

from __future__ import annotations

from pathlib import Path

from grader.recognize.labelled_crops import LabelledCrop, load_kawalc1_crops

#: Forms whose crops are never used for weights, calibration or any choice.
HELDOUT_FORMS: tuple[str, ...] = (
    "2014-1527918",
    "2014-1625198",
    "2014-1632109",
    "2014-1634246",
    "2014-1678428",
    "2019-set1",
)


def all_forms(data_dir: Path | None = None) -> list[str]:
    """Every form id that has at least one usable labelled crop."""
    return sorted({c.form for c in load_kawalc1_crops(data_dir)})


def load_kawalc1(which: str = "all", data_dir: Path | None = None) -> list[LabelledCrop]:
    """Labelled kawalc1 crops of one side of the split.

    Parameters
    ----------
    which : {"all", "train", "heldout"}
        Which side of the form split to return.
    data_dir : pathlib.Path, optional
        The ``kawalc1`` data folder.
    """
    if which not in ("all", "train", "heldout"):
        raise ValueError(f"which must be all, train or heldout; got {which!r}")
    crops = load_kawalc1_crops(data_dir)
    if which == "train":
        return [c for c in crops if c.form not in HELDOUT_FORMS]
    if which == "heldout":
        return [c for c in crops if c.form in HELDOUT_FORMS]
    return crops

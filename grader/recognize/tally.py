"""Count tally marks (turus): strokes in groups of five, the fifth crossing the four.

A field is read in three steps, one module each:

1. :mod:`grader.recognize.tally_grid` finds the printed grid (its crossings,
   where pen strokes never go), straightens it and removes it.
2. :mod:`grader.recognize.tally_strokes` separates uprights from the crossing
   stroke and measures them in every cell.
3. :mod:`grader.recognize.tally_groups` turns the measurements into counts
   and confidences, checks the shape of each group, the ink and the filling
   order, and decides ``ok`` / ``review`` / ``blank``.
"""
from __future__ import annotations

import numpy as np

from grader.recognize.tally_groups import TallyReading, assemble_reading
from grader.recognize.tally_strokes import CellMeasure, TallyMaps, measure_tally_cells, tally_maps
from grader.sheet.layout import FieldLayout

__all__ = ["CellMeasure", "TallyMaps", "TallyReading", "measure_tally_cells", "read_tally", "tally_maps"]


def read_tally(gray: np.ndarray, field: FieldLayout, *, px_per_mm: float, search_mm: float = 1.0,
               diagonal_min: float = 0.6, last_cell_diagonal: float = 0.8, accept: float = 0.6) -> TallyReading:
    """Count the tally strokes of a ``tally`` field on an aligned sheet.

    Parameters
    ----------
    gray : the aligned page, uint8 grayscale, at ``px_per_mm``.
    field : the ``tally`` field from the template layout.
    px_per_mm : resolution of ``gray``.
    search_mm : how far the printed grid is searched around its template position.
    diagonal_min : a crossing stroke must span at least this share of the uprights' width.
    last_cell_diagonal : in the last used cell (the only one that may be short of five), a group of
        five is accepted only with a crossing stroke this clear.
    accept : the lowest cell confidence that still lets the field be ``ok``.

    Returns
    -------
    TallyReading
        ``count`` is the sum over cells (0 and ``blank`` when nothing is
        written). The field goes to ``review`` when a cell is doubtful or when
        the filling order is broken (an empty cell before a used one, or a
        cell short of five that is not the last one used); the counts are
        reported as read, never corrected.
    """
    if field.kind != "tally":
        raise ValueError(f"field {field.id} is a {field.kind} field, not tally")
    m = measure_tally_cells(gray, field, px_per_mm=px_per_mm, search_mm=search_mm)
    return assemble_reading(m, field_id=field.id, cell_h_mm=field.cells[0].h, px_per_mm=px_per_mm,
                            diagonal_min=diagonal_min, last_cell_diagonal=last_cell_diagonal, accept=accept)

"""Whom a sheet is filed under, as its result page says it: the name, the trainee number beside it, and a name
typed on the upload form that the sheet overrode.

The sheet names its trainee before the typing does (issue 5: the QR, then the number written on it, then what was
typed, then the file name), so "Fitri" typed on a sheet whose boxes read 104 is trainee 104, and a personalised
sheet's QR names its own trainee whatever was typed. The page says both: the trainee sees the number their sheet
was filed under (a number misread would show here) and a name typed that is not the one the sheet gives (someone
else's personalised sheet picked up by mistake).
"""
from __future__ import annotations

import re

from grader.page_groups import normalise_id


def trainee_shown(sub, res: dict | None) -> dict:
    """``{"name", "number", "typed"}`` for a sheet's row ``sub`` and its result ``res``: ``name`` what the page calls
    the trainee (a name, else the trainee id or the file name's label), ``number`` the trainee id beside a name that
    does not already hold it, ``typed`` the name typed on the upload form when it is neither of those (else None)."""
    res = res or {}
    keys = set(sub.keys())

    def column(name: str):
        return sub[name] if name in keys else None      # (a page rendered from a partial row has fewer)

    name = res.get("trainee_name") or column("trainee_name")
    who = column("trainee") or res.get("trainee")
    numbers_in_name = {normalise_id(n) for n in re.findall(r"\d+", name or "") if n.isascii()}
    number = who if name and who and normalise_id(who) not in numbers_in_name | {normalise_id(name)} else None
    typed = column("typed_trainee")
    said = {normalise_id(name), normalise_id(who)}
    return {"name": name or who or column("group_key"), "number": number,
            "typed": typed if typed and normalise_id(typed) not in said else None}

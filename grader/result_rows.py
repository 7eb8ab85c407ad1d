"""A graded sheet as rows of the command line's two tables, sheets and fields (``grader grade --csv`` and
``--xlsx``), and its refused pages and retake advice in words (the web's export and batch status say them too).

The rows hold the codes in English; :mod:`grader.web.export` words its own columns in the trainer's language.
"""
from __future__ import annotations

import csv
from pathlib import Path

from grader.grading.review_queue import on_unread_page
from grader.grading.shown import (GRADED_FROM, MISSING_PAGE_ADVICE, WHOLE_WITHOUT, graded_from, note_codes,
                                  score_may_change, sheet_scores, unread_page_notes, unread_pages, value_as_read,
                                  whole_without)

SHEET_COLUMNS = ("trainee", "trainee_name", "trainee_source", "exercise", "status", "score", "partial_score",
                 "provisional", "wrong", "review", "blank", "unreadable", "not_read", "violated_rules", "refusal",
                 "refusal_message", "retake_advised", "files")
FIELD_COLUMNS = ("trainee", "exercise", "field", "page", "section", "kind", "status", "value", "expected",
                 "confidence", "notes", "files")   # files: the sheet's, as in its sheet row (a sheet may name nobody)


def refusals(result: dict | None) -> str:
    """``file=code;...`` for the pages of a result that were refused."""
    return ";".join(f"{p['file']}={p['refusal']['code']}" for p in (result or {}).get("pages") or () if p.get("refusal"))


#: "page" in each language of :func:`refusal_messages` and :func:`missing_page_messages`
PAGE_WORD = {"en": "page", "id": "halaman"}


def refusal_messages(result: dict | None, *, lang: str = "en") -> list[str]:
    """``file: reason`` for the refused pages, in ``lang`` ("en" or "id"): pages refused for the same reason (both
    pages of a sheet printed for another exercise, or too dark) are named together before it, ``a.jpg, b.jpg:
    reason``, so that a batch row or an export cell says each reason once, in the order the pages came. Each file
    is followed by its page where the photo was located before it was refused, ``a.jpg (halaman 1)``: a trainer's
    batch of chat photos (``IMG-…-WA0006.jpg``) otherwise said which photo, not which page of the sheet to take
    again, on the batch page, in the class export and in ``grader grade``'s lines alike."""
    files: dict[str, list[str]] = {}
    pages = (result or {}).get("pages") or ()
    for p in pages:
        if p.get("refusal"):
            page = f" ({PAGE_WORD[lang]} {p['page']})" if p.get("page") is not None else ""
            message = p["refusal"]["message_" + lang]
            # (a page another photo of the sheet shows graded, as the web's card and the printed feedback say it:
            # "take the photo again" alone had a trainer chase a retake of a sheet graded whole, rehearsal helper-170)
            graded = graded_from(pages, p)
            if graded:
                message += " " + GRADED_FROM[lang].format(n=p["page"], file=graded)
            elif whole_without(result, p):
                message += " " + WHOLE_WITHOUT[lang]
            files.setdefault(message, []).append(p["file"] + page)
    return [f"{', '.join(names)}: {message}" for message, names in files.items()]


def missing_page_messages(result: dict | None, *, lang: str = "en") -> list[str]:
    """A line for each page of the sheet that no photo showed, in ``lang`` (the web says it in its own words); for a
    page whose photo, by its file name, shows another trainee's sheet (:func:`grader.batch.pages_in_other_sheets`),
    that photo and whose sheet it shows."""
    return [f"{PAGE_WORD[lang]} {n}: " + missing_page_words(result, n, lang) for n in unread_pages(result or {}).missing]


def missing_page_words(result: dict | None, n: int, lang: str = "en") -> str:
    """What a sheet is told of its page ``n`` that no photo showed, in ``lang``: where a photo its file name gave the
    sheet shows another trainee's page (``other_trainee_pages``), that photo and whose sheet it shows, else that no
    photo of it was sent. One wording for the tables and the printed feedback, which told Eka her page 2 was never
    sent though its photo showed Dewi's (helper-184)."""
    elsewhere = _other_trainee_pages(result).get(n)
    return " ".join(other_trainee_page(p, lang) for p in elsewhere) if elsewhere else MISSING_PAGE_ADVICE[lang]


def other_trainee_messages(result: dict | None, *, lang: str = "en") -> dict[int, str]:
    """:func:`missing_page_messages`' line of each page no photo showed whose photo, by its file name, shows another
    trainee's sheet, by that page, as a sentence ("Halaman 2: joko_p2.jpg dari lembar peserta lain: …"): the web says
    its other pages not sent in its own words ("Halaman 2 belum dikirim."), and had said them so of these too
    (rehearsal helper-187)."""
    elsewhere = _other_trainee_pages(result)
    return {n: f"{PAGE_WORD[lang].capitalize()} {n}: " + missing_page_words(result, n, lang)
            for n in unread_pages(result or {}).missing if n in elsewhere}


def _other_trainee_pages(result: dict | None) -> dict[int, list[dict]]:
    """A sheet's ``other_trainee_pages`` by the page each shows."""
    out: dict[int, list[dict]] = {}
    for p in (result or {}).get("other_trainee_pages") or ():
        out.setdefault(p["page"], []).append(p)
    return out


#: How the other trainee's sheet is known, after their name, in each language: the words of the web's
#: ``other_trainee`` refusal (:func:`grader.pipeline.other_trainee_error`), which says a number written, not a QR
OTHER_TRAINEE_BY = {"qr": {"en": " by its QR code", "id": " menurut kode QR-nya"},
                    "trainee_number": {"en": " (the number written on it)", "id": " (nomor peserta yang tertulis)"}}


def other_trainee_page(page: dict, lang: str = "en") -> str:
    """What a sheet's row says of its photo that shows another trainee's page (an ``other_trainee_pages`` entry), in
    the words of the web's ``other_trainee`` refusal to a trainee sending their own sheet: the trainer asks for the
    page of this sheet instead of hunting a photo never sent (rehearsal helper-182)."""
    n, trainee = page["page"], page["trainee"]
    other = f"{page['trainee_name']} (No. {trainee})" if page.get("trainee_name") else f"No. {trainee}"
    by = OTHER_TRAINEE_BY.get(page.get("identity_source"), {}).get(lang, "")
    if lang == "id":
        return (f"{page['file']} dari lembar peserta lain: {other}{by}, dan dinilai bersama lembar itu. Foto halaman "
                f"{n} dari lembar Anda sendiri, lalu kirim lagi.")
    return (f"{page['file']} is from another trainee's sheet: {other}{by}, and is graded with that sheet. Photograph "
            f"page {n} of your own sheet, then send it again.")


def retake_codes(result: dict | None) -> str:
    """What to retake, as codes: ``file=code`` for the refused pages, then ``pageN=page_missing`` for the pages no
    photo showed (``pageN=other_trainee`` where the photo named as it shows another trainee's sheet)."""
    elsewhere = _other_trainee_pages(result)
    return ";".join(filter(None, [refusals(result), *(f"page{n}={'other_trainee' if n in elsewhere else 'page_missing'}"
                                                      for n in unread_pages(result or {}).missing)]))


def retake_messages(result: dict | None, *, lang: str = "en") -> list[str]:
    """What to retake, in words (``lang``): the refused pages' reasons, then a line per page no photo showed."""
    return refusal_messages(result, lang=lang) + missing_page_messages(result, lang=lang)


def advice_messages(result: dict | None, *, lang: str = "en") -> list[str]:
    """``file: advice`` for each page graded with retake advice, in ``lang`` ("en" or "id")."""
    return [f"{p['file']}: {p['advice']['message_' + lang]}" for p in (result or {}).get("pages") or ()
            if p.get("advice")]


def retake_advised(result: dict | None) -> str:
    """``file=field,field;...`` for the pages graded with retake advice (print out of place)."""
    # (advice about no field, a photo of both pages: its code)
    return ";".join(f"{p['file']}={','.join(p['advice']['fields']) or p['advice']['code']}"
                    for p in (result or {}).get("pages") or () if p.get("advice"))


def field_counts(result: dict) -> tuple[int, int, int, int, int]:
    """A sheet's wrong, review, blank and unreadable fields, then those on a page not read (no photo of it, or its
    photo refused): the result page's "Belum terbaca", counted apart from the unreadable fields of a page read (a
    sheet whose page 2 was never sent said "Tidak terbaca 31" in the exports, as if its photo were illegible)."""
    counts = result.get("counts") or {}
    not_read = sum(1 for f in result.get("fields") or () if on_unread_page(f))
    return (counts.get("wrong", 0), counts.get("review", 0), counts.get("blank", 0),
            counts.get("unreadable", 0) - not_read, not_read)


def sheet_files(result: dict) -> str:
    """A sheet's photos as its row's ``files`` column gives them ("a-p1.jpg;a-p2.jpg"), which also names a sheet that
    names nobody in a corrections file (:mod:`grader.corrections_file`)."""
    return ";".join(p["file"] for p in result.get("pages") or ())


def sheet_rows(results: list[dict]) -> list[dict]:
    """One row per graded sheet, in :data:`SHEET_COLUMNS`: its counts, violated rules and what to retake."""
    rows = []
    for r in results:
        rows.append({
            "trainee": r.get("trainee") or "", "trainee_name": r.get("trainee_name") or "",
            "trainee_source": r.get("identity_source") or "",
            "exercise": r.get("exercise") or "", "status": r["status"],
            # (a sheet with a page unread has no score of the whole sheet: a spreadsheet's mean would take its
            # read pages' score for one; grader.web.export does the same)
            **{k: "" if v is None else v for k, v in zip(("score", "partial_score"),
                                                          sheet_scores(r["status"], r.get("score")))},
            # (as the web export's "Nilai sementara")
            "provisional": "yes" if score_may_change(r["status"], r.get("score"), r["counts"]["review"]) else "",
            # (none for a refused sheet, as in the web's table and exports: zeros read as a sheet without a mistake;
            # a page not read, not sent or refused, counted apart, as the result page says it: "Belum terbaca")
            **{k: "" if r["status"] == "refused" else v
               for k, v in zip(("wrong", "review", "blank", "unreadable", "not_read"), field_counts(r))},
            "violated_rules": ";".join(x["id"] for x in r["rules"] if x["status"] == "violated"),
            # (what to retake: the refused pages, then the pages no photo showed)
            "refusal": retake_codes(r),
            "refusal_message": " ".join(retake_messages(r)),
            "retake_advised": retake_advised(r),
            "files": sheet_files(r)})
    return rows


def field_rows(results: list[dict]) -> list[dict]:
    """One row per field of every graded sheet, in :data:`FIELD_COLUMNS`."""
    rows = []
    for r in results:
        unread = unread_page_notes(r)
        rows += [{"trainee": r.get("trainee") or "", "exercise": r.get("exercise") or "", "field": f["id"],
                  "page": f["page"], "section": f["section"], "kind": f["kind"], "status": f["status"],
                  # (a field wrong by its sure boxes: what was read surely, "?41", never our guess at the rest)
                  # (a number as a number: a workbook's "=H2=I2" against the expected one held text '81' against 81)
                  "value": "" if value_as_read(f) is None else value_as_read(f),
                  "expected": "" if f["expected"] is None else f["expected"],
                  "confidence": f["confidence"], "notes": ";".join(note_codes(f, unread)),
                  "files": sheet_files(r)}
                 for f in r["fields"]]
    return rows


def write_csv(path: Path, rows: list[dict], columns: tuple[str, ...]) -> None:
    """Write rows as CSV; text a spreadsheet would run as a formula is defused, as in the web export."""
    from grader.spreadsheet import spreadsheet_safe

    with open(path, "w", newline="", encoding="utf-8-sig") as fh:    # (the BOM: Excel then reads UTF-8 names right)
        w = csv.DictWriter(fh, fieldnames=columns)
        w.writeheader()
        w.writerows({k: spreadsheet_safe(v) for k, v in row.items()} for row in rows)

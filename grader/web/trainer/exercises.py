"""Exercises: list and create them, download the handout and the printable sheets (optionally per roster)."""
from __future__ import annotations

import io
import random
import re
import secrets
from datetime import datetime, timezone
from pathlib import Path

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for

from grader.errors import GraderError
from grader.exercise.store import canonical_code
from grader.web.classroom import class_summary
from grader.web.db import REMOVED, batch_cut_short, get_db
from grader.web.i18n import error_text
from grader.web.i18n import gettext as _
from grader.web.trainer import bp
from grader.web.trainer.batch_files import UNANSWERED_KEPT_S
from grader.web.unrecorded import set_aside_count

TEMPLATE_ID = "chasil-kwk"
HANDOUT_DPI = 150
SHEET_DPI = 200
MAX_ROSTER = 60            # about 0.6 s per personalised sheet, rendered in the request


def _base() -> Path:
    return Path(current_app.config["DATA_DIR"])


def get_key(code: str):
    from grader.exercise.store import load_key_by_code

    try:
        return load_key_by_code(code, base=_base())
    except GraderError as exc:
        if exc.code == "exercise_removed":
            abort(410, error_text(exc))
        abort(404)


def has_exercise(code: str) -> bool:
    from grader.exercise.store import load_key_by_code

    try:
        load_key_by_code(code, base=_base())
    except GraderError:
        return False
    return True


def exercise_of(key):
    """Re-create the full exercise (handout facts, ballots) from its key: the generator is deterministic."""
    from grader.exercise.scenario import generate_exercise
    from grader.sheet.schema import resolve_template

    raw = key.raw
    return generate_exercise(resolve_template(key.template), contest=key.contest, pairs=key.pairs,
                             seed=int(raw.get("seed", 0)), traps=tuple(raw.get("traps", ())))


def stored_sheets(db, code: str) -> int:
    """Every sheet kept for an exercise, all attempts and refused photos included (a merged page counts in its sheet)."""
    return db.execute("SELECT COUNT(*) FROM submissions WHERE exercise=? AND state NOT IN ('merged', ?)",
                      (code, REMOVED)).fetchone()[0]


def trap_names() -> dict[str, str]:
    """Each trap an exercise can be made with, in the trainer's words: the form that sets them and the pages that
    show an exercise's traps name them alike."""
    return {"damaged": _("surat suara rusak"), "dptb": _("pemilih DPTb"), "kolom_kosong": _("kolom kosong (satu paslon)")}


def traps_worded(key_raw: dict) -> str:
    """An exercise's traps as its list and its page say them, "surat suara rusak, pemilih DPTb"; "" for none."""
    names = trap_names()
    return ", ".join(names.get(t, t) for t in key_raw.get("traps") or ())


def made_iso(stamp: float) -> str | None:
    """A key's :func:`~grader.exercise.store.made_at` as a UTC ISO time for the ``waktu`` filter; None if unknown."""
    return datetime.fromtimestamp(stamp, timezone.utc).replace(microsecond=0).isoformat() if stamp else None


@bp.get("/")
def index():
    from grader.exercise.scenario import TRAPS
    from grader.exercise.store import list_exercises, made_at
    from grader.sheet.schema import resolve_template

    spec = resolve_template(TEMPLATE_ID)
    keys = list_exercises(base=_base())
    made = {k.exercise: made_at(k.exercise, base=_base()) for k in keys}
    # newest first: the exercise a trainer just made, for today's class, is at the top (codes are in no order)
    keys.sort(key=lambda k: made[k.exercise], reverse=True)
    db = get_db()
    counts = {k.exercise: class_summary(db, k.exercise) for k in keys}
    return render_template("trainer/index.html", keys=keys, counts=counts, spec=spec, traps=TRAPS,
                           trap_names=trap_names(), traps_worded=traps_worded,
                           made={c: made_iso(t) for c, t in made.items()},
                           held=held_uploads(db), set_aside=set_aside_count(_base(), db))


HELD_SHOWN = 50


def held_uploads(db) -> list:
    """Trainee uploads kept for a code that names no exercise here (or not the sheet's own): they belong to no
    class until someone gives them one, so the trainers see them too ("I sent it, but I am not in the table").
    Not one that a later sending of its form, with the code corrected, replaced (:mod:`grader.web.resent`)."""
    return db.execute("SELECT id, trainee, trainee_name, error_id, error_en, created_at FROM submissions "
                      "WHERE state='held' AND superseded_by IS NULL ORDER BY id DESC LIMIT ?", (HELD_SHOWN,)).fetchall()


@bp.post("/latihan")
def exercise_new():
    from grader.exercise.scenario import TRAPS, generate_exercise
    from grader.exercise.store import save_exercise
    from grader.sheet.schema import resolve_template

    spec = resolve_template(TEMPLATE_ID)
    contest = request.form.get("contest") or None
    pairs = request.form.get("pairs", type=int)
    seed_text = (request.form.get("seed") or "").strip()
    traps = tuple(t for t in request.form.getlist("trap") if t in TRAPS)
    try:
        seed = int(seed_text) if seed_text else random.SystemRandom().randint(1, 999_999)
        ex = generate_exercise(spec, contest=contest, pairs=pairs, seed=seed, traps=traps)
    except ValueError:
        flash(_("Nomor variasi soal harus berupa angka."), "error")
        return redirect(url_for("trainer.index"))
    except GraderError as exc:
        flash(error_text(exc), "error")
        return redirect(url_for("trainer.index"))
    save_exercise(ex, base=_base())
    flash(_("Latihan {code} dibuat.", code=ex.code), "ok")
    if pairs is not None and ex.pairs != pairs:         # the kolom kosong trap makes a single-pair region
        flash(_("Kolom kosong hanya ada bila paslon tunggal: latihan ini dibuat dengan {n} paslon, bukan {chosen}.",
                n=ex.pairs, chosen=pairs), "warn")
    return redirect(url_for("trainer.exercise", code=ex.code))


@bp.get("/latihan/<code>")
def exercise(code: str):
    from grader.exercise.store import made_at

    key = get_key(code)
    db = get_db()
    stats = class_summary(db, key.exercise, queue=True)
    batches = db.execute("SELECT b.id, b.token, b.created_at, b.created_by, b.client_token, b.form_token, "
                         "COUNT(s.id) AS n FROM batches b "
                         "LEFT JOIN submissions s ON s.batch_id=b.id AND s.state NOT IN ('merged', ?) "      # (sheets, not pages)
                         "WHERE b.exercise=? AND b.removed_at IS NULL GROUP BY b.id ORDER BY b.id DESC LIMIT 10",
                         (REMOVED, key.exercise)).fetchall()
    return render_template("trainer/exercise.html", key=key, contest=_contest_name(key), stats=stats, batches=batches,
                           traps_worded=traps_worded(key.raw), made=made_iso(made_at(key.exercise, base=_base())),
                           client_token=secrets.token_urlsafe(16), keep_token_s=UNANSWERED_KEPT_S,
                           n_sheets=stored_sheets(db, key.exercise), batch_cut_short=batch_cut_short)


@bp.app_template_global("phones_reach")
def _phones_reach() -> bool:
    """Whether the address this page was opened at is one the trainees' phones can open: the handout printed from
    here ends with its QR code only then (helper-145 printed one from 127.0.0.1, without, untold), and so does a
    feedback printout its trainee's result page (helper-149)."""
    from grader.web.trainer.screen import reachable_by_phones
    return reachable_by_phones(request.host)


@bp.post("/latihan/<code>/hapus")
def exercise_remove(code: str):
    """Remove an exercise with its class's sheets and photos (after the training), once its code is typed again."""
    from grader.web.removal import remove_exercise

    key = get_key(code)
    if canonical_code(request.form.get("confirm_code") or "") != key.exercise:
        flash(_("Ketik kode latihan {code} untuk memastikan, lalu tekan Hapus lagi.", code=key.exercise), "error")
        return redirect(url_for("trainer.exercise", code=key.exercise), code=303)
    db = get_db()
    n = stored_sheets(db, key.exercise)
    if remove_exercise(db, _base(), key.exercise) is None:
        flash(_("Masih ada lembar latihan ini yang sedang dinilai; hapus setelah semuanya selesai."), "error")
        return redirect(url_for("trainer.exercise", code=key.exercise), code=303)
    flash(_("Latihan {code} dihapus, beserta {n} lembar dan fotonya.", code=key.exercise, n=n), "ok")
    return redirect(url_for("trainer.index"), code=303)


@bp.get("/latihan/<code>/kunci")
def answer_key(code: str):
    """The exercise's answer key for the trainer, section by section as the sheet has them, to print or to go
    through with the class: every number of the form (a pair's tally and bubbles repeat its number, so it is
    listed once)."""
    from grader.grading.grade import expected_for, graded_fields
    from grader.sheet.layout import shared_layout
    from grader.sheet.schema import resolve_template
    from grader.web.present import section_title

    key = get_key(code)
    spec = resolve_template(key.template)
    sheet = shared_layout(spec, contest=key.contest, pairs=key.pairs)
    sections: dict[str, list] = {}
    for f in graded_fields(sheet):
        if f.kind == "digits":
            sections.setdefault(f.section, []).append({"id": f.id, "label": f.label, "label_en": f.label_en or f.label,
                                                       "value": expected_for(f, key)})
    return render_template("trainer/key.html", key=key, contest=_contest_name(key),
                           sections=[(section_title(sid), by_row_of_the_form(rows)) for sid, rows in sections.items()])


LPJ_RE = re.compile(r"^(?P<base>.+)\.(?P<col>[LPJ])$")
LPJ_LABEL_RE = re.compile(r"\s*\([LPJ]\)$")


def by_row_of_the_form(rows: list[dict]) -> list[dict]:
    """The key's numbers as the form's rows have them: a row's L, P and J (``I.A.1.L``, ``.P``, ``.J``) as one row
    with ``lpj`` {"L", "P", "J"} and the row's label, any other number (``II.1``) as it is. Listed one number a
    line, the key ran to two printed pages, and I.A.4 and I.B.4 read "4. Jumlah (1 + 2 + 3) (L)" alike (helper-140)."""
    out: list[dict] = []
    for r in rows:
        m = LPJ_RE.match(r["id"])
        if m is None:
            out.append(r)
            continue
        if not (out and out[-1].get("lpj") is not None and out[-1]["id"] == m["base"]):
            out.append({"id": m["base"], "label": LPJ_LABEL_RE.sub("", r["label"]),
                        "label_en": LPJ_LABEL_RE.sub("", r["label_en"]), "lpj": {}})
        out[-1]["lpj"][m["col"]] = r["value"]
    return out


def _contest_name(key) -> str:
    """The exercise's contest as its template names it ("PEMILIHAN BUPATI DAN WAKIL BUPATI")."""
    from grader.sheet.schema import resolve_template

    return resolve_template(key.template).contest_names.get(key.contest, key.contest)


@bp.get("/latihan/<code>/soal.pdf")
def handout(code: str):
    from grader.exercise.handout import render_handout
    from grader.sheet.render import write_pdf

    from grader.web.trainer.screen import reachable_by_phones, upload_url

    key = get_key(code)
    url = upload_url(key.exercise) if reachable_by_phones(request.host) else None   # (127.0.0.1: not on a phone)
    buf = io.BytesIO()
    write_pdf(render_handout(exercise_of(key), dpi=HANDOUT_DPI, upload_url=url), buf, dpi=HANDOUT_DPI)
    buf.seek(0)
    return send_file(buf, mimetype="application/pdf", download_name=f"soal-{key.exercise}.pdf")


@bp.route("/latihan/<code>/lembar.pdf", methods=["GET", "POST"])
def sheets(code: str):
    """Printable sheets carrying the exercise code; with a roster CSV (POST), one personalised sheet each."""
    from grader.commands.form import parse_roster, sheets_for, trainee_number_boxes
    from grader.sheet.layout import layout_sheet
    from grader.sheet.render import render_sheet, write_pdf
    from grader.sheet.schema import resolve_template

    key = get_key(code)
    sheet = layout_sheet(resolve_template(key.template), contest=key.contest, pairs=key.pairs)
    roster = None
    if request.method == "POST":
        upload = request.files.get("roster")
        if upload is None or not upload.filename:
            flash(_("Pilih berkas CSV daftar peserta."), "error")
            return redirect(url_for("trainer.exercise", code=key.exercise))
        try:
            roster = parse_roster(upload.read(1024 * 1024), upload.filename,
                                  number_boxes=trainee_number_boxes(sheet))
        except GraderError as exc:
            flash(error_text(exc), "error")
            return redirect(url_for("trainer.exercise", code=key.exercise))
        if len(roster) > MAX_ROSTER:
            flash(_("Daftar peserta terlalu panjang (maksimal {n} orang per unduhan).", n=MAX_ROSTER), "error")
            return redirect(url_for("trainer.exercise", code=key.exercise))
    pages = []
    for ident in sheets_for(sheet, key.exercise, roster):
        pages.extend(render_sheet(sheet, ident, dpi=SHEET_DPI))
    buf = io.BytesIO()
    write_pdf(pages, buf, dpi=SHEET_DPI)
    buf.seek(0)
    suffix = "-peserta" if roster else ""
    # (a class's named sheets are a file to keep, downloaded: opened in the tab, a reload posted the roster again)
    return send_file(buf, mimetype="application/pdf", download_name=f"lembar-{key.exercise}{suffix}.pdf",
                     as_attachment=roster is not None)

"""A one-page printable feedback sheet (HTML with print CSS) per trainee."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from jinja2 import Environment, select_autoescape

from grader.file_names import photo_name
from grader.grading.findings import as_worded_now
from grader.grading.review_queue import on_unread_page
from grader.grading.shown import (GRADED_FROM, TRAINEE_STATUS_WORDS, WHOLE_WITHOUT, boxes_to_name, field_name,
                                  graded_from, in_language, score_text, shown_reading, unread_pages, whole_without)
from grader.grading.summary import shown_fixes
from grader.result_rows import missing_page_words

# Each label in Indonesian and English (the trainee reads the page in the web page's language; the CLI writes
# Indonesian). A sheet's and a field's status in the trainee's web page's words, from the same table
# (TRAINEE_STATUS_WORDS: the page is the trainee's, whoever prints it).
# Where the trainee's identity came from (issue 5: QR, then the number written on the sheet, then the file name).
SOURCE = {"qr": ("kode QR", "QR code"), "trainee_number": ("nomor peserta di lembar", "trainee number on the sheet"),
          "caller": ("nama yang diketik saat mengirim", "the name typed when sending"), "filename": ("nama berkas", "file name"),
          # (the web app's: a number a trainer typed off the sheet's picture, grader.web.grading.named_by_trainer)
          "trainer": ("nomor yang diketik pelatih", "the number typed by the trainer")}
# (short titles, for one page; in English the words the web pages use: grader.web.present.SECTION_TITLES)
SECTION = {"I": ("I. Data pemilih", "I. Voters"), "II": ("II. Surat suara", "II. Ballots"),
           "III": ("III. Disabilitas", "III. Voters with disabilities"),
           "IV": ("IV. Perolehan suara", "IV. Votes per candidate pair"),
           "V": ("V. Suara sah dan tidak sah", "V. Valid and invalid votes")}

_TEMPLATE = """<!doctype html>
<html lang="{{ lang }}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{{ title }}</title>
<style>
 @page { size: A4; margin: 12mm; }
 body { font: 10pt/1.35 "DejaVu Sans", sans-serif; color: #111; max-width: 186mm; margin: auto; }
 h1 { font-size: 15pt; margin: 0 0 2mm; } h2 { font-size: 11pt; margin: 4mm 0 1mm; }
 .score { font-size: 22pt; font-weight: bold; float: right; }
 table { border-collapse: collapse; width: 100%; font-size: 8.5pt; }
 td, th { border-bottom: 1px solid #ddd; padding: 1px 4px; text-align: left; }
 .wrong { color: #b00; font-weight: bold; } .review, .blank, .unreadable { color: #a60; } .ok { color: #161; }
 .cols { columns: 2; column-gap: 6mm; } .cols tr { break-inside: avoid; }
 .cols table { break-inside: avoid; }   /* a section whole in one column: split, its second half had no title */
 .cols tr:nth-child(-n+2) { break-after: avoid; }   /* a section's title and heads stay with its first row */
 ol { margin: 1mm 0 0 5mm; padding: 0; }
 .sheet { display: flow-root; } .sheet + .sheet { break-before: page; }   /* a class's sheets, one page each */
 .skipped { border: 1px solid #a60; padding: 1mm 2mm; } @media print { .skipped { display: none; } }
 .ident { height: 8mm; margin: 1mm 2mm 0 0; border: 1px solid #ddd; max-width: calc(100% - 2mm); object-fit: contain;
   box-sizing: border-box; }   /* (a wide crop widened the page to 323 px on a 320 px phone) */
 .actions { margin: 0 0 3mm; } .actions button { font: inherit; padding: 2mm 4mm; margin-right: 3mm; }
 @media print { .actions { display: none; } }   /* (for the screen only: the paper needs neither) */
 .link { float: right; clear: right; width: 46mm; margin: 0 0 1mm 3mm; font-size: 7.5pt; text-align: right; }
 .link svg { width: 18mm; height: 18mm; float: right; margin-left: 2mm; } .link a { word-break: break-all; }
 /* printed, one A4 page even for a sheet with half its entries waiting and three broken rules (helper-147's ran to
    two, section V alone on the second) */
 @media print { body { font-size: 9pt; line-height: 1.25; } table { font-size: 7.5pt; line-height: 1.2; }
   h2 { margin: 2.5mm 0 1mm; } }
 @media screen and (max-width: 600px) {   /* opened on a phone: one column, readable type */
   body { font-size: 11pt; margin: 0 3mm; } table { font-size: 10pt; } .cols { columns: 1; } }
</style>{% if script %}<script src="{{ script }}" defer></script>{% endif %}</head><body>
{% if back %}{# (opened from the web, on a phone too, where a browser's menu hides its print and the page has no way back:
   rehearsal helper-185; the button shows only with its script, as the page's policy allows no inline one) #}
<nav class="actions"><button type="button" data-print hidden>{{ t("Cetak", "Print") }}</button><a href="{{ back }}">{{ t("← Kembali ke hasil", "← Back to the results") }}</a></nav>{% endif %}
{% if skipped %}<p class="skipped review">{{ t("Tidak ikut dicetak (lembar terakhirnya belum dinilai, ditolak atau gagal dinilai):", "Not printed (their latest sheet is not graded yet, was refused, or failed):") }} {{ skipped | join(", ") }}</p>{% endif %}
{% for item in items %}{% set r, sections, unread, link, image_url = item.r, item.sections, item.unread, item.link, item.image_url %}
<section class="sheet">
<div class="score">{% if r.status == 'partial' %}—<small>/100 {{ t("belum lengkap", "incomplete") }}</small>{% else %}{{ score_text(r.score) }}<small>/100{% if r.counts.review or r.counts.unreadable %} {{ t("sementara", "provisional") }}{% endif %}</small>{% endif %}</div>
{% if link %}{# (a sheet a trainer graded in a batch: its trainee opens the result page from here, and disputes there) #}
<div class="link">{{ link.qr }}{{ t("Hasil ini di ponsel: pindai kodenya untuk melihat dan menyanggah bacaan kami.", "This result on a phone: scan the code to see it and dispute our reading.") }}<br><a href="{{ link.url }}">{{ link.url }}</a></div>{% endif %}
<h1>{{ t("Umpan balik latihan C.Hasil", "C.Hasil practice feedback") }}</h1>
<div>{{ t("Peserta", "Trainee") }}: <b>{{ r.trainee_name or r.trainee or '?' }}</b>{% if r.trainee_name and r.trainee and r.trainee not in r.trainee_name %} · {{ t("no. peserta", "trainee no.") }} {{ r.trainee }}{% endif %} ({% if r.identity_source %}{{ t("identitas dari", "identity from") }} {{ word(source, r.identity_source) }}{% else %}{# (named by nobody: the photos it was made of tell the trainer which sheet this is) #}{{ t("tidak dikenali; foto", "not identified; photos") }} {{ r.pages | map(attribute="file") | map("photo_name") | join(", ") }}{% endif %}) ·
 {{ t("Kode latihan", "Exercise code") }}: <b>{{ r.exercise or '?' }}</b> · {{ t("Status", "Status") }}: {{ word(status, r.status) }}</div>
{# (a sheet refused whole has no counts: its zeros read as a sheet without a mistake, as in the tables; helper-150) #}
{% if r.status != 'refused' %}<div>{% for k in ["ok", "wrong", "review", "blank", "unreadable"] %}{{ word(status, k) }} {{ (r.counts.get(k) or 0) - (unread | length if k == "unreadable" else 0) }}{{ " · " if not loop.last }}{% endfor %}{% if unread %} · {{ t("Belum terbaca", "Not read yet") }} {{ unread | length }}{% endif %}</div>{% endif %}
{% if image_url %}<div>{% for p in r.pages if p.identity_crop %}<img class="ident" src="{{ image_url(p.identity_crop) }}" alt="{{ t("Nomor dan nama yang ditulis", "Number and name as written") }}">{% endfor %}</div>{% endif %}
{# (a refused photo of a page another photo of the sheet shows graded, a page 2 too dark then sent again fine: no
   retake, whatever its reason says; rehearsal helper-168) #}
{% for p in r.pages if p.refusal %}{% set graded = graded_from(r.pages, p) %}{% set whole = whole_without(r, p) %}<p class="{{ 'review' if graded or whole else 'wrong' }}">{{ p.file | photo_name }}: {{ pick(p.refusal) }}{% if graded %} {{ graded_from_words[lang].format(n=p.page, file=graded | photo_name) }}{% elif whole %} {{ whole_without_words[lang] }}{% endif %}</p>{% endfor %}
{% for n in unread_pages(r).missing %}<p class="wrong">{{ t("Halaman", "Page") }} {{ n }}: {{ missing_page_words(r, n, lang) }}</p>{% endfor %}
{% if r.status == 'partial' %}<p class="review">{{ t("Nilai sementara", "Provisional score") }} {{ score_text(r.score) }}/100 {{ t("hanya dari halaman yang terbaca", "from the readable pages only") }}{% if r.counts.unreadable %}{% set graded = r.counts.get("ok", 0) + r.counts.get("wrong", 0) + r.counts.get("blank", 0) %} ({{ graded }} {{ t("dari", "of") }} {{ graded + r.counts.get("review", 0) + r.counts.unreadable }} {{ t("isian dinilai", "entries graded") }}){% endif %}.</p>{% endif %}
{% if r.counts.review %}<p class="review">{{ t("Isian yang menunggu pelatih belum dihitung dalam nilai; nilai bisa berubah setelah pelatih memeriksanya.", "Entries waiting for the trainer are not counted in the score yet; it may change once the trainer checks them.") }}</p>{% endif %}
{% for p in r.pages if p.advice %}<p class="review">{{ p.file | photo_name }}: {{ pick(p.advice) }}</p>{% endfor %}
{% if r.status == 'refused' %}<h2>{{ t("Lembar ini belum dinilai", "This sheet is not graded yet") }}</h2>
{# (a sheet of another exercise is not mended by a retake: helper-150) #}
{% if r.pages and r.pages | selectattr("refusal") | map(attribute="refusal.code") | unique | list == ["wrong_exercise"] %}
<p>{{ t("Lembar ini dicetak untuk latihan lain. Isi lembar latihan ini (minta kepada pelatih), lalu kirim fotonya.", "This sheet is printed for another exercise. Fill in a sheet of this exercise (ask the trainer), then send its photo.") }}</p>
{% else %}<p>{{ t("Tidak ada halaman yang bisa dibaca. Foto ulang sesuai petunjuk di atas, lalu kirim lagi.", "No page could be read. Take the photo again as said above, then send it again.") }}</p>{% endif %}
{% else %}{% set fixes = shown_fixes(r) %}
<h2>{{ t("Tiga hal yang perlu diperbaiki", "Three things to fix") if fixes | length == 3 else t("Yang perlu diperbaiki", "What to fix") }}</h2>
{% if fixes %}<ol>{% for f in fixes %}<li>{{ pick(f) }} <i>— {{ pick(f, "where") }}</i></li>{% endfor %}</ol>
{% elif r.status == 'partial' %}<p>{{ t("Belum ada kesalahan di halaman yang sudah terbaca.", "No mistake yet on the pages read.") }}</p>
{% elif r.counts.review or r.counts.unreadable %}<p class="review">{{ t("Tidak ada kesalahan pada isian yang sudah terbaca pasti. Isian lainnya masih menunggu diperiksa pelatih.", "No mistake among the entries read for certain. The other entries still wait for a trainer to check them.") }}</p>
{% else %}<p>{{ t("Tidak ada. Bagus!", "None. Well done!") }}</p>{% endif %}{% endif %}
{% set violated = r.rules | selectattr('status', 'equalto', 'violated') | list %}
{% if violated %}<h2>{{ t("Aturan hitungan yang dilanggar", "Arithmetic rules broken") }}</h2><ul>
{% for x in violated %}<li class="{{ 'wrong' if x.severity == 'error' else 'review' }}">{{ pick(x) }}</li>{% endfor %}
</ul>{% endif %}
{# a finding already said as one of the fixes above is not said again (as on the web page: present.other_findings) #}
{% set said = (r.top_fixes or [])[:3] | map(attribute="message_id") | list %}
{# (the trainee's page, whoever prints it: a dispute is theirs, "Anda menyanggah") #}
{% set notes = (r.findings or []) | rejectattr("message_id", "in", said) | map("as_worded_now", true) | list %}
{% if notes %}<h2>{{ t("Catatan lain", "Other notes") }}</h2><ul>{% for x in notes %}<li>{{ pick(x) }}</li>{% endfor %}</ul>{% endif %}
{% if sections %}<h2>{{ t("Isian per bagian", "Entries by section") }}</h2>{% endif %}
<div class="cols">
{% for sec, rows in sections %}<table><tr><th colspan="4">{{ sec }}</th></tr>
<tr><th>{{ t("Isian", "Entry") }}</th><th>{{ t("Terbaca", "Read as") }}</th><th>{{ t("Seharusnya", "Expected") }}</th><th>{{ t("Status", "Status") }}</th></tr>
{% for f in rows %}<tr><td>{{ field_name(f.id, lang) }}</td><td>{{ shown_reading(f, "") }}</td>
{# (a page not sent or refused: not the key's numbers of it, which its trainee would copy onto the sheet) #}
<td>{{ '' if f.expected is none or f.id in unread else f.expected }}</td><td class="{{ f.status }}">{{ t("Belum terbaca", "Not read yet") if f.id in unread else word(status, f.status) }}{% set named = boxes_to_name(f) %}{% if named %} ({{ t("kotak ke-", "box ") }}{{ named | map("add1") | join(", ") }}){% endif %}{% if f.corrected_by %} ✎ {{ t("diperiksa pelatih", "checked by the trainer") if f.confirmed else t("dikoreksi pelatih", "corrected by the trainer") }}{% endif %}</td></tr>
{% endfor %}</table>{% endfor %}
</div>
</section>{% endfor %}
</body></html>
"""

_env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
_env.globals.update(score_text=score_text, shown_reading=shown_reading, boxes_to_name=boxes_to_name,
                    field_name=field_name, shown_fixes=shown_fixes, unread_pages=unread_pages,
                    graded_from=graded_from, graded_from_words=GRADED_FROM, whole_without=whole_without,
                    whole_without_words=WHOLE_WITHOUT)


def _missing_page_words(result: dict, n: int, lang: str) -> str:
    """What the printed page says of page ``n`` no photo showed (:func:`grader.result_rows.missing_page_words`): a
    photo of it that shows a classmate's sheet by its name as the trainee knows it (:func:`photo_name`), as the
    page's other lines name photos, and one full stop."""
    shown = {**result, "other_trainee_pages": [{**p, "file": photo_name(p["file"])}
                                               for p in result.get("other_trainee_pages") or ()]}
    words = missing_page_words(shown, n, lang)
    return words if words.endswith(".") else words + "."


_env.globals["missing_page_words"] = _missing_page_words


_env.filters["photo_name"] = photo_name
_env.filters["add1"] = lambda k: k + 1          # a box index counted from 1, as people count boxes
_env.filters["as_worded_now"] = as_worded_now


def render_report(result: dict, image_url: Callable[[str], str] | None = None, lang: str = "id",
                  link: dict | None = None, back: str | None = None, script: str | None = None) -> str:
    """The printable feedback page for one graded sheet, in Indonesian (``lang="id"``) or English (``"en"``).

    ``image_url`` turns a derived image's name into a link; with it, the page shows the number and name written on
    the sheet, so a printed page for a sheet that names nobody (a chat export's photo) finds its trainee.
    ``link``: the sheet's result page for its trainee, ``{"url", "qr"}`` (the QR as markup), printed at the top: a
    trainee whose sheet a trainer graded in a batch had no way to it, nor to dispute a misread (helper-147).
    ``back`` (the page it was opened from) and ``script`` (the print button's): a page served by the web app shows a
    print button and a link back, on the screen only (a file written by ``grader grade`` has neither).
    """
    return render_reports([(result, image_url, link)], lang, back=back, script=script)


def render_reports(sheets: list[tuple[dict, Callable[[str], str] | None, dict | None]], lang: str = "id",
                   skipped: list[str] = (), back: str | None = None, script: str | None = None) -> str:
    """The printable feedback pages of several sheets in one document, a page each (a class printed at once):
    ``(result, image_url, link)`` each, as :func:`render_report` takes them. ``skipped``: the trainees who have no
    page, named on the screen above the first (not on paper): a class of 20 printed as 19 pages said nothing of the
    twentieth (helper-148). ``back`` and ``script``: as :func:`render_report` takes them."""
    en = lang == "en"

    def t(text_id: str, text_en: str) -> str:
        return text_en if en else text_id

    def word(table: dict, key) -> str:
        return table[key][en] if key in table else (key or "?")

    def pick(obj: dict, base: str = "message") -> str:
        return in_language(obj, lang, base)

    def item(result: dict, image_url, link) -> dict:
        sections: dict[str, list] = {}
        for f in result["fields"]:
            sections.setdefault(word(SECTION, f["section"]), []).append(f)
        unread = {f["id"] for f in result["fields"] if on_unread_page(f)}     # a page not sent or refused: its fields
        return {"r": result, "sections": list(sections.items()), "unread": unread, "image_url": image_url,
                "link": link}

    items = [item(*sheet) for sheet in sheets]
    title = (f"{t('Umpan balik', 'Feedback')} {items[0]['r'].get('trainee') or ''}".strip() if len(items) == 1 else
             f"{t('Umpan balik kelas', 'Class feedback')} {items[0]['r'].get('exercise') or ''}".strip() if items else
             t("Umpan balik", "Feedback"))
    return _env.from_string(_TEMPLATE).render(items=items, title=title, skipped=list(skipped), lang="en" if en else "id",
                                              t=t, word=word, pick=pick, status=TRAINEE_STATUS_WORDS, source=SOURCE,
                                              back=back, script=script)


def write_reports(results: list[dict], out_dir: Path, lang: str = "id") -> list[Path]:
    from grader.batch import sheet_label, unique_name

    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    used: set[str] = set()
    for r in results:
        name = unique_name(sheet_label(r), used)          # as the sheet's own folder (batch.grade_batch)
        path = out_dir / f"{name}-feedback.html"
        path.write_text(render_report(r, image_url=lambda img, name=name: f"{name}/{img}", lang=lang), encoding="utf-8")
        paths.append(path)
    return paths

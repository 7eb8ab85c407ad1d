"""A one-page printable feedback sheet (HTML with print CSS) per trainee."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from jinja2 import Environment, select_autoescape

from grader.grading.grade import score_text

STATUS_ID = {"ok": "benar", "wrong": "salah", "review": "diperiksa pelatih", "blank": "kosong",
             "unreadable": "tidak terbaca"}
SHEET_STATUS_ID = {"graded": "Dinilai", "partial": "Dinilai sebagian", "refused": "Ditolak"}
# Where the trainee's identity came from (issue 5: QR, then the number written on the sheet, then the file name).
SOURCE_ID = {"qr": "kode QR", "trainee_number": "nomor peserta di lembar", "caller": "isian pengirim",
             "filename": "nama berkas"}
SECTION_ID = {"I": "I. Data pemilih", "II": "II. Surat suara", "III": "III. Disabilitas", "IV": "IV. Perolehan suara",
              "V": "V. Suara sah dan tidak sah"}

_TEMPLATE = """<!doctype html>
<html lang="id"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Umpan balik {{ r.trainee or '' }}</title>
<style>
 @page { size: A4; margin: 12mm; }
 body { font: 10pt/1.35 "DejaVu Sans", sans-serif; color: #111; max-width: 186mm; margin: auto; }
 h1 { font-size: 15pt; margin: 0 0 2mm; } h2 { font-size: 11pt; margin: 4mm 0 1mm; }
 .score { font-size: 22pt; font-weight: bold; float: right; }
 table { border-collapse: collapse; width: 100%; font-size: 8.5pt; }
 td, th { border-bottom: 1px solid #ddd; padding: 1px 4px; text-align: left; }
 .wrong { color: #b00; font-weight: bold; } .review, .blank, .unreadable { color: #a60; } .ok { color: #161; }
 .cols { columns: 2; column-gap: 6mm; } .cols table { break-inside: avoid; }
 ol { margin: 1mm 0 0 5mm; padding: 0; }
 .ident { height: 8mm; margin: 1mm 2mm 0 0; border: 1px solid #ddd; }
 @media screen and (max-width: 600px) {   /* opened on a phone: one column, readable type */
   body { font-size: 11pt; margin: 0 3mm; } table { font-size: 10pt; } .cols { columns: 1; } }
</style></head><body>
<div class="score">{{ score_text(r.score) }}<small>/100{% if r.counts.review or r.counts.unreadable %} sementara{% endif %}</small></div>
<h1>Umpan balik latihan C.Hasil</h1>
<div>Peserta: <b>{{ r.trainee_name or r.trainee or '?' }}</b> (identitas dari {{ source_id.get(r.identity_source, r.identity_source or '?') }}) ·
 Kode latihan: <b>{{ r.exercise or '?' }}</b> · {{ sheet_status.get(r.status, r.status) }}</div>
<div>Benar {{ r.counts.ok }} · Salah {{ r.counts.wrong }} · Diperiksa pelatih {{ r.counts.review }} ·
 Kosong {{ r.counts.blank }} · Tidak terbaca {{ r.counts.unreadable }}</div>
{% if image_url %}<div>{% for p in r.pages if p.identity_crop %}<img class="ident" src="{{ image_url(p.identity_crop) }}" alt="Nomor dan nama yang ditulis">{% endfor %}</div>{% endif %}
{% for p in r.pages if p.refusal %}<p class="wrong">{{ p.file | photo_name }}: {{ p.refusal.message_id }}</p>{% endfor %}
{% if r.status == 'partial' %}<p class="review">Nilai ini hanya dari halaman yang terbaca{% if r.counts.unreadable %}{% set graded = r.counts.get("ok", 0) + r.counts.get("wrong", 0) + r.counts.get("blank", 0) %} (dinilai dari {{ graded }} dari {{ graded + r.counts.get("review", 0) + r.counts.unreadable }} isian){% endif %}.</p>{% endif %}
{% if r.counts.review %}<p class="review">Isian yang diperiksa pelatih belum dihitung dalam nilai; nilai bisa berubah.</p>{% endif %}
{% for p in r.pages if p.advice %}<p class="review">{{ p.file | photo_name }}: {{ p.advice.message_id }}</p>{% endfor %}
{% if r.status == 'refused' %}<h2>Lembar ini belum dinilai</h2>
<p>Tidak ada halaman yang bisa dibaca. Perbaiki foto seperti yang disebut di atas, lalu kirim lagi.</p>
{% else %}<h2>Tiga hal yang perlu diperbaiki</h2>
{% if r.top_fixes %}<ol>{% for f in r.top_fixes %}<li>{{ f.message_id }} <i>({{ f.where }})</i></li>{% endfor %}</ol>
{% else %}<p>Tidak ada. Bagus!</p>{% endif %}{% endif %}
{% set violated = r.rules | selectattr('status', 'equalto', 'violated') | list %}
{% if violated %}<h2>Aturan hitung yang tidak terpenuhi</h2><ul>
{% for x in violated %}<li class="{{ 'wrong' if x.severity == 'error' else 'review' }}">{{ x.message_id }}</li>{% endfor %}
</ul>{% endif %}
{% if r.findings %}<h2>Catatan</h2><ul>{% for x in r.findings %}<li>{{ x.message_id }}</li>{% endfor %}</ul>{% endif %}
<h2>Isian per bagian</h2>
<div class="cols">
{% for sec, rows in sections %}<table><tr><th colspan="4">{{ sec }}</th></tr>
<tr><th>Kotak</th><th>Terbaca</th><th>Seharusnya</th><th>Status</th></tr>
{% for f in rows %}<tr><td>{{ f.id }}</td><td>{{ '' if f.value is none else f.value }}</td>
<td>{{ '' if f.expected is none else f.expected }}</td><td class="{{ f.status }}">{{ status_id[f.status] }}</td></tr>
{% endfor %}</table>{% endfor %}
</div>
</body></html>
"""

_env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
_env.globals["score_text"] = score_text


def photo_name(file: str) -> str:
    """A photo as the trainee knows it: its file name, without the trainer's folders (``zip:member`` keeps the zip)."""
    from grader.file_names import member_path, split_member

    container = split_member(file)[0]
    name = member_path(file).name
    return f"{Path(container).name}:{name}" if container else name


_env.filters["photo_name"] = photo_name


def render_report(result: dict, image_url: Callable[[str], str] | None = None) -> str:
    """The printable feedback page for one graded sheet.

    ``image_url`` turns a derived image's name into a link; with it, the page shows the number and name written on
    the sheet, so a printed page for a sheet that names nobody (a chat export's photo) finds its trainee.
    """
    sections: dict[str, list] = {}
    for f in result["fields"]:
        sections.setdefault(SECTION_ID.get(f["section"], f["section"]), []).append(f)
    return _env.from_string(_TEMPLATE).render(r=result, sections=list(sections.items()), status_id=STATUS_ID,
                                              source_id=SOURCE_ID, sheet_status=SHEET_STATUS_ID, image_url=image_url)


def write_reports(results: list[dict], out_dir: Path) -> list[Path]:
    from grader.batch import sheet_label, unique_name

    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    used: set[str] = set()
    for r in results:
        name = unique_name(sheet_label(r), used)          # as the sheet's own folder (batch.grade_batch)
        path = out_dir / f"{name}-feedback.html"
        path.write_text(render_report(r, image_url=lambda img, name=name: f"{name}/{img}"), encoding="utf-8")
        paths.append(path)
    return paths

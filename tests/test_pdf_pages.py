"""Scanned PDFs: the page photos a scanner app or a copier saved are taken out as they are, and graded."""
import csv
import io
import json
import struct
import zlib
from pathlib import Path

import cv2
import numpy as np
import pypdf
import pytest
from PIL import Image

from grader.errors import GraderError
from grader.photo.pdf_pages import is_pdf, pdf_page_names, pdf_photos, photos_of

SAMPLES = Path(__file__).resolve().parents[1] / "sample_scans"


def pdf_of(images: list[Image.Image]) -> bytes:
    buf = io.BytesIO()
    images[0].save(buf, "PDF", save_all=True, append_images=images[1:], resolution=150)
    return buf.getvalue()


def image_pdf(images: list[tuple[bytes, dict]]) -> bytes:
    """A PDF whose pages each show one image object, ``(its stored bytes, its dictionary)`` (pypdf draws nothing)."""
    from pypdf import PdfWriter
    from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, NameObject, NumberObject
    from pypdf.generic import StreamObject

    def pdf_value(v):
        if isinstance(v, dict):
            return DictionaryObject({NameObject(k): pdf_value(x) for k, x in v.items()})
        if isinstance(v, list):
            return ArrayObject(pdf_value(x) for x in v)
        return NameObject(v) if isinstance(v, str) else NumberObject(v)

    writer = PdfWriter()
    for data, entries in images:
        w, h = entries["/Width"], entries["/Height"]
        page = writer.add_blank_page(width=w, height=h)
        img = StreamObject()
        img._data = data
        img.update(pdf_value({"/Type": "/XObject", "/Subtype": "/Image", **entries}))
        content = DecodedStreamObject()
        content.set_data(f"q {w} 0 0 {h} 0 0 cm /Im0 Do Q".encode())
        page[NameObject("/Resources")] = DictionaryObject({NameObject("/XObject"): DictionaryObject(
            {NameObject("/Im0"): writer._add_object(img)})})
        page[NameObject("/Contents")] = writer._add_object(content)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def jpeg_pdf(jpegs: list[bytes]) -> bytes:
    """A PDF holding these JPEG files as its pages' images, as scanner apps write them."""
    sizes = [Image.open(io.BytesIO(data)).size for data in jpegs]
    return image_pdf([(data, {"/Width": w, "/Height": h, "/ColorSpace": "/DeviceRGB", "/BitsPerComponent": 8,
                              "/Filter": ["/DCTDecode"]}) for data, (w, h) in zip(jpegs, sizes)])


def test_each_pages_photo_comes_out_as_it_was_stored():
    photos = [(SAMPLES / n).read_bytes() for n in ("s0001-p1.jpg", "s0001-p2.jpg")]
    data = jpeg_pdf(photos)
    assert is_pdf(data) and not is_pdf(photos[0])
    assert pdf_photos(data) == photos                     # the same bytes: nothing decoded or re-encoded
    assert [n for n, _ in photos_of("kelas/Budi.pdf", data)] == ["kelas/Budi p1.jpg", "kelas/Budi p2.jpg"]
    assert photos_of("a.jpg", photos[0]) == [("a.jpg", photos[0])]


def test_a_pillow_made_pdf_gives_its_page_images():
    data = pdf_of([Image.new("RGB", (300, 420), "white"), Image.new("RGB", (300, 420), "#dddddd")])
    pages = pdf_photos(data)
    assert len(pages) == 2 and all(p[:3] == b"\xff\xd8\xff" for p in pages)
    assert Image.open(io.BytesIO(pages[1])).getpixel((10, 10))[0] in range(215, 230)


def test_pdfs_that_hold_no_photo_are_refused_with_their_reason():
    from pypdf import PdfWriter
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)          # a document, no image: nothing to read
    buf = io.BytesIO()
    writer.write(buf)
    with pytest.raises(GraderError) as exc:
        pdf_photos(buf.getvalue())
    assert exc.value.code == "pdf_no_photo" and "aplikasi pemindai" in exc.value.message_id
    with pytest.raises(GraderError) as exc:
        pdf_photos(b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF")
    assert exc.value.code in ("pdf_unreadable", "pdf_no_photo")
    with pytest.raises(GraderError) as exc:
        pdf_photos(b"%PDF-1.4\n" + bytes(range(256)) * 20)
    assert exc.value.code == "pdf_unreadable"
    locked = PdfWriter()
    locked.add_blank_page(width=100, height=100)
    locked.encrypt("rahasia")
    buf = io.BytesIO()
    locked.write(buf)
    with pytest.raises(GraderError) as exc:
        pdf_photos(buf.getvalue())
    assert exc.value.code == "pdf_unreadable" and "kata sandi" in exc.value.message_id


def test_a_pdf_locked_only_against_printing_opens_without_a_password(monkeypatch):
    """Review (s34): a PDF with an owner password only (the user's empty: it opens in every viewer) was refused as
    password-locked, and its sender had no password to remove. One whose cipher needs a crypto library we do not
    ship (AES: pypdf's DependencyError) is still said as locked, not as damaged."""
    from pypdf.errors import DependencyError
    restricted = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(pdf_of([Image.new("RGB", (60, 80), "white")] * 2))))
    restricted.encrypt(user_password="", owner_password="pemilik", algorithm="RC4-128")
    buf = io.BytesIO()
    restricted.write(buf)
    assert len(pdf_photos(buf.getvalue())) == 2

    def needs_aes(self, password):
        raise DependencyError("cryptography>=3.1 is required for AES algorithm")
    monkeypatch.setattr(pypdf.PdfReader, "decrypt", needs_aes)
    with pytest.raises(GraderError) as exc:
        pdf_photos(buf.getvalue())
    assert exc.value.code == "pdf_unreadable" and "kata sandi" in exc.value.message_id


def test_too_many_pages_is_refused():
    data = pdf_of([Image.new("RGB", (60, 80), "white")] * 3)
    assert len(pdf_photos(data, max_pages=3)) == 3
    with pytest.raises(GraderError) as exc:
        pdf_photos(data, max_pages=2)
    assert exc.value.code == "too_many_pages"


def test_page_names_pair_two_pages_and_name_nobody_in_a_copiers_stack():
    from grader.file_names import named_pages, trainee_from_filename

    two = pdf_page_names("Budi.pdf", 2)
    assert [p[1:] for p in named_pages([("", n) for n in two])] == [("budi", 1), ("budi", 2)]
    assert trainee_from_filename(two[0]) == "Budi"
    stack = pdf_page_names("scan0001.pdf", 6)
    assert named_pages([("", n) for n in stack]) == [None] * 6


def test_a_two_page_pdfs_pages_pair_a_firm_trainee_number_with_an_unsure_one_that_may_be_it(monkeypatch):
    """Dev seed 21, sheet s0021 scanned as one PDF: page 1's number read 11 with its middle box unsure (X?1), page
    2's 91 firmly. Named "s0021 (1)" / "(2)" like a browser's download count, they were graded as two partial
    sheets, each told its other page was never sent; named as a person names pages, they are one sheet."""
    import grader.batch as batch
    from grader.file_names import page_said_plainly
    from grader.page_groups import PageEvidence, number_evidence
    from grader.pipeline import PhotoRead

    def evidence(pr, key):
        first = pr.file.endswith(("p1.jpg", "(1).jpg"))
        said = number_evidence("011", "review", "0?1") if first else number_evidence("091", "ok")
        return PageEvidence(file_key=key, page=1 if first else 2, exercise="A", **said)
    monkeypatch.setattr(batch, "page_evidence", evidence)
    pages = pdf_page_names("/t/kelas/s0021.pdf", 2)
    assert all(page_said_plainly(n) for n in pages)
    assert len(batch.group_reads([PhotoRead(file=n) for n in pages])) == 1
    counted = ["/t/kelas/s0021 (1).jpg", "/t/kelas/s0021 (2).jpg"]         # a download's count still does not
    assert len(batch.group_reads([PhotoRead(file=n) for n in counted])) == 2
    assert not any(page_said_plainly(n) for n in pdf_page_names("scan.pdf", 6))


def test_a_scanned_pdf_is_graded_from_the_command_line_as_one_sheet(tmp_path):
    from grader.cli import main

    t = json.loads((SAMPLES / "s0001-p1.truth.json").read_text())
    scan = tmp_path / "s0001.pdf"
    scan.write_bytes(jpeg_pdf([(SAMPLES / n).read_bytes() for n in ("s0001-p1.jpg", "s0001-p2.jpg")]))
    empty = tmp_path / "ketikan.pdf"
    empty.write_bytes(pdf_of([Image.new("L", (50, 50), 255)]).replace(b"/DCTDecode", b"/RunLengthDecode"))
    out = tmp_path / "class.csv"
    assert main(["grade", str(scan), str(empty), "--key", str(SAMPLES / "keys" / t["exercise"]),
                 "--csv", str(out)]) == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    sheet = next(r for r in rows if "s0001 p1.jpg" in r["files"])
    assert sheet["status"] == "graded" and sheet["files"].count(";") == 1 and float(sheet["score"]) > 0
    refused = next(r for r in rows if "ketikan.pdf" in r["files"])
    assert refused["status"] == "refused" and refused["refusal"].endswith("=pdf_no_photo")


def test_a_trainee_may_send_a_scanner_apps_pdf_and_its_pages_are_stored_as_photos(tmp_path):
    from test_web_trainee import upload

    from grader.commands.serve import ensure_demo_data
    from grader.web.testing import jpeg_bytes, make_test_app

    app = make_test_app()
    client = app.test_client()
    code = ensure_demo_data()
    pages = [jpeg_bytes(color="#fefefe"), jpeg_bytes(color="#fdfdfd")]
    resp = upload(client, code=code, photos=[("017.pdf", jpeg_pdf(pages))])
    assert resp.status_code == 302
    folder = app.config["DATA_DIR"] / "submissions" / resp.location.rsplit("/", 1)[1] / "upload"
    assert sorted(p.read_bytes() for p in folder.iterdir()) == sorted(pages)
    assert client.get(resp.location + ".json").get_json()["state"] == "done"
    three = upload(client, code=code, photos=[("017.pdf", jpeg_pdf(pages + [jpeg_bytes()]))])
    assert three.status_code == 400 and "PDF ini berisi lebih dari 2 halaman, padahal lembar ini 2 halaman" in \
        three.get_data(as_text=True)
    both = upload(client, code=code, photos=[("017.pdf", jpeg_pdf(pages)), ("017_2.jpg", jpeg_bytes())])
    assert both.status_code == 400 and "sudah berisi 2 halaman" in both.get_data(as_text=True)
    typed = upload(client, code=code, photos=[("surat.pdf", pdf_of([Image.new("L", (50, 50), 255)])
                                                           .replace(b"/DCTDecode", b"/RunLengthDecode"))])
    assert typed.status_code == 400 and "tidak berisi foto atau hasil pindaian" in typed.get_data(as_text=True)


def test_a_trainee_sends_a_scanner_apps_pdf_from_the_upload_form_and_gets_a_graded_sheet(isolated_data_dir):
    """The trainee's photo inputs offer PDFs (a scanner app saves one by default), and a two-page scan sent through
    the upload form is graded by the real pipeline as one sheet, its pages the sheet's two pages."""
    import re
    import shutil

    from test_web_trainee import upload

    from grader.web.testing import make_test_app

    app = make_test_app(PIPELINE=None)
    client = app.test_client()
    inputs = re.findall(r'<input id="photo_\d" type="file"[^>]*>', client.get("/").get_data(as_text=True))
    assert len(inputs) == 2 and all('accept="image/*,.pdf,application/pdf"' in i for i in inputs)
    truth = json.loads((SAMPLES / "s0001-p1.truth.json").read_text())
    code = truth["exercise"]
    (isolated_data_dir / "exercises" / code).mkdir(parents=True)
    shutil.copy(SAMPLES / "keys" / code / "answer_key.json", isolated_data_dir / "exercises" / code / "answer_key.json")
    scan = jpeg_pdf([(SAMPLES / n).read_bytes() for n in ("s0001-p1.jpg", "s0001-p2.jpg")])
    resp = upload(client, code=code, trainee="", photos=[("CamScanner 02-12-2026 10.15.pdf", scan)])
    assert resp.status_code == 302
    state = client.get(resp.location + ".json").get_json()
    assert state["state"] == "done" and state["status"] == "graded" and state["score"] > 0, state
    html = client.get(resp.location).get_data(as_text=True)
    assert "Hasil penilaian" in html and "belum dikirim" not in html and "Lengkapi lembar ini" not in html
    assert "CamScanner 02-12-2026 10.15 p1.jpg" in html and "CamScanner 02-12-2026 10.15 p2.jpg" in html


def test_a_retake_or_an_added_page_takes_a_one_page_pdf_and_explains_a_longer_one(tmp_path):
    """A retake replaces one page: a scanner app's PDF of one page is that page; a PDF of the whole sheet again is
    refused with what to do instead (before: 'Terlalu banyak halaman: paling banyak 1')."""
    import re

    from test_web_trainee import _stored, upload

    from grader.commands.serve import ensure_demo_data
    from grader.web.testing import csrf_of, jpeg_bytes, make_test_app

    app = make_test_app()
    client = app.test_client()
    code = ensure_demo_data()
    resp = upload(client, code=code, photos=[("017_1.jpg", jpeg_bytes()), ("017_2_blur.jpg", jpeg_bytes(color="#f7f7f7"))])
    html = client.get(resp.location).get_data(as_text=True)
    assert re.search(r'id="retake-1" type="file" name="photo" accept="image/\*,.pdf,application/pdf"', html)
    both = jpeg_pdf([jpeg_bytes(color="#fafafa"), jpeg_bytes(color="#f9f9f9")])
    refused = client.post(resp.location + "/ulang", content_type="multipart/form-data", data={
        "csrf_token": csrf_of(client), "position": "2", "photo": (io.BytesIO(both), "scan.pdf")})
    assert refused.status_code == 400
    assert "PDF ini berisi lebih dari satu halaman. Di sini kirim satu halaman saja" in refused.get_data(as_text=True)
    page2 = jpeg_bytes(color="#f8f8f8")
    retaken = client.post(resp.location + "/ulang", content_type="multipart/form-data", data={
        "csrf_token": csrf_of(client), "position": "2", "photo": (io.BytesIO(jpeg_pdf([page2])), "hal2.pdf")})
    assert retaken.status_code == 302
    assert _stored(app, retaken.location.rsplit("/", 1)[1])[1] == ("hal2.jpg", page2)

    half = upload(client, code=code, trainee="018", photos=[("bsolo_1.jpg", jpeg_bytes(color="#efefef"))])
    assert 'id="add-page" type="file" name="photo" accept="image/*,.pdf,application/pdf"' in \
        client.get(half.location).get_data(as_text=True)
    refused = client.post(half.location + "/lengkapi", content_type="multipart/form-data", follow_redirects=True,
                          data={"csrf_token": csrf_of(client), "photo": (io.BytesIO(both), "scan.pdf")})
    assert "PDF ini berisi lebih dari satu halaman" in refused.get_data(as_text=True)
    added = client.post(half.location + "/lengkapi", content_type="multipart/form-data", data={
        "csrf_token": csrf_of(client), "photo": (io.BytesIO(jpeg_pdf([page2])), "hal2.pdf")})
    assert added.status_code == 302 and _stored(app, added.location.rsplit("/", 1)[1])[1] == ("hal2.jpg", page2)


def test_a_trainer_batch_takes_a_copiers_pdf_page_by_page(tmp_path):
    from grader.commands.serve import ensure_demo_data
    from grader.web.testing import batch_photo_names, jpeg_bytes, log_in, make_test_app

    app = make_test_app()
    trainer = app.test_client()
    log_in(trainer)
    code = ensure_demo_data()
    stack = jpeg_pdf([jpeg_bytes(color=c) for c in ("#fafafa", "#f9f9f9", "#f8f8f8", "#f7f7f7")])
    page, names = batch_photo_names(app, trainer, code, [("scan0001.pdf", stack), ("rusak.pdf", b"%PDF-1.4 broken")])
    assert "rusak.pdf" in page and "PDF ini tidak bisa dibuka" in page
    assert names == [f"scan0001 ({i}).jpg" for i in range(1, 5)]


def fanout_pdf(n: int) -> bytes:
    """A few kilobytes naming the same form objects n times from every level: parsed naively, n**4 visits."""
    from pypdf import PdfWriter
    from pypdf.generic import DictionaryObject, NameObject, StreamObject

    w = PdfWriter()
    page = w.add_blank_page(width=10, height=10)
    leaf = StreamObject()
    leaf.update({NameObject("/Type"): NameObject("/XObject"), NameObject("/Subtype"): NameObject("/Form")})
    ref = w._add_object(leaf)
    for _ in range(4):
        form = StreamObject()
        form.update({NameObject("/Type"): NameObject("/XObject"), NameObject("/Subtype"): NameObject("/Form"),
                     NameObject("/Resources"): DictionaryObject({NameObject("/XObject"): DictionaryObject(
                         {NameObject(f"/X{i}"): ref for i in range(n)})})})
        ref = w._add_object(form)
    page[NameObject("/Resources")] = DictionaryObject({NameObject("/XObject"): DictionaryObject(
        {NameObject(f"/X{i}"): ref for i in range(n)})})
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


def test_a_tiny_crafted_pdf_costs_little(tmp_path):
    """Review: each object was looked at every time it was named (a 3.8 kB file held an upload for 10 s)."""
    import time
    data = fanout_pdf(60)
    assert len(data) < 6000
    t0 = time.perf_counter()
    with pytest.raises(GraderError) as exc:
        pdf_photos(data)
    assert exc.value.code == "pdf_no_photo" and time.perf_counter() - t0 < 1.0


def test_a_pdf_larger_than_its_photos_may_be_is_refused_before_it_is_parsed():
    data = jpeg_pdf([(SAMPLES / "s0001-p1.jpg").read_bytes()])
    with pytest.raises(GraderError) as exc:
        photos_of("scan.pdf", data, max_bytes=len(data) - 1)
    assert exc.value.code == "too_large"
    assert len(photos_of("scan.pdf", data, max_bytes=len(data))) == 1


def test_one_page_per_pdf_keeps_the_pdfs_name_so_a_trainees_two_scans_pair():
    """Review: Budi_1.pdf and Budi_2.pdf became 'Budi_1 (1).jpg' and 'Budi_2 (1).jpg', two page 1s of no one."""
    from grader.file_names import named_pages

    names = pdf_page_names("Budi_1.pdf", 1) + pdf_page_names("Budi_2.pdf", 1) + pdf_page_names("Lestari/hal2.pdf", 1)
    assert names == ["Budi_1.jpg", "Budi_2.jpg", "Lestari/hal2.jpg"]
    assert [p[1:] for p in named_pages([("", n) for n in names[:2]])] == [("budi", 1), ("budi", 2)]


def test_a_black_and_white_scan_in_a_pdf_is_said_as_such_not_as_no_photo():
    """Input review (s34): a copier's black-and-white scan saved as PDF (fax-coded, one bit a pixel) was told "PDF
    ini tidak berisi foto atau hasil pindaian lembar", though it is a scan. It is said as the black-and-white scan it
    is, with what to change (as a B&W photo is: binarized_scan); a PDF of a document still holds no photo."""
    buf = io.BytesIO()
    Image.new("1", (400, 560), 1).save(buf, "PDF")          # (Pillow writes a 1-bit page with CCITTFaxDecode)
    with pytest.raises(GraderError) as exc:
        pdf_photos(buf.getvalue())
    assert exc.value.code == "binarized_scan" and "abu-abu" in exc.value.message_id
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=100, height=100)
    plain = io.BytesIO()
    writer.write(plain)
    with pytest.raises(GraderError) as exc:
        pdf_photos(plain.getvalue())
    assert exc.value.code == "pdf_no_photo"


def flate_pdf(pages: list[np.ndarray], *, predictor: int | None = None) -> bytes:
    """A PDF holding these grey or BGR pixels as Flate-coded page images, as many scanner apps write scans:
    without a predictor, with the TIFF one (2) or with PNG's (15: the rows of a PNG file, filters chosen per row)."""
    images = []
    for pixels in pages:
        h, w = pixels.shape[:2]
        comps = 1 if pixels.ndim == 2 else 3
        entries = {"/Width": w, "/Height": h, "/ColorSpace": "/DeviceGray" if comps == 1 else "/DeviceRGB",
                   "/BitsPerComponent": 8, "/Filter": "/FlateDecode"}
        if predictor is not None:
            entries["/DecodeParms"] = {"/Predictor": predictor, "/Colors": comps, "/Columns": w}
        if predictor == 15:
            data = b"".join(_png_chunks(cv2.imencode(".png", pixels)[1].tobytes(), b"IDAT"))
        else:
            rgb = (pixels if comps == 1 else cv2.cvtColor(pixels, cv2.COLOR_BGR2RGB)).reshape(h, w, comps)
            if predictor == 2:
                rgb = np.diff(rgb.astype(np.int16), axis=1, prepend=0).astype(np.uint8)
            data = zlib.compress(rgb.tobytes())
        images.append((data, entries))
    return image_pdf(images)


def _png_chunks(png: bytes, kind: bytes) -> list[bytes]:
    chunks, pos = [], 8
    while pos < len(png):
        length = struct.unpack(">I", png[pos:pos + 4])[0]
        if png[pos + 4:pos + 8] == kind:
            chunks.append(png[pos + 8:pos + 8 + length])
        pos += 12 + length
    return chunks


def test_a_lossless_scan_in_a_pdf_is_read_and_graded_as_its_jpeg(tmp_path, capsys):
    """Input review (h35): a PDF whose page images are Flate-coded (zlib, lossless: how many scanner apps save a grey
    or colour scan) was refused as holding no photo. Its pixels are read exactly, with or without a predictor, and
    the sheet is graded as the same pixels sent as photos are."""
    from grader.cli import main
    from grader.photo.load import load_photo

    names = ("s0001-p1.jpg", "s0001-p2.jpg")
    grey = [cv2.imread(str(SAMPLES / n), cv2.IMREAD_GRAYSCALE) for n in names]     # the pixels the JPEGs are read as
    for predictor in (None, 15):
        pages = photos_of("Budi.pdf", flate_pdf(grey, predictor=predictor))
        assert [n for n, _ in pages] == ["Budi p1.png", "Budi p2.png"]
        assert all(np.array_equal(load_photo(p, color=False).image, g) for (_, p), g in zip(pages, grey))
    colour = cv2.imread(str(SAMPLES / names[0]))
    for predictor in (None, 2, 15):
        [(_, png)] = photos_of("a.pdf", flate_pdf([colour], predictor=predictor))
        assert np.array_equal(load_photo(png).image, colour)

    key = str(SAMPLES / "keys" / json.loads((SAMPLES / "s0001-p1.truth.json").read_text())["exercise"])
    scan = tmp_path / "s0001.pdf"
    scan.write_bytes(flate_pdf(grey, predictor=15))
    assert main(["grade", str(scan), "--key", key, "--json"]) == 0
    from_pdf = json.loads(capsys.readouterr().out)
    assert main(["grade", *(str(SAMPLES / n) for n in names), "--key", key, "--json"]) == 0
    from_jpegs = json.loads(capsys.readouterr().out)

    def fields(result):
        return [(f["id"], f["value"], f["status"]) for f in result[0]["fields"]]
    assert len(from_pdf) == 1 and from_pdf[0]["status"] == "graded" and from_pdf[0]["score"] == from_jpegs[0]["score"]
    assert fields(from_pdf) == fields(from_jpegs)


def test_a_pdfs_scan_coded_in_a_way_not_read_is_said_so_not_taken_for_no_photo():
    """What is not 8-bit grey or RGB is refused as not readable here, never read with wrong colours or lines."""
    from grader.photo.pdf_flate import UnreadableImage, _components

    w, h = 400, 560
    plain = {"/Width": w, "/Height": h, "/BitsPerComponent": 8, "/Filter": "/FlateDecode"}
    not_read = [
        (zlib.compress(bytes(w * h * 4)), {**plain, "/ColorSpace": "/DeviceCMYK"}),
        (zlib.compress(bytes(w * h * 2)), {**plain, "/ColorSpace": "/DeviceGray", "/BitsPerComponent": 16}),
        (zlib.compress(bytes(w * h // 2)), {**plain, "/ColorSpace": "/DeviceGray"}),          # pixels cut short
        (zlib.compress(bytes(w * h)), {**plain, "/ColorSpace": "/DeviceGray", "/Decode": [1, 0]}),
        (zlib.compress(bytes(w * h)), {**plain, "/ColorSpace": "/DeviceGray", "/DecodeParms": {"/Predictor": 5}}),
        (zlib.compress(bytes(w * h * 3)), {**plain, "/ColorSpace": "/DeviceRGB",        # PNG rows of another width
                                            "/DecodeParms": {"/Predictor": 15, "/Colors": 3, "/Columns": w // 2}}),
    ]
    for image in not_read:
        with pytest.raises(GraderError) as exc:
            pdf_photos(image_pdf([image]))
        assert exc.value.code == "pdf_unreadable" and "8-bit grey or colour" in exc.value.message
    readable = (zlib.compress(bytes(w * h)), {**plain, "/ColorSpace": "/DeviceGray"})
    assert len(pdf_photos(image_pdf([not_read[0], readable]))) == 1      # the page it can read is read
    assert _components(["/ICCBased", pypdf.generic.DictionaryObject({pypdf.generic.NameObject("/N"): 3})]) == 3
    with pytest.raises(UnreadableImage):
        _components(["/Indexed", "/DeviceRGB", 255, b"\x00" * 768])


def many_images_pdf(pages: list[list[tuple[bytes, dict]]]) -> bytes:
    """A PDF whose pages each name several image objects (``(stored bytes, dictionary)``), as :func:`image_pdf`."""
    from pypdf import PdfWriter
    from pypdf.generic import DictionaryObject, NameObject, NumberObject, StreamObject

    writer = PdfWriter()
    for images in pages:
        page = writer.add_blank_page(width=100, height=100)
        names = {}
        for i, (data, entries) in enumerate(images):
            img = StreamObject()
            img._data = data
            img.update({NameObject("/Type"): NameObject("/XObject"), NameObject("/Subtype"): NameObject("/Image"),
                        **{NameObject(k): NameObject(v) if isinstance(v, str) else NumberObject(v)
                           for k, v in entries.items()}})
            names[NameObject(f"/Im{i}")] = writer._add_object(img)
        page[NameObject("/Resources")] = DictionaryObject({NameObject("/XObject"): DictionaryObject(names)})
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def grey_flate(w: int, h: int, *, short: bool = False) -> tuple[bytes, dict]:
    """A Flate-coded grey image of zeros (a few kilobytes for any size); ``short``: its pixels end a row early."""
    return (zlib.compress(bytes(w * h - (w if short else 0)), 9),
            {"/Width": w, "/Height": h, "/ColorSpace": "/DeviceGray", "/BitsPerComponent": 8,
             "/Filter": "/FlateDecode"})


def test_a_page_naming_many_large_images_inflates_only_the_photo_it_gives(monkeypatch):
    """Review (s35): every Flate image of a page was inflated and coded as PNG before the largest was chosen, so a
    trainee's 20 MB PDF could name a hundred 64 MP images of zeros on one page (about 3 s each) and hold the upload
    for minutes. The largest image by its declared size is the page's photo, and only it is inflated."""
    import grader.photo.pdf_pages as pdf_pages

    inflated = []

    def counting(obj, **kw):
        inflated.append(int(obj["/Width"]))
        return flate_image_png(obj, **kw)
    from grader.photo.pdf_flate import flate_image_png
    monkeypatch.setattr(pdf_pages, "flate_image_png", counting)
    page = [grey_flate(800 + 10 * i, 600) for i in range(12)]
    [photo] = pdf_photos(many_images_pdf([page]))
    assert inflated == [910] and Image.open(io.BytesIO(photo)).size == (910, 600)
    # the largest one unreadable: the next largest is the page's photo
    inflated.clear()
    [photo] = pdf_photos(many_images_pdf([[grey_flate(900, 600, short=True), grey_flate(800, 600)]]))
    assert inflated == [900, 800] and Image.open(io.BytesIO(photo)).size == (800, 600)


def test_a_pdf_is_refused_past_what_its_pages_photos_could_inflate_to(monkeypatch):
    """Pages whose only image turns out unreadable once inflated hold no photo, so they never count against the
    pages a PDF may send: without a bound, 200 such pages of 64 MP each cost minutes. A PDF may inflate what its
    photos could, a page more, no further (here at a smaller bound per page, to keep the test small)."""
    import grader.photo.pdf_pages as pdf_pages

    monkeypatch.setattr(pdf_pages, "MAX_INFLATED_PER_PAGE", 1_000_000)
    page = [grey_flate(1000, 900, short=True)]                     # 0.9 MB each, unreadable once inflated
    with pytest.raises(GraderError) as exc:                       # (2 + 2) MB allowed for 2 pages of photos
        pdf_photos(many_images_pdf([page] * 5), max_pages=2)
    assert exc.value.code == "pdf_unreadable" and "jauh lebih banyak" in exc.value.message_id
    with pytest.raises(GraderError) as exc:                       # within it: said as an image not read here
        pdf_photos(many_images_pdf([page] * 5), max_pages=3)
    assert exc.value.code == "pdf_unreadable" and "8-bit grey or colour" in exc.value.message
    assert len(pdf_photos(many_images_pdf([[grey_flate(1000, 900)]] * 2), max_pages=2)) == 2


def test_images_decoded_do_not_count_toward_the_objects_a_pdf_may_name(monkeypatch):
    """The bound on objects looked at (against crafted files) counted each image decoded once more, so a scan
    whose pages name a few images each reached it at half the objects it names (s36 read-through)."""
    import grader.photo.pdf_pages as pdf_pages

    monkeypatch.setattr(pdf_pages, "_MAX_OBJECTS", 40)
    jpeg = cv2.imencode(".jpg", np.full((40, 60), 200, np.uint8))[1].tobytes()
    # each page: four images coded in a way not read here, declared larger, tried first; then its JPEG
    odd = (b"\x80", {"/Width": 600, "/Height": 400, "/ColorSpace": "/DeviceGray", "/BitsPerComponent": 8,
                     "/Filter": "/RunLengthDecode"})
    page = [odd] * 4 + [(jpeg, {"/Width": 60, "/Height": 40, "/ColorSpace": "/DeviceGray", "/BitsPerComponent": 8,
                                "/Filter": "/DCTDecode"})]
    assert pdf_photos(many_images_pdf([page] * 7)) == [jpeg] * 7      # 35 objects named, 35 images tried
    with pytest.raises(GraderError) as exc:                           # the bound itself still holds
        pdf_photos(many_images_pdf([page] * 9))                       # 45 objects
    assert exc.value.code == "pdf_unreadable" and "too complex" in exc.value.message


def test_a_sheet_this_grader_printed_sent_back_holds_no_photo(tmp_path):
    """Its lossless page, now readable, would be told as a black-and-white scan: it is said as what it is."""
    from grader.cli import main

    out = tmp_path / "lembar.pdf"
    assert main(["form", "print", "chasil-kwk", "-o", str(out), "--dpi", "100"]) == 0
    with pytest.raises(GraderError) as exc:
        pdf_photos(out.read_bytes())
    assert exc.value.code == "pdf_no_photo" and "dibuat oleh aplikasi ini" in exc.value.message_id


def layered_page_pdf(photo: bytes, size: tuple[int, int], layer: tuple[int, int], *, stencil: bool) -> bytes:
    """A one-page PDF with a JPEG ``photo`` and, beside it, a one-bit layer of ``layer`` pixels: drawn itself as a
    stencil (``/ImageMask``), or as the ``/Mask`` of a small second JPEG, as copiers' "compact" PDFs hold a page."""
    from pypdf import PdfWriter
    from pypdf.generic import BooleanObject, DictionaryObject, NameObject, NumberObject, StreamObject

    def image(data: bytes, entries: dict):
        img = StreamObject()
        img._data = data
        img.update({NameObject("/Type"): NameObject("/XObject"), NameObject("/Subtype"): NameObject("/Image")})
        img.update({NameObject(k): v if not isinstance(v, (int, str)) or isinstance(v, bool)
                    else (NameObject(v) if isinstance(v, str) else NumberObject(v)) for k, v in entries.items()})
        return writer._add_object(img)

    writer = PdfWriter()
    page = writer.add_blank_page(width=100, height=100)
    rgb = {"/ColorSpace": "/DeviceRGB", "/BitsPerComponent": 8, "/Filter": "/DCTDecode"}
    mask_entries = {"/Width": layer[0], "/Height": layer[1], "/BitsPerComponent": 1, "/Filter": "/FlateDecode"}
    mask_bits = zlib.compress(bytes((layer[0] + 7) // 8 * layer[1]))
    names = {NameObject("/Im0"): image(photo, {"/Width": size[0], "/Height": size[1], **rgb})}
    if stencil:
        names[NameObject("/Im1")] = image(mask_bits, {**mask_entries, "/ImageMask": BooleanObject(True)})
    else:
        small = io.BytesIO()
        Image.new("RGB", (40, 30), (20, 20, 120)).save(small, "JPEG")
        names[NameObject("/Im1")] = image(small.getvalue(), {"/Width": 40, "/Height": 30, **rgb,
                                                            "/Mask": image(mask_bits, mask_entries)})
    page[NameObject("/Resources")] = DictionaryObject({NameObject("/XObject"): DictionaryObject(names)})
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def test_a_copiers_layered_compact_pdf_is_refused_as_such_not_read_from_its_background():
    """Hunt round 6: a copier's "compact" / "high compression" PDF (MRC) keeps each page's dark ink (print,
    handwriting, corner markers) in a full-resolution one-bit layer and only paper and colours in a half-resolution
    JPEG. The JPEG, the page's largest readable image, was read alone: a sheet without its writing, refused as
    not_practice_sheet and sheet_cut_off (telling the trainee to frame a sheet that was framed), and with its markers
    kept it would read every box blank. Such a page is said as the layered scan it is, with what to change; a small
    masked image beside a photo (an app's watermark) still leaves the photo read."""
    photo = (SAMPLES / "s0001-p1.jpg").read_bytes()
    w, h = Image.open(io.BytesIO(photo)).size
    for stencil in (True, False):
        with pytest.raises(GraderError) as exc:
            pdf_photos(layered_page_pdf(photo, (w, h), (2 * w, 2 * h), stencil=stencil))
        assert exc.value.code == "pdf_unreadable" and "high compression" in exc.value.message
        assert "berlapis" in exc.value.message_id
    for stencil in (True, False):     # a watermark's mask: a few hundred pixels wide
        assert pdf_photos(layered_page_pdf(photo, (w, h), (300, 60), stencil=stencil)) == [photo]


def test_a_jpeg_wrapped_in_flate_is_read_and_a_jpeg_2000_scan_is_said_as_not_read_here():
    """Hunt round 6: both were told "This PDF holds no photo or scan of a sheet", which the sender knows to be
    false. A page JPEG that the PDF writer compressed again (filters /FlateDecode then /DCTDecode) is the photo
    once inflated; a JPEG 2000 scan (/JPXDecode, as PDF optimisers store scans) is said as a coding not read here."""
    photo = (SAMPLES / "s0001-p1.jpg").read_bytes()
    w, h = Image.open(io.BytesIO(photo)).size
    rgb = {"/Width": w, "/Height": h, "/ColorSpace": "/DeviceRGB", "/BitsPerComponent": 8}
    assert pdf_photos(image_pdf([(zlib.compress(photo), {**rgb, "/Filter": ["/FlateDecode", "/DCTDecode"]})])) == [photo]
    jpx = io.BytesIO()
    Image.new("RGB", (64, 64), "white").save(jpx, "JPEG2000")
    with pytest.raises(GraderError) as exc:
        pdf_photos(image_pdf([(jpx.getvalue(), {**rgb, "/Width": 64, "/Height": 64, "/Filter": "/JPXDecode"})]))
    assert exc.value.code == "pdf_unreadable" and "Send the photos themselves" in exc.value.message


def test_a_pdf_of_both_pages_sent_beside_a_photo_names_its_box_not_a_third_photo():
    """Rehearsal (helper-185): a scanner app's PDF of both pages in "Foto halaman 1" and a photo of page 2 beside
    it were refused as "Lembar ini 2 halaman, tetapi ada 3 foto" (there are 3 photos) of two files chosen. The
    refusal names the box whose file holds both pages, and what to send; two such files are said so too."""
    import html

    from test_web_trainee import upload

    from grader.commands.serve import ensure_demo_data
    from grader.web.testing import jpeg_bytes, make_test_app

    client = make_test_app().test_client()
    code = ensure_demo_data()
    pages = [jpeg_bytes(color="#fefefe"), jpeg_bytes(color="#fdfdfd")]
    both = upload(client, code=code, photos=[("scan.pdf", jpeg_pdf(pages)), ("017_2.jpg", jpeg_bytes())])
    said = html.unescape(both.get_data(as_text=True))
    assert both.status_code == 400 and "3 foto" not in said
    assert ("Berkas di kotak “Foto halaman 1” sudah berisi 2 halaman; dengan kotak lainnya ada 3 halaman, padahal "
            "lembar ini 2 halaman. Kirim berkas itu saja, atau satu foto per halaman.") in said
    other = [jpeg_bytes(color="#fcfcfc"), jpeg_bytes(color="#fbfbfb")]
    two = upload(client, code=code, photos=[("a.pdf", jpeg_pdf(pages)), ("b.pdf", jpeg_pdf(other))])
    assert ("Setiap berkas yang dipilih berisi beberapa halaman: semuanya 4 halaman, padahal lembar ini 2 halaman."
            in html.unescape(two.get_data(as_text=True)))
    english = upload(client, code=code, photos=[("017_1.jpg", jpeg_bytes()), ("scan.pdf", jpeg_pdf(pages))],
                     lang="en")
    assert ("The file in the “Photo of page 2” box already holds 2 pages; with the other box that makes 3 pages, "
            "but this sheet has 2.") in html.unescape(english.get_data(as_text=True))

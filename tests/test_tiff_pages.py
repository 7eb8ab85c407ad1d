"""TIFF scans (an office scanner's "scan to folder"): each page is taken out as a photo and graded like one."""
import io
import json
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from grader.errors import GraderError
from grader.photo.load import load_photo
from grader.photo.pdf_pages import photos_of
from grader.photo.tiff_pages import is_tiff

SAMPLES = Path(__file__).resolve().parents[1] / "sample_scans"
PAIR = ("s0001-p1.jpg", "s0001-p2.jpg")


def tiff_of(pages: list[Image.Image], **save) -> bytes:
    buf = io.BytesIO()
    pages[0].save(buf, "TIFF", save_all=True, append_images=pages[1:], **save)
    return buf.getvalue()


def test_a_tiff_scans_pages_come_out_as_their_pixels_and_pair_as_one_sheet():
    grey = [cv2.imread(str(SAMPLES / n), cv2.IMREAD_GRAYSCALE) for n in PAIR]
    for compression in (None, "tiff_lzw", "tiff_adobe_deflate"):
        data = tiff_of([Image.fromarray(g) for g in grey], **({"compression": compression} if compression else {}))
        assert is_tiff(data)
        pages = photos_of("kelas/Budi.tif", data)
        assert [n for n, _ in pages] == ["kelas/Budi p1.png", "kelas/Budi p2.png"]      # a pair, as a PDF's
        assert all(np.array_equal(load_photo(p, color=False).image, g) for (_, p), g in zip(pages, grey))
    colour = cv2.imread(str(SAMPLES / PAIR[0]))
    [(name, png)] = photos_of("Budi_1.tiff", tiff_of([Image.fromarray(colour[:, :, ::-1])]))
    assert name == "Budi_1.png" and np.array_equal(load_photo(png).image, colour)
    # a scanner's 16-bit grey page: its top eight bits
    deep = tiff_of([Image.fromarray(grey[0].astype(np.uint16) * 257)])
    assert np.array_equal(load_photo(photos_of("a.tif", deep)[0][1], color=False).image, grey[0])


def test_a_tiff_scan_is_graded_from_the_command_line_as_its_photos_are(tmp_path, capsys):
    """Input review: a TIFF was skipped as "not a photo" (the message named the types taken), though scanners in
    offices save TIFF. Its two pages are one sheet, graded as the same pixels sent as photos are."""
    from grader.cli import main

    key = str(SAMPLES / "keys" / json.loads((SAMPLES / "s0001-p1.truth.json").read_text())["exercise"])
    grey = [cv2.imread(str(SAMPLES / n), cv2.IMREAD_GRAYSCALE) for n in PAIR]
    scan = tmp_path / "s0001.tif"
    scan.write_bytes(tiff_of([Image.fromarray(g) for g in grey], compression="tiff_lzw"))
    assert main(["grade", str(tmp_path), "--key", key, "--json"]) == 0
    from_tiff = json.loads(capsys.readouterr().out)
    pngs = []
    for n, g in zip(PAIR, grey):
        pngs.append(tmp_path / "png" / n.replace(".jpg", ".png"))
        pngs[-1].parent.mkdir(exist_ok=True)
        cv2.imwrite(str(pngs[-1]), g)
    assert main(["grade", *map(str, pngs), "--key", key, "--json"]) == 0
    from_photos = json.loads(capsys.readouterr().out)

    def fields(result):
        return [(f["id"], f["value"], f["status"]) for f in result[0]["fields"]]
    assert len(from_tiff) == 1 and from_tiff[0]["status"] == "graded"
    assert from_tiff[0]["score"] == from_photos[0]["score"] and fields(from_tiff) == fields(from_photos)


def test_a_black_and_white_tiff_page_is_refused_as_such(tmp_path, capsys):
    from grader.cli import main

    grey = cv2.imread(str(SAMPLES / PAIR[0]), cv2.IMREAD_GRAYSCALE)
    bw = Image.fromarray(grey).point(lambda v: 255 if v > 128 else 0).convert("1")
    scan = tmp_path / "Budi.tif"
    scan.write_bytes(tiff_of([bw], compression="group4"))
    key = str(SAMPLES / "keys" / json.loads((SAMPLES / "s0001-p1.truth.json").read_text())["exercise"])
    main(["grade", str(scan), "--key", key, "--json"])
    [sheet] = json.loads(capsys.readouterr().out)
    assert sheet["status"] == "refused" and sheet["pages"][0]["refusal"]["code"] == "binarized_scan"


def test_damaged_huge_and_long_tiffs_are_refused_with_their_reason():
    data = tiff_of([Image.new("L", (400, 500), 200)], compression="tiff_lzw")
    with pytest.raises(GraderError) as exc:
        photos_of("a.tif", data[: len(data) // 2])
    assert exc.value.code == "corrupt_file" and "TIFF" in exc.value.message
    with pytest.raises(GraderError) as exc:
        photos_of("a.tif", tiff_of([Image.new("L", (40, 50), 200)] * 4), max_pages=3)
    assert exc.value.code == "too_many_pages"
    with pytest.raises(GraderError) as exc:
        photos_of("a.tif", data, max_bytes=len(data) - 1)
    assert exc.value.code == "too_large" and exc.value.message.startswith("The TIFF is larger")
    # (it said only that: what makes a scanner's TIFF smaller is said too)
    assert "compression (JPEG or LZW)" in exc.value.message and "kompresi (JPEG atau LZW)" in exc.value.message_id
    # a page of 280 MP in a few kilobytes (1200 dpi on A3): refused, not decoded
    huge = tiff_of([Image.new("1", (14_000, 20_000))], compression="group4")      # 280 MP, a few kB
    assert len(huge) < 200_000
    with pytest.raises(GraderError) as exc:
        photos_of("a.tif", huge)
    assert exc.value.code == "too_large"


def test_a_scan_larger_than_a_photo_may_be_is_reduced_to_fit(monkeypatch):
    import grader.photo.tiff_pages as tiff_pages

    monkeypatch.setattr(tiff_pages, "DEFAULT_MAX_PIXELS", 100_000)
    [(_, png)] = photos_of("a.tif", tiff_of([Image.new("L", (600, 500), 180)]))
    assert load_photo(png, color=False).image.shape == (250, 300)


def test_a_trainer_batch_takes_an_office_scanners_tiff_page_by_page():
    from grader.commands.serve import ensure_demo_data
    from grader.web.testing import batch_photo_names, log_in, make_test_app

    app = make_test_app()
    trainer = app.test_client()
    log_in(trainer)
    code = ensure_demo_data()
    stack = tiff_of([Image.new("RGB", (600, 800), c) for c in ("#fafafa", "#f9f9f9", "#f8f8f8")], compression="jpeg")
    page, names = batch_photo_names(app, trainer, code, [("SCAN_0001.TIF", stack), ("rusak.tif", b"II*\x00broken")])
    assert "rusak.tif" in page and "Hasil pindaian TIFF ini tidak bisa dibuka" in page
    assert names == [f"SCAN_0001 ({i}).png" for i in range(1, 4)]


def test_a_600_dpi_colour_page_is_reduced_to_a_photo_that_may_be_sent():
    """A scanner's 600 dpi colour A4 page (a 7.6 MB JPEG-coded TIFF) came out as a 45 MB PNG, which the web then
    refused as "The photo is larger than 25 MB. Send an ordinary phone photo.": a page is reduced by a whole factor
    until its PNG fits the photo limit it is held to."""
    from grader.web.photo_checks import check_photo

    rng = np.random.default_rng(0)
    colour = cv2.imread(str(SAMPLES / PAIR[0]))[:, :, ::-1]
    page = cv2.resize(colour, (colour.shape[1] * 3 // 2, colour.shape[0] * 3 // 2))
    page = np.clip(page + rng.normal(0, 3, page.shape), 0, 255).astype(np.uint8)        # a scanner's noise
    data = tiff_of([Image.fromarray(page)], compression="jpeg")
    [(_, png)] = photos_of("a.tif", data)
    assert len(png) > 4_000_000                       # (this page as it is does not fit a 4 MB limit)
    [(_, png)] = photos_of("a.tif", data, max_photo_bytes=4_000_000)
    check_photo(png, max_bytes=4_000_000)
    assert load_photo(png).image.shape[0] == page.shape[0] // 2


def test_a_trainees_tiff_is_their_sheets_pages_and_one_too_long_is_refused_in_tiff_words():
    """A trainee's two-page TIFF is stored as its two pages; one of more pages than the sheet, or the whole sheet sent
    to a one-page retake, was refused as "PDF ini berisi lebih dari …": the words name the file the trainee sent."""
    from test_web_trainee import _stored, upload

    from grader.commands.serve import ensure_demo_data
    from grader.web.testing import csrf_of, jpeg_bytes, make_test_app

    app = make_test_app()
    client = app.test_client()
    code = ensure_demo_data()
    pages = [Image.new("RGB", (600, 800), c) for c in ("#fafafa", "#f9f9f9", "#f8f8f8")]
    resp = upload(client, code=code, photos=[("017.tif", tiff_of(pages[:2], compression="tiff_lzw"))])
    assert resp.status_code == 302
    assert [name for name, _ in _stored(app, resp.location.rsplit("/", 1)[1])] == ["017 p1.png", "017 p2.png"]
    three = upload(client, code=code, photos=[("017.tif", tiff_of(pages))])
    assert three.status_code == 400
    assert "TIFF ini berisi lebih dari 2 halaman, padahal lembar ini 2 halaman" in three.get_data(as_text=True)
    # (a page the fake pipeline advises a retake of: its card offers "Foto ulang")
    resp = upload(client, code=code, photos=[("017_1.jpg", jpeg_bytes()), ("017_2_blur.jpg", jpeg_bytes(color="#f7f7f7"))])
    refused = client.post(resp.location + "/ulang", content_type="multipart/form-data", data={
        "csrf_token": csrf_of(client), "position": "2", "photo": (io.BytesIO(tiff_of(pages[:2])), "scan.tif")})
    assert refused.status_code == 400
    assert "TIFF ini berisi lebih dari satu halaman. Di sini kirim satu halaman saja" in refused.get_data(as_text=True)
    retaken = client.post(resp.location + "/ulang", content_type="multipart/form-data", data={
        "csrf_token": csrf_of(client), "position": "2", "photo": (io.BytesIO(tiff_of(pages[2:])), "hal2.tif")})
    assert retaken.status_code == 302
    assert _stored(app, retaken.location.rsplit("/", 1)[1])[1][0] == "hal2.png"


def test_the_command_line_names_a_tiff_past_its_size_limit_a_tiff(tmp_path, monkeypatch):
    """A scanner's TIFF past the command line's file limit was told "Send an ordinary phone photo …, or a PDF of fewer
    pages": the words name the TIFF, and what makes one smaller."""
    import grader.batch as batch

    monkeypatch.setattr(batch, "MAX_FILE_BYTES", 1000)
    monkeypatch.setattr(batch, "MAX_SCAN_BYTES", 1000)
    scan = tmp_path / "SCAN0001.TIF"
    scan.write_bytes(tiff_of([Image.new("L", (100, 100), 200)]))
    refusal = batch.read_photo_file(scan)
    assert refusal.code == "too_large" and "TIFF" in refusal.message and "PDF" not in refusal.message
    assert "TIFF" in refusal.message_id
    photo = tmp_path / "IMG_0001.jpg"
    photo.write_bytes(b"\xff\xd8\xff" + bytes(2000))
    assert "PDF" in batch.read_photo_file(photo).message           # (a photo's words as they were)


def test_a_scan_in_a_batchs_zip_is_held_to_a_scans_limit_not_a_photos():
    """A scanner's TIFF past a photo's limit was taken loose but skipped in a zip ("A file inside the zip is too large;
    skipped": a zipped scanner folder lost its class stack). In a zip a scan is held to the limit it has loose; any
    other member (a photo, a chat export's video) is still held to a photo's, and skipped unread past it."""
    import zipfile

    from grader.commands.serve import ensure_demo_data
    from grader.web.testing import batch_photo_names, jpeg_bytes, log_in, make_test_app

    app = make_test_app(MAX_PHOTO_BYTES=1024 * 1024)
    trainer = app.test_client()
    log_in(trainer)
    code = ensure_demo_data()
    stack = tiff_of([Image.new("L", (1000, 1100), c) for c in (250, 249)])        # 2.1 MB, its pages a few kB
    assert len(stack) > 2 * 1024 * 1024
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as zf:
        zf.writestr("kelas/SCAN0001.TIF", stack)
        zf.writestr("kelas/VID_0001.jpg", jpeg_bytes().ljust(3 * 1024 * 1024 // 2, b"\0"))
    page, names = batch_photo_names(app, trainer, code, [("kelas.zip", zipped.getvalue())])
    assert names == ["kelas/SCAN0001 p1.png", "kelas/SCAN0001 p2.png"]
    assert "kelas.zip: kelas/VID_0001.jpg" in page and "Berkas di dalam zip terlalu besar" in page


def _cut_in_its_last_page(pages: list[Image.Image]) -> bytes:
    """A multi-page TIFF whose last page's pixels are cut short (a copy interrupted, a scanner's disk full)."""
    data = tiff_of(pages, compression="tiff_lzw")
    with Image.open(io.BytesIO(data)) as tiff:
        tiff.seek(len(pages) - 1)
        start = tiff.tag_v2[273][0]                 # where the last page's pixels begin (its first strip)
    return data[:start + 200] + bytes(len(data) - start - 200)


def test_a_tiff_damaged_in_its_last_page_keeps_the_pages_before_it(tmp_path, capsys):
    """A copier's stack whose last page was cut short lost every page: the whole TIFF was refused as damaged. The
    pages before the damaged one are graded; that page is refused by its name, saying which page to scan again."""
    from grader.batch import photos_in
    from grader.commands.serve import ensure_demo_data
    from grader.web.testing import batch_photo_names, log_in, make_test_app

    pages = [Image.new("L", (600, 800), 250 - i) for i in range(3)]
    data = _cut_in_its_last_page(pages)
    got = list(photos_in("kelas/SCAN0001.TIF", data))
    assert [n for n, _ in got] == ["kelas/SCAN0001 (1).png", "kelas/SCAN0001 (2).png", "kelas/SCAN0001 (3).png"]
    assert [isinstance(p, bytes) for _, p in got] == [True, True, False]
    assert got[2][1].code == "corrupt_file" and "Page 3 of this TIFF scan, and any page after it" in got[2][1].message

    app = make_test_app()
    trainer = app.test_client()
    log_in(trainer)
    page, names = batch_photo_names(app, trainer, ensure_demo_data(), [("SCAN0001.TIF", data)])
    assert names == ["SCAN0001 (1).png", "SCAN0001 (2).png"]
    assert "SCAN0001.TIF</code>: Halaman 3 dari hasil pindaian TIFF ini, dan halaman sesudahnya" in page


def test_a_600_dpi_page_is_read_at_300_dpi_and_a_black_and_white_page_stays_black_and_white():
    """A 600 dpi page was encoded whole before it was found too heavy (3.4 s of a colour A4 page's 5.8 s): a page
    whose scan says a resolution of 600 dpi or more is reduced to 300 dpi or more first, while it keeps the pixels
    a sheet is read at (a page claiming 600 dpi at 2,000 px is no A4 page at 600 dpi, and is kept). A one-bit page
    reduced stays one-bit (it was averaged into grey, and so escaped its refusal as a black-and-white scan)."""
    import grader.photo.tiff_pages as tiff_pages

    [(_, png)] = photos_of("a.tif", tiff_of([Image.new("L", (4000, 6200), 200)], dpi=(600, 600)))
    assert load_photo(png, color=False).image.shape == (3100, 2000)
    [(_, png)] = photos_of("a.tif", tiff_of([Image.new("L", (1500, 2000), 200)], dpi=(600, 600)))
    assert load_photo(png, color=False).image.shape == (2000, 1500)
    rng = np.random.default_rng(1)
    bits = Image.fromarray((rng.random((800, 600)) > 0.5).astype(np.uint8) * 255).convert("1")
    old = tiff_pages.DEFAULT_MAX_PIXELS
    try:
        tiff_pages.DEFAULT_MAX_PIXELS = 200_000                  # (480,000 pixels: halved)
        [(_, png)] = photos_of("a.tif", tiff_of([bits], compression="group4"))
    finally:
        tiff_pages.DEFAULT_MAX_PIXELS = old
    grey = np.asarray(Image.open(io.BytesIO(png)))
    assert grey.shape == (400, 300) and set(np.unique(grey)) <= {0, 255}


def test_a_page_past_the_size_limit_after_others_keeps_the_pages_before_it():
    """A stack whose later page declares 144 MP (a few kilobytes of fax coding) was refused whole: the pages before it
    are taken, and that page is refused as too large, saying which."""
    from grader.batch import photos_in

    stack = tiff_of([Image.new("1", (600, 800), 1), Image.new("1", (12_000, 12_000), 1)], compression="group4")
    got = list(photos_in("SCAN0002.TIF", stack))
    assert [n for n, _ in got] == ["SCAN0002 p1.png", "SCAN0002 p2.png"] and isinstance(got[0][1], bytes)
    assert got[1][1].code == "too_large" and got[1][1].message.startswith("Page 2 of this TIFF scan has more than")
    assert got[1][1].message_id.startswith("Halaman 2 dari hasil pindaian TIFF ini lebih dari")


def test_a_cameras_raw_photo_is_no_tiff_scan():
    """A phone's RAW photo (DNG, saved beside its JPEG in the camera folder a trainer copies) is a TIFF by its first
    bytes: its small preview was taken as a scan's page and graded, a refused sheet of nobody in the class table
    (before TIFFs were read, it was skipped as not a photo). It is refused as a RAW photo, saying to send the JPEG."""
    from PIL import TiffImagePlugin

    info = TiffImagePlugin.ImageFileDirectory_v2()
    info[254] = 1                                   # NewSubfileType: a reduced-resolution image (the preview)
    info[50706] = b"\x01\x04\x00\x00"               # DNGVersion 1.4
    info.tagtype[50706] = 1                          # (BYTE)
    dng = tiff_of([Image.new("RGB", (256, 192), "white")], tiffinfo=info)
    with pytest.raises(GraderError) as exc:
        photos_of("DCIM/Camera/PXL_20251205_081500.dng", dng)
    assert exc.value.code == "not_an_image" and "RAW" in exc.value.message and "JPEG" in exc.value.message_id
    # a scanner's page with a NewSubfileType of 2 (a page of a multi-page file) is read
    page = TiffImagePlugin.ImageFileDirectory_v2()
    page[254] = 2
    assert len(photos_of("SCAN.TIF", tiff_of([Image.new("L", (60, 80), 200)], tiffinfo=page))) == 1

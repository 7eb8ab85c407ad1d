"""A file past the server's size limits is refused in the browser, before minutes of upload on a weak network end in a
refusal: on the upload form and on a result page's photo forms, with the limits the server renders.

The server here takes photos of at most 1 MB (the defaults' 25 MB scaled down: a two-page PDF 2 MB, a request 3 MB),
so the files are small to make. The fake pipeline (grader.web.testing) is enough: what is tested is the page.
"""
import pytest

from tests.browser.test_weak_network import RESULT_FORMS, _phone, _result_with_form

pytestmark = [pytest.mark.browser, pytest.mark.slow]
MB = 1024 * 1024


@pytest.fixture
def small_limits_server(isolated_data_dir):
    from tests.browser.conftest import _serve
    yield from _serve({"JOBS_MODE": "thread", "JOBS_WORKERS": 2, "PIPELINE": "grader.web.testing",
                       "MAX_PHOTO_BYTES": MB, "MAX_UPLOAD_BYTES": 3 * MB})


def photo(name, size):
    from grader.web.testing import jpeg_bytes
    return {"name": name, "mimeType": "image/jpeg", "buffer": jpeg_bytes().ljust(size, b"\0")}


def pdf(name, size):
    return {"name": name, "mimeType": "application/pdf", "buffer": b"%PDF-1.7\n".ljust(size, b"\0")}


def tiff(name, size):
    """An office scanner's TIFF (told by its first bytes, as the server tells it: grader.photo.tiff_pages.is_tiff)."""
    return {"name": name, "mimeType": "image/tiff", "buffer": b"II*\x00".ljust(size, b"\0")}


def sent_unless_said(page, alert, send, posts, said, *, answer) -> bool:
    """Whether ``send()`` sent the chosen files: once, the server answering ``answer``, when the form's ``alert``
    says nothing (``said`` None); else it says ``said``, and nothing is sent."""
    if said is None:
        page.wait_for_timeout(300)                                  # (the check reads the files' first bytes)
        assert alert.is_hidden()
        send()
        page.wait_for_selector(f"text={answer}", timeout=10_000)
        assert len(posts) == 1, posts
        return True
    alert.wait_for(state="visible", timeout=5_000)
    assert alert.inner_text() == said
    send()
    page.wait_for_timeout(500)
    assert posts == [] and alert.inner_text() == said
    return False


# (what is chosen for page 1 and page 2, what the form's alert says then: None, nothing, and the form is sent)
UPLOADS = {
    "photo_too_large": ((photo("IMG_20250114.jpg", 3 * MB // 2), None),
                        "IMG_20250114.jpg berukuran 2 MB, padahal satu foto paling besar 1 MB. Pilih foto lembar dari "
                        "kamera ponsel, bukan video atau berkas lain."),
    "pdf_too_large": ((pdf("Pindaian Budi.pdf", 5 * MB // 2), None),
                      "PDF Pindaian Budi.pdf berukuran 3 MB, padahal PDF paling besar 2 MB. Simpan PDF-nya lebih kecil "
                      "di aplikasi pemindai, atau kirim foto lembarnya."),
    "together_too_large": ((pdf("Pindaian Budi.pdf", 2 * MB - 10), photo("hal2.jpg", MB - 10)),
                           "Ukuran semua berkas yang dipilih 3 MB, padahal satu kiriman paling besar 2 MB. "
                           "Kirim satu foto per halaman, atau satu PDF yang berisi kedua halaman."),
    # past a photo's limit, within a two-page PDF's: the server takes it, so the browser does too (it refused it as a
    # photo), also when its name does not say PDF (told by its first bytes, as the server does)
    "pdf_of_both_pages": ((pdf("Pindaian Budi.pdf", 3 * MB // 2), None), None),
    # (page 2 is named so the stand-in pipeline reads it as page 2 alone: the sheet lacks page 1, and the result's
    # "complete this sheet" card says why, as the waiting page did; a whole sheet's result would say nothing, and the
    # test raced the grading)
    "pdf_named_as_a_photo": ((pdf("scan.jpg", 3 * MB // 2) | {"mimeType": "image/jpeg"}, photo("scan_solo_2.jpg", MB)),
                             None),
    # a scanner's TIFF is held to a PDF's limit, as the server holds it (it was refused as a photo past 1 MB), and
    # one past it is named a TIFF
    "tiff_of_both_pages": ((tiff("SCAN_0001.TIF", 3 * MB // 2), None), None),
    "tiff_too_large": ((tiff("SCAN_0001.TIF", 5 * MB // 2), None),
                       "TIFF SCAN_0001.TIF berukuran 3 MB, padahal TIFF paling besar 2 MB. Pindai ulang dengan resolusi "
                       "lebih rendah atau dengan kompresi (JPEG atau LZW), atau kirim foto lembarnya."),
}


@pytest.mark.parametrize("case", sorted(UPLOADS))
def test_the_upload_form_refuses_a_file_past_the_servers_limits_before_sending_it(browser, small_limits_server, shots,
                                                                                 case):
    (page_1, page_2), said = UPLOADS[case]
    srv = small_limits_server
    ctx, page = _phone(browser)
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    page.goto(srv["url"] + "/")
    page.fill("#code", srv["code"])
    page.set_input_files("#photo_1", files=[page_1])
    if page_2:
        page.set_input_files("#photo_2", files=[page_2])
    alert = page.locator("form[data-progress] [role=alert]")
    send = lambda: page.tap("button[type=submit]")                  # noqa: E731
    if sent_unless_said(page, alert, send, posts, said, answer="ini tidak bisa dibuka"):   # (no real PDF or TIFF)
        ctx.close()
        return
    shots(page, f"phone-trainee-upload-{case.replace('_', '-')}")
    assert page.evaluate("document.querySelector('button[type=submit]').textContent.trim()") == "Kirim dan nilai"
    page.set_input_files("#photo_1", files=[photo("hal1.jpg", MB // 2)])      # a phone photo instead: the alert goes
    page.set_input_files("#photo_2", files=[])
    alert.wait_for(state="hidden", timeout=5_000)
    page.tap("button[type=submit]")
    page.wait_for_selector("text=Hasil penilaian", timeout=15_000)
    assert len(posts) == 1, posts
    ctx.close()


@pytest.mark.parametrize("form", sorted(RESULT_FORMS))
def test_a_retake_or_an_added_page_past_the_limit_is_not_sent(browser, small_limits_server, tmp_path, form):
    """A retake (or a sheet's missing page) is sent as soon as its file is chosen, and had no size check at all: a
    whole sheet's PDF chosen for one page went up in full before the server refused it."""
    _, selector, address, _ = RESULT_FORMS[form]
    ctx, page = _phone(browser)
    html_form = _result_with_form(page, small_limits_server, tmp_path, form)
    result_url, sent = page.url, []
    page.on("request", lambda r: sent.append(r.url) if r.method == "POST" else None)
    page.set_input_files(selector, files=[pdf("Lembar lengkap.pdf", 3 * MB // 2)])
    alert = html_form.locator("[role=alert]")
    alert.wait_for(state="visible", timeout=5_000)
    assert alert.inner_text() == ("PDF Lembar lengkap.pdf berukuran 2 MB, padahal PDF paling besar 1 MB. Simpan PDF-nya "
                                  "lebih kecil di aplikasi pemindai, atau kirim foto lembarnya.")
    page.wait_for_timeout(500)
    state = html_form.evaluate("""f => ({resend: !f.querySelector('[data-resend]').hidden,
        label: f.querySelector('label.button').textContent.trim(), focused: document.activeElement.getAttribute('role')})""")
    assert sent == [] and state == {"resend": False, "label": "Foto ulang" if form == "retake" else "Foto halaman 2",
                                    "focused": "alert"}, (sent, state)
    page.set_input_files(selector, files=[photo("baru.jpg", MB // 2)])         # a photo instead: sent at once
    page.wait_for_url(lambda url: url != result_url, timeout=15_000)
    page.wait_for_selector("text=Hasil penilaian", timeout=15_000)
    assert len(sent) == 1 and address.strip("*") in sent[0], sent
    ctx.close()


def zip_file(name, size):
    return {"name": name, "mimeType": "application/zip", "buffer": b"PK\x03\x04".ljust(size, b"\0")}


@pytest.fixture
def small_batch_limits_server(isolated_data_dir):
    """Photos of at most 1 MB (a batch's PDF 20 MB, held to the upload's 4 MB), a batch's files 4 MB together (its request 5 MB, less the room
    batch_limits keeps for the form), and 6 files at most."""
    from grader.web.trainer.batch_files import BATCH_FORM_ROOM_BYTES
    from tests.browser.conftest import _serve
    from grader.web import FORM_PARTS_ROOM
    yield from _serve({"JOBS_MODE": "thread", "JOBS_WORKERS": 2, "PIPELINE": "grader.web.testing",
                       "MAX_PHOTO_BYTES": MB, "MAX_CONTENT_LENGTH": 4 * MB + BATCH_FORM_ROOM_BYTES,
                       "MAX_FORM_PARTS": FORM_PARTS_ROOM + 6})


# (the page's language, the files chosen at once, what the form's alert says then: None, nothing, and it is sent)
BATCHES = {
    "photo_too_large": ("id", [photo("017_1.jpg", MB // 2), photo("VID_20250114.jpg", 3 * MB // 2)],
                        "VID_20250114.jpg berukuran 2 MB, padahal satu foto paling besar 1 MB. Pilih lagi tanpa "
                        "berkas itu: foto lembar dari ponsel jauh lebih kecil."),
    # a PDF is held to the upload's limit where its own (20 photos') is higher: said so, not "20 MB"
    "pdf_too_large": ("id", [pdf("Pindaian kelas.pdf", 21 * MB)],
                      "PDF Pindaian kelas.pdf berukuran 21 MB, padahal satu PDF paling besar 4 MB. Pindai ulang "
                      "dengan resolusi lebih rendah, atau bagi PDF-nya menjadi beberapa berkas."),
    "zip_too_large": ("id", [zip_file("Kelas A.zip", 9 * MB // 2)],
                      "Zip Kelas A.zip berukuran 5 MB, padahal satu unggahan paling besar 4 MB. Bagi fotonya ke "
                      "beberapa zip, lalu unggah satu per satu."),
    "zip_too_large_in_english": ("en", [zip_file("Kelas A.zip", 9 * MB // 2)],
                                 "The zip Kelas A.zip is 5 MB, but one upload may be at most 4 MB. Split its photos "
                                 "into several zips and upload them one at a time."),
    "together_too_large": ("id", [zip_file("Kelas A.zip", 3 * MB), pdf("Pindaian.pdf", 3 * MB // 2)],
                           "Ukuran semua berkas yang dipilih 5 MB, padahal satu unggahan paling besar 4 MB. "
                           "Unggah dalam beberapa bagian."),
    # past a photo's limit, within the upload's: the server opens a zip of any size the upload takes, and so the
    # browser sends it, also when its name does not say zip (told by its first bytes, as the server does)
    "zip_within_the_upload": ("id", [zip_file("Kelas A.zip", 3 * MB)], None),
    # a scanner's TIFF of a class's stack, past a photo's limit: held to a PDF's, as the server holds it (it was
    # refused as a photo)
    "tiff_within_its_limit": ("id", [tiff("SCAN_0001.TIF", 3 * MB)], None),
    # more files than the server's form parser takes (its MAX_FORM_PARTS, here 6 files): said, not sent; as many as
    # it takes are sent (the server then finds no real zip among them)
    "too_many_files": ("id", [zip_file(f"Kelas {n}.zip", 1000) for n in range(7)],
                       "Dipilih 7 berkas, padahal satu unggahan paling banyak 6. Unggah dalam beberapa bagian."),
    "as_many_files_as_it_takes": ("id", [zip_file(f"Kelas {n}.zip", 1000) for n in range(6)], None),
    "zip_named_as_a_photo": ("id", [zip_file("kelas.jpg", 2 * MB) | {"mimeType": "image/jpeg"}], None),
}


@pytest.mark.parametrize("case", sorted(BATCHES))
def test_the_batch_form_refuses_a_file_past_the_servers_batch_limits_before_sending_it(
        browser, small_batch_limits_server, shots, case):
    """The trainer's batch input had no size check at all: a video among a class's photos, or a zip past the
    upload's limit, went up in full on the training room's Wi-Fi before the server skipped or refused it."""
    from tests.browser.test_browser import trainer_page
    lang, files, said = BATCHES[case]
    srv = small_batch_limits_server
    ctx, page = trainer_page(browser, srv)
    page.goto(srv["url"] + f"/trainer/latihan/{srv['code']}?lang={lang}")
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    form = page.locator("form[action$='/batch']")
    page.set_input_files("input[name=photos]", files=files)
    alert = form.locator("[role=alert]")
    send = form.locator("button[type=submit]").click
    if sent_unless_said(page, alert, send, posts, said, answer="Tidak ada foto yang bisa dinilai"):   # (no real zip)
        ctx.close()
        return
    shots(page, f"trainer-batch-{case.replace('_', '-')}")
    page.set_input_files("input[name=photos]", files=[photo("017_1.jpg", MB // 2)])   # a photo instead: it goes
    alert.wait_for(state="hidden", timeout=5_000)
    form.locator("button[type=submit]").click()
    page.wait_for_selector("#batch", timeout=15_000)
    assert len(posts) == 1, posts
    ctx.close()

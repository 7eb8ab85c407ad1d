"""The classroom screen and the handout bring phones to the upload page with the exercise code filled in."""
import re

import cv2
import numpy as np
import pytest

from grader.commands.serve import ensure_demo_data
from grader.web.testing import TEST_PASSWORD, make_test_app
from grader.web.trainer.screen import qr_svg, reachable_by_phones, split_host

LAN = "http://192.168.1.20:8000"


def _trainer(app, base: str):
    client = app.test_client()
    html = client.get("/trainer/masuk", base_url=base).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    client.post("/trainer/masuk", base_url=base, data={"csrf_token": token, "name": "Ibu Sari",
                                                       "password": TEST_PASSWORD})
    return client


@pytest.mark.parametrize("host, phones", [
    ("192.168.1.20:8000", True), ("kelas.local", True), ("[fe80::1]:8000", True), ("10.0.0.5", True),
    ("localhost:8000", False), ("127.0.0.1:8000", False), ("127.0.1.1", False), ("[::1]:8000", False),
    ("app.localhost:5000", False),
    # `grader serve --host 0.0.0.0` prints http://0.0.0.0:8000/, and a browser on the laptop opens it; a phone cannot
    ("0.0.0.0:8000", False), ("[::]:8000", False)])
def test_which_addresses_a_phone_can_open(host, phones):
    assert reachable_by_phones(host) is phones


def test_host_and_port_are_split_for_ipv4_names_and_ipv6():
    assert split_host("192.168.1.20:8000") == ("192.168.1.20", "8000")
    assert split_host("[::1]:8080") == ("::1", "8080") and split_host("kelas.local") == ("kelas.local", None)


def test_the_svg_draws_exactly_the_qr_modules():
    from grader.sheet.render import qr_matrix

    url = f"{LAN}/?kode=ABC123"
    svg = qr_svg(url)
    matrix = qr_matrix(url)
    drawn = np.full(matrix.shape, 255, np.uint8)
    for x, y in re.findall(r"M(\d+) (\d+)h1v1h-1z", svg):
        drawn[int(y), int(x)] = 0
    assert np.array_equal(drawn, matrix)
    big = cv2.resize(drawn, None, fx=8, fy=8, interpolation=cv2.INTER_NEAREST)
    assert cv2.QRCodeDetector().detectAndDecode(big)[0] == url


def test_the_screen_shows_a_qr_of_the_upload_page_with_the_code(isolated_data_dir):
    app = make_test_app()
    code = ensure_demo_data()
    trainer = _trainer(app, LAN)
    assert f'/trainer/latihan/{code}/layar"' in trainer.get(f"/trainer/latihan/{code}", base_url=LAN).get_data(
        as_text=True)
    html = trainer.get(f"/trainer/latihan/{code}/layar", base_url=LAN).get_data(as_text=True)
    said = re.sub(r"<[^>]+>", "", re.search(r'<b class="screen-url">(.*?)</b>', html).group(1))   # (a <wbr> in it)
    assert "<svg" in html and said == f"{LAN}/?kode={code}" and "make run" not in html
    # the address it shows opens the upload form with the code filled in
    form = app.test_client().get(f"/?kode={code}", base_url=LAN).get_data(as_text=True)
    assert f'value="{code}"' in form


def test_on_the_servers_own_address_the_screen_says_how_to_reach_the_phones(isolated_data_dir):
    app = make_test_app()
    code = ensure_demo_data()
    local = "http://127.0.0.1:8123"
    html = _trainer(app, local).get(f"/trainer/latihan/{code}/layar", base_url=local).get_data(as_text=True)
    assert "<svg" not in html and "Ponsel peserta belum bisa membuka alamat ini" in html
    assert "HOST=0.0.0.0 PORT=8123 make run" in html and code in html


def test_the_steps_name_this_computers_network_address_and_its_data_folder(isolated_data_dir, monkeypatch):
    """Rehearsal (helper-140): the steps said "open this page through this computer's network address (e.g.
    http://192.168.1.20:8000)" without saying what it is, and told a trainer serving another data folder to run
    "make run", which serves the default one: an app without the class's exercises."""
    import grader.web.trainer.screen as screen
    app = make_test_app()
    code = ensure_demo_data()
    local = "http://127.0.0.1:8123"
    monkeypatch.setattr(screen, "lan_addresses", lambda: ["192.168.1.20", "10.0.0.5"])
    html = _trainer(app, local).get(f"/trainer/latihan/{code}/layar", base_url=local).get_data(as_text=True)
    for ip in ("192.168.1.20", "10.0.0.5"):
        assert f'<a href="http://{ip}:8123/trainer/latihan/{code}/layar">' in html
    assert f"GRADER_DATA_DIR={isolated_data_dir.resolve()} HOST=0.0.0.0 PORT=8123 make run" in html
    assert f"GRADER_DATA_DIR={isolated_data_dir.resolve()} grader serve --host 0.0.0.0 --port 8123" in html
    monkeypatch.setattr(screen, "lan_addresses", lambda: [])          # on no network: the example, as before
    html = _trainer(app, local).get(f"/trainer/latihan/{code}/layar", base_url=local).get_data(as_text=True)
    assert "mis. http://192.168.1.20:8123/trainer" in html


def test_this_computers_network_addresses_leave_out_loopback_and_link_local(monkeypatch):
    import socket

    from grader.web import lan_address
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: [(2, 2, 17, "", (ip, 0)) for ip in
                                                                   ("127.0.1.1", "169.254.3.4", "192.168.1.20")])
    found = lan_address.lan_addresses()
    assert "127.0.1.1" not in found and "169.254.3.4" not in found and "192.168.1.20" in found


@pytest.mark.parametrize("base, expect_qr", [(LAN, True), ("http://localhost:8000", False)])
def test_the_handout_ends_with_the_upload_qr_where_phones_can_open_it(isolated_data_dir, base, expect_qr):
    import io

    from pypdf import PdfReader

    app = make_test_app()
    code = ensure_demo_data()
    pdf = _trainer(app, base).get(f"/trainer/latihan/{code}/soal.pdf", base_url=base)
    assert pdf.status_code == 200
    last = np.array(PdfReader(io.BytesIO(pdf.data)).pages[-1].images[0].image.convert("L"))
    found = cv2.QRCodeDetector().detectAndDecode(last)[0]
    assert found == (f"{base}/?kode={code}" if expect_qr else "")
    # (helper-145: printed from 127.0.0.1 the handout had no QR and nothing said so; the exercise page now does)
    page = _trainer(app, base).get(f"/trainer/latihan/{code}", base_url=base).get_data(as_text=True)
    assert ("soal dicetak tanpa kode QR" in page) is not expect_qr

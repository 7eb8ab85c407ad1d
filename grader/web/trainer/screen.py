"""Bringing a class to the upload page: a projector screen with a QR code, and the same on the handout.

In a bimtek room the trainees' phones must find the laptop serving this app. Typing an address such as
``http://192.168.1.20:8000`` and a six-letter code on a phone is where uploads went astray (a mistyped code is
held until someone fixes it). The screen shows one QR code that opens the upload page with the exercise code
already filled in (``/?kode=CODE``). An address the phones cannot reach (the server's own ``127.0.0.1``) gets no
QR code at all, but the steps to serve the class's network instead.
"""
from __future__ import annotations

import ipaddress
import os
from pathlib import Path

import numpy as np
from flask import current_app, render_template, request, url_for

from grader import config
from grader.web.lan_address import lan_addresses
from grader.web.trainer import bp
from grader.web.trainer.exercises import get_key


def upload_url(code: str) -> str:
    """The upload page with ``code`` filled in, at the address this request came to."""
    return url_for("trainee.upload_form", kode=code, _external=True)


def split_host(host: str) -> tuple[str, str | None]:
    """``(name, port)`` of a Host header: ``"192.168.1.20:8000"``, ``"[::1]:8000"``, ``"kelas.local"``."""
    if host.startswith("["):                       # an IPv6 literal keeps its colons inside the brackets
        name, _, rest = host[1:].partition("]")
        return name, rest[1:] or None
    name, _, port = host.partition(":")
    return name, port or None


def reachable_by_phones(host: str) -> bool:
    """False for a loopback address (``localhost``, ``127.0.0.1``, ``[::1]``): on a phone, that is the phone; and
    for ``0.0.0.0`` (``[::]``), the address ``grader serve --host 0.0.0.0`` prints, which a laptop's browser opens
    as itself and a phone cannot open at all."""
    name = split_host(host)[0].lower()
    if name == "localhost" or name.endswith(".localhost"):
        return False
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return True         # a host name: the trainer reached it by name, the phones on the network can too
    return not (address.is_loopback or address.is_unspecified)


def qr_svg(text: str, *, module_px: int = 10) -> str:
    """``text`` as a QR code in inline SVG: crisp at any projector size, no image request."""
    from grader.sheet.render import qr_matrix

    matrix = qr_matrix(text)
    dark, n = np.argwhere(matrix == 0), matrix.shape[0]
    path = "".join(f"M{x} {y}h1v1h-1z" for y, x in dark)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {n} {n}" width="{n * module_px}" '
            f'height="{n * module_px}" shape-rendering="crispEdges" role="img" aria-label="QR">'
            f'<rect width="{n}" height="{n}" fill="#fff"/><path d="{path}" fill="#000"/></svg>')


@bp.get("/latihan/<code>/layar")
def screen(code: str):
    """The projector page: the exercise code, the upload address, and its QR code when phones can reach it."""
    key = get_key(code)
    url = upload_url(key.exercise)
    reachable = reachable_by_phones(request.host)
    port = split_host(request.host)[1] or "80"
    if reachable:
        return render_template("trainer/screen.html", key=key, url=url, reachable=True, qr=qr_svg(url), port=port)
    # (the addresses to open this page at, once the server serves the network; and its data folder, when it is not
    # the default one, which "make run" alone would serve: an empty app, the class's exercises not in it)
    here = url_for("trainer.screen", code=key.exercise)
    data = Path(current_app.config["DATA_DIR"]).resolve()
    return render_template("trainer/screen.html", key=key, url=url, reachable=False, port=port,
                           lan_urls=[f"http://{ip}:{port}{here}" for ip in lan_addresses()],
                           data_dir=None if data == config.data_dir() and "GRADER_DATA_DIR" not in os.environ
                           else str(data))

"""This computer's addresses on the class's network, for the class screen's steps when phones cannot reach it yet.

A trainer who opened the app at ``127.0.0.1`` was told to open it "through this computer's network address (e.g.
http://192.168.1.20:8000)", without being told what that address is (helper-140): finding it takes a terminal
command few trainers know.
"""
from __future__ import annotations

import ipaddress
import socket

#: TEST-NET-1 (RFC 5737): connecting a UDP socket to it picks the interface the default route leaves by, and sends
#: nothing
_PROBE = ("192.0.2.1", 9)


def lan_addresses() -> list[str]:
    """This computer's IPv4 addresses that phones on its network may reach (not loopback, link-local or
    unspecified), best first: the one the default route leaves by, then the others its host name resolves to.
    Empty when it is on no network."""
    found: list[str] = []
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(_PROBE)
            found.append(s.getsockname()[0])
    except OSError:
        pass
    try:
        found += [info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)]
    except OSError:
        pass
    out: list[str] = []
    for text in found:
        address = ipaddress.ip_address(text)
        if not (address.is_loopback or address.is_link_local or address.is_unspecified) and text not in out:
            out.append(text)
    return out

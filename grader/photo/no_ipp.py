"""Run OpenCV calls made of many small steps without Intel IPP.

OpenCV hands many steps to IPP, which on each call asks the processor about itself (``cpuid``). On a virtual
machine that instruction traps to the hypervisor, so every IPP step pays a fixed toll of some microseconds: the
ArUco detector (a warp and a threshold per candidate quad, hundreds per page) and the QR decoder pay it hundreds
of times on small images, where OpenCV's own code is faster. Measured on a 12 MP page 2 on the 2-core VM: marker
detection 24 ms with IPP, 5.5 ms without; the QR crop's detect-and-decode 15 ms and 7 ms; the same markers
and payloads on the dev photos. The small filters of the curl pass and of the tally and bubble readers (some
thirty a tally field) pay it too, a few milliseconds a page in all. Large single calls (the page warp) and the
bubble rings' template matching (three times faster with IPP) keep it, and so do the resizes of float maps,
whose values IPP rounds differently.

OpenCV keeps the switch per thread, so turning it off here leaves the other threads (the field readers) alone.
"""
from __future__ import annotations

import contextlib
from collections.abc import Iterator

import cv2


@contextlib.contextmanager
def without_ipp() -> Iterator[None]:
    """Turn IPP off in this thread for the block, then back to what it was."""
    was = cv2.ipp.useIPP()
    cv2.ipp.setUseIPP(False)
    try:
        yield
    finally:
        cv2.ipp.setUseIPP(was)

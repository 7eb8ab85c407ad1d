"""Sampling the photo at frame coordinates through the inverse homography, against the two-map formulation."""
import cv2
import numpy as np
import pytest

from grader.photo.print_grid import photo_sampler


def _reference(gray, homography, mx, my):
    """The points interleaved, mapped to the photo, and sampled through two separate float32 maps."""
    pts = np.stack([mx.ravel(), my.ravel()], axis=1).astype(np.float64).reshape(-1, 1, 2)
    cv2.ipp.setUseIPP(False)
    try:
        photo = cv2.perspectiveTransform(pts, np.linalg.inv(homography)).reshape(mx.shape + (2,)).astype(np.float32)
        return cv2.remap(gray, photo[..., 0], photo[..., 1], cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                         borderValue=255)
    finally:
        cv2.ipp.setUseIPP(True)


@pytest.mark.parametrize("shape", [(88, 666), (7, 121), (1, 5), (300,)])
def test_photo_sampler_is_the_two_map_sampling(shape):
    rng = np.random.default_rng(len(shape) * 100 + shape[0])
    gray = rng.integers(0, 256, (900, 700), dtype=np.uint8)
    homography = np.array([[1.1, 0.05, -40.0], [-0.03, 0.95, 25.0], [1e-5, -2e-5, 1.0]])
    mx = rng.uniform(-60, 820, shape).astype(np.float32)          # (some points fall off the photo: paper white)
    my = rng.uniform(-60, 1000, shape).astype(np.float32)
    got = photo_sampler(gray, homography)(mx, my)
    want = _reference(gray, homography, mx, my)
    assert got.shape == want.shape and got.dtype == want.dtype and np.array_equal(got, want)

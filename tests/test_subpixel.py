"""The shared parabola vertex used by every sub-pixel measurement."""
import numpy as np
import pytest

from grader.subpixel import parabola_offset


def test_finds_the_vertex_of_a_sampled_parabola_either_way_up():
    for vertex in (-0.4, -0.1, 0.0, 0.25, 0.45):
        f = [-(x - vertex) ** 2 for x in (-1, 0, 1)]
        assert parabola_offset(*f, extremum="max", limit=0.5) == pytest.approx(vertex)
        assert parabola_offset(*(-v for v in f), extremum="min", limit=0.5) == pytest.approx(vertex)


def test_zero_where_the_samples_bend_the_wrong_way_or_are_flat_and_clipped_to_the_limit():
    f0, f1, f2 = np.array([1.0, 2.0, 0.0]), np.array([0.0, 2.0, 1.0]), np.array([2.0, 2.0, 3.0])
    # a dip asked for a peak, a flat run, and a peak well beyond the middle sample
    out = parabola_offset(np.array([1.0, 2.0, 0.0]), np.array([0.0, 2.0, 2.9]), np.array([2.0, 2.0, 3.0]),
                          extremum="max", limit=0.5)
    np.testing.assert_allclose(out, [0.0, 0.0, 0.5])
    assert parabola_offset(f0, f1, f2, extremum="min", limit=1.0)[0] == pytest.approx(-1 / 6)
    with pytest.raises(ValueError):
        parabola_offset(f0, f1, f2, extremum="peak", limit=1.0)

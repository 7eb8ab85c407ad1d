"""Twenty uploads at the same moment, through waitress on loopback: nothing lost, every one graded."""
from grader.web.bench_load import run_load_check
from grader.web.testing import jpeg_bytes


def test_twenty_simultaneous_uploads_are_all_graded(caplog):
    caplog.set_level("WARNING", logger="waitress.queue")
    report = run_load_check(uploads=20, photos=[("halaman_1.jpg", jpeg_bytes((1200, 1600)))],
                            pipeline="grader.web.testing", timeout_s=120, workers=2)
    assert report.lost == 0 and report.graded == 20 and report.failed == 0, report
    assert report.notes == ["photos: given"]
    assert 0 < report.median_s <= report.p95_s <= report.max_s
    # the requests queueing for the server's threads (the point of the check) are counted, not a warning each
    assert not [r for r in caplog.records if r.name == "waitress.queue"] and report.max_queue_depth >= 0

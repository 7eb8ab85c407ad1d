"""The fake pipeline (grader.web.testing), taking ``DELAY_S`` seconds a sheet: a result page stays pending a while."""
import time

from grader.web import testing
from grader.web.testing import redraw_feedback, regrade  # noqa: F401 - the pipeline's contract

DELAY_S = 3.0


def grade_upload(files, **kw):
    time.sleep(DELAY_S)
    return testing.grade_upload(files, **kw)

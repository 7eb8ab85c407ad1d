"""Which graded fields wait for a trainer, and in what order a trainer should see them.

Shared by the web app's review queue and by the evaluation, which simulates a
trainer who clears it.
"""
from __future__ import annotations

from typing import Callable, TypeVar

T = TypeVar("T")

REVIEW_STATUSES = ("review", "unreadable")
#: The grader's note on every field of a page that was not read (no photo, or its photo refused).
NOTE_PAGE_MISSING = "page_missing"


def on_unread_page(field: dict) -> bool:
    """The field is on a page that was not read: no picture of it exists to check or correct."""
    return NOTE_PAGE_MISSING in (field.get("notes") or ())


def waiting(field: dict) -> bool:
    """Still waiting for a trainer: unsure, or disputed by the trainee, and not corrected or confirmed yet. (A
    disputed field the trainee says they wrote otherwise than the key counts as wrong on their word, but its rules
    wait for a trainer to say what was written: grader.grading.grade.NOTE_WRONG_BY_OWN_WORD.)

    A field of a page that was not sent or whose photo was refused is not: there is no picture to check, only
    a retake can read it (confirming its empty value would mark the trainee blank for a page never read).
    """
    return ((field.get("status") in REVIEW_STATUSES or bool(field.get("disputed_at")))
            and not field.get("corrected_by") and not on_unread_page(field))


def queue_order(fields: list[dict]) -> list[dict]:
    """One sheet's waiting fields in the order a trainer should see them: disputed by the trainee first, then
    the least sure. A misread corrected early makes its sums hold again, and the regrade then settles its unsure
    neighbours by itself (dev photos, seed 21: 593 trainer actions to clear 100 sheets' queues, 699 in form order)."""
    return sorted((f for f in fields if waiting(f)),
                  key=lambda f: (not f.get("disputed_at"), f.get("confidence") or 0.0))


def disputes_first(items: list[T], field: Callable[[T], dict]) -> list[T]:
    """A class's queue (``items``, each holding one waiting ``field(item)``) with the trainees' disputes first, the
    longest waiting first, then the rest in the order given (sheet by sheet). A dispute is a trainee waiting on the
    trainer, contesting a verdict against them: it must not wait behind a whole class's unsure readings."""
    return sorted(items, key=lambda it: (not field(it).get("disputed_at"), field(it).get("disputed_at") or ""))

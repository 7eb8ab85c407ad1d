"""From photo bytes to a page aligned in its template frame, or a clear refusal.

Public entry point: :func:`grader.photo.align.align_photo`.
"""

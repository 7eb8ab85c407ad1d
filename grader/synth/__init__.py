"""Synthetic phone photos of filled practice sheets, with their truth (``grader synth``).

Pipeline: :mod:`values` decides what the trainee writes (the answer key plus
planted mistakes), :mod:`fill` draws it on a rendered page with
:mod:`handwriting` and :mod:`ink`, :mod:`camera` and :mod:`scene` turn the page
into a photo, :mod:`refusals` makes the photos a reader must refuse, and
:mod:`truth` records what is in each photo. :mod:`generate` ties them together.
"""

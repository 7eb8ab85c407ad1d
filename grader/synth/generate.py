"""Generate a set of synthetic photos with truth files: the engine behind ``grader synth``.

Every photo is a pure function of ``(options, its index)``: each sheet and each
photo draws from its own ``numpy`` seed sequence, so a set is byte-for-byte
reproducible whatever the number of worker processes.

Layout of an output folder::

    s0000-p1.jpg  s0000-p1.truth.json      pages of sheet 0 (one trainee)
    s0000-p2.jpg  s0000-p2.truth.json
    r000-too_blurry.jpg  r000-too_blurry.truth.json   refusal cases
    keys/<CODE>/answer_key.json            answer keys of the exercises used
    index.json                             one line per photo: file, page, refusal, mistakes
"""
from __future__ import annotations

import functools
import json
import logging
import multiprocessing
import time
from dataclasses import dataclass, replace
from pathlib import Path

import cv2
import numpy as np

from grader.errors import GraderError
from grader.exercise.scenario import generate_exercise
from grader.read.show_through import back_page_number
from grader.rules import evaluate_rules, expand_rules
from grader.sheet.identity import SheetIdentity
from grader.sheet.layout import SheetLayout, layout_sheet
from grader.sheet.schema import TemplateSpec, resolve_template
from grader.synth.copier import PrintCopy, random_print_copy
from grader.synth.fill import across_borders_hand, fill_page, random_hand
from grader.synth.photo import MEGAPIXELS, Conditions, sample_conditions, take_photo
from grader.synth.refusals import (REFUSAL_CYCLE, REFUSAL_KINDS, SHEET_KINDS, corrupt_file, kpu_form, not_an_image,
                                   refusal_conditions, something_else, too_large)
from grader.synth.show_through import show_through
from grader.synth.truth import TRUTH_FORMAT, truth_points, write_truth
from grader.synth.values import Writing, box_strings, plan_writing

log = logging.getLogger(__name__)
TRAINEES_PER_EXERCISE = 8      # a class shares an exercise


@dataclass(frozen=True)
class SynthOptions:
    """What to generate (see ``grader synth --help``)."""

    count: int = 20
    seed: int = 0
    pairs: int | None = None          # None: random per exercise
    contest: str | None = None        # None: random per exercise
    refusals: int = 0
    mistakes: float = 0.0
    pages: tuple[int, ...] = (1, 2)
    max_megapixels: float = 12.0
    template: str = "chasil-kwk"
    copies: float = 0.0               # share of sheets printed "fit to page" or photocopied (grader/synth/copier.py)
    copy_kind: str | None = None      # None: drawn per sheet (copier.KINDS)
    exercise: str | None = None       # an exercise's code in the store, or its key: every sheet fills it
    roster: tuple[tuple[str, str], ...] = ()   # (number, name): sheet i is roster[i % len], printed personalised
    show_through: float = 0.0         # the sheet printed on both sides: its other page shows through this strongly
    across_borders: float = 0.0       # share of each writer's digits written across their box's border (0: off)


@dataclass(frozen=True)
class Job:
    name: str
    kind: str            # "sheet" or a refusal kind
    sheet: int
    page: int


def require_shared_data(count: int, refusals: int) -> None:
    """The shared data ``count`` photos and ``refusals`` refusal cases are made of, said missing before any work
    (helper-145: a clone with no ``../shared`` beside it ended in a traceback): the handwriting, and the official
    forms' photos for the ``kpu_form`` refusal."""
    from grader.synth.handwriting import ardis_path
    from grader.synth.refusals import KAWALC1_PHOTOS, kawalc1_photos
    if (count or refusals) and not ardis_path().is_file():
        raise GraderError("missing_data", f"the handwriting the photos are written with is not at {ardis_path()}: put "
                          f"the shared data folder beside the clone (../shared/data/ardis_iv/ardis_iv_28x28.npz), or "
                          f"set GRADER_ARDIS to that file")
    if "kpu_form" in REFUSAL_CYCLE[:refusals] and not kawalc1_photos():
        raise GraderError("missing_data", f"the refusal photos of official forms are made from {KAWALC1_PHOTOS}, which "
                          f"holds none: put the shared data folder beside the clone, or ask for fewer --refusals")


def plan_jobs(opts: SynthOptions) -> list[Job]:
    """The photos to make, in a fixed order."""
    jobs = [Job(f"s{i // len(opts.pages):04d}-p{opts.pages[i % len(opts.pages)]}", "sheet", i // len(opts.pages),
                opts.pages[i % len(opts.pages)]) for i in range(opts.count)]
    for j in range(opts.refusals):
        kind = REFUSAL_CYCLE[j % len(REFUSAL_CYCLE)]
        page = opts.pages[j % len(opts.pages)]
        jobs.append(Job(f"r{j:03d}-{kind}", kind, 100000 + j, page))
    return jobs


@dataclass
class SheetPlan:
    spec: TemplateSpec
    sheet: SheetLayout
    exercise: object
    writing: Writing
    ident: SheetIdentity
    hand: object
    copy: PrintCopy | None = None


def plan_sheet(opts: SynthOptions, index: int) -> SheetPlan:
    """Exercise, writing and writer of sheet ``index`` (identical for each of its pages)."""
    spec = resolve_template(opts.template)
    if opts.exercise:
        ex = given_exercise(opts.exercise)
    else:
        group = index // TRAINEES_PER_EXERCISE
        erng = np.random.default_rng([opts.seed, 3, group])
        contest = opts.contest or str(erng.choice(spec.contests))
        pairs = opts.pairs or int(erng.choice([1, 2, 2, 3, 3, 3, 4, 5, 6]))
        ex = generate_exercise(spec, contest=contest, pairs=pairs, seed=opts.seed * 100000 + group)
    sheet = layout_sheet(spec, contest=ex.contest, pairs=ex.pairs)
    rng = np.random.default_rng([opts.seed, 1, index])
    writing = plan_writing(sheet, ex.fields, rng, mistake_rate=opts.mistakes,
                           personalised=True if opts.roster else None)
    if opts.roster:          # the roster's trainee, whose number (a numeric one) is written in the boxes as printed
        number, name = opts.roster[index % len(opts.roster)]
        writing = replace(writing, trainee=number, trainee_name=name)
        if number.isdigit():
            boxes = box_strings(int(number), len(writing.boxes["H.TRAINEE"]), writing.filler)
            writing = replace(writing, boxes={**writing.boxes, "H.TRAINEE": boxes},
                              fields={**writing.fields, "H.TRAINEE": int(number)})
    hand = random_hand(rng)
    if opts.across_borders:
        hand = across_borders_hand(hand, opts.across_borders, rng)
    ident = SheetIdentity(template=spec.id, version=spec.version, page=1, contest=ex.contest, pairs=ex.pairs,
                          exercise=ex.code, trainee=writing.trainee if writing.personalised else None,
                          trainee_name=writing.trainee_name if writing.personalised else None)
    return SheetPlan(spec, sheet, ex, writing, ident, hand, print_copy(opts, index))


def print_copy(opts: SynthOptions, index: int) -> PrintCopy | None:
    """How sheet ``index``'s print reached its paper (both pages alike), or None for an exact laser print.

    Drawn from the sheet's own stream, apart from the writing's, so a sheet copied or not carries the same
    writing (its ink and the photo, drawn after it, differ: the ink follows the print's size).
    """
    if not opts.copies:
        return None
    rng = np.random.default_rng([opts.seed, 4, index])
    return random_print_copy(rng, opts.copy_kind) if rng.random() < opts.copies else None


@functools.lru_cache(maxsize=4)
def given_exercise(code_or_key: str):
    """The exercise of an answer key in the store (by its code) or at a path, as :func:`load_key` finds it."""
    from grader.exercise.scenario import Exercise
    from grader.exercise.store import load_key
    return Exercise.from_key_json(load_key(code_or_key, flag="--exercise").raw)   # (synth has no --key: helper-145)


def _cap_megapixels(cond: Conditions, cap: float) -> Conditions:
    if cond.megapixels <= cap:
        return cond
    allowed = [m for m in MEGAPIXELS if m <= cap] or [cap]
    return replace(cond, megapixels=max(allowed))


def page_truth(plan: SheetPlan, page_no: int, name: str, photo_file: str) -> dict:
    """The truth for one page of a sheet, without the photo-specific parts."""
    page = plan.sheet.pages[page_no - 1]
    w = plan.writing
    ids = [f.id for f in page.fields]
    fields = {fid: w.fields.get(fid) for fid in ids}
    boxes = {fid: list(w.boxes[fid]) for fid in ids if fid in w.boxes}
    cells = {fid: list(w.cells[fid]) for fid in ids if fid in w.cells}
    on_page = set(ids)
    mistakes = [m for m in w.mistakes if on_page & set(m["fields"])]
    written_all = {f.id: w.fields[f.id] for f in plan.sheet.number_fields()}
    rules = expand_rules(plan.spec.rules, plan.sheet)
    violated = sorted(r.rule.id for r in evaluate_rules(rules, written_all) if r.status == "violated")
    return {
        "format": TRUTH_FORMAT, "file": photo_file, "template": plan.spec.id, "template_version": plan.spec.version,
        "page": page_no, "exercise": plan.exercise.code, "trainee": w.trainee, "trainee_name": w.trainee_name,
        "personalised": w.personalised, "sheet": name.split("-")[0], "contest": plan.sheet.contest,
        "pairs": plan.sheet.pairs, "fields": fields, "boxes": boxes, "cells": cells,
        "key": {fid: plan.exercise.fields[fid] for fid in ids if fid in plan.exercise.fields},
        "expect_refusal": None, "refusal_also_ok": [], "mistakes": mistakes,
        "overwritten": sorted(fid for fid in w.overwritten if fid in on_page),
        "overwrites": {fid: [list(t) for t in w.overwritten[fid]] for fid in sorted(w.overwritten) if fid in on_page},
        "erased_bubbles": {fid: [list(t) for t in v] for fid, v in w.erased_bubbles.items() if fid in on_page},
        "rules_violated": violated, "filler": w.filler,
    }


def back_page(plan: SheetPlan, opts: SynthOptions, job: Job):
    """The filled page on the back of ``job``'s page, or None when the sheet has none: drawn from the random
    streams that page's own photo starts from, so it carries the same print and the same strokes."""
    number = back_page_number(job.page)
    if number > len(plan.sheet.pages):
        return None
    return fill_page(plan.sheet, plan.sheet.pages[number - 1], plan.ident.for_page(number), plan.writing,
                     np.random.default_rng([opts.seed, 2, job.sheet, number]), hand=plan.hand, copy=plan.copy,
                     copy_rng=np.random.default_rng([opts.seed, 5, job.sheet, number]))


def make_one(job: Job, opts: SynthOptions, out: Path) -> dict:
    """Generate one photo and its truth file in ``out``; returns its index entry."""
    t0 = time.perf_counter()
    rng = np.random.default_rng([opts.seed, 2, job.sheet, job.page])
    expect, also = (None, ()) if job.kind == "sheet" else REFUSAL_KINDS[job.kind]
    ext = ".png" if job.kind == "too_large" else ".jpg"
    photo_file = job.name + ext
    if job.kind == "sheet" or job.kind in SHEET_KINDS or job.kind == "corrupt_file":
        plan = plan_sheet(opts, job.sheet)
        page = plan.sheet.pages[job.page - 1]
        truth = page_truth(plan, job.page, job.name, photo_file)
        copy = plan.copy
        filled = fill_page(plan.sheet, page, plan.ident.for_page(job.page), plan.writing, rng, hand=plan.hand,
                           copy=copy, copy_rng=np.random.default_rng([opts.seed, 5, job.sheet, job.page]))
        back = back_page(plan, opts, job) if opts.show_through else None
        if back is not None:
            filled = replace(filled, image=show_through(filled.image, back.image, strength=opts.show_through,
                                                        px_per_mm=filled.px_per_mm,
                                                        back_paper_rgb=back.paper["paper_rgb"]))
        cond = _cap_megapixels(sample_conditions(rng), opts.max_megapixels)
        if job.kind in SHEET_KINDS:
            cond = refusal_conditions(job.kind, cond, rng)
        photo = take_photo(filled, copy.placed(page) if copy else page, cond, rng)
        data = photo.data
        wh = (page.width_mm, page.height_mm)   # the truth follows the print: template mm -> paper mm -> photo
        truth["truth_points"] = truth_points(page, photo.transform if copy is None else
                                             lambda mm: photo.transform(copy.place(mm, wh)))
        truth["photo"] = {**photo.info, "hand": plan.hand.to_json(), "paper": filled.paper}
        if copy:
            truth["photo"]["print"] = copy.to_json()
        if back is not None:
            truth["photo"]["show_through"] = {"strength": opts.show_through,
                                              "back_page": back_page_number(job.page)}
        if job.kind == "corrupt_file":
            data, info = corrupt_file(data, rng)
            truth["photo"]["corruption"] = info
    else:
        maker = {"something_else": something_else, "kpu_form": kpu_form, "not_an_image": not_an_image,
                 "too_large": too_large}[job.kind]
        data, info = maker(rng)
        truth = {"format": TRUTH_FORMAT, "file": photo_file, "template": None, "template_version": None,
                 "page": None, "exercise": None, "trainee": None, "contest": None, "pairs": None, "fields": {},
                 "boxes": {}, "cells": {}, "key": {}, "mistakes": [], "overwritten": [], "truth_points": [],
                 "photo": info}
    truth["expect_refusal"] = expect
    truth["refusal_also_ok"] = list(also)
    if job.kind != "sheet":
        truth["refusal_kind"] = job.kind
    (out / photo_file).write_bytes(data)
    write_truth(out / f"{job.name}.truth.json", truth)
    log.info("%s: %d KB in %.2f s", photo_file, len(data) // 1024, time.perf_counter() - t0)
    return {"file": photo_file, "truth": f"{job.name}.truth.json", "page": truth["page"],
            "exercise": truth["exercise"], "expect_refusal": expect,
            "mistakes": [m["kind"] for m in truth["mistakes"]],
            **({"print": truth["photo"]["print"]["kind"]} if "print" in truth["photo"] else {}),
            "seconds": round(time.perf_counter() - t0, 3)}


def _worker_init() -> None:
    cv2.setNumThreads(1)


def _run(args: tuple[Job, SynthOptions, Path]) -> dict:
    return make_one(*args)


def write_keys(opts: SynthOptions, jobs: list[Job], out: Path) -> list[str]:
    """Write the answer key of every exercise used, in the key-store layout (``keys/<CODE>/answer_key.json``)."""
    codes = []
    for sheet_index in sorted({j.sheet for j in jobs if j.kind == "sheet" or j.kind in SHEET_KINDS}):
        if sheet_index % TRAINEES_PER_EXERCISE and sheet_index < 100000:
            continue
        plan = plan_sheet(opts, sheet_index)
        d = out / "keys" / plan.exercise.code
        if d.exists():
            continue
        d.mkdir(parents=True)
        (d / "answer_key.json").write_text(json.dumps(plan.exercise.to_key_json(), indent=1, ensure_ascii=False))
        codes.append(plan.exercise.code)
    return codes


def generate(out: Path, opts: SynthOptions, *, processes: int = 1, progress=None) -> list[dict]:
    """Generate every photo of ``opts`` into ``out``; returns the index entries in job order."""
    out.mkdir(parents=True, exist_ok=True)
    jobs = plan_jobs(opts)
    args = [(j, opts, out) for j in jobs]
    entries: list[dict] = []
    if processes > 1 and len(jobs) > 1:
        # spawn, not fork: a forked child of a process with OpenCV thread pools running can hang.
        ctx = multiprocessing.get_context("spawn")
        with ctx.Pool(processes, initializer=_worker_init) as pool:
            for e in pool.imap(_run, args):
                entries.append(e)
                if progress:
                    progress(len(entries), len(jobs), e)
    else:
        for a in args:
            entries.append(_run(a))
            if progress:
                progress(len(entries), len(jobs), entries[-1])
    write_keys(opts, jobs, out)
    index = [{k: v for k, v in e.items() if k != "seconds"} for e in entries]
    (out / "index.json").write_text(json.dumps({"options": _options_json(opts), "photos": index}, indent=1) + "\n")
    return entries


def _options_json(opts: SynthOptions) -> dict:
    return {"count": opts.count, "seed": opts.seed, "pairs": opts.pairs, "contest": opts.contest,
            "refusals": opts.refusals, "mistakes": opts.mistakes, "pages": list(opts.pages),
            "max_megapixels": opts.max_megapixels, "template": opts.template,
            # (options left at their defaults are not written: a set made before they existed reads the same)
            **({"exercise": opts.exercise} if opts.exercise else {}),
            **({"roster": [list(r) for r in opts.roster]} if opts.roster else {}),
            **({"copies": opts.copies, "copy_kind": opts.copy_kind} if opts.copies else {}),
            **({"show_through": opts.show_through} if opts.show_through else {}),
            **({"across_borders": opts.across_borders} if opts.across_borders else {})}

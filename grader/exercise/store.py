"""Where answer keys live, and how a code or a path becomes an :class:`AnswerKey`.

Keys are JSON files under ``$GRADER_DATA_DIR/exercises/<CODE>/answer_key.json``
(default ``./instance``). ``grader exercise new`` registers each key it writes,
so a trainer can later grade with just the code printed on the sheet.
"""
from __future__ import annotations

import functools
import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from grader.config import data_dir
from grader.errors import GraderError
from grader.exercise.scenario import KEY_FORMAT, Exercise

log = logging.getLogger(__name__)

CODE_RE = re.compile(r"^[A-Z0-9]{4,12}$")
# A code never holds G (scenario.CODE_ALPHABET keeps 6 of the look-alike pair): a G typed or read off a handout is a 6.
LOOK_ALIKES = str.maketrans({"G": "6"})


def canonical_code(text: str) -> str:
    """An exercise code as stored: upper case, a G (never in a code) taken for the 6 it looks like."""
    return text.strip().upper().translate(LOOK_ALIKES)


@dataclass(frozen=True)
class AnswerKey:
    exercise: str
    template: str
    template_version: int
    contest: str
    pairs: int
    fields: dict[str, int]
    raw: dict

    @classmethod
    def from_json(cls, data: dict, *, source: str = "answer key") -> "AnswerKey":
        if not isinstance(data, dict) or data.get("format") != KEY_FORMAT:
            raise GraderError("bad_key", f"{source}: not an answer key (expected format {KEY_FORMAT})",
                              f"{source}: bukan kunci jawaban yang sah")
        try:
            fields = {str(k): int(v) for k, v in data["fields"].items()}
            return cls(exercise=str(data["exercise"]), template=str(data["template"]),
                       template_version=int(data["template_version"]), contest=str(data["contest"]),
                       pairs=int(data["pairs"]), fields=fields, raw=data)
        except (KeyError, TypeError, ValueError) as exc:
            raise GraderError("bad_key", f"{source}: malformed answer key ({exc})",
                              f"{source}: kunci jawaban rusak") from None


def exercises_dir(base: Path | None = None) -> Path:
    return (base or data_dir()) / "exercises"


KEY_NAME = "answer_key.json"
#: left in an exercise's folder when a trainer removed it (:mod:`grader.web.removal`): its code then finds no key,
#: and a sheet of it that arrives late is removed too
REMOVED_MARK = "removed"


def save_exercise(ex: Exercise, *, base: Path | None = None) -> Path:
    """Register ``ex``'s key in the store (again, after a removal: the same options give the same code); returns
    the key's path."""
    d = exercises_dir(base) / ex.code
    d.mkdir(parents=True, exist_ok=True)
    path = d / KEY_NAME
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(ex.to_key_json(), indent=1, ensure_ascii=False))
    tmp.replace(path)  # atomic: a crash never leaves half a key
    (d / REMOVED_MARK).unlink(missing_ok=True)
    return path


def removed_error(code: str) -> GraderError:
    """What a sender of a removed exercise's code is told (its sheets can no longer be graded)."""
    return GraderError("exercise_removed", f"Exercise {code} was removed by its trainer; its sheets can no longer be "
                       "graded. Ask your trainer for the new exercise code.", f"Latihan {code} sudah dihapus oleh pelatihnya; lembarnya tidak bisa dinilai lagi. "
                       "Tanyakan kode latihan yang baru kepada pelatih.")


def removed_exercises(*, base: Path | None = None) -> list[str]:
    """Codes of the exercises a trainer removed (and did not create again: a key beside the mark is a re-created
    exercise that a crash stopped before it cleared the mark)."""
    d = exercises_dir(base)
    marks = d.glob(f"*/{REMOVED_MARK}") if d.exists() else ()
    return sorted(m.parent.name for m in marks if not (m.parent / KEY_NAME).exists())


def load_key(code_or_path: str, *, base: Path | None = None, flag: str = "--key") -> AnswerKey:
    """Find a key by exercise code (in the store) or by a path to its JSON file or folder (the command line's
    ``--key``, or the ``flag`` that gave it; what a trainee or trainer types on a web page is a code only:
    :func:`load_key_by_code`)."""
    p = Path(code_or_path)
    if p.is_dir():
        p = p / KEY_NAME
    if not p.is_file():
        try:
            return load_key_by_code(code_or_path, base=base, path_too=True)
        except GraderError as exc:
            # (a folder named like a code, the class's photos, may stand beside the store's key: the code first)
            if exc.code == "unknown_exercise" and Path(code_or_path).is_dir():
                raise folder_without_key(Path(code_or_path)) from None
            if exc.code == "unknown_exercise" and exc.message.startswith("no exercise with code"):
                # (the command line's store is ./instance of the folder it runs in: made elsewhere, the key is there)
                raise GraderError(exc.code, f"{exc.message}; the store is ./instance in the folder where `grader "
                                            "exercise new` ran, or $GRADER_DATA_DIR: run from there, set "
                                            f"GRADER_DATA_DIR, or give the key itself, {flag} path/to/answer_key.json",
                                  exc.message_id) from None
            raise
    return _read_key(p)


def folder_without_key(folder: Path) -> GraderError:
    """``--key FOLDER`` naming a folder that holds no key: say so, and name the exercises' folders within it (a
    trainer gives ``keys/`` for ``keys/CODE/``) rather than taking the folder's name for an unknown code."""
    within = sorted(d.name for d in folder.iterdir() if (d / KEY_NAME).is_file())
    hint = f"; the folders {', '.join(within)} in it each hold one: name the exercise's folder" if within else ""
    return GraderError("unknown_exercise", f"{folder} is a folder without {KEY_NAME}{hint}",
                       f"{folder} tidak berisi {KEY_NAME}")


def load_key_by_code(code: str, *, base: Path | None = None, path_too: bool = False) -> AnswerKey:
    """The key of exercise ``code`` in the store; never a file named by the text (a code typed as ``.`` graded a
    web upload with whatever ``answer_key.json`` lay in the server's working folder)."""
    typed, code = code, canonical_code(code)
    if not CODE_RE.match(code):
        if path_too:
            raise GraderError("unknown_exercise", f"'{typed}' is neither a key file nor an exercise code",
                              f"'{typed}' bukan kode latihan yang dikenal")
        raise GraderError("unknown_exercise", f"'{typed}' is not an exercise code",
                          f"Kode latihan {typed} tidak ditemukan. Periksa kembali kode pada soal.")
    p = exercises_dir(base) / code / KEY_NAME
    if not p.is_file() and (p.parent / REMOVED_MARK).exists():
        raise removed_error(code)
    if not p.is_file():
        # the code as looked up, and as typed where it differs by more than case: a G is taken for the 6 it looks
        # like, and "6DWURS not found" to one who typed GDWURS named a code they never typed
        shown = code if typed.strip().upper() == code else f"{code} ({typed.strip()})"
        raise GraderError("unknown_exercise", f"no exercise with code {shown} (looked in {p.parent.parent})",
                          f"Kode latihan {shown} tidak ditemukan. Periksa kembali kode pada soal.")
    return _read_key(p)


def _read_key(p: Path) -> AnswerKey:
    try:
        data = json.loads(p.read_text(encoding="utf-8-sig"))     # (-sig: a key saved again by Notepad has a BOM)
    except (UnicodeDecodeError, json.JSONDecodeError):
        # (a handout PDF or the class CSV given as the key: a decoder's complaint told the trainer nothing)
        raise GraderError("bad_key", f"{p}: not an answer key (not JSON text; a key is the {KEY_NAME} that `grader "
                                     "exercise new` writes, or its exercise code)", f"{p}: kunci jawaban rusak") from None
    except OSError as exc:
        raise GraderError("bad_key", f"{p}: cannot read answer key ({exc})", f"{p}: kunci jawaban rusak") from None
    return checked_against_its_form(AnswerKey.from_json(data, source=str(p)), source=str(p))


def checked_against_its_form(key: AnswerKey, *, source: str) -> AnswerKey:
    """``key``, once it is known to grade its form: a template and variant that exist, and an expected value for
    every number the form holds and no other. A key that fails is refused at load (``bad_key``): with an unknown
    template every sheet of a batch was refused one by one, and with no fields every trainee scored 100."""
    try:
        wanted = _numbers_of_form(key.template, key.contest, key.pairs)
    except (GraderError, ValueError, KeyError) as exc:
        raise GraderError("bad_key", f"{source}: its form (template {key.template}, contest {key.contest}, "
                                     f"{key.pairs} pairs) does not exist ({exc})",
                          f"{source}: kunci jawaban untuk formulir yang tidak ada") from None
    missing, extra = sorted(wanted - key.fields.keys()), sorted(key.fields.keys() - wanted)
    if missing or extra:
        said = "; ".join(f"{what}: {', '.join(ids[:5])}{' ...' if len(ids) > 5 else ''}"
                         for what, ids in (("no expected value for", missing), ("fields its form lacks", extra)) if ids)
        raise GraderError("bad_key", f"{source}: malformed answer key ({said})", f"{source}: kunci jawaban rusak")
    return key


@functools.lru_cache(maxsize=32)
def _numbers_of_form(template: str, contest: str, pairs: int) -> frozenset[str]:
    """The ids of the numbers a key of this form variant gives (as ``grader exercise new`` writes them)."""
    from grader.exercise.scenario import generate_exercise
    from grader.sheet.schema import resolve_template

    return frozenset(generate_exercise(resolve_template(template), contest=contest, pairs=pairs).fields)


def made_at(code: str, *, base: Path | None = None) -> float:
    """When exercise ``code``'s key was last written (made, or made again with the same code): a timestamp; 0 for
    one not found. The trainer's list shows the newest first."""
    try:
        return (exercises_dir(base) / code / KEY_NAME).stat().st_mtime
    except OSError:
        return 0.0


def one_edit_apart(a: str, b: str) -> bool:
    """``a`` and ``b`` differ by one character changed, left out, added, or two neighbours swapped: a code typed on a
    phone's keyboard with one slip."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i, (x, y) in enumerate(zip(a, b)) if x != y]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]]
                                  and a[diff[1]] == b[diff[0]])
    short, long_ = sorted((a, b), key=len)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


def codes_like(typed: str, *, base: Path | None = None, limit: int = 3) -> list[str]:
    """The stored exercises' codes one slip away from ``typed`` (:func:`one_edit_apart`), at most ``limit``: what a
    trainee who typed a code no exercise has most likely meant (helper-142, s47: a typo'd code was held with no
    word of the code printed on the handout). Removed exercises are not offered."""
    typed = canonical_code(typed or "")
    d = exercises_dir(base)
    if not typed or not d.is_dir():
        return []
    return sorted(p.parent.name for p in d.glob(f"*/{KEY_NAME}") if one_edit_apart(typed, p.parent.name))[:limit]


def check_variant(key: AnswerKey, *, template: str | None = None, contest: str | None = None,
                  pairs: int | None = None) -> None:
    """A command's ``--template`` (an id), ``--contest`` and ``--pairs`` beside ``--exercise`` may only repeat that
    exercise's own: its sheets are graded against its key, on its variant. Raises ``bad_usage`` naming the flag."""
    if template is not None and template != key.template:
        raise GraderError("bad_usage", f"--exercise {key.exercise} is an exercise of template {key.template}, "
                                       f"not {template}")
    for flag, given, own in (("contest", contest, key.contest), ("pairs", pairs, key.pairs)):
        if given is not None and str(given).strip().lower() != str(own).lower():
            raise GraderError("bad_usage", f"--{flag} {given} contradicts exercise {key.exercise} ({flag} {own}); "
                                           f"leave --{flag} out")


def list_exercises(*, base: Path | None = None) -> list[AnswerKey]:
    d = exercises_dir(base)
    out = []
    for path in sorted(d.glob("*/answer_key.json")) if d.exists() else []:
        try:
            out.append(load_key(str(path)))
        except GraderError as exc:      # (one bad key must not hide the others; said, not silently dropped)
            log.warning("exercise list: left out %s", exc.message)
    return out

"""Generate a realistic, internally consistent polling-station scenario and its answer key.

A scenario is what a trainer hands out: the voter lists, the ballots received,
and a ballot-by-ballot list to count into the tally grid. The answer key is
every value the trainee should write. Both come from one seeded random draw,
so the same inputs always give the same exercise and the same short code.
"""
from __future__ import annotations

import hashlib
import math
import random
from dataclasses import asdict, dataclass

from grader.sheet.layout import EMPTY_COLUMN_ID, SheetLayout, layout_sheet
from grader.sheet.schema import TemplateSpec

KEY_FORMAT = "grader-answer-key/1"
TRAPS = ("damaged", "dptb", "kolom_kosong")
CODE_ALPHABET = "ACDEFHJKMNPQRTUVWXY34679"  # no 0/O, 1/I/L, 2/Z, 5/S, 8/B, G/6 look-alikes
CODE_LENGTH = 6
RESERVE_RATE = 0.025          # ballots received = DPT + 2.5% reserve
INVALID = "TS"                # ballot codes in the handout: pair ids, TS (tidak sah), RS (rusak)
DAMAGED = "RS"


@dataclass(frozen=True)
class Exercise:
    """A generated exercise: its code, the facts handed to trainees, the ballot list and the key."""

    code: str
    template: str
    template_version: int
    contest: str
    pairs: int
    seed: int
    traps: tuple[str, ...]
    facts: dict[str, int]          # what the handout states (DPT, DPPh, DPTb, disabled, ballots received)
    ballots: tuple[str, ...]       # in opening order: a pair id, "TS" or "RS"
    fields: dict[str, int]         # expected value of every graded digits field
    tps: str = ""
    village: str = ""

    @classmethod
    def from_key_json(cls, data: dict) -> "Exercise":
        """The exercise an answer key (:meth:`to_key_json`) was written from."""
        return cls(code=data["exercise"], template=data["template"], template_version=data["template_version"],
                   contest=data["contest"], pairs=data["pairs"], seed=data["seed"], traps=tuple(data["traps"]),
                   facts=dict(data["facts"]), ballots=tuple(data["ballots"]), fields=dict(data["fields"]),
                   tps=data.get("tps", ""), village=data.get("village", ""))

    def to_key_json(self) -> dict:
        """The documented answer-key format (see README, "Answer key")."""
        d = asdict(self)
        return {"format": KEY_FORMAT, "exercise": self.code, "template": self.template,
                "template_version": self.template_version, "contest": self.contest, "pairs": self.pairs,
                "seed": self.seed, "traps": list(self.traps), "tps": self.tps, "village": self.village,
                "facts": d["facts"], "ballots": list(self.ballots), "fields": d["fields"]}


def exercise_code(template: str, contest: str, pairs: int, seed: int, traps: tuple[str, ...]) -> str:
    """A short, easy-to-type code derived from the exercise's inputs."""
    digest = hashlib.sha256(f"{template}|{contest}|{pairs}|{seed}|{','.join(sorted(traps))}".encode()).digest()
    n = int.from_bytes(digest[:8], "big")
    chars = []
    for _ in range(CODE_LENGTH):
        n, r = divmod(n, len(CODE_ALPHABET))
        chars.append(CODE_ALPHABET[r])
    return "".join(chars)


def generate_exercise(spec: TemplateSpec, *, contest: str | None = None, pairs: int | None = None, seed: int = 0,
                      traps: tuple[str, ...] | list[str] = ()) -> Exercise:
    """Draw a consistent scenario for ``spec`` and compute its answer key.

    Parameters
    ----------
    spec : the template; its layout decides which fields the key holds.
    contest, pairs : template parameters (``kolom_kosong`` forces ``pairs=1``).
    seed : makes the draw reproducible.
    traps : deliberate difficulties: ``damaged`` (at least one damaged ballot),
        ``dptb`` (at least one DPTb voter), ``kolom_kosong`` (a single pair).
    """
    traps = tuple(sorted(set(traps)))
    unknown = set(traps) - set(TRAPS)
    if unknown:
        raise ValueError(f"unknown trap(s) {sorted(unknown)}; choose from {list(TRAPS)}")
    if "kolom_kosong" in traps:
        pairs = 1
    sheet = layout_sheet(spec, contest=contest, pairs=pairs)
    rng = random.Random(f"{spec.id}:{sheet.contest}:{sheet.pairs}:{seed}:{traps}")
    cap = _tally_capacity(sheet)
    for _ in range(1000):
        drawn = _draw(rng, sheet, traps, cap)
        if drawn:
            facts, fields, ballots = drawn
            break
    else:  # pragma: no cover - the draw ranges make this practically impossible
        raise RuntimeError("could not draw a consistent scenario")
    code = exercise_code(spec.id, sheet.contest, sheet.pairs, seed, traps)
    return Exercise(code=code, template=spec.id, template_version=spec.version, contest=sheet.contest,
                    pairs=sheet.pairs, seed=seed, traps=traps, facts=facts, ballots=tuple(ballots), fields=fields,
                    tps=f"{rng.randint(1, 40):03d}", village=_village(rng.choice(_VILLAGES), sheet.contest))


def _tally_capacity(sheet: SheetLayout) -> int:
    tallies = [f for f in sheet.fields() if f.kind == "tally"]
    return min(f.largest_value for f in tallies) if tallies else 999


def _draw(rng: random.Random, sheet: SheetLayout, traps: tuple[str, ...], cap: int):
    dpt = {"L": rng.randint(70, 160), "P": rng.randint(70, 160)}
    dpph = {g: rng.choice([0, 0, 0, 1, 1, 2, 3]) for g in "LP"}
    dptb = {g: rng.choice([0, 0, 0, 0, 1, 2]) for g in "LP"}
    if "dptb" in traps and dptb["L"] + dptb["P"] == 0:
        dptb[rng.choice("LP")] = rng.randint(1, 3)
    voted_dpt = {g: round(dpt[g] * rng.uniform(0.6, 0.86)) for g in "LP"}
    voted_dpph = {g: dpph[g] - (1 if dpph[g] > 1 and rng.random() < 0.3 else 0) for g in "LP"}
    voted_dptb = dict(dptb)  # a DPTb voter is registered by turning up, so all of them vote
    dis_reg = {g: rng.choice([0, 1, 1, 2, 3]) for g in "LP"}
    dis_voted = {g: dis_reg[g] - (1 if dis_reg[g] and rng.random() < 0.3 else 0) for g in "LP"}

    f: dict[str, int] = {}
    for row, src in (("I.A.1", dpt), ("I.A.2", dpph), ("I.A.3", dptb), ("I.B.1", voted_dpt),
                     ("I.B.2", voted_dpph), ("I.B.3", voted_dptb), ("III.A", dis_reg), ("III.B", dis_voted)):
        f[f"{row}.L"], f[f"{row}.P"], f[f"{row}.J"] = src["L"], src["P"], src["L"] + src["P"]
    for part in "AB":
        for col in "LPJ":
            f[f"I.{part}.4.{col}"] = sum(f[f"I.{part}.{n}.{col}"] for n in (1, 2, 3))
    voters = f["I.B.4.J"]
    received = f["I.A.1.J"] + math.ceil(f["I.A.1.J"] * RESERVE_RATE)
    damaged = rng.choice([0, 0, 1, 1, 2, 3])
    if "damaged" in traps and damaged == 0:
        damaged = rng.randint(1, 3)
    unused = received - voters - damaged
    if unused < 0:
        return None
    f.update({"II.1": received, "II.2": voters, "II.3": damaged, "II.4": unused})

    invalid = max(0, round(voters * rng.uniform(0.0, 0.06)))
    valid = voters - invalid
    weights = [rng.gammavariate(2.0, 1.0) for _ in sheet.pair_ids]
    votes = _split(valid, weights, rng)
    if max(votes) > cap or invalid > cap:
        return None
    for pid, v in zip(sheet.pair_ids, votes):
        f[f"IV.{pid}"] = v
    f.update({"V.A": valid, "V.B": invalid, "V.C": voters})
    if max(f.values()) > 999:
        return None

    ballots = [pid for pid, v in zip(sheet.pair_ids, votes) for _ in range(v)] + [INVALID] * invalid
    rng.shuffle(ballots)
    for _ in range(damaged):  # damaged ballots are set aside during voting; list them where they turn up
        ballots.insert(rng.randint(0, len(ballots)), DAMAGED)
    facts = {"dpt_l": dpt["L"], "dpt_p": dpt["P"], "dpph_l": dpph["L"], "dpph_p": dpph["P"],
             "dptb_l": dptb["L"], "dptb_p": dptb["P"],
             "voted_dpt_l": voted_dpt["L"], "voted_dpt_p": voted_dpt["P"],
             "voted_dpph_l": voted_dpph["L"], "voted_dpph_p": voted_dpph["P"],
             "disabled_l": dis_reg["L"], "disabled_p": dis_reg["P"],
             "disabled_voted_l": dis_voted["L"], "disabled_voted_p": dis_voted["P"],
             "ballots_received": received}
    expected = {fl.id for fl in sheet.number_fields()}
    assert set(f) == expected, sorted(set(f) ^ expected)
    return facts, f, ballots


def _split(total: int, weights: list[float], rng: random.Random) -> list[int]:
    """Split ``total`` into integer parts proportional to ``weights`` (largest remainder)."""
    s = sum(weights)
    raw = [total * w / s for w in weights]
    parts = [int(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: raw[i] - parts[i], reverse=True)
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def ballot_counts(ballots: tuple[str, ...] | list[str]) -> dict[str, int]:
    """Count a ballot list by code: what a trainee's tally should reach."""
    counts: dict[str, int] = {}
    for b in ballots:
        counts[b] = counts.get(b, 0) + 1
    return counts


def pair_name(pid: str) -> str:
    return "Kolom kosong" if pid == EMPTY_COLUMN_ID else f"Paslon {pid}"


_VILLAGES = ("Desa Sukamaju", "Desa Tanjung Raya", "Kelurahan Mekarsari", "Desa Lubuk Rumbai",
             "Desa Air Beliti", "Kelurahan Pasar Muara", "Desa Karang Anyar", "Desa Suka Karya")


def _village(drawn: str, contest: str) -> str:
    """Where the exercise's TPS is: a city (a mayor's election) has kelurahan, not desa (helper-140 found a Walikota
    exercise set in a "Desa"). The name is drawn from one list for every contest, so no other draw moves."""
    return drawn.replace("Desa ", "Kelurahan ", 1) if contest == "walikota" else drawn

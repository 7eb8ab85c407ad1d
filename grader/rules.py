"""The form's arithmetic rules, as data from the template, evaluated generically.

A rule's ``check`` is ``SUM op SUM`` where ``op`` is ``==`` or ``<=`` and a SUM
is field ids and globs joined by ``+`` (``IV.*`` is every pair's digits
field). ``foreach`` variables are expanded first. Rules are evaluated on
whatever values they are given: the trainee's writing when grading, the
answer key when checking a generated exercise.
"""
from __future__ import annotations

import fnmatch
import functools
import itertools
import operator
import re
from dataclasses import dataclass
from typing import Mapping

from grader.sheet.layout import SheetLayout
from grader.sheet.schema import RULE_CHECK_RE, RuleSpec

#: A rule's relation as written for people, and the relation its two sides are in when it is broken: a violated
#: ``a == b`` has ``a ≠ b``; a violated ``a <= b`` has ``a > b`` (not merely "≠": the left side is too big).
SIGN = {"==": "=", "<=": "≤"}
BROKEN_SIGN = {"==": "≠", "<=": ">"}


@dataclass(frozen=True)
class Rule:
    """One concrete rule after ``foreach`` and glob expansion."""

    id: str              # e.g. "row_total[row=I.A.1]"
    base_id: str         # e.g. "row_total"
    severity: str        # "error" or "warning"
    lhs: tuple[str, ...]
    op: str
    rhs: tuple[str, ...]
    text_id: str
    text_en: str
    summed: bool = False   # the left side is a total the trainee adds up (RuleSpec.summed)

    @property
    def fields(self) -> tuple[str, ...]:
        return self.lhs + self.rhs

    def expression(self) -> str:
        return f"{' + '.join(self.lhs)} {SIGN[self.op]} {' + '.join(self.rhs)}"


@dataclass(frozen=True)
class RuleResult:
    """The outcome of one rule on one set of values.

    ``status`` is ``ok``, ``violated`` or ``not_checkable`` (a field it needs is
    missing or not confidently read). ``lhs_value``/``rhs_value`` are the sums.
    """

    rule: Rule
    status: str
    lhs_value: int | None
    rhs_value: int | None
    missing: tuple[str, ...] = ()
    unsure: tuple[str, ...] = ()   # a violated rule's fields we are unsure of (it fails whatever they say)
    terms_read: tuple[str, str] = ()   # then its two sides as read surely ("?39 + 96", "236"), not as sums

    def message(self, lang: str = "id") -> str:
        base = self.rule.text_id if lang == "id" else self.rule.text_en
        if self.status != "violated":
            return base
        got = "tertulis" if lang == "id" else "written"
        sign = BROKEN_SIGN[self.rule.op]
        if not self.unsure and not self.terms_read:
            return f"{base} ({got}: {self.lhs_value} {sign} {self.rhs_value})"
        lhs, rhs = self.terms_read
        if "?" not in lhs + rhs:      # every term shown at its value (grading.certainty.shown_term): the sums too
            return f"{base} ({got}: {_with_sum(lhs)} {sign} {_with_sum(rhs)})"
        # A sum would add our guess at the unsure digits: the terms are shown as read surely ("?" where not), and
        # the message says the verdict does not depend on them (whatever they say, the sides are in ``sign``).
        whatever = ("tidak cocok berapa pun angka yang belum terbaca pasti (?)" if lang == "id"
                    else "it fails whatever the digits we are unsure of (?) say")
        return f"{base} ({got}: {lhs} {sign} {rhs}; {whatever})"


def _with_sum(side: str) -> str:
    """``"23 + 7 + 9 = 39"`` for a side of several terms, each a number; the side itself otherwise."""
    terms = side.split(" + ")
    if len(terms) < 2 or not all(t.isdigit() for t in terms):
        return side
    return f"{side} = {sum(map(int, terms))}"


def expand_rules(specs: tuple[RuleSpec, ...], sheet: SheetLayout) -> list[Rule]:
    """Expand ``foreach`` and globs against the fields that exist on ``sheet``."""
    known = [f.id for f in sheet.number_fields()]
    rules = []
    for spec in specs:
        names = list(spec.foreach)
        combos = list(itertools.product(*(spec.foreach[n] for n in names))) or [()]
        for combo in combos:
            env = dict(zip(names, combo))
            check = _fill(spec.check, env)
            m = RULE_CHECK_RE.match(check)
            lhs = _terms(m["lhs"], known, spec.id)
            rhs = _terms(m["rhs"], known, spec.id)
            suffix = ",".join(f"{k}={v}" for k, v in env.items())
            rules.append(Rule(id=f"{spec.id}[{suffix}]" if suffix else spec.id, base_id=spec.id,
                              severity=spec.severity, lhs=lhs, op=m["op"], rhs=rhs,
                              text_id=_fill(spec.text_id, env), text_en=_fill(spec.text_en, env),
                              summed=spec.summed))
    return rules


def _fill(text: str, env: dict[str, str]) -> str:
    return re.sub(r"{(\w+)}", lambda m: env.get(m[1], m[0]), text)


def _terms(side: str, known: list[str], rule_id: str) -> tuple[str, ...]:
    out: list[str] = []
    for term in (t.strip() for t in side.split("+")):
        if any(ch in term for ch in "*?["):
            hits = [k for k in known if fnmatch.fnmatchcase(k, term) and k.count(".") == term.count(".")]
        else:
            hits = [term] if term in known else []
        if not hits:
            raise ValueError(f"rule {rule_id}: term '{term}' matches no field of this sheet")
        out.extend(hits)
    return tuple(out)


def evaluate_rules(rules: list[Rule], values: Mapping[str, int | None]) -> list[RuleResult]:
    """Evaluate every rule; a field that is absent or None makes the rule ``not_checkable``."""
    results = []
    for rule in rules:
        missing = tuple(f for f in rule.fields if values.get(f) is None)
        if missing:
            results.append(RuleResult(rule, "not_checkable", None, None, missing))
            continue
        lhs = sum(int(values[f]) for f in rule.lhs)
        rhs = sum(int(values[f]) for f in rule.rhs)
        ok = lhs == rhs if rule.op == "==" else lhs <= rhs
        results.append(RuleResult(rule, "ok" if ok else "violated", lhs, rhs))
    return results


def can_hold(rule: Rule, options: Mapping[str, frozenset[int] | None]) -> bool:
    """Could ``rule`` hold for some choice of each field's value among ``options``?

    ``options`` gives each field of the rule the values it may have (one value for a field read surely; None for
    a field that could be anything). Used by grading to tell a rule that fails whatever our unsure readings
    really say from one that is merely not checkable yet. When in doubt (a field that could be anything) the
    answer is True: the rule is then not held against the trainee.
    """
    sets = {f: options.get(f) for f in rule.fields}
    if any(not s for s in sets.values()):
        return True     # (could be anything, or no value we can reason about)
    if rule.op == "<=":
        return sum(min(sets[f]) for f in rule.lhs) <= sum(max(sets[f]) for f in rule.rhs)
    return bool(_sums(sets[f] for f in rule.lhs) & _sums(sets[f] for f in rule.rhs))


def _sums(sets) -> int:
    """Every sum of one value from each set, as a bit mask (bit n set: n is reachable); values are counts, >= 0."""
    reach = 1
    for values in sets:
        reach = functools.reduce(operator.or_, (reach << v for v in values))
    return reach

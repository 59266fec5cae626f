"""Medical assistance (医疗救助): the third layer of the one bill, after basic cover and critical illness.

Who is assisted comes from the registry's categories on the visit's date (特困, 低保, 防返贫监测, 低收入,
建档立卡…: ``Visit.categories``, set by ``claims.rules.eligibility.entitled_visit``), never from a column of
a hospital's file. Per category the policy sets, as data (``medical_assistance`` in the policy file):

```yaml
medical_assistance:
  name: 医疗救助
  lines:                                  # the first line whose categories the person has applies
    - code: tekun
      name: 特困人员
      categories: [tekun]
      deductible: 0                       # yearly, on the burden left after basic and critical cover
      ratio: {inpatient: 0.8, outpatient_chronic: 0.7}   # by visit kind; a kind not listed is not assisted
      cap: 60000                          # yearly, per person
      cap_kinds: [inpatient]              # the kinds whose assistance counts toward (and is limited by) the cap
  floor:                                  # the poverty floor (健康扶贫兜底) as a line of its own
    categories: [jiandang]
    floor_ratio: 0.9                      # basic + critical + assistance + floor ≥ 90% of in-scope cost
```

The one reading of each rule:
- base = the visit's personal burden after basic cover and critical illness (in-scope − fund − critical);
- deductible: yearly; what is left of it (the line's deductible − the bases of the year's earlier assisted
  visits) is taken from the base first;
- assistance = (base − deductible taken) × the line's ratio for the visit's kind, rounded to the fen once;
- the yearly cap: the line's cap − the assistance already paid this year on kinds that count (a person who
  changes category mid-year keeps one total; the new line's cap applies from then on);
- the floor: a top-up so that every layer together pays at least ``floor_ratio`` of the in-scope cost;
- ``personal_paid`` keeps its meaning (in-scope − fund − critical, the domain's figure); what the person
  really pays after every layer is ``personal_paid − assistance − floor``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .messages import gettext_noop as N_

ZERO = Decimal("0")
CATEGORIES = ("tekun", "dibao", "disabled", "low_income", "orphan", "relapse_risk", "jiandang")


@dataclass(frozen=True)
class AssistanceLine:
    code: str
    name: str
    categories: frozenset[str]
    deductible: Decimal
    ratios: dict  # visit kind -> Decimal
    cap: Decimal | None
    cap_kinds: frozenset[str] | None  # None: every assisted kind counts


@dataclass(frozen=True)
class FloorLine:
    categories: frozenset[str]
    floor_ratio: Decimal


@dataclass(frozen=True)
class Assistance:
    name: str
    lines: tuple[AssistanceLine, ...]
    floor: FloorLine | None

    def line_for(self, categories) -> AssistanceLine | None:
        for line in self.lines:
            if not line.categories.isdisjoint(categories):
                return line
        return None


def parse_assistance(c, raw, path: str, kinds) -> Assistance | None:
    """``c`` is the policy checker (errors name their key); ``kinds`` the visit kinds a policy may name."""
    raw = c.mapping(raw, path, required=False)
    if raw is None:
        return None
    c.unknown_keys(raw, {"name", "lines", "floor", "notes"}, path)
    name = c.text(raw.get("name"), f"{path}.name", required=False, default="医疗救助")
    lines = []
    raw_lines = raw.get("lines") or []
    if not isinstance(raw_lines, list):
        c.error(f"{path}.lines", N_("应为列表"))
        raw_lines = []
    codes = set()
    for i, item in enumerate(raw_lines):
        lpath = f"{path}.lines[{i}]"
        item = c.mapping(item, lpath)
        if item is None:
            continue
        c.unknown_keys(item, {"code", "name", "categories", "deductible", "ratio", "cap", "cap_kinds", "notes"}, lpath)
        code = c.text(item.get("code"), f"{lpath}.code")
        if code and code in codes:
            c.error(f"{lpath}.code", N_("救助类别编码 %(code)s 重复"), code=code)
        codes.add(code)
        categories = c.choice_set(item.get("categories"), f"{lpath}.categories", CATEGORIES, required=True)
        deductible = c.decimal(item.get("deductible", 0), f"{lpath}.deductible")
        ratios = {}
        raw_ratio = c.mapping(item.get("ratio"), f"{lpath}.ratio")
        for kind, value in (raw_ratio or {}).items():
            if kind not in kinds:
                c.error(f"{lpath}.ratio.{kind}", N_("就诊类别应为以下之一：%(choices)s"), choices=", ".join(kinds))
                continue
            ratio = c.decimal(value, f"{lpath}.ratio.{kind}", maximum=Decimal(1))
            if ratio is not None:
                ratios[kind] = ratio
        cap = c.decimal(item.get("cap"), f"{lpath}.cap", required=False)
        cap_kinds = c.choice_set(item.get("cap_kinds"), f"{lpath}.cap_kinds", tuple(kinds))
        if code and categories and deductible is not None and ratios:
            lines.append(
                AssistanceLine(
                    code, c.text(item.get("name"), f"{lpath}.name"), categories, deductible, ratios, cap, cap_kinds
                )
            )
    floor = None
    raw_floor = c.mapping(raw.get("floor"), f"{path}.floor", required=False)
    if raw_floor is not None:
        c.unknown_keys(raw_floor, {"categories", "floor_ratio", "notes"}, f"{path}.floor")
        categories = c.choice_set(raw_floor.get("categories"), f"{path}.floor.categories", CATEGORIES, required=True)
        ratio = c.decimal(raw_floor.get("floor_ratio"), f"{path}.floor.floor_ratio", maximum=Decimal(1))
        if categories and ratio is not None:
            floor = FloorLine(categories, ratio)
    if not lines and floor is None:
        c.error(path, N_("至少需要一个救助类别或兜底线"))
        return None
    return Assistance(name, tuple(lines), floor)


def summary(a: Assistance | None) -> dict | None:
    if a is None:
        return None
    return {
        "name": a.name,
        "lines": [
            {
                "code": line.code,
                "name": line.name,
                "categories": sorted(line.categories),
                "deductible": str(line.deductible),
                "ratio": {k: str(v) for k, v in sorted(line.ratios.items())},
                "cap": None if line.cap is None else str(line.cap),
                "cap_kinds": None if line.cap_kinds is None else sorted(line.cap_kinds),
            }
            for line in a.lines
        ],
        "floor": None
        if a.floor is None
        else {"categories": sorted(a.floor.categories), "floor_ratio": str(a.floor.floor_ratio)},
    }


@dataclass
class AssistanceState:
    """A person's year: the bases counted against the deductible, the assistance counted against the cap."""

    base: Decimal = ZERO
    used: Decimal = ZERO


def assist(a: Assistance, state: AssistanceState, *, kind: str, categories, base: Decimal, money, fmt, pct, of):
    """The assistance of one visit on ``base`` (its burden after basic and critical), with its steps.
    Returns ``(amount, steps)``; updates ``state``."""
    line = a.line_for(categories) if categories else None
    if line is None or kind not in line.ratios or base <= 0:
        return ZERO, []
    ratio = line.ratios[kind]
    left = max(ZERO, line.deductible - state.base)
    taken = min(base, left)
    state.base += base
    amount = money((base - taken) * ratio)
    steps = [
        of(
            N_("%(name)s（%(line)s）：(个人负担 %(base)s − 起付 %(ded)s) × %(ratio)s = %(amount)s 元"),
            name=a.name,
            line=line.name,
            base=fmt(base),
            ded=fmt(taken),
            ratio=pct(ratio),
            amount=fmt(amount),
        )
    ]
    counts = line.cap_kinds is None or kind in line.cap_kinds
    if counts and line.cap is not None:
        remaining = max(ZERO, line.cap - state.used)
        if remaining < amount:
            amount = remaining
            steps.append(
                of(
                    N_("%(name)s年度限额 %(cap)s 元：剩余 %(remaining)s 元"),
                    name=a.name,
                    cap=fmt(line.cap),
                    remaining=fmt(remaining),
                )
            )
    if counts:
        state.used += amount
    return amount, steps


def floor_ratio_for(a: Assistance, categories) -> Decimal | None:
    """The floor line's ratio when the person has one of its categories."""
    f = a.floor
    if f is None or f.categories.isdisjoint(categories):
        return None
    return f.floor_ratio

"""The policy document: its schema, its validation and its parsed, frozen form.

A policy is a mapping (read from YAML or from the edit form's JSON). ``parse_policy(doc)`` checks
every key and returns a frozen ``Policy`` or raises ``PolicyError`` listing every problem with the
path of the key it concerns (``benefits.inpatient.ratio``).

Values that can differ by hospital level, employment, tier or group are *tables*:
- a number: the same value everywhere (``ratio: 0.5``);
- a mapping level → number (``ratio: {1: 0.8, 2: 0.7, 3: 0.6}``);
- a list of rows ``{when: {level: [1], employment: retired, tier: 2, group: student}, value: 0.9}``;
  the first row whose conditions all match wins.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from .assistance import Assistance, parse_assistance
from .assistance import summary as assistance_summary
from .messages import Message
from .messages import gettext_noop as N_

KINDS = (
    "inpatient",
    "inpatient_accident",
    "outpatient_general",
    "outpatient_chronic",
    "outpatient_accident",
)
LEVELS = (1, 2, 3, 4)
GROUPS = ("resident", "student")
EMPLOYMENTS = ("in_service", "retired")
SCHEMES = ("resident", "employee")
TIERS = (1, 2)
# where the care was given, seen from the insuring city: 本市 / 市外省内 / 省外 (a level-4 hospital may be
# a provincial hospital in the province or a hospital outside it: the place tells them apart)
PLACES = ("local", "in_province", "out_of_province")
DEDUCTIBLE_TYPES = ("none", "per_visit", "annual")


class PolicyError(ValueError):
    """Every problem of a policy document, each naming its key."""

    def __init__(self, errors: list[tuple[str, Message]]):
        self.errors = errors
        super().__init__("; ".join(f"{path}: {msg.render()}" for path, msg in errors))

    def render(self, translate=lambda s: s) -> list[str]:
        return [f"{path}: {msg.render(translate)}" for path, msg in self.errors]


@dataclass(frozen=True)
class Condition:
    levels: frozenset[int] | None = None
    employments: frozenset[str] | None = None
    tiers: frozenset[int] | None = None
    groups: frozenset[str] | None = None
    places: frozenset[str] | None = None
    filed: bool | None = None  # care away from home with (True) or without (False) a filing (异地就医备案)

    def matches(
        self, *, level: int, employment: str, tier: int, group: str, place: str = "local", filed: bool = False
    ) -> bool:
        return (
            (self.levels is None or level in self.levels)
            and (self.employments is None or employment in self.employments)
            and (self.tiers is None or tier in self.tiers)
            and (self.groups is None or group in self.groups)
            and (self.places is None or place in self.places)
            and (self.filed is None or filed is self.filed)
        )


@dataclass(frozen=True)
class Table:
    rows: tuple[tuple[Condition, Decimal], ...]

    def lookup(
        self,
        *,
        level: int,
        employment: str = "",
        tier: int = 1,
        group: str = "resident",
        place: str = "local",
        filed: bool = False,
    ):
        for cond, value in self.rows:
            if cond.matches(level=level, employment=employment, tier=tier, group=group, place=place, filed=filed):
                return value
        return None

    @property
    def single(self) -> Decimal | None:
        """The value when the table has one unconditional row (for summaries)."""
        if len(self.rows) == 1 and self.rows[0][0] == Condition():
            return self.rows[0][1]
        return None

    def as_summary(self) -> list[dict]:
        out = []
        for cond, value in self.rows:
            when = {}
            if cond.levels is not None:
                when["level"] = sorted(cond.levels)
            if cond.employments is not None:
                when["employment"] = sorted(cond.employments)
            if cond.tiers is not None:
                when["tier"] = sorted(cond.tiers)
            if cond.groups is not None:
                when["group"] = sorted(cond.groups)
            if cond.places is not None:
                when["place"] = sorted(cond.places)
            if cond.filed is not None:
                when["filed"] = cond.filed
            out.append({"when": when, "value": str(value)})
        return out


@dataclass(frozen=True)
class YearsBonus:
    min_years: int
    max_years: int | None  # exclusive
    amount: Decimal

    def applies(self, years: int) -> bool:
        return years >= self.min_years and (self.max_years is None or years < self.max_years)


@dataclass(frozen=True)
class Cap:
    code: str
    name: str
    amount: Table
    years_bonus: tuple[YearsBonus, ...] = ()


@dataclass(frozen=True)
class Deductible:
    type: str  # none | per_visit | annual
    amount: Table | None = None
    nth_admission_factors: tuple[Decimal, ...] = (Decimal(1),)
    accumulator: str = ""


@dataclass(frozen=True)
class DiseaseGroup:
    code: str
    name: str
    diseases: frozenset[str]
    levels: frozenset[int] | None = None
    ratio: Table | None = None
    essential_drug_ratio: Table | None = None
    caps: tuple[str, ...] = ()


@dataclass(frozen=True)
class Benefit:
    kind: str
    name: str
    levels: frozenset[int] | None
    groups: frozenset[str] | None
    employments: frozenset[str] | None
    no_third_party: bool
    deductible: Deductible
    ratio: Table
    essential_drug_ratio: Table | None
    caps: tuple[str, ...]
    disease_groups: tuple[DiseaseGroup, ...]


@dataclass(frozen=True)
class Segment:
    start: Decimal
    end: Decimal | None
    ratio: Decimal


@dataclass(frozen=True)
class CriticalIllness:
    kinds: frozenset[str]
    segments: tuple[Segment, ...]
    cap: Cap
    above_fund_cap_ratio: Decimal | None = None

    def tariff(self, burden: Decimal) -> Decimal:
        total = Decimal(0)
        for seg in self.segments:
            upper = burden if seg.end is None else min(burden, seg.end)
            if upper > seg.start:
                total += (upper - seg.start) * seg.ratio
        return total


@dataclass(frozen=True)
class PovertyRelief:
    floor_ratio: Decimal


@dataclass(frozen=True)
class Policy:
    code: str
    name: str
    scheme: str
    year: int
    partial: bool
    admission_kinds: frozenset[str]
    caps: dict  # code -> Cap (read-only by convention)
    benefits: dict  # kind -> Benefit
    critical_illness: CriticalIllness | None
    poverty_relief: PovertyRelief | None
    medical_assistance: Assistance | None = None  # the third layer (claims.rules.assistance)

    def __hash__(self) -> int:  # dict fields: hash by identity of the code/year
        return hash((self.code, self.year))


# --------------------------------------------------------------------------------------------
# Validation


class _Checker:
    def __init__(self):
        self.errors: list[tuple[str, Message]] = []

    def error(self, path: str, msgid: str, **params):
        self.errors.append((path, Message.of(msgid, **params)))

    def mapping(self, value, path, *, required=True):
        if value is None:
            if required:
                self.error(path, N_("必填"))
            return None
        if not isinstance(value, dict):
            self.error(path, N_("应为键值映射"))
            return None
        return value

    def unknown_keys(self, value: dict, allowed: set[str], path: str):
        for key in value:
            if str(key) not in allowed:
                self.error(
                    f"{path}.{key}" if path else str(key),
                    N_("未知的键（允许：%(allowed)s）"),
                    allowed=", ".join(sorted(allowed)),
                )

    def text(self, value, path, *, required=True, default=""):
        if value is None or value == "":
            if required:
                self.error(path, N_("必填"))
            return default
        if not isinstance(value, str):
            self.error(path, N_("应为文字"))
            return default
        return value

    def decimal(self, value, path, *, minimum=Decimal(0), maximum=None, required=True):
        if value is None:
            if required:
                self.error(path, N_("必填"))
            return None
        if isinstance(value, bool):
            self.error(path, N_("应为数字"))
            return None
        try:
            number = Decimal(str(value).strip())
        except (InvalidOperation, ValueError):
            self.error(path, N_("应为数字"))
            return None
        if not number.is_finite():
            self.error(path, N_("应为数字"))
            return None
        if minimum is not None and number < minimum:
            self.error(path, N_("不能小于 %(minimum)s"), minimum=minimum)
            return None
        if maximum is not None and number > maximum:
            self.error(path, N_("不能大于 %(maximum)s"), maximum=maximum)
            return None
        return number

    def integer(self, value, path, *, minimum=None, maximum=None, required=True):
        if value is None:
            if required:
                self.error(path, N_("必填"))
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            try:
                if isinstance(value, str) and value.strip().isdigit():
                    value = int(value.strip())
                else:
                    raise ValueError
            except ValueError:
                self.error(path, N_("应为整数"))
                return None
        if minimum is not None and value < minimum:
            self.error(path, N_("不能小于 %(minimum)s"), minimum=minimum)
            return None
        if maximum is not None and value > maximum:
            self.error(path, N_("不能大于 %(maximum)s"), maximum=maximum)
            return None
        return value

    def choice_set(self, value, path, choices, *, required=False, cast=None):
        if value is None:
            if required:
                self.error(path, N_("必填"))
            return None
        items = value if isinstance(value, list) else [value]
        out = set()
        for i, item in enumerate(items):
            if cast is int and isinstance(item, str) and item.strip().isdigit():
                item = int(item)
            if item not in choices:
                self.error(
                    f"{path}[{i}]" if isinstance(value, list) else path,
                    N_("应为以下之一：%(choices)s"),
                    choices=", ".join(str(c) for c in choices),
                )
                continue
            out.add(item)
        if not out:
            if isinstance(value, list) and not value:
                self.error(path, N_("不能为空"))
            return None
        return frozenset(out)

    def table(self, value, path, *, maximum=None, required=True) -> Table | None:
        if value is None:
            if required:
                self.error(path, N_("必填"))
            return None
        if isinstance(value, (int, float, str, Decimal)) and not isinstance(value, bool):
            number = self.decimal(value, path, maximum=maximum)
            return None if number is None else Table(((Condition(), number),))
        if isinstance(value, dict):
            rows = []
            for key, item in value.items():
                level = key
                if isinstance(level, str) and level.strip().isdigit():
                    level = int(level)
                if level not in LEVELS:
                    self.error(
                        f"{path}.{key}",
                        N_("医院等级应为以下之一：%(choices)s"),
                        choices="1, 2, 3, 4",
                    )
                    continue
                number = self.decimal(item, f"{path}.{key}", maximum=maximum)
                if number is not None:
                    rows.append((Condition(levels=frozenset({level})), number))
            if not rows:
                self.error(path, N_("不能为空"))
                return None
            return Table(tuple(rows))
        if isinstance(value, list):
            rows = []
            if not value:
                self.error(path, N_("不能为空"))
                return None
            for i, row in enumerate(value):
                rpath = f"{path}[{i}]"
                row = self.mapping(row, rpath)
                if row is None:
                    continue
                self.unknown_keys(row, {"when", "value"}, rpath)
                when = self.mapping(row.get("when"), f"{rpath}.when", required=False) or {}
                self.unknown_keys(when, {"level", "employment", "tier", "group", "place", "filed"}, f"{rpath}.when")
                filed = when.get("filed")
                if filed is not None and not isinstance(filed, bool):
                    self.error(f"{rpath}.when.filed", N_("应为 true 或 false"))
                    filed = None
                cond = Condition(
                    levels=self.choice_set(when.get("level"), f"{rpath}.when.level", LEVELS, cast=int),
                    employments=self.choice_set(when.get("employment"), f"{rpath}.when.employment", EMPLOYMENTS),
                    tiers=self.choice_set(when.get("tier"), f"{rpath}.when.tier", TIERS, cast=int),
                    groups=self.choice_set(when.get("group"), f"{rpath}.when.group", GROUPS),
                    places=self.choice_set(when.get("place"), f"{rpath}.when.place", PLACES),
                    filed=filed,
                )
                number = self.decimal(row.get("value"), f"{rpath}.value", maximum=maximum)
                if number is not None:
                    rows.append((cond, number))
            return Table(tuple(rows)) if rows else None
        self.error(path, N_("应为数字、按医院等级的映射或条件行列表"))
        return None

    def years_bonus(self, value, path) -> tuple[YearsBonus, ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            self.error(path, N_("应为列表"))
            return ()
        out = []
        for i, row in enumerate(value):
            rpath = f"{path}[{i}]"
            row = self.mapping(row, rpath)
            if row is None:
                continue
            self.unknown_keys(row, {"min_years", "max_years", "amount"}, rpath)
            lo = self.integer(row.get("min_years"), f"{rpath}.min_years", minimum=0)
            hi = self.integer(row.get("max_years"), f"{rpath}.max_years", minimum=1, required=False)
            amount = self.decimal(row.get("amount"), f"{rpath}.amount")
            if lo is not None and hi is not None and hi <= lo:
                self.error(f"{rpath}.max_years", N_("应大于 min_years"))
                continue
            if lo is not None and amount is not None:
                out.append(YearsBonus(lo, hi, amount))
        return tuple(out)

    def cap(self, code, value, path) -> Cap | None:
        if isinstance(value, (int, float, str)) and not isinstance(value, bool):
            table = self.table(value, path)
            return None if table is None else Cap(code, code, table)
        value = self.mapping(value, path)
        if value is None:
            return None
        self.unknown_keys(value, {"name", "amount", "continuous_years_bonus"}, path)
        name = self.text(value.get("name"), f"{path}.name", required=False, default=code)
        table = self.table(value.get("amount"), f"{path}.amount")
        bonus = self.years_bonus(value.get("continuous_years_bonus"), f"{path}.continuous_years_bonus")
        return None if table is None else Cap(code, name, table, bonus)

    def cap_refs(self, value, path, caps: dict) -> tuple[str, ...]:
        if value is None:
            return ()
        items = value if isinstance(value, list) else [value]
        out = []
        for i, item in enumerate(items):
            if item not in caps:
                self.error(
                    f"{path}[{i}]",
                    N_("未定义的封顶线 %(cap)s（已定义：%(declared)s）"),
                    cap=item,
                    declared=", ".join(sorted(caps)) or "-",
                )
            else:
                out.append(item)
        return tuple(out)

    def deductible(self, value, path, kind) -> Deductible:
        if value is None:
            return Deductible("none")
        value = self.mapping(value, path)
        if value is None:
            return Deductible("none")
        self.unknown_keys(value, {"type", "amount", "nth_admission_factors", "accumulator"}, path)
        dtype = value.get("type", "none")
        if dtype not in DEDUCTIBLE_TYPES:
            self.error(f"{path}.type", N_("应为以下之一：%(choices)s"), choices=", ".join(DEDUCTIBLE_TYPES))
            return Deductible("none")
        if dtype == "none":
            return Deductible("none")
        amount = self.table(value.get("amount"), f"{path}.amount")
        factors: tuple[Decimal, ...] = (Decimal(1),)
        if "nth_admission_factors" in value:
            if dtype != "per_visit":
                self.error(f"{path}.nth_admission_factors", N_("仅适用于 per_visit 类型"))
            raw = value["nth_admission_factors"]
            if not isinstance(raw, list) or not raw:
                self.error(f"{path}.nth_admission_factors", N_("应为非空数字列表"))
            else:
                parsed = [
                    self.decimal(f, f"{path}.nth_admission_factors[{i}]", maximum=Decimal(1)) for i, f in enumerate(raw)
                ]
                if all(p is not None for p in parsed):
                    factors = tuple(parsed)
        accumulator = kind
        if "accumulator" in value:
            if dtype != "annual":
                self.error(f"{path}.accumulator", N_("仅适用于 annual 类型"))
            accumulator = self.text(value["accumulator"], f"{path}.accumulator", default=kind)
        return Deductible(dtype, amount, factors, accumulator)


_TOP_KEYS = {
    "code",
    "name",
    "scheme",
    "year",
    "partial",
    "source",
    "notes",
    "region",
    "admission_kinds",
    "caps",
    "benefits",
    "critical_illness",
    "poverty_relief",
    "medical_assistance",
}
_BENEFIT_KEYS = {
    "name",
    "levels",
    "groups",
    "employment",
    "no_third_party",
    "deductible",
    "ratio",
    "essential_drug_ratio",
    "caps",
    "disease_groups",
    "notes",
}


def parse_policy(doc) -> Policy:
    """Validate a policy document and return it frozen; raise ``PolicyError`` naming every key at fault."""
    c = _Checker()
    doc = c.mapping(doc, "(document)")
    if doc is None:
        raise PolicyError(c.errors)
    c.unknown_keys(doc, _TOP_KEYS, "")
    code = c.text(doc.get("code"), "code")
    if code and not all(ch.isalnum() or ch in "-_" for ch in code):
        c.error("code", N_("只能包含字母、数字、- 和 _"))
    name = c.text(doc.get("name"), "name")
    scheme = doc.get("scheme")
    if scheme not in SCHEMES:
        c.error("scheme", N_("应为以下之一：%(choices)s"), choices=", ".join(SCHEMES))
    year = c.integer(doc.get("year"), "year", minimum=1990, maximum=2100)
    partial = doc.get("partial", False)
    if not isinstance(partial, bool):
        c.error("partial", N_("应为 true 或 false"))
        partial = False
    raw_admission = doc.get("admission_kinds", ["inpatient", "inpatient_accident"])
    admission_kinds = (
        c.choice_set(raw_admission, "admission_kinds", KINDS) if raw_admission != [] else None
    ) or frozenset()

    caps: dict[str, Cap] = {}
    raw_caps = c.mapping(doc.get("caps", {}), "caps", required=False) or {}
    for cap_code, raw in raw_caps.items():
        cap = c.cap(str(cap_code), raw, f"caps.{cap_code}")
        if cap is not None:
            caps[str(cap_code)] = cap

    benefits: dict[str, Benefit] = {}
    raw_benefits = c.mapping(doc.get("benefits"), "benefits")
    if raw_benefits is not None and not raw_benefits and not doc.get("critical_illness"):
        c.error("benefits", N_("至少要有一项待遇"))
    for kind, raw in (raw_benefits or {}).items():
        path = f"benefits.{kind}"
        if kind not in KINDS:
            c.error(path, N_("未知的待遇类别（允许：%(allowed)s）"), allowed=", ".join(KINDS))
            continue
        raw = c.mapping(raw, path)
        if raw is None:
            continue
        c.unknown_keys(raw, _BENEFIT_KEYS, path)
        no_third_party = raw.get("no_third_party", False)
        if not isinstance(no_third_party, bool):
            c.error(f"{path}.no_third_party", N_("应为 true 或 false"))
            no_third_party = False
        groups_raw = raw.get("disease_groups")
        disease_groups = []
        if groups_raw is not None:
            if not isinstance(groups_raw, list) or not groups_raw:
                c.error(f"{path}.disease_groups", N_("应为非空列表"))
            else:
                seen: dict[str, str] = {}
                for i, g in enumerate(groups_raw):
                    gpath = f"{path}.disease_groups[{i}]"
                    g = c.mapping(g, gpath)
                    if g is None:
                        continue
                    c.unknown_keys(
                        g, {"code", "name", "diseases", "levels", "ratio", "essential_drug_ratio", "caps"}, gpath
                    )
                    gcode = c.text(g.get("code"), f"{gpath}.code")
                    diseases = g.get("diseases")
                    if (
                        not isinstance(diseases, list)
                        or not diseases
                        or not all(isinstance(d, str) and d.strip() for d in diseases)
                    ):
                        c.error(f"{gpath}.diseases", N_("应为非空的病种名称列表"))
                        diseases = []
                    for d in diseases:
                        if d in seen:
                            c.error(
                                f"{gpath}.diseases",
                                N_("病种 %(disease)s 已在 %(group)s 组中"),
                                disease=d,
                                group=seen[d],
                            )
                        seen[d] = gcode
                    disease_groups.append(
                        DiseaseGroup(
                            code=gcode,
                            name=c.text(g.get("name"), f"{gpath}.name", required=False, default=gcode),
                            diseases=frozenset(d.strip() for d in diseases),
                            levels=c.choice_set(g.get("levels"), f"{gpath}.levels", LEVELS, cast=int),
                            ratio=c.table(g.get("ratio"), f"{gpath}.ratio", maximum=Decimal(1), required=False),
                            essential_drug_ratio=c.table(
                                g.get("essential_drug_ratio"),
                                f"{gpath}.essential_drug_ratio",
                                maximum=Decimal(1),
                                required=False,
                            ),
                            caps=c.cap_refs(g.get("caps"), f"{gpath}.caps", caps),
                        )
                    )
        ratio = c.table(
            raw.get("ratio"),
            f"{path}.ratio",
            maximum=Decimal(1),
            required=not (disease_groups and all(g.ratio is not None for g in disease_groups)),
        )
        benefits[kind] = Benefit(
            kind=kind,
            name=c.text(raw.get("name"), f"{path}.name", required=False, default=kind),
            levels=c.choice_set(raw.get("levels"), f"{path}.levels", LEVELS, cast=int),
            groups=c.choice_set(raw.get("groups"), f"{path}.groups", GROUPS),
            employments=c.choice_set(raw.get("employment"), f"{path}.employment", EMPLOYMENTS),
            no_third_party=no_third_party,
            deductible=c.deductible(raw.get("deductible"), f"{path}.deductible", kind),
            ratio=ratio if ratio is not None else Table(()),
            essential_drug_ratio=c.table(
                raw.get("essential_drug_ratio"), f"{path}.essential_drug_ratio", maximum=Decimal(1), required=False
            ),
            caps=c.cap_refs(raw.get("caps"), f"{path}.caps", caps),
            disease_groups=tuple(disease_groups),
        )

    critical = None
    raw_ci = c.mapping(doc.get("critical_illness"), "critical_illness", required=False)
    if raw_ci is not None:
        path = "critical_illness"
        c.unknown_keys(raw_ci, {"kinds", "segments", "cap", "above_fund_cap_ratio", "notes"}, path)
        kinds = c.choice_set(raw_ci.get("kinds"), f"{path}.kinds", KINDS, required=True)
        segments = []
        raw_segments = raw_ci.get("segments")
        if not isinstance(raw_segments, list) or not raw_segments:
            c.error(f"{path}.segments", N_("应为非空列表"))
        else:
            for i, s in enumerate(raw_segments):
                spath = f"{path}.segments[{i}]"
                s = c.mapping(s, spath)
                if s is None:
                    continue
                c.unknown_keys(s, {"from", "to", "ratio"}, spath)
                start = c.decimal(s.get("from"), f"{spath}.from")
                end = c.decimal(s.get("to"), f"{spath}.to", required=False)
                ratio = c.decimal(s.get("ratio"), f"{spath}.ratio", maximum=Decimal(1))
                if start is not None and end is not None and end <= start:
                    c.error(f"{spath}.to", N_("应大于 from"))
                    continue
                if segments and start is not None and segments[-1].end is None:
                    c.error(f"{spath}.from", N_("位于无上限分段之后"))
                    continue
                if segments and start is not None and start < segments[-1].end:
                    c.error(f"{spath}.from", N_("与上一分段重叠"))
                    continue
                if start is not None and ratio is not None:
                    segments.append(Segment(start, end, ratio))
        cap = c.cap("critical_illness", raw_ci.get("cap"), f"{path}.cap")
        above = c.decimal(
            raw_ci.get("above_fund_cap_ratio"), f"{path}.above_fund_cap_ratio", maximum=Decimal(1), required=False
        )
        if kinds and cap and segments:
            critical = CriticalIllness(kinds, tuple(segments), cap, above)

    relief = None
    raw_relief = c.mapping(doc.get("poverty_relief"), "poverty_relief", required=False)
    if raw_relief is not None:
        c.unknown_keys(raw_relief, {"floor_ratio", "notes"}, "poverty_relief")
        floor = c.decimal(raw_relief.get("floor_ratio"), "poverty_relief.floor_ratio", maximum=Decimal(1))
        if floor is not None:
            relief = PovertyRelief(floor)

    assistance = parse_assistance(c, doc.get("medical_assistance"), "medical_assistance", KINDS)
    if assistance is not None and assistance.floor is not None and relief is not None:
        c.error("poverty_relief", N_("兜底线只能在 medical_assistance.floor 或 poverty_relief 中设置一处"))

    if c.errors:
        raise PolicyError(c.errors)
    return Policy(
        code=code,
        name=name,
        scheme=scheme,
        year=year,
        partial=partial,
        admission_kinds=admission_kinds,
        caps=caps,
        benefits=benefits,
        critical_illness=critical,
        poverty_relief=relief,
        medical_assistance=assistance,
    )


def policy_summary(policy: Policy) -> dict:
    """The ratios, deductibles and caps of a policy as plain data (decimal strings)."""

    def table(t):
        if t is None:
            return None
        single = t.single
        return str(single) if single is not None else t.as_summary()

    benefits = {}
    for kind, b in policy.benefits.items():
        benefits[kind] = {
            "name": b.name,
            "levels": sorted(b.levels) if b.levels else None,
            "ratio": table(b.ratio) if b.ratio.rows else None,
            "essential_drug_ratio": table(b.essential_drug_ratio),
            "deductible": {
                "type": b.deductible.type,
                "amount": table(b.deductible.amount),
                "nth_admission_factors": [str(f) for f in b.deductible.nth_admission_factors]
                if b.deductible.type == "per_visit"
                else None,
            },
            "caps": list(b.caps),
            "disease_groups": [
                {
                    "code": g.code,
                    "name": g.name,
                    "diseases": sorted(g.diseases),
                    "caps": list(g.caps),
                    "ratio": table(g.ratio),
                }
                for g in b.disease_groups
            ],
        }
    ci = policy.critical_illness
    return {
        "code": policy.code,
        "name": policy.name,
        "scheme": policy.scheme,
        "year": policy.year,
        "partial": policy.partial,
        "caps": {code: {"name": cap.name, "amount": table(cap.amount)} for code, cap in policy.caps.items()},
        "benefits": benefits,
        "critical_illness": None
        if ci is None
        else {
            "kinds": sorted(ci.kinds),
            "segments": [
                {"from": str(s.start), "to": None if s.end is None else str(s.end), "ratio": str(s.ratio)}
                for s in ci.segments
            ],
            "cap": table(ci.cap.amount),
            "continuous_years_bonus": [
                {"min_years": b.min_years, "max_years": b.max_years, "amount": str(b.amount)}
                for b in ci.cap.years_bonus
            ],
            "above_fund_cap_ratio": None if ci.above_fund_cap_ratio is None else str(ci.above_fund_cap_ratio),
        },
        "poverty_relief": None
        if policy.poverty_relief is None
        else {"floor_ratio": str(policy.poverty_relief.floor_ratio)},
        "medical_assistance": assistance_summary(policy.medical_assistance),
    }

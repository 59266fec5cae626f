"""Intelligent audit (智能审核): pure rule functions over settlement line items.

A rule is data (kind + parameters, kept in the AuditRule table) applied by one of the functions
below. Each function takes the visits (settlement headers with their lines) and the rule's
parameters, and returns hits (疑点). A hit's (rule, settlement, key) is stable, so running the same
rule over the same data twice gives the same hits — the database's unique constraint keeps flags
from being duplicated.

Item patterns in parameters: an exact national item code, or a prefix ending with "*".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

ZERO = Decimal("0.00")


class ResultType(StrEnum):
    SUSPICIOUS = "suspicious"  # 可疑
    DEFINITE = "definite"  # 明确违规


class RuleKind(StrEnum):
    DOUBLE_CHARGING = "double_charging"  # 重复收费
    SPLIT_CHARGING = "split_charging"  # 分解收费
    SEX_RESTRICTED = "sex_restricted"  # 限性别
    AGE_RESTRICTED = "age_restricted"  # 限年龄
    QUANTITY_LIMIT = "quantity_limit"  # 超日/超次数量
    INPATIENT_DAYS = "inpatient_days"  # 住院天数异常
    TWO_INSTITUTIONS_SAME_DAY = "two_institutions_same_day"  # 同日多机构就诊
    SHORT_ADMISSION = "short_admission"  # 门诊转住院
    SPLIT_ADMISSION = "split_admission"  # 分解住院


@dataclass(frozen=True, slots=True)
class Line:
    id: int
    item_code: str
    item_name: str
    category: str
    quantity: Decimal
    price: Decimal
    amount: Decimal
    charged_on: date


@dataclass(frozen=True, slots=True)
class Visit:
    """A settlement (结算) header with its lines."""

    id: int
    person: str  # ID number: the key that joins visits of one person
    sex: str  # "M" / "F"
    birth_date: date | None
    institution_id: int
    institution_kind: str  # "medical" / "pharmacy"
    kind: str  # claims' settlement kind (outpatient_general, inpatient, …)
    settled_on: date
    admitted_on: date | None = None
    discharged_on: date | None = None
    lines: tuple[Line, ...] = ()

    @property
    def is_inpatient(self) -> bool:
        return self.admitted_on is not None and self.discharged_on is not None


@dataclass(frozen=True, slots=True)
class Hit:
    rule_code: str
    settlement_id: int
    key: str
    amount: Decimal
    result: ResultType
    line_ids: tuple[int, ...] = ()
    detail: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RuleSpec:
    code: str
    kind: RuleKind
    params: Mapping
    result: ResultType = ResultType.SUSPICIOUS


class ParamError(ValueError):
    """A rule's parameters are malformed; the message names the parameter."""


# --- helpers -------------------------------------------------------------------------------


class Patterns:
    """Exact codes and prefixes ("ABC*"), matched fast; maps a matched pattern to a value."""

    def __init__(self, mapping: Mapping[str, object] | Iterable[str]):
        if not isinstance(mapping, Mapping):
            mapping = {p: True for p in mapping}
        self.exact: dict[str, object] = {}
        self.prefixes: list[tuple[str, object]] = []
        for pattern, value in mapping.items():
            if not isinstance(pattern, str) or not pattern:
                raise ParamError(f"bad item pattern {pattern!r}")
            if pattern.endswith("*"):
                self.prefixes.append((pattern[:-1], value))
            else:
                self.exact[pattern] = value
        self.prefixes.sort(key=lambda pv: -len(pv[0]))  # longest prefix wins
        self._cache: dict[str, object] = {}

    def get(self, code: str):
        try:
            return self._cache[code]
        except KeyError:
            pass
        value = self.exact.get(code)
        if value is None:
            for prefix, v in self.prefixes:
                if code.startswith(prefix):
                    value = v
                    break
        self._cache[code] = value
        return value

    def __contains__(self, code: str) -> bool:
        return self.get(code) is not None


def age_on(birth: date, day: date) -> int:
    """Completed years on a day."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def stay_days(admitted: date, discharged: date, *, count_both_ends: bool = False) -> int:
    """Inpatient days: discharge − admission (at least 1), or +1 where the local rule counts both."""
    days = (discharged - admitted).days
    if count_both_ends:
        return days + 1
    return max(days, 1)


def _average_price(lines, quantity: Decimal) -> Decimal:
    """The billed amount per unit over the lines: the excess is priced at it, so a flag never
    claims more than was billed."""
    return sum((ln.amount for ln in lines), ZERO) / quantity


def _dec(value, name: str) -> Decimal:
    try:
        return Decimal(str(value))
    except Exception as exc:  # noqa: BLE001 — turned into a named parameter error
        raise ParamError(f"{name}: not a number: {value!r}") from exc


# --- the rules -----------------------------------------------------------------------------


def double_charging(visits: Sequence[Visit], spec: RuleSpec) -> list[Hit]:
    """重复收费: B billed on a day when A, whose scope includes B, is billed in the same visit;
    or an item allowed once a day billed on more than one line that day (the extra lines flag)."""
    pairs = spec.params.get("contains", [])
    included_by: dict[str, set[str]] = defaultdict(set)
    for pair in pairs:
        if not isinstance(pair, (list, tuple)) or len(pair) != 2:
            raise ParamError(f"contains: each entry is [including item, included item]: {pair!r}")
        included_by[pair[1]].add(pair[0])
    once = set(spec.params.get("once_per_day", []))
    hits: list[Hit] = []
    for v in visits:
        by_day: dict[date, set[str]] = defaultdict(set)
        for ln in v.lines:
            by_day[ln.charged_on].add(ln.item_code)
        seen_once: set[tuple[str, date]] = set()
        for ln in v.lines:
            containers = included_by.get(ln.item_code)
            if containers:
                found = containers & by_day[ln.charged_on]
                if found:
                    hits.append(
                        Hit(
                            spec.code,
                            v.id,
                            f"in:{ln.id}",
                            ln.amount,
                            spec.result,
                            (ln.id,),
                            {
                                "item": ln.item_code,
                                "name": ln.item_name,
                                "included_in": min(found),
                                "day": ln.charged_on.isoformat(),
                            },
                        )
                    )
                    continue
            if ln.item_code in once:
                k = (ln.item_code, ln.charged_on)
                if k in seen_once:
                    hits.append(
                        Hit(
                            spec.code,
                            v.id,
                            f"again:{ln.id}",
                            ln.amount,
                            spec.result,
                            (ln.id,),
                            {"item": ln.item_code, "name": ln.item_name, "day": ln.charged_on.isoformat()},
                        )
                    )
                else:
                    seen_once.add(k)
    return hits


def split_charging(visits: Sequence[Visit], spec: RuleSpec) -> list[Hit]:
    """分解收费: components of a package billed separately on one day, for more than the package."""
    packages = []
    for p in spec.params.get("packages", []):
        try:
            comps = frozenset(p["components"])
            packages.append((p["code"], _dec(p["price"], "packages.price"), comps, int(p.get("min_components", 2))))
        except (KeyError, TypeError) as exc:
            raise ParamError(f"packages: each needs code, price, components: {p!r}") from exc
    component_of: dict[str, list[int]] = defaultdict(list)
    for i, (_, _, comps, _) in enumerate(packages):
        for c in comps:
            component_of[c].append(i)
    hits: list[Hit] = []
    for v in visits:
        groups: dict[tuple[int, date], list[Line]] = defaultdict(list)
        for ln in v.lines:
            for i in component_of.get(ln.item_code, ()):
                groups[(i, ln.charged_on)].append(ln)
        for (i, day), lines in sorted(groups.items(), key=lambda kv: (kv[0][1], kv[0][0])):
            code, price, _, min_components = packages[i]
            if len({ln.item_code for ln in lines}) < min_components:
                continue
            total = sum((ln.amount for ln in lines), ZERO)
            excess = total - price
            if excess <= 0:
                continue
            hits.append(
                Hit(
                    spec.code,
                    v.id,
                    f"{code}:{day.isoformat()}",
                    excess,
                    spec.result,
                    tuple(sorted(ln.id for ln in lines)),
                    {"package": code, "package_price": str(price), "billed": str(total), "day": day.isoformat()},
                )
            )
    return hits


def sex_restricted(visits: Sequence[Visit], spec: RuleSpec) -> list[Hit]:
    """限性别: an item for one sex only billed for a person of the other sex."""
    items = Patterns(spec.params.get("items", {}))
    for allowed in list(items.exact.values()) + [v for _, v in items.prefixes]:
        if allowed not in ("M", "F"):
            raise ParamError(f"items: sex must be M or F, got {allowed!r}")
    hits: list[Hit] = []
    for v in visits:
        if v.sex not in ("M", "F"):
            continue
        for ln in v.lines:
            allowed = items.get(ln.item_code)
            if allowed is not None and allowed != v.sex:
                hits.append(
                    Hit(
                        spec.code,
                        v.id,
                        f"line:{ln.id}",
                        ln.amount,
                        spec.result,
                        (ln.id,),
                        {"item": ln.item_code, "name": ln.item_name, "allowed": allowed, "sex": v.sex},
                    )
                )
    return hits


def age_restricted(visits: Sequence[Visit], spec: RuleSpec) -> list[Hit]:
    """限年龄: the person's age on the day of the charge is outside the item's [min, max] years."""
    raw = spec.params.get("items", {})
    limits = {}
    for code, lim in raw.items():
        if not isinstance(lim, Mapping) or not ({"min", "max"} & set(lim)):
            raise ParamError(f"items.{code}: give min and/or max age in years")
        limits[code] = (lim.get("min"), lim.get("max"))
    items = Patterns(limits)
    hits: list[Hit] = []
    for v in visits:
        if v.birth_date is None:
            continue
        for ln in v.lines:
            lim = items.get(ln.item_code)
            if lim is None:
                continue
            age = age_on(v.birth_date, ln.charged_on)
            low, high = lim
            if (low is not None and age < low) or (high is not None and age > high):
                hits.append(
                    Hit(
                        spec.code,
                        v.id,
                        f"line:{ln.id}",
                        ln.amount,
                        spec.result,
                        (ln.id,),
                        {
                            "item": ln.item_code,
                            "name": ln.item_name,
                            "age": str(age),
                            "min": "" if low is None else str(low),
                            "max": "" if high is None else str(high),
                        },
                    )
                )
    return hits


def quantity_limit(visits: Sequence[Visit], spec: RuleSpec) -> list[Hit]:
    """超量: an item's quantity in one day, or over the whole visit/stay, above its limit.
    The amount is the excess quantity at the billed price."""
    raw = spec.params.get("items", {})
    limits = {}
    for code, lim in raw.items():
        if not isinstance(lim, Mapping) or not ({"per_day", "per_stay"} & set(lim)):
            raise ParamError(f"items.{code}: give per_day and/or per_stay")
        limits[code] = (
            _dec(lim["per_day"], f"items.{code}.per_day") if "per_day" in lim else None,
            _dec(lim["per_stay"], f"items.{code}.per_stay") if "per_stay" in lim else None,
        )
    items = Patterns(limits)
    hits: list[Hit] = []
    for v in visits:
        day_qty: dict[tuple[str, date], list[Line]] = defaultdict(list)
        stay_qty: dict[str, list[Line]] = defaultdict(list)
        for ln in v.lines:
            if ln.item_code in items:
                day_qty[(ln.item_code, ln.charged_on)].append(ln)
                stay_qty[ln.item_code].append(ln)
        for (code, day), lines in sorted(day_qty.items()):
            per_day, _ = items.get(code)
            qty = sum((ln.quantity for ln in lines), Decimal(0))
            if per_day is not None and qty > per_day:
                price = _average_price(lines, qty)
                hits.append(
                    Hit(
                        spec.code,
                        v.id,
                        f"day:{code}:{day.isoformat()}",
                        ((qty - per_day) * price).quantize(Decimal("0.01")),
                        spec.result,
                        tuple(sorted(ln.id for ln in lines)),
                        {
                            "item": code,
                            "name": lines[0].item_name,
                            "day": day.isoformat(),
                            "quantity": str(qty),
                            "limit": str(per_day),
                        },
                    )
                )
        for code, lines in sorted(stay_qty.items()):
            _, per_stay = items.get(code)
            qty = sum((ln.quantity for ln in lines), Decimal(0))
            if per_stay is not None and qty > per_stay:
                price = _average_price(lines, qty)
                hits.append(
                    Hit(
                        spec.code,
                        v.id,
                        f"stay:{code}",
                        ((qty - per_stay) * price).quantize(Decimal("0.01")),
                        spec.result,
                        tuple(sorted(ln.id for ln in lines)),
                        {"item": code, "name": lines[0].item_name, "quantity": str(qty), "limit": str(per_stay)},
                    )
                )
    return hits


def inpatient_days(visits: Sequence[Visit], spec: RuleSpec) -> list[Hit]:
    """住院天数异常: bed days billed beyond the stay, and charges dated outside the stay."""
    beds = Patterns(spec.params.get("bed_items", []))
    both_ends = bool(spec.params.get("count_both_ends", False))
    hits: list[Hit] = []
    for v in visits:
        if not v.is_inpatient:
            continue
        days = stay_days(v.admitted_on, v.discharged_on, count_both_ends=both_ends)
        bed_lines = [ln for ln in v.lines if ln.item_code in beds]
        bed_qty = sum((ln.quantity for ln in bed_lines), Decimal(0))
        if bed_qty > days:
            price = _average_price(bed_lines, bed_qty)
            hits.append(
                Hit(
                    spec.code,
                    v.id,
                    "bed_days",
                    ((bed_qty - days) * price).quantize(Decimal("0.01")),
                    spec.result,
                    tuple(sorted(ln.id for ln in bed_lines)),
                    {
                        "billed_days": str(bed_qty),
                        "stay_days": str(days),
                        "admitted_on": v.admitted_on.isoformat(),
                        "discharged_on": v.discharged_on.isoformat(),
                    },
                )
            )
        for ln in v.lines:
            if ln.charged_on < v.admitted_on or ln.charged_on > v.discharged_on:
                hits.append(
                    Hit(
                        spec.code,
                        v.id,
                        f"outside:{ln.id}",
                        ln.amount,
                        spec.result,
                        (ln.id,),
                        {
                            "item": ln.item_code,
                            "name": ln.item_name,
                            "day": ln.charged_on.isoformat(),
                            "admitted_on": v.admitted_on.isoformat(),
                            "discharged_on": v.discharged_on.isoformat(),
                        },
                    )
                )
    return hits


def _care_days(v: Visit) -> Iterable[date]:
    """Days a person was in an institution's care: an outpatient visit's charge days (or the
    settlement day), an inpatient stay's days strictly between admission and discharge (a transfer
    or a visit on the day of admission or discharge is normal)."""
    if v.is_inpatient:
        d = v.admitted_on + timedelta(days=1)
        while d < v.discharged_on:
            yield d
            d += timedelta(days=1)
    else:
        days = {ln.charged_on for ln in v.lines} or {v.settled_on}
        yield from sorted(days)


# Detail keys that describe another institution's side of a flag (where else the person was that
# day): bureau staff see them; the flagged institution sees only its own side.
OTHER_SIDE_KEYS = frozenset({"other_institutions", "other_settlements"})


def own_side(detail: Mapping[str, str]) -> dict[str, str]:
    """A flag's detail as its own institution may read it: without any other institution's side."""
    return {k: v for k, v in (detail or {}).items() if k not in OTHER_SIDE_KEYS}


def two_institutions_same_day(visits: Sequence[Visit], spec: RuleSpec) -> list[Hit]:
    """同日多机构就诊: one person in the care of two institutions on one day (pharmacy purchases
    are left out unless include_pharmacies is set). Every visit involved is flagged for that day."""
    include_pharmacies = bool(spec.params.get("include_pharmacies", False))
    by_person_day: dict[tuple[str, date], list[Visit]] = defaultdict(list)
    for v in visits:
        if v.institution_kind == "pharmacy" and not include_pharmacies:
            continue
        for d in _care_days(v):
            by_person_day[(v.person, d)].append(v)
    hits: dict[tuple[int, date], Hit] = {}
    for (_, day), vs in by_person_day.items():
        if len({v.institution_id for v in vs}) < 2:
            continue
        for v in vs:
            others = sorted({o.institution_id for o in vs if o.institution_id != v.institution_id})
            hits[(v.id, day)] = Hit(
                spec.code,
                v.id,
                f"day:{day.isoformat()}",
                ZERO,
                spec.result,
                tuple(sorted(ln.id for ln in v.lines if ln.charged_on == day)),
                {
                    "day": day.isoformat(),
                    "other_institutions": ",".join(map(str, others)),
                    "other_settlements": ",".join(str(o.id) for o in sorted(vs, key=lambda o: o.id) if o.id != v.id),
                },
            )
    return [hits[k] for k in sorted(hits)]


def short_admission(visits: Sequence[Visit], spec: RuleSpec) -> list[Hit]:
    """门诊转住院: a short stay (≤ max_days) whose bill is almost all routine outpatient items
    (examinations, tests, drugs, bed and nursing) — care that did not need an admission."""
    max_days = int(spec.params.get("max_days", 2))
    routine = Patterns(spec.params.get("routine_items", []))
    min_share = _dec(spec.params.get("min_routine_share", "0.9"), "min_routine_share")
    hits: list[Hit] = []
    for v in visits:
        if not v.is_inpatient or not v.lines:
            continue
        days = stay_days(v.admitted_on, v.discharged_on)
        if days > max_days:
            continue
        total = sum((ln.amount for ln in v.lines), ZERO)
        if total <= 0:
            continue
        routine_total = sum((ln.amount for ln in v.lines if ln.item_code in routine), ZERO)
        if routine_total / total >= min_share:
            hits.append(
                Hit(
                    spec.code,
                    v.id,
                    "stay",
                    total,
                    spec.result,
                    (),
                    {
                        "stay_days": str(days),
                        "routine_share": str((routine_total / total).quantize(Decimal("0.01"))),
                        "admitted_on": v.admitted_on.isoformat(),
                    },
                )
            )
    return hits


def split_admission(visits: Sequence[Visit], spec: RuleSpec) -> list[Hit]:
    """分解住院: the same person admitted again to the same institution within `within_days` of a
    discharge (one stay billed as two). The later stay is flagged, with its bill."""
    within = int(spec.params.get("within_days", 15))
    if within < 0:
        raise ParamError("within_days: must be 0 or more")
    stays: dict[tuple[str, int], list[Visit]] = defaultdict(list)
    for v in visits:
        if v.is_inpatient:
            stays[(v.person, v.institution_id)].append(v)
    hits: list[Hit] = []
    for group in stays.values():
        group.sort(key=lambda v: (v.admitted_on, v.id))
        for before, after in zip(group, group[1:], strict=False):
            gap = (after.admitted_on - before.discharged_on).days
            if 0 <= gap <= within:
                hits.append(
                    Hit(
                        spec.code,
                        after.id,
                        f"after:{before.id}",
                        sum((ln.amount for ln in after.lines), ZERO),
                        spec.result,
                        (),
                        {
                            "previous_settlement": str(before.id),
                            "discharged_on": before.discharged_on.isoformat(),
                            "admitted_on": after.admitted_on.isoformat(),
                            "gap_days": str(gap),
                        },
                    )
                )
    return hits


RULE_FUNCTIONS: dict[RuleKind, Callable[[Sequence[Visit], RuleSpec], list[Hit]]] = {
    RuleKind.DOUBLE_CHARGING: double_charging,
    RuleKind.SPLIT_CHARGING: split_charging,
    RuleKind.SEX_RESTRICTED: sex_restricted,
    RuleKind.AGE_RESTRICTED: age_restricted,
    RuleKind.QUANTITY_LIMIT: quantity_limit,
    RuleKind.INPATIENT_DAYS: inpatient_days,
    RuleKind.TWO_INSTITUTIONS_SAME_DAY: two_institutions_same_day,
    RuleKind.SHORT_ADMISSION: short_admission,
    RuleKind.SPLIT_ADMISSION: split_admission,
}


def validate_params(kind: RuleKind, params: Mapping) -> None:
    """Raise ParamError if the parameters cannot be applied (checked on an empty batch)."""
    RULE_FUNCTIONS[RuleKind(kind)]((), RuleSpec("check", RuleKind(kind), params))


def run_rules(visits: Sequence[Visit], specs: Iterable[RuleSpec]) -> list[Hit]:
    """All rules over one batch of visits; the hits in a stable order."""
    hits: list[Hit] = []
    for spec in specs:
        hits.extend(RULE_FUNCTIONS[RuleKind(spec.kind)](visits, spec))
    return hits

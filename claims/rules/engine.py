"""The one reimbursement engine.

``settle(policy, visits)`` takes visits (of any number of persons, in any order) and returns one
``VisitResult`` per visit, in input order. Each person's visits are settled per calendar year in
order of ``(date, visit_id)`` with running totals that start from zero on 1 January
(rules 1–5, each reading fixed by tests/claims/test_rules_engine.py). Nothing here knows about Django, the database or the clock.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from .assistance import AssistanceState, assist, floor_ratio_for
from .messages import Message
from .messages import gettext_noop as N_
from .policy import Benefit, Cap, DiseaseGroup, Policy

ZERO = Decimal("0")
CENT = Decimal("0.01")


def money(value: Decimal) -> Decimal:
    """Round to 0.01, half up (rule 1)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def fmt(value: Decimal) -> str:
    """A money or cost figure for explanations: no trailing zeros (8000, 5425, 12.5)."""
    value = money(value)
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def pct(ratio: Decimal) -> str:
    text = format((ratio * 100).normalize(), "f")
    return f"{text}%"


@dataclass(frozen=True)
class Visit:
    visit_id: str
    person_id: str
    date: date
    kind: str
    hospital_level: int
    in_scope_cost: Decimal
    essential_drug_cost: Decimal = ZERO
    disease: str = ""
    third_party: bool = False
    group: str = "resident"
    employment: str = ""
    continuous_years: int = 0
    tier: int = 1
    poor: bool = False
    # set by the caller from the registry (claims.rules.eligibility.entitled_visit): a visit outside cover
    # or inside the waiting period is not paid by the fund, with this reason first in the explanation
    not_entitled: Message | None = None
    place: str = "local"  # local | in_province | out_of_province (policy.PLACES)
    filed: bool = False  # a remote-care filing in force on the date (from the registry)
    categories: tuple[str, ...] = ()  # the registry's special categories on the date (medical assistance)


@dataclass(frozen=True)
class VisitResult:
    visit_id: str
    person_id: str
    covered: bool
    deductible: Decimal
    fund_paid: Decimal
    critical_paid: Decimal
    personal_paid: Decimal
    relief_paid: Decimal = Decimal("0.00")
    assistance_paid: Decimal = Decimal("0.00")
    admission_no: int | None = None
    totals: tuple[tuple[str, str], ...] = ()
    steps: tuple[Message, ...] = ()

    def explanation(self, translate=lambda s: s) -> list[str]:
        return [step.render(translate) for step in self.steps]

    def explanation_json(self) -> dict:
        return {
            "covered": self.covered,
            "admission_no": self.admission_no,
            "totals": dict(self.totals),
            "steps": [s.as_json() for s in self.steps],
        }

    @property
    def left_to_pay(self) -> Decimal:
        """What the person really pays after every layer (basic, critical, assistance, the floor)."""
        return self.personal_paid - self.assistance_paid - self.relief_paid


@dataclass
class _State:
    """Running totals of one person in one calendar year (mutable, private to the engine)."""

    admissions: int = 0
    cap_used: dict = field(default_factory=lambda: defaultdict(lambda: ZERO))
    accumulated: dict = field(default_factory=lambda: defaultdict(lambda: ZERO))
    burden: Decimal = ZERO
    critical_used: Decimal = ZERO
    assistance: AssistanceState = field(default_factory=AssistanceState)


def _sort_key(visit: Visit):
    return (visit.date, visit.visit_id)


def settle(policy: Policy, visits, *, explain: bool = True) -> list[VisitResult]:
    """Settle any visits under ``policy``; results come back in input order."""
    visits = list(visits)
    by_person_year: dict[tuple[str, int], list[int]] = defaultdict(list)
    for index, visit in enumerate(visits):
        by_person_year[(visit.person_id, visit.date.year)].append(index)
    results: list[VisitResult | None] = [None] * len(visits)
    for indexes in by_person_year.values():
        ordered = sorted(indexes, key=lambda i: _sort_key(visits[i]))
        for i, result in zip(
            ordered, settle_person_year(policy, [visits[i] for i in ordered], explain=explain), strict=True
        ):
            results[i] = result
    return results  # type: ignore[return-value]


def settle_person_year(policy: Policy, visits, *, explain: bool = True) -> list[VisitResult]:
    """Settle one person's visits of one year; they must already be in (date, visit_id) order.
    ``explain=False`` skips building the explanation (the batch's difference report needs figures only)."""
    state = _State()
    return [_settle_visit(policy, state, visit, explain) for visit in visits]


def _skip(msgid: str, **params) -> None:
    return None


def _not_covered(visit: Visit, reason: Message) -> VisitResult:
    cost = money(visit.in_scope_cost)
    return VisitResult(
        visit_id=visit.visit_id,
        person_id=visit.person_id,
        covered=False,
        deductible=money(ZERO),
        fund_paid=money(ZERO),
        critical_paid=money(ZERO),
        personal_paid=cost,
        steps=(
            reason,
            Message.of(N_("个人负担 %(amount)s 元（政策范围内费用全部自付）"), amount=fmt(cost)),
        ),
    )


KIND_HEADINGS = {
    "inpatient": N_("疾病住院，医院等级 %(level)s，政策范围内费用 %(cost)s 元"),
    "inpatient_accident": N_("意外伤害住院，医院等级 %(level)s，政策范围内费用 %(cost)s 元"),
    "outpatient_general": N_("普通门诊，医院等级 %(level)s，政策范围内费用 %(cost)s 元"),
    "outpatient_chronic": N_("门诊慢性病，医院等级 %(level)s，政策范围内费用 %(cost)s 元"),
    "outpatient_accident": N_("学生儿童意外伤害门诊，医院等级 %(level)s，政策范围内费用 %(cost)s 元"),
}


PLACE_HEADINGS = {
    ("in_province", True): N_("异地就医：市外省内，已备案"),
    ("in_province", False): N_("异地就医：市外省内，未备案"),
    ("out_of_province", True): N_("异地就医：省外，已备案"),
    ("out_of_province", False): N_("异地就医：省外，未备案"),
}


def _coverage(policy: Policy, visit: Visit) -> tuple[Benefit | None, DiseaseGroup | None, Message | None]:
    benefit = policy.benefits.get(visit.kind)
    if benefit is None:
        return None, None, Message.of(N_("不予支付：本政策没有 %(kind)s 待遇"), kind=visit.kind)
    if benefit.levels is not None and visit.hospital_level not in benefit.levels:
        return (
            None,
            None,
            Message.of(
                N_("不予支付：该待遇仅限 %(levels)s 级医疗机构，本次为 %(level)s 级"),
                levels="/".join(str(level) for level in sorted(benefit.levels)),
                level=visit.hospital_level,
            ),
        )
    if benefit.groups is not None and visit.group not in benefit.groups:
        return (
            None,
            None,
            Message.of(
                N_("不予支付：该待遇仅限 %(groups)s 人群"),
                groups="/".join(sorted(benefit.groups)),
            ),
        )
    if benefit.employments is not None and visit.employment not in benefit.employments:
        return (
            None,
            None,
            Message.of(
                N_("不予支付：该待遇仅限 %(employments)s 人员"),
                employments="/".join(sorted(benefit.employments)),
            ),
        )
    if benefit.no_third_party and visit.third_party:
        return None, None, Message.of(N_("不予支付：存在第三方责任"))
    group = None
    if benefit.disease_groups:
        disease = visit.disease.strip()
        group = next((g for g in benefit.disease_groups if disease in g.diseases), None)
        if group is None:
            return (
                None,
                None,
                Message.of(N_("不予支付：病种 %(disease)s 不在政策病种目录内"), disease=disease or "-"),
            )
        if group.levels is not None and visit.hospital_level not in group.levels:
            return (
                None,
                None,
                Message.of(
                    N_("不予支付：病种组 %(group)s 仅限 %(levels)s 级医疗机构"),
                    group=group.name,
                    levels="/".join(str(level) for level in sorted(group.levels)),
                ),
            )
    return benefit, group, None


def _lookup(visit: Visit) -> dict:
    """What a policy value may depend on (a Table's conditions)."""
    return dict(
        level=visit.hospital_level,
        employment=visit.employment,
        tier=visit.tier,
        group=visit.group,
        place=visit.place,
        filed=visit.filed,
    )


def _cap_amount(cap: Cap, visit: Visit) -> Decimal | None:
    amount = cap.amount.lookup(**_lookup(visit))
    if amount is None:
        return None
    for bonus in cap.years_bonus:
        if bonus.applies(visit.continuous_years):
            amount += bonus.amount
    return amount


def _settle_visit(policy: Policy, state: _State, visit: Visit, explain: bool = True) -> VisitResult:
    if visit.not_entitled is not None:
        result = _not_covered(visit, Message.of(N_("不予支付：就诊日无医保待遇")))
        return replace(result, steps=(result.steps[0], visit.not_entitled, *result.steps[1:]))
    benefit, group, reason = _coverage(policy, visit)
    if benefit is None:
        return _not_covered(visit, reason)
    of = Message.of if explain else _skip
    lookup = _lookup(visit)
    in_scope = visit.in_scope_cost
    steps: list[Message] = [
        of(
            KIND_HEADINGS[visit.kind],
            level=visit.hospital_level,
            cost=fmt(in_scope),
        )
    ]
    if visit.place != "local":
        steps.append(of(PLACE_HEADINGS[(visit.place, visit.filed)]))
    ratio_table = group.ratio if group is not None and group.ratio is not None else benefit.ratio
    ratio = ratio_table.lookup(**lookup)
    if ratio is None:
        return _not_covered(
            visit,
            Message.of(N_("不予支付：政策未规定 %(level)s 级医疗机构的报销比例"), level=visit.hospital_level),
        )
    if group is not None:
        steps.append(of(N_("病种 %(disease)s，属 %(group)s"), disease=visit.disease, group=group.name))

    # --- deductible (rule 4) ---
    ded_rule = benefit.deductible
    admission_no = state.admissions + 1 if visit.kind in policy.admission_kinds else None
    if ded_rule.type == "none":
        deductible = ZERO
        steps.append(of(N_("无起付线")))
    else:
        base = ded_rule.amount.lookup(**lookup) if ded_rule.amount is not None else None
        if base is None:
            return _not_covered(
                visit,
                Message.of(
                    N_("不予支付：政策未规定 %(level)s 级医疗机构的起付线"),
                    level=visit.hospital_level,
                ),
            )
        if ded_rule.type == "per_visit":
            factors = ded_rule.nth_admission_factors
            factor = factors[min(admission_no, len(factors)) - 1] if admission_no else Decimal(1)
            deductible = money(min(base * factor, in_scope))
            if admission_no and len(factors) > 1:
                if factor == 1:
                    msgid = N_("起付线 %(amount)s 元（本年度第%(n)s次住院，全额）")
                elif factor == 0:
                    msgid = N_("起付线 %(amount)s 元（本年度第%(n)s次住院，免除）")
                elif factor == Decimal("0.5"):
                    msgid = N_("起付线 %(amount)s 元（本年度第%(n)s次住院，减半）")
                else:
                    msgid = N_("起付线 %(amount)s 元（本年度第%(n)s次住院，%(base)s 的 %(ratio)s）")
                steps.append(of(msgid, amount=fmt(deductible), n=admission_no, ratio=pct(factor), base=fmt(base)))
            elif admission_no:
                steps.append(
                    of(
                        N_("起付线 %(amount)s 元（本年度第%(n)s次住院）"),
                        amount=fmt(deductible),
                        n=admission_no,
                    )
                )
            else:
                steps.append(of(N_("起付线 %(amount)s 元"), amount=fmt(deductible)))
        else:  # annual
            before = state.accumulated[ded_rule.accumulator]
            deductible = money(min(in_scope, max(ZERO, base - before)))
            state.accumulated[ded_rule.accumulator] = before + in_scope
            steps.append(
                of(
                    N_("年度起付线 %(base)s 元：年度累计费用 %(before)s → %(after)s 元，本次计入起付线 %(amount)s 元"),
                    base=fmt(base),
                    before=fmt(before),
                    after=fmt(before + in_scope),
                    amount=fmt(deductible),
                )
            )
        if deductible < base and ded_rule.type == "per_visit" and deductible == money(in_scope):
            steps.append(of(N_("起付线以政策范围内费用为限")))
    reimbursable = in_scope - deductible

    # --- basic fund formula ---
    edr_table = (
        group.essential_drug_ratio
        if group is not None and group.essential_drug_ratio is not None
        else benefit.essential_drug_ratio
    )
    edr = edr_table.lookup(**lookup) if edr_table is not None else None
    essential = min(visit.essential_drug_cost, in_scope)
    if edr is not None and essential > 0 and in_scope > 0:
        formula = reimbursable * (essential * edr + (in_scope - essential) * ratio) / in_scope
        formula_r = money(formula)
        steps.append(
            of(
                N_(
                    "统筹支付 (%(cost)s−%(ded)s)×(%(ess)s/%(cost)s×%(edr)s + (1−%(ess)s/%(cost)s)×%(ratio)s)"
                    " = %(amount)s 元（基本药物 %(ess)s 元按 %(edr)s）"
                ),
                cost=fmt(in_scope),
                ded=fmt(deductible),
                ess=fmt(essential),
                edr=pct(edr),
                ratio=pct(ratio),
                amount=fmt(formula_r),
            )
        )
    else:
        formula_r = money(reimbursable * ratio)
        steps.append(
            of(
                N_("统筹支付 (%(cost)s−%(ded)s)×%(ratio)s = %(amount)s 元"),
                cost=fmt(in_scope),
                ded=fmt(deductible),
                ratio=pct(ratio),
                amount=fmt(formula_r),
            )
        )

    # --- caps (rule 3) ---
    fund = formula_r
    cap_codes = tuple(benefit.caps) + (tuple(group.caps) if group is not None else ())
    cap_codes = tuple(dict.fromkeys(cap_codes))
    for code in cap_codes:
        cap = policy.caps[code]
        amount = _cap_amount(cap, visit)
        if amount is None:
            continue
        remaining = max(ZERO, amount - state.cap_used[code])
        if remaining < fund:
            fund = remaining
            steps.append(
                of(
                    N_("%(name)s %(cap)s 元：剩余 %(remaining)s 元，统筹支付以 %(amount)s 元为限"),
                    name=cap.name,
                    cap=fmt(amount),
                    remaining=fmt(remaining),
                    amount=fmt(fund),
                )
            )
    fund = max(ZERO, fund)
    for code in cap_codes:
        state.cap_used[code] += fund
    if admission_no:
        state.admissions = admission_no

    # --- critical illness ---
    critical = ZERO
    ci = policy.critical_illness
    if ci is not None and visit.kind in ci.kinds:
        burden_add = in_scope - fund
        over_cap_cost = ZERO
        if ci.above_fund_cap_ratio is not None and formula_r > fund and formula_r > 0:
            over_cap_cost = reimbursable * (formula_r - fund) / formula_r
        part = burden_add - over_cap_cost
        before = state.burden
        after = before + part
        state.burden = after
        formula_ci = ci.tariff(after) - ci.tariff(before)
        if over_cap_cost > 0:
            formula_ci += over_cap_cost * ci.above_fund_cap_ratio
        critical = money(formula_ci)
        cap_amount = _cap_amount(ci.cap, visit) or ZERO
        remaining = max(ZERO, cap_amount - state.critical_used)
        steps.append(
            of(
                N_("大病保险：年度累计个人负担 %(before)s → %(after)s 元，支付 %(amount)s 元"),
                before=fmt(before),
                after=fmt(after),
                amount=fmt(critical),
            )
        )
        if over_cap_cost > 0:
            steps.append(
                of(
                    N_("超过基本医保最高支付限额的费用 %(cost)s 元按 %(ratio)s 支付"),
                    cost=fmt(over_cap_cost),
                    ratio=pct(ci.above_fund_cap_ratio),
                )
            )
        if remaining < critical:
            critical = remaining
            steps.append(
                of(
                    N_("大病保险年度封顶 %(cap)s 元：剩余 %(remaining)s 元"),
                    cap=fmt(cap_amount),
                    remaining=fmt(remaining),
                )
            )
        state.critical_used += critical

    personal = in_scope - fund - critical
    steps.append(
        of(
            N_(
                "统筹支付 %(fund)s 元，大病保险 %(critical)s 元；个人负担 %(cost)s−%(fund)s−%(critical)s = %(personal)s 元"
            ),
            fund=fmt(fund),
            critical=fmt(critical),
            cost=fmt(in_scope),
            personal=fmt(personal),
        )
    )

    # --- medical assistance: the third layer (claims.rules.assistance) ---
    assistance = ZERO
    ma = policy.medical_assistance
    categories = (*visit.categories, "jiandang") if visit.poor else visit.categories
    if ma is not None and categories:
        assistance, more = assist(
            ma,
            state.assistance,
            kind=visit.kind,
            categories=categories,
            base=personal,
            money=money,
            fmt=fmt,
            pct=pct,
            of=of,
        )
        steps.extend(more)

    relief = ZERO
    floor = None
    if policy.poverty_relief is not None and visit.poor:
        floor = policy.poverty_relief.floor_ratio
    elif ma is not None and categories:
        floor = floor_ratio_for(ma, categories)
    if floor is not None:
        relief = max(ZERO, money(in_scope * floor - fund - critical - assistance))
        steps.append(
            of(
                N_("健康扶贫：政策范围内费用 %(cost)s 元报销不低于 %(ratio)s，兜底补助 %(amount)s 元"),
                ratio=pct(floor),
                cost=fmt(in_scope),
                amount=fmt(relief),
            )
        )
    if assistance > 0 or relief > 0:
        steps.append(
            of(
                N_("各项报销后个人自付 %(left)s 元"),
                left=fmt(personal - assistance - relief),
            )
        )

    totals = [("admissions", str(state.admissions))]
    for code in cap_codes:
        totals.append((f"cap:{code}", str(state.cap_used[code])))
    if ded_rule.type == "annual":
        totals.append((f"accumulated:{ded_rule.accumulator}", str(state.accumulated[ded_rule.accumulator])))
    if ci is not None and visit.kind in ci.kinds:
        totals.append(("critical_burden", str(state.burden)))
        totals.append(("critical_used", str(state.critical_used)))
    if ma is not None:
        totals.append(("assistance_base", str(state.assistance.base)))
        totals.append(("assistance_used", str(state.assistance.used)))
    return VisitResult(
        visit_id=visit.visit_id,
        person_id=visit.person_id,
        covered=True,
        deductible=money(deductible),
        fund_paid=money(fund),
        critical_paid=money(critical),
        personal_paid=money(personal),
        relief_paid=money(relief),
        assistance_paid=money(assistance),
        admission_no=admission_no,
        totals=tuple(totals),
        steps=tuple(step for step in steps if step is not None),
    )

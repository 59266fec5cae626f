"""Supervision test data: institutions with agreements, cases, claims settlements with lines."""

from datetime import date
from decimal import Decimal

from medinsure.accounts.models import Role
from medinsure.institutions.models import Institution
from supervision.models import Agreement, AgreementEvent, AgreementStatus
from tests.factories import UserFactory

_n = {"H": 0, "P": 0}


def institution(kind="medical", division=None, name=None, with_agreement=True, code=None):
    letter = "H" if kind == "medical" else "P"
    if code is None:
        _n[letter] += 1
        code = f"{letter}5001169{_n[letter]:04d}"
    inst, _ = Institution.objects.get_or_create(
        code=code,
        defaults={
            "name": name or f"测试{'医院' if kind == 'medical' else '药店'}{code[-4:]}",
            "kind": kind,
            "level": 2 if kind == "medical" else None,
            "division": division,
        },
    )
    if with_agreement and not Agreement.objects.filter(institution=inst).exists():
        a = Agreement.objects.create(
            institution=inst,
            number=f"XY-{code}",
            signed_on=date(2020, 1, 1),
            status=AgreementStatus.ACTIVE,
            status_from=date(2020, 1, 1),
        )
        AgreementEvent.objects.create(agreement=a, action="sign", status="active", effective_from=date(2020, 1, 1))
    return inst


def staff(role=Role.SUPERVISION, **kw):
    return UserFactory(role=role, **kw)


def institution_user(inst, **kw):
    return UserFactory(role=Role.INSTITUTION, institution=inst, **kw)


def settlement(
    inst,
    *,
    id_number="500116198001010011",
    sex="M",
    birth=date(1980, 1, 1),
    kind="outpatient_general",
    settled_on=date(2024, 5, 10),
    admitted_on=None,
    discharged_on=None,
    lines=(),
    number=None,
):
    """A claims settlement with its lines: lines are (code, name, qty, price, charged_on)."""
    from claims.models import Settlement, SettlementLine

    _n.setdefault("S", 0)
    _n["S"] += 1
    total = sum((Decimal(q) * Decimal(p) for _c, _nm, q, p, _d in lines), Decimal("0"))
    s = Settlement.objects.create(
        number=number or f"JS{_n['S']:08d}",
        institution=inst,
        id_number=id_number,
        name="张三",
        sex=sex,
        birth_date=birth,
        scheme="resident",
        kind=kind,
        hospital_level=2,
        admitted_on=admitted_on or settled_on,
        discharged_on=discharged_on,
        settled_on=settled_on,
        total_cost=total,
        in_scope_cost=total,
        deductible=0,
        fund_paid=0,
        critical_paid=0,
        personal_paid=total,
        **_settlement_extra(Settlement),
    )
    SettlementLine.objects.bulk_create(
        [
            SettlementLine(
                settlement=s,
                item_code=c,
                item_name=nm,
                category="a",
                quantity=Decimal(q),
                price=Decimal(p),
                amount=(Decimal(q) * Decimal(p)).quantize(Decimal("0.01")),
                charged_on=d or settled_on,
            )
            for c, nm, q, p, d in lines
        ]
    )
    return s


def _settlement_extra(model):
    """The policy version claims requires on every settlement (a test one)."""
    from claims.models import Policy, PolicyVersion

    policy, _ = Policy.objects.get_or_create(
        code="supervision-test", defaults={"name": "测试政策", "scheme": "resident", "year": 2024}
    )
    version, _ = PolicyVersion.objects.get_or_create(
        policy=policy, number=1, defaults={"document": {}, "digest": "0" * 64}
    )
    return {"policy_version": version}

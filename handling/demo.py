"""Demo data for handling (演示数据): the service points of the demo district and applications of registry
residents in every state, written through the real services (registrations, filings, a stop, a manual
claim settled by the engine). Idempotent: a second run changes nothing."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

from enrollment.models import Resident
from handling import services
from handling.models import Application, Disease, HandlingItem, ServicePoint
from medinsure.accounts.models import User
from medinsure.institutions.models import Institution
from medinsure.regions.models import Division


def _points() -> dict[str, ServicePoint]:
    """The district's service centre, each township's centre and a 医保之窗 in each village of the first two."""
    out = {}
    district = Division.objects.filter(level="district").order_by("code").first()
    if district is None:
        return out
    out[district.code] = ServicePoint.objects.get_or_create(
        division=district, name=f"{district.name}医疗保障事务中心", defaults={"level": "district"}
    )[0]
    townships = list(Division.objects.filter(level="township").order_by("code"))
    for t in townships:
        out[t.code] = ServicePoint.objects.get_or_create(
            division=t, name=f"{t.name}便民服务中心", defaults={"level": "township"}
        )[0]
    for v in Division.objects.filter(level="village", parent__in=townships[:2]).order_by("code"):
        out[v.code] = ServicePoint.objects.get_or_create(
            division=v, name=f"{v.name}医保之窗", defaults={"level": "village"}
        )[0]
    return out


def _papers(code):
    return list(HandlingItem.objects.get(code=code).papers)


def load(*, stdout=None) -> None:
    points = _points()
    if Application.objects.exists():
        if stdout:
            stdout.write("经办服务：演示数据已存在")
        return
    users = {u.username: u for u in User.objects.filter(username__in=["township", "village", "claims"])}
    if len(users) < 3 or not points:
        if stdout:
            stdout.write("经办服务：缺少演示用户或区划，跳过")
        return
    township, village, clerk = users["township"], users["village"], users["claims"]
    t_point = points.get(township.division.code)
    v_point = points.get(village.division.code)
    centre = next(p for p in points.values() if p.level == "district")
    residents = list(
        Resident.objects.filter(hukou_division__code__startswith=township.division.scope_prefix).order_by("pk")[:12]
    )
    in_village = (
        Resident.objects.filter(hukou_division__code__startswith=village.division.scope_prefix).order_by("pk").first()
    )
    if len(residents) < 10 or t_point is None or v_point is None:
        if stdout:
            stdout.write("经办服务：演示参保人员不足，跳过")
        return
    today = timezone.localdate()
    failures = []

    def step(label, fn):
        try:
            return fn()
        except ValidationError as exc:
            failures.append(f"{label}: {'；'.join(exc.messages)}")
            return None

    def receive(actor, point, code, r, papers=None, **kw):
        return services.application_receive(
            actor=actor,
            point_id=point.pk,
            item_code=code,
            resident_id=r.pk,
            applicant_name=r.name,
            papers_received=_papers(code) if papers is None else papers,
            **kw,
        )

    def accept(actor, a):
        return services.application_accept(actor=actor, application_id=a.pk)

    # received today, papers complete / a village worker's phone filing / returned for missing papers
    receive(township, t_point, "record_print", residents[0])
    if in_village is not None:
        receive(village, v_point, "resident_change", in_village, channel="phone", applicant_relation="子女")
    returned = receive(
        township,
        t_point,
        "remote_living",
        residents[2],
        papers=["居民身份证"],
        details={"filing_kind": "living", "destination": "广东省广州市", "valid_from": today.isoformat()},
    )
    services.application_return(actor=township, application_id=returned.pk)
    # accepted, one of them overdue (demo: its acceptance moved back so the limit has passed)
    accept(township, receive(township, t_point, "flexible_payment", residents[3]))
    late = accept(
        township, receive(township, t_point, "cover_resume", residents[4], details={"resumed_on": today.isoformat()})
    )
    Application.objects.filter(pk=late.pk).update(
        accepted_on=today - timedelta(days=10),
        due_on=today - timedelta(days=5),
        received_at=timezone.now() - timedelta(days=10),
    )
    # a chronic application reviewed and approved into the register, then finished
    disease = Disease.objects.filter(name="糖尿病", kind="chronic").first()
    chronic = accept(
        township, receive(township, t_point, "chronic", residents[5], disease_id=disease.pk, evidence_years=3)
    )
    services.application_review(
        actor=clerk, application_id=chronic.pk, passed=True, opinion="合并肾病，符合认定标准（演示）"
    )
    if step("chronic", lambda: services.application_decide(actor=clerk, application_id=chronic.pk, approve=True)):
        services.application_finish(actor=township, application_id=chronic.pk)
    # a chronic application waiting for the expert review
    ra = Disease.objects.filter(name="类风湿性关节炎", kind="chronic").first()
    accept(township, receive(township, t_point, "chronic", residents[6], disease_id=ra.pk, evidence_years=2))
    # a remote-care filing approved; a stop refused
    remote = accept(
        township,
        receive(
            township,
            t_point,
            "remote_working",
            residents[7],
            details={"filing_kind": "working", "destination": "浙江省杭州市", "valid_from": today.isoformat()},
        ),
    )
    step("remote", lambda: services.application_decide(actor=township, application_id=remote.pk, approve=True))
    stop = accept(
        township,
        receive(
            township,
            t_point,
            "cover_stop",
            residents[8],
            details={"stopped_on": today.isoformat(), "reason": "已参加职工医保（演示）"},
        ),
    )
    services.application_decide(
        actor=township, application_id=stop.pk, approve=False, reason="未提供职工医保参保证明（演示）"
    )
    # a manual claim at the service centre, settled by the engine (the demo district's 2025 policy)
    hospital = Institution.objects.filter(kind=Institution.Kind.MEDICAL, level=3).order_by("code").first()
    if hospital is not None:
        claim = accept(
            clerk,
            receive(
                clerk,
                centre,
                "manual_claim",
                residents[9],
                details={
                    "institution_code": hospital.code,
                    "invoice_number": "DEMO-LX-0001",
                    "reason": "system_failure",
                    "policy_code": "jiangjin-resident-2025",
                    "kind": "inpatient",
                    "hospital_level": 3,
                    "admitted_on": "2025-05-06",
                    "discharged_on": "2025-05-12",
                    "lines": [
                        {"item_name": "床位费", "category": "b", "quantity": "6", "price": "800"},
                        {"item_name": "进口耗材", "category": "self", "quantity": "1", "price": "1200"},
                    ],
                },
            ),
        )
        if step(
            "manual_claim", lambda: services.application_decide(actor=clerk, application_id=claim.pk, approve=True)
        ):
            services.application_finish(actor=clerk, application_id=claim.pk)
    if stdout:
        stdout.write(f"经办服务：服务点 {len(points)} 个，申请 {Application.objects.count()} 件")
        for f in failures:
            stdout.write(f"经办服务：演示申请未批准 {f}")

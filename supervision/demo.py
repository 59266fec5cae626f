"""Demo data: Jiangjin's 2024 supervision year exactly as seed 000 reports it.

2024年，我局共开展现场检查医药机构208家次，作出行政处罚和协议处理141家次，追回医保基金652.98万元，
处罚款（违约金）797.33万元，中止医保协议20家，解除协议62家（其中医疗机构17家、药店45家）……公示曝光
违法违规使用医保基金案例30件，受理举报线索10件，作出行政处罚和协议处理8家次，追回医保基金7.88万元，
处罚款（违约金）12.20万元。

Everything is written through the services (the same checks as the pages), so the figures page
computes those numbers from the records. The report-derived figures are part of the totals. A
second run changes nothing (the 2024 cases are there already).
"""

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from medinsure.accounts.models import Role, User
from medinsure.institutions.models import Institution
from medinsure.regions.models import Division
from supervision import services
from supervision.models import Agreement, AgreementEvent, AgreementStatus, Case, Report, SelfInspectionRound

YEAR = 2024
MEDICAL, PHARMACY = 60, 110
TOTAL_RECOVERED, TOTAL_FINES = Decimal("6529800.00"), Decimal("7973300.00")
REPORT_RECOVERED = [Decimal(x) for x in (12000, 8800, 15000, 6000, 9000, 10000, 7000, 11000)]  # 78,800
REPORT_FINES = [Decimal(x) for x in (20000, 15000, 18000, 10000, 16000, 14000, 12000, 17000)]  # 122,000
MEDICAL_TYPES = ["乡镇卫生院", "社区卫生服务中心", "民营医院", "诊所", "村卫生室"]
VIOLATIONS = [
    "double_charging",
    "swapping",
    "beyond_restriction",
    "fictitious",
    "absent_bed",
    "over_treatment",
    "split_charging",
    "outpatient_to_inpatient",
]
SOURCES = ["on_site", "flight", "joint", "on_site", "third_party", "big_data"]


def _split(total: Decimal, n: int, salt: int) -> list[Decimal]:
    """n positive amounts in whole hundreds that add up to total exactly."""
    weights = [1 + (i * 7 + salt) % 11 for i in range(n)]
    w = sum(weights)
    parts = [(total * k / w / 100).quantize(Decimal("1"), rounding="ROUND_FLOOR") * 100 for k in weights]
    parts[-1] += total - sum(parts)
    return [p.quantize(Decimal("0.01")) for p in parts]


def _institutions() -> tuple[list[Institution], list[Institution]]:
    townships = list(Division.objects.filter(level=Division.Level.TOWNSHIP).order_by("code"))
    medical, pharmacy = [], []
    for i in range(1, MEDICAL + 1):
        t = townships[i % len(townships)] if townships else None
        kind_type = MEDICAL_TYPES[i % len(MEDICAL_TYPES)]
        inst, _ = Institution.objects.get_or_create(
            code=f"H500116{10000 + i:05d}",
            defaults={
                "name": f"{t.name if t else '江津'}{kind_type}{i:02d}",
                "kind": "medical",
                "type": kind_type,
                "level": 1 if kind_type != "民营医院" else 2,
                "division": t,
            },
        )
        medical.append(inst)
    for i in range(1, PHARMACY + 1):
        t = townships[(i * 3) % len(townships)] if townships else None
        inst, _ = Institution.objects.get_or_create(
            code=f"P500116{20000 + i:05d}",
            defaults={
                "name": f"{t.name if t else '江津'}{'康' if i % 2 else '民'}{'安' if i % 3 else '泰'}大药房{i:03d}店",
                "kind": "pharmacy",
                "type": "零售药店",
                "division": t,
            },
        )
        pharmacy.append(inst)
    return medical, pharmacy


def _agreements(institutions) -> None:
    existing = set(Agreement.objects.values_list("institution_id", flat=True))
    new = [
        Agreement(
            institution=i,
            number=f"JJYB-XY-{i.code}",
            signed_on=date(2021, 1, 1),
            valid_until=date(2026, 12, 31),
            status=AgreementStatus.ACTIVE,
            status_from=date(2021, 1, 1),
        )
        for i in institutions
        if i.pk not in existing
    ]
    for a in Agreement.objects.bulk_create(new):
        AgreementEvent.objects.create(
            agreement=a, action="sign", status="active", effective_from=a.signed_on, note="演示数据"
        )


def load(*, stdout=None) -> None:
    actor = User.objects.filter(role=Role.SUPERVISION, is_active=True).order_by("id").first()
    if actor is None:
        if stdout:
            stdout.write("基金监管：没有基金监管科演示用户，跳过")
        return
    services.audit_rules_ensure_defaults()
    medical, pharmacy = _institutions()
    core = list(
        Institution.objects.filter(
            code__in=[
                "H50011600001",
                "H50011600002",
                "H50011600003",
                "H50011600004",
                "H50011600005",
                "P50011600001",
                "P50011600002",
            ]
        ).order_by("code")
    )
    _agreements(medical + pharmacy + core)
    if Case.objects.filter(registered_on__year=YEAR).exists():
        if stdout:
            stdout.write("基金监管：2024年演示数据已存在")
        return

    terminated = medical[:17] + pharmacy[:45]
    suspended = medical[17:25] + pharmacy[45:57]
    rest = [x for pair in zip(medical[25:60], pharmacy[57:92], strict=False) for x in pair] + core + pharmacy[92:]
    others = rest[:59]  # 8 from reports + 51 more

    plan = []  # (institution, action, from_report)
    plan += [(inst, "none", True) for inst in others[:8]]
    plan += [(inst, "terminate", False) for inst in terminated]
    plan += [(inst, "suspend", False) for inst in suspended]
    plan += [(inst, "none", False) for inst in others[8:]]
    assert len(plan) == 141

    recovered = _split(TOTAL_RECOVERED - sum(REPORT_RECOVERED), 133, 3)
    fines = _split(TOTAL_FINES - sum(REPORT_FINES), 133, 5)

    # the ten whistle-blower reports of 2024
    reports = []
    for i in range(10):
        target = others[i] if i < 8 else pharmacy[100 + i]
        r = services.report_submit(
            subject=target.name,
            institution_id=target.pk,
            content=f"反映{target.name}存在{'串换药品' if target.kind == 'pharmacy' else '虚记诊疗项目'}、刷卡套现等问题，请核查。",
            reporter_name="刘某某" if i == 0 else "",
            reporter_phone="13900000000" if i == 0 else "",
        )
        Report.objects.filter(pk=r.pk).update(received_at=timezone.make_aware(datetime(YEAR, 1 + i, 8, 9, 30)))
        reports.append(r)

    k = 0
    for idx, (inst, action, from_report) in enumerate(plan):
        month = 1 + idx % 12
        inspected = date(YEAR, month, 2 + idx % 5)
        decided = date(YEAR, month, 18 + idx % 8)
        violations = [VIOLATIONS[idx % len(VIOLATIONS)]] + (
            [VIOLATIONS[(idx + 3) % len(VIOLATIONS)]] if idx % 4 == 0 else []
        )
        summary = f"{inspected:%Y年%m月}现场检查发现{inst.name}存在违规使用医保基金问题。"
        if from_report:
            report = reports[idx]
            month = 1 + idx
            inspected, decided = date(YEAR, 1 + idx, 15), date(YEAR, 1 + idx, 26)
            case = services.report_open_case(
                actor=actor,
                report_id=report.pk,
                registered_on=inspected,
                violations=violations,
                summary=summary,
                institution_id=inst.pk,
                inspected_on=inspected,
            )
            rec, fine = REPORT_RECOVERED[idx], REPORT_FINES[idx]
        else:
            case = services.case_register(
                actor=actor,
                source=SOURCES[idx % len(SOURCES)],
                target_kind="institution",
                institution_id=inst.pk,
                violations=violations,
                summary=summary,
                registered_on=inspected,
                inspected_on=inspected,
            )
            rec, fine = recovered[k], fines[k]
            k += 1
        services.case_transition(actor=actor, case_id=case.pk, target="investigating", on=inspected)
        penalty = action == "none" and idx % 2 == 0
        if penalty and fine % 2 == 0:
            basis = dict(penalty=True, fine_basis="art38", fine_multiple=Decimal("2"), obtained=fine / 2)
        else:
            basis = dict(agreement_handling=True, fine_basis="agreement", fine_amount=fine)
        kwargs = {}
        if action == "suspend":
            kwargs = dict(action_from=decided + timedelta(days=3), action_until=decided + timedelta(days=93))
        elif action == "terminate":
            kwargs = dict(action_from=decided + timedelta(days=3))
        if kwargs and decided.month == 12 and kwargs["action_from"].year != YEAR:
            kwargs["action_from"] = date(YEAR, 12, 31)
        services.case_decide(
            actor=actor,
            case_id=case.pk,
            decided_on=decided,
            recovered=rec,
            document_number=f"津医保{'罚' if basis.get('penalty') else '协'}〔{YEAR}〕{idx + 1}号",
            agreement_action=action,
            **basis,
            **kwargs,
        )
        if month <= 10:
            services.case_transition(actor=actor, case_id=case.pk, target="executed", on=decided + timedelta(days=10))
            services.case_transition(actor=actor, case_id=case.pk, target="closed", on=decided + timedelta(days=20))
        if 8 <= idx < 38:  # thirty cases publicised (信用中国 and the bureau's site)
            services.case_publish(
                actor=actor,
                case_id=case.pk,
                published_on=decided + timedelta(days=6),
                public_summary=f"{inst.name}{case.violation_labels[0]}，追回医保基金{rec}元，"
                f"处违约金（罚款）{fine}元。",
            )

    # 67 inspections that found nothing to punish
    pool = rest[59:] + core + medical[25:] + pharmacy[57:]
    for j in range(67):
        inst = pool[j % len(pool)]
        day = date(YEAR, 1 + j % 12, 10 + j % 15)
        case = services.case_register(
            actor=actor,
            source=SOURCES[j % 3],
            target_kind="institution",
            institution_id=inst.pk,
            violations=["other"],
            summary=f"{day:%Y年%m月}对{inst.name}开展现场检查。",
            registered_on=day,
            inspected_on=day,
        )
        services.case_transition(actor=actor, case_id=case.pk, target="investigating", on=day)
        services.case_transition(
            actor=actor, case_id=case.pk, target="closed", on=day + timedelta(days=5), note="未发现违规使用医保基金问题"
        )

    for r in reports[8:]:
        services.report_close(actor=actor, report_id=r.pk, reason="经核查，举报反映的问题不属实。")

    # the yearly self-inspection (seed 003 篇6): deadline 10 September
    if not SelfInspectionRound.objects.filter(year=YEAR).exists():
        rnd = services.self_inspection_round_create(actor=actor, year=YEAR, deadline=date(YEAR, 9, 10))
        for inst in core + medical[25:45] + pharmacy[57:90]:
            services.self_inspection_file(
                actor=actor,
                round_id=rnd.pk,
                institution_id=inst.pk,
                summary="已按要求开展自查自纠，未发现问题。",
                filed_on=date(YEAR, 9, 5),
            )
        services.self_inspection_check_deadlines(as_of=date(YEAR, 9, 11))
    flags = _audit_claims_demo(actor)
    if stdout:
        stdout.write(f"基金监管：江津区2024年检查、处理、协议、举报与曝光数据已载入；智能审核疑点 {flags} 条")


def _audit_claims_demo(actor) -> int:
    """Run the rules over claims' demo settlements, month by month, as the monthly task would; the
    demo hospital answers its first flag and the bureau reviews one that was answered."""
    from claims.models import Settlement
    from supervision.models import Flag

    months = sorted({(d.year, d.month) for d in Settlement.objects.dates("settled_on", "month")})
    for y, m in months:
        first = date(y, m, 1)
        last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        services.audit_run(kind="monthly", start=first, end=last)
    hospital_user = User.objects.filter(role=Role.INSTITUTION, institution__isnull=False).order_by("id").first()
    if hospital_user:
        own = Flag.objects.filter(institution_id=hospital_user.institution_id, status="pushed").order_by("id")
        for flag, answer in zip(
            own[:2], ["经核查，系收费员重复录入，已退费。", "患者当日确在我院就诊，另一机构记录待核实。"], strict=False
        ):
            services.flag_answer(actor=hospital_user, flag_id=flag.pk, answer=answer)
        answered = Flag.objects.filter(status="answered").order_by("id").first()
        if answered:
            services.flag_review(actor=actor, flag_id=answered.pk, confirm=True, note="机构承认重复收费，予以扣款")
    return Flag.objects.count()

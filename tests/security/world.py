"""The world the route walk runs in: a district with townships A (甲镇) and B (乙镇), one of everything
that has a page, and a user of every role.

Everything that belongs to township B carries the sentinel ``SENTINEL`` in its text fields (names,
titles, notes, file names), so a page that shows B's rows to someone whose area excludes B is caught by
a plain substring search of the response. B's resident's ID and phone number are sentinels too (the
unmasked numbers must never reach a role that may not see them, whatever the area).

Objects without an area (policies, budgets, reply cases …) are bureau data: they carry the sentinel too,
so roles without the app's area are caught if a page of that app shows them anything.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from medinsure.accounts.models import Role
from medinsure.regions.models import Division
from tests.factories import DivisionFactory, UserFactory

SENTINEL = "乙镇哨兵"
B_ID_NUMBER = "500116199107070036"  # valid check digit (make_id_number below recomputes it)
B_PHONE = "13977770001"
A_PHONE = "13866660001"
A2_PHONE = "13866660002"
OLD_PHONES = {"a": "13866669991", "a2": "13866669992", "b": "13977779993"}  # in the residents' history
# Marks of A's own villages: a village worker of 甲镇一村 must not see 甲镇二村's rows either.
A1_MARK = "甲一村标记"
A2_MARK = "甲二村标记"
YEAR = 2025


@dataclass
class World:
    district: Division
    town_a: Division
    town_b: Division
    village_a: Division
    village_b: Division
    users: dict[str, object] = field(default_factory=dict)  # role -> user (A side / bureau)
    b_users: dict[str, object] = field(default_factory=dict)  # role -> user of township B
    objects: dict[str, object] = field(default_factory=dict)  # name -> B's object
    files: list = field(default_factory=list)  # files written outside the database (removed at the end)
    sentinels: tuple[str, ...] = ()
    village_a2: Division | None = None
    # (division, its marks): rows of that division show these; only users whose area covers it may see them
    zones: list[tuple[Division, tuple[str, ...]]] = field(default_factory=list)


def _id(n: int, born=date(1991, 7, 7)) -> str:
    from medinsure.rules.id_numbers import make_id_number

    return make_id_number("500116", born, n)


def build() -> World:
    district = DivisionFactory()
    town_a = DivisionFactory.township(district, 101, "甲镇")
    town_b = DivisionFactory.township(district, 102, "乙镇")
    village_a = DivisionFactory.village(town_a, 201, "甲镇一村")
    village_b = DivisionFactory.village(town_b, 201, "乙镇一村")
    w = World(district, town_a, town_b, village_a, village_b)
    w.village_a2 = DivisionFactory.village(town_a, 202, "甲镇二村")

    from medinsure.institutions.models import Institution
    from tests.supervision import factories as sf

    inst_a = sf.institution(division=town_a, name="甲镇卫生院", code="H50011691001")
    inst_b = sf.institution(division=town_b, name=f"{SENTINEL}卫生院", code="H50011699901")
    assert inst_b.kind == Institution.Kind.MEDICAL

    # --- users: one per role on A's side (bureau-wide roles have no division) and B's workers -----
    for role in Role.values:
        kw = {"username": f"walk_{role}", "last_name": f"甲{role}"}
        if role == Role.TOWNSHIP:
            kw["division"] = town_a
        elif role == Role.VILLAGE:
            kw["division"] = village_a
        elif role == Role.INSTITUTION:
            kw["institution"] = inst_a
        w.users[role] = UserFactory(role=role, **kw)
    w.b_users[Role.TOWNSHIP] = UserFactory(
        role=Role.TOWNSHIP, division=town_b, username="walk_b_township", last_name=f"{SENTINEL}经办员"
    )
    w.b_users[Role.VILLAGE] = UserFactory(
        role=Role.VILLAGE, division=village_b, username="walk_b_village", last_name=f"{SENTINEL}网格员"
    )
    w.b_users[Role.INSTITUTION] = UserFactory(
        role=Role.INSTITUTION, institution=inst_b, username="walk_b_institution", last_name=f"{SENTINEL}机构员"
    )
    w.objects["institution"] = inst_b
    w.objects["institution_a"] = inst_a

    _enrollment(w)
    _claims(w)
    _supervision(w)
    _fundbudget(w)
    _replies(w)
    _handling(w)
    _core(w)
    w.sentinels = (SENTINEL, w.objects["resident"].id_number, B_PHONE)
    w.zones = [
        (town_b, w.sentinels),
        (w.village_a2, (A2_MARK, w.objects["resident_a2"].id_number, A2_PHONE)),
        (village_a, (A1_MARK, w.objects["resident_a"].id_number)),
    ]
    return w


# --- enrollment ------------------------------------------------------------------------------
def _enrollment(w: World) -> None:
    from enrollment.models import (
        GuidelineTask,
        InsuranceStatus,
        MobilisationTask,
        ProgressDaily,
        ReminderMessage,
        Source,
    )
    from tests.enrollment.factories import ResidentFactory, make_campaign

    campaign = make_campaign(YEAR)
    staff = w.users[Role.ENROLLMENT]
    res_a = ResidentFactory(
        id_number=_id(11), name=f"{A1_MARK}居民", hukou_division=w.village_a, phone=A_PHONE, address=f"{A1_MARK}1号"
    )
    res_a2 = ResidentFactory(
        id_number=_id(12), name=f"{A2_MARK}居民", hukou_division=w.village_a2, phone=A2_PHONE, address=f"{A2_MARK}2号"
    )
    worker_a2 = UserFactory(
        role=Role.VILLAGE, division=w.village_a2, username="walk_a2_village", last_name="甲二村网格员"
    )
    res_b = ResidentFactory(
        id_number=_id(36),
        name=f"{SENTINEL}居民",
        hukou_division=w.village_b,
        residence_division=w.village_b,
        phone=B_PHONE,
        address=f"{SENTINEL}一村9号",
    )
    for r in (res_a, res_a2, res_b):
        InsuranceStatus.objects.create(
            resident=r, year=YEAR, status="tier1", source=Source.SYSTEM, status_date=date(2024, 10, 1)
        )
    tasks = {}
    for key, town, village, resident, worker in (
        ("a", w.town_a, w.village_a, res_a, w.users[Role.VILLAGE]),
        ("a2", None, w.village_a2, res_a2, worker_a2),
        ("b", w.town_b, w.village_b, res_b, w.b_users[Role.VILLAGE]),
    ):
        if town is not None:
            GuidelineTask.objects.create(
                campaign=campaign,
                township=town,
                raw=Decimal("100"),
                computed_task=100,
                task=100,
                edit_reason=f"{SENTINEL}调整" if key == "b" else "",
            )
        tasks[key] = MobilisationTask.objects.create(
            campaign=campaign,
            resident=resident,
            division=village,
            assignee=worker,
            gap="new",
            note={"b": f"{SENTINEL}备注", "a": f"{A1_MARK}备注", "a2": f"{A2_MARK}备注"}[key],
        )
        ReminderMessage.objects.create(
            campaign=campaign,
            resident=resident,
            round_id="r1",
            phone=resident.phone,
            text=f"{resident.name}您好，请缴费",
        )
    for level, code, name, parent in (
        ("township", w.town_a.code, w.town_a.name, w.district.code),
        ("township", w.town_b.code, w.town_b.name, w.district.code),
        ("village", w.village_a.code, w.village_a.name, w.town_a.code),
        ("village", w.village_b.code, w.village_b.name, w.town_b.code),
    ):
        ProgressDaily.objects.create(
            year=YEAR,
            day=date(2024, 10, 1),
            level=level,
            division_code=code,
            division_name=name,
            parent_code=parent,
            task=100,
            insured=50,
            rate=Decimal("0.5"),
            rank=1,
        )
    # history (as the importer writes it: column → value), payments and outcome notes of each resident
    from enrollment.models import Payment, ResidentHistory, TaskOutcomeLog

    for key, r, mark in (("a", res_a, A1_MARK), ("a2", res_a2, A2_MARK), ("b", res_b, SENTINEL)):
        ResidentHistory.objects.create(
            resident=r,
            source=Source.POLICE,
            actor=staff,
            field="resident",
            before={
                "phone": OLD_PHONES[key],
                "address": f"{mark}旧址",
                "id_number_raw": r.id_number[:6] + r.id_number[8:17],
            },
            after={"phone": r.phone, "address": r.address},
        )
        Payment.objects.create(
            resident=r,
            year=YEAR,
            tier="tier1",
            amount=Decimal("400"),
            paid_on=date(2024, 10, 8),
            receipt_no=f"{mark}票据{key}",
            kind=Payment.Kind.ON_TIME,
        )
        TaskOutcomeLog.objects.create(task=tasks[key], outcome="promised", note=f"{mark}承诺", actor=staff)

    # a police file uploaded the real way, one line of it in error (B's village, a bad check digit)
    from django.core.files.uploadedfile import SimpleUploadedFile

    from enrollment.services import import_upload

    bad_id = res_b.id_number[:-1] + ("0" if res_b.id_number[-1] != "0" else "1")
    csv = (
        "身份证号,姓名,户籍地区划代码,居住地区划代码,联系电话,住址,变动类型,变动日期\n"
        f"{bad_id},{SENTINEL}导入,{w.village_b.code},,{B_PHONE},{SENTINEL}住址,在册,\n"
    )
    batch = import_upload(
        actor=staff,
        source="police",
        uploaded_file=SimpleUploadedFile(f"{SENTINEL}户籍.csv", csv.encode("utf-8"), content_type="text/csv"),
    )
    assert batch.error_rows == 1, (batch.status, batch.message, batch.errors)
    w.objects.update(
        campaign=campaign,
        resident=res_b,
        resident_a=res_a,
        resident_a2=res_a2,
        task=tasks["b"],
        task_a=tasks["a"],
        task_a2=tasks["a2"],
        batch=batch,
    )


# --- claims ----------------------------------------------------------------------------------
def _claims(w: World) -> None:
    from claims.models import Recalculation, SettlementImport
    from tests.supervision import factories as sf

    settlement = sf.settlement(
        w.objects["institution"],
        id_number=w.objects["resident"].id_number,
        birth=w.objects["resident"].birth_date,  # the person's own: the insiders' walk rebuilds from it
        number=f"JSB{SENTINEL}",
        lines=[("311100001", f"{SENTINEL}项目", "1", "80", None)],
    )
    # a real policy, loaded the way the bureau loads it (the supervision factory's stand-in has no document)
    from claims.models import Policy
    from claims.services import policies_load_files

    result = policies_load_files(codes=["xx-district-2021"])
    assert not result["errors"], result
    policy = Policy.objects.get(code="xx-district-2021")
    version = policy.versions.order_by("-number").first()
    stand_in = settlement.policy_version
    settlement.name = f"{SENTINEL}居民"
    settlement.division = w.village_b
    settlement.policy_version = version
    settlement.save(update_fields=["name", "division", "policy_version"])
    stand_in.delete()
    stand_in.policy.delete()
    policy.name = f"{SENTINEL}政策"
    policy.save(update_fields=["name"])
    imp = SettlementImport.objects.create(
        file_name=f"{SENTINEL}结算.csv",
        raw=b"x",
        policy=policy,
        status=SettlementImport.Status.INVALID,
        errors=[{"line": 1, "column": "姓名", "message": f"{SENTINEL}错误"}],
        created_by=w.users[Role.CLAIMS],
    )
    recalc = Recalculation.objects.create(
        policy_version=version,
        year=2024,
        status=Recalculation.Status.READY,
        message=f"{SENTINEL}重算",
        created_by=w.users[Role.CLAIMS],
    )
    from claims.models import RecalculationDiff

    zero = Decimal("0")
    RecalculationDiff.objects.create(
        recalculation=recalc,
        chunk=0,
        settlement=settlement,
        hospital_level=settlement.hospital_level,
        old_deductible=zero,
        old_fund_paid=zero,
        old_critical_paid=zero,
        new_deductible=zero,
        new_fund_paid=Decimal("10"),
        new_critical_paid=zero,
        delta=Decimal("10"),
    )
    w.objects.update(settlement=settlement, policy=policy, settlement_import=imp, recalculation=recalc)


# --- supervision -----------------------------------------------------------------------------
def _supervision(w: World) -> None:
    from supervision import services
    from supervision.models import AuditRule, Evidence, Flag, Report, SelfInspection, SelfInspectionRound

    staff = w.users[Role.SUPERVISION]
    inst = w.objects["institution"]
    case = services.case_register(
        actor=staff,
        source="on_site",
        target_kind="institution",
        institution_id=inst.pk,
        violations=["swapping"],
        summary=f"{SENTINEL}案情",
        registered_on=date(2024, 5, 10),
    )
    case_a = services.case_register(
        actor=staff,
        source="on_site",
        target_kind="institution",
        institution_id=w.objects["institution_a"].pk,
        violations=["swapping"],
        summary="甲镇案情",
        registered_on=date(2024, 5, 10),
    )
    evidence = Evidence(
        case=case,
        original_name=f"{SENTINEL}证据.pdf",
        content_type="application/pdf",
        size=8,
        sha256="0" * 64,
        description=f"{SENTINEL}证据",
        uploaded_by=staff,
    )
    evidence.file.save(f"walk-{uuid.uuid4().hex}.pdf", ContentFile(b"%PDF-1.4"), save=False)
    evidence.save()
    w.files.append(evidence.file.path)
    services.audit_rules_ensure_defaults()
    rule = AuditRule.objects.order_by("pk").first()
    flag = Flag.objects.create(
        rule=rule,
        settlement_id=w.objects["settlement"].pk,
        key=f"walk-{SENTINEL}",
        institution=inst,
        person_id_number=w.objects["resident"].id_number,
        settled_on=date(2024, 5, 10),
        amount=Decimal("80"),
        result=rule.result,
        answer_due=date(2024, 6, 10),
        answer=f"{SENTINEL}答复",
        deduction=Decimal("0"),
    )
    report = Report.objects.create(
        tracking_code="WALKB0000001",
        received_at=timezone.now() - timedelta(days=3),
        subject=f"{SENTINEL}卫生院",
        institution=inst,
        content=f"{SENTINEL}举报内容",
        reward=Decimal("0"),
    )
    from supervision.models import AuditRun

    AuditRun.objects.create(kind="daily", period_start=date(2024, 5, 10), period_end=date(2024, 5, 10), settlements=1)
    rnd = SelfInspectionRound.objects.create(year=2024, deadline=date(2024, 12, 31), title="2024年度自查自纠")
    inspection = SelfInspection.objects.create(round=rnd, institution=inst, summary=f"{SENTINEL}自查")
    w.objects.update(
        case=case, case_a=case_a, evidence=evidence, flag=flag, report=report, rule=rule, inspection=inspection
    )


# --- fundbudget ------------------------------------------------------------------------------
def _fundbudget(w: World) -> None:
    from fundbudget.models import FundBudget, FundWarning, StatementImport, WarningNotice, WarningRule
    from tests.fundbudget.factories import StatementFactory

    fund_user = w.users[Role.FUND]
    statement = StatementFactory(updated_by=fund_user)
    budget = FundBudget.objects.create(fund=statement.fund, year=statement.year, note=f"{SENTINEL}预算说明")
    rule = WarningRule.objects.order_by("pk").first()
    warning = None
    if rule is not None:
        warning = FundWarning.objects.create(
            statement=statement,
            fund=statement.fund,
            year=statement.year,
            month=statement.month,
            indicator=rule.indicator,
            value=Decimal("1"),
            level=rule.level,
            comparison=rule.comparison,
            threshold=rule.threshold,
        )
        WarningNotice.objects.create(recipient=fund_user, warning=warning, level=rule.level)
    imp = StatementImport.objects.create(
        filename=f"{SENTINEL}月报.xlsx",
        sha256="0" * 64,
        uploaded_by=fund_user,
        status=StatementImport.Status.INVALID,
        errors=[{"line": 2, "column": "fund", "value": "", "message": f"{SENTINEL}错误"}],
    )
    w.objects.update(statement=statement, budget=budget, statement_import=imp, fund_warning=warning)


# --- replies ---------------------------------------------------------------------------------
def _replies(w: World) -> None:
    from replies import services
    from tests.replies.factories import register, signable_letter

    office = w.users[Role.OFFICE]
    proposal = register(office, number="B166", title=f"关于{SENTINEL}的建议", proposers=[f"{SENTINEL}代表"])
    version = signable_letter(office, proposal, sections=((f"一、{SENTINEL}", f"{SENTINEL}正文"),))
    section = version.sections.order_by("pk").first()
    commitment = services.commitment_add(
        actor=office, proposal_id=proposal.pk, content=f"{SENTINEL}承诺", due_text="2025年底", unit="参保征缴科"
    )
    services.contact_add(
        actor=office,
        proposal_id=proposal.pk,
        contacted_on=date(2025, 3, 20),
        stage="before",
        method="phone",
        person=f"{SENTINEL}代表",
        summary=f"{SENTINEL}沟通",
    )
    services.opinion_add(
        actor=office,
        proposal_id=proposal.pk,
        direction="received",
        unit=f"{SENTINEL}单位",
        opinion=f"{SENTINEL}意见",
        given_on=date(2025, 3, 25),
    )
    from replies.models import Reminder

    Reminder.objects.create(
        proposal=proposal,
        round=1,
        level="due",
        recipient=office,
        due_on=date(2025, 5, 10),
        message=f"{SENTINEL}提醒",
    )
    w.objects.update(proposal=proposal, version=version, section=section, commitment=commitment)


# --- handling --------------------------------------------------------------------------------
def _handling(w: World) -> None:
    from handling.models import HandlingItem, ServicePoint
    from handling.services import application_receive

    ServicePoint.objects.create(name="区医保服务中心", level="district", division=w.district)
    ServicePoint.objects.create(name="甲镇便民服务中心", level="township", division=w.town_a)
    point_b = ServicePoint.objects.create(name=f"{SENTINEL}便民服务中心", level="township", division=w.town_b)
    application = application_receive(
        actor=w.b_users[Role.TOWNSHIP],
        point_id=point_b.pk,
        item_code="resident_change",
        resident_id=w.objects["resident"].pk,
        applicant_name=f"{SENTINEL}申请人",
        papers_received=HandlingItem.objects.get(code="resident_change").papers,
    )
    w.objects.update(application=application, service_point=point_b)


# --- jobs, audit -----------------------------------------------------------------------------
def _core(w: World) -> None:
    from medinsure.audit.services import audit_log
    from medinsure.jobs.models import Job

    job = Job.objects.create(kind="walk", title=f"{SENTINEL}任务", owner=w.b_users[Role.TOWNSHIP], message=SENTINEL)
    audit_log(
        actor=w.b_users[Role.TOWNSHIP],
        verb="view",
        obj=w.objects["resident"],
        summary=f"{SENTINEL}查看",
    )
    w.objects["job"] = job


def remove_files(w: World) -> None:
    import os

    for path in w.files:
        if path and os.path.exists(path):
            os.remove(path)

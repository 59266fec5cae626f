"""Each wired figure source, read through its app's selector, and a frozen figure that stays put
when the source data changes."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from medinsure.accounts.models import Role
from replies import figures, services
from replies.models import FrozenFigure, Section
from tests.factories import UserFactory

from .factories import director, register

pytestmark = [pytest.mark.django_db, pytest.mark.service]


def test_every_registered_source_is_wired():
    assert {s.key for s in figures.sources()} == {
        "supervision_stats",
        "enrollment_progress",
        "guideline_tasks",
        "fund_execution",
        "policy_summary",
    }


def test_policy_summary_ratios():
    value = figures.fetch("policy_summary", user=director(), params={"code": "sanming-employee-outpatient-2022"})
    assert "在职职工一级及以下医疗机构85%" in value.text and "在职职工75%" in value.text
    assert "退休职工一级及以下医疗机构90%" in value.text and "起付线700元" in value.text and "17000元" in value.text
    assert value.data["code"] == "sanming-employee-outpatient-2022"


def test_unknown_policy_names_the_field():
    with pytest.raises(ValidationError) as exc:
        figures.fetch("policy_summary", user=director(), params={"code": "no-such-policy"})
    assert "source" in exc.value.message_dict


def test_fund_execution():
    from fundbudget import services as fb

    boss = director()
    fb.statement_save(
        actor=UserFactory(username="fundclerk", role=Role.FUND),
        fund="employee",
        year=2024,
        month=4,
        source="form",
        income_ytd=Decimal("74915100"),
        expenditure_ytd=Decimal("51730500"),
        accumulated_balance=Decimal("581000000"),
    )
    value = figures.fetch("fund_execution", user=boss, params={"fund": "employee", "year": "2024", "month": "4"})
    assert (
        "截至2024年4月" in value.text and "累计收入7491.51万元" in value.text and "累计结存58100.00万元" in value.text
    )


def test_supervision_stats_for_a_year():
    value = figures.fetch("supervision_stats", user=director(), params={"year": 2024})
    assert value.text.startswith("2024年，我局共开展现场检查医药机构0家次")
    assert "追回医保基金0.00万元" in value.text


def test_enrollment_progress_and_guideline_tasks(divisions):
    from enrollment.models import GuidelineTask, ProgressDaily
    from tests.enrollment.factories import make_campaign

    for code, name, task, insured, rank in (
        (divisions.town_a.code, "甲镇", 60000, 45000, 1),
        (divisions.town_b.code, "乙镇", 40000, 20000, 2),
    ):
        ProgressDaily.objects.create(
            year=2025,
            day=date(2024, 12, 1),
            level="township",
            division_code=code,
            division_name=name,
            parent_code=divisions.district.code,
            task=task,
            insured=insured,
            rate=Decimal(insured) / Decimal(task),
            rank=rank,
        )
    value = figures.fetch("enrollment_progress", user=director(), params={"year": 2025, "level": "township"})
    assert (
        "参保任务10万人，已参保6.5万人，完成65%" in value.text
        and "甲镇任务60000人、已参保45000人、完成75%" in value.text
    )

    campaign = make_campaign(2025)
    for town, task in ((divisions.town_a, 600000), (divisions.town_b, 472400)):
        GuidelineTask.objects.create(campaign=campaign, township=town, raw=Decimal(task), computed_task=task, task=task)
    value = figures.fetch("guideline_tasks", user=director(), params={"year": 2025})
    assert value.text == "2025年各镇（街）的指导性计划总任务数为107.24万人。"


def test_a_user_who_may_not_read_the_figures_gets_a_clear_refusal(make_user, divisions):
    from enrollment.models import ProgressDaily

    ProgressDaily.objects.create(
        year=2025,
        day=date(2024, 12, 1),
        level="township",
        division_code=divisions.town_a.code,
        division_name="甲镇",
        parent_code="",
        task=10,
        insured=5,
        rate=Decimal("0.5"),
        rank=1,
    )
    with pytest.raises(ValidationError) as exc:
        figures.fetch(
            "enrollment_progress",
            user=make_user(Role.TOWNSHIP, divisions.town_b),
            params={"year": 2025, "level": "township"},
        )
    assert "source" in exc.value.message_dict


@pytest.mark.parametrize(
    "source, params, field",
    [
        ("fund_execution", {"fund": "employee", "year": 2024}, "month"),
        ("fund_execution", {"fund": "x", "year": 2024, "month": 4}, "fund"),
        ("supervision_stats", {"year": "二〇二四"}, "year"),
        ("nope", {}, "source"),
    ],
)
def test_bad_parameters_name_the_field(source, params, field):
    with pytest.raises(ValidationError) as exc:
        figures.fetch(source, user=director(), params=params)
    assert field in exc.value.message_dict


def test_frozen_figure_stays_when_the_source_data_changes():
    from fundbudget import services as fb

    boss = director()
    admin = UserFactory(username="fundadmin", role=Role.FUND)
    amounts = dict(
        income_ytd=Decimal("74915100"), expenditure_ytd=Decimal("51730500"), accumulated_balance=Decimal("581000000")
    )
    fb.statement_save(actor=admin, fund="employee", year=2024, month=4, source="form", **amounts)
    p = register(boss)
    v = services.letter_start(actor=boss, proposal_id=p.pk)
    section = services.section_add(
        actor=boss, version_id=v.pk, heading="五、关于建立合理使用医保基金库机制的建议", body="我区严格实施预算管理。"
    )
    figure = services.figure_insert(
        actor=boss,
        section_id=section.pk,
        source="fund_execution",
        params={"fund": "employee", "year": 2024, "month": 4},
    )
    body = Section.objects.get(pk=section.pk).body
    assert body.startswith("我区严格实施预算管理。截至2024年4月") and "7491.51万元" in body
    assert (
        figure.data["income_ytd"] == "74915100.00"
        and figure.as_of
        and figure.params == {"fund": "employee", "year": 2024, "month": 4}
    )

    fb.statement_save(
        actor=admin,
        fund="employee",
        year=2024,
        month=4,
        source="form",
        **{**amounts, "income_ytd": Decimal("80000000")},
    )
    assert (
        "8000.00万元"
        in figures.fetch("fund_execution", user=boss, params={"fund": "employee", "year": 2024, "month": 4}).text
    )
    assert Section.objects.get(pk=section.pk).body == body  # the letter keeps the frozen figure
    assert FrozenFigure.objects.get(pk=figure.pk).data["income_ytd"] == "74915100.00"

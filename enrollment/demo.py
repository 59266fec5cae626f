"""Demo data for the enrollment app: campaigns 2024/2025 with the Jiangjin tiers, a registry of residents
spread over the demo district, payments, guideline tasks, mobilisation tasks and a week of progress.

The residents go in through the same path as a department file (clean CSV → COPY → merge), so the demo
exercises the real import code. Idempotent: a second run changes nothing.
"""

from __future__ import annotations

import csv
import random
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection, transaction

from enrollment import importers
from enrollment.models import Campaign, CampaignTier, ImportBatch, MobilisationTask, Resident
from enrollment.rules.cover import CampaignTerms, PaymentFacts, Tier, decide_cover
from medinsure.core.imports import deflate_writer
from medinsure.rules.id_numbers import make_id_number

DEFAULT_RESIDENTS = 3000  # `make run` loads fast; `seed_demo --residents N` grows it
SPAN_DAYS = 30_000  # birth dates 1940-01-01 … 2022-02-18
BIRTH_START = date(1940, 1, 1)
COUNTIES = ("500116", "500381", "500110", "510122")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍红建国建华志强海燕文华"

CAMPAIGNS = {
    2024: dict(
        name="2024年度城乡居民医保集中征缴",
        collection_start=date(2023, 9, 1),
        collection_end=date(2023, 12, 31),
        city_target=1_380_000,
        tiers={"tier1": ("1020", "640", "380"), "tier2": ("1395", "640", "755")},
    ),
    2025: dict(
        name="2025年度城乡居民医保集中征缴",
        collection_start=date(2024, 9, 1),
        collection_end=date(2024, 12, 31),
        city_target=1_378_200,
        tiers={"tier1": ("1070", "670", "400"), "tier2": ("1445", "670", "775")},
    ),
}


def ensure_campaigns() -> dict[int, Campaign]:
    out = {}
    for year, spec in CAMPAIGNS.items():
        c, _ = Campaign.objects.get_or_create(
            year=year,
            defaults={k: v for k, v in spec.items() if k != "tiers"} | {"reminder_round_days": [0, 30, 60, 100]},
        )
        for code, (standard, subsidy, personal) in spec["tiers"].items():
            CampaignTier.objects.get_or_create(
                campaign=c,
                code=code,
                defaults={"standard": Decimal(standard), "subsidy": Decimal(subsidy), "personal": Decimal(personal)},
            )
        out[year] = c
    return out


def resident_number(i: int) -> tuple[str, date]:
    born = BIRTH_START + timedelta(days=(i * 7919) % SPAN_DAYS)
    return make_id_number(COUNTIES[(i // SPAN_DAYS // 1000) % len(COUNTIES)], born, (i // SPAN_DAYS) % 1000), born


def _packed_rows(rows) -> tuple[bytes, int]:
    """The rows as an import's checked data (the packed staging CSV the merge COPYs)."""
    n = 0
    sink = deflate_writer()
    w = csv.writer(sink)
    for row in rows:
        w.writerow([importers._format(row.get(c)) for c in importers.STAGE_COLUMNS])
        n += 1
    return sink.value(), n


def _merge(source: str, rows, *, year: int | None, title: str) -> ImportBatch:
    batch, created = ImportBatch.objects.get_or_create(
        source=source,
        file_name=title,
        year=year,
        defaults={"sha256": "demo", "status": ImportBatch.Status.ACCEPTING},
    )
    if not created and batch.status == ImportBatch.Status.DONE:
        return batch
    checked, n = _packed_rows(rows)
    with transaction.atomic(), connection.cursor() as cur:
        importers.load_stage(cur, checked, batch.pk)
        new, changed = importers.merge_resident_rows(cur, source=source, batch_id=batch.pk, actor_id=None)
        if source == "tax":
            new, changed = importers.merge_status_rows(cur, source=source, batch_id=batch.pk, actor_id=None)
            importers.merge_payment_rows(cur, batch_id=batch.pk)
        importers.clear_stage(cur, batch.pk)
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=ImportBatch.Status.DONE,
            total_rows=n,
            valid_rows=n,
            new_rows=new,
            changed_rows=changed,
            unchanged_rows=n - new - changed,
        )
    return batch


def seed(*, residents: int = DEFAULT_RESIDENTS, as_of: date | None = None, stdout=None) -> dict:
    """Grow the demo registry to ``residents`` people (idempotent for the same N)."""
    from medinsure.regions.models import Division

    as_of = as_of or date(2024, 12, 20)
    campaigns = ensure_campaigns()
    villages = list(
        Division.objects.filter(level=Division.Level.VILLAGE).order_by("code").values_list("code", flat=True)
    )
    grids = {}
    for g in Division.objects.filter(level=Division.Level.GRID).values_list("code", flat=True):
        grids.setdefault(g[:12], []).append(g)
    if not villages:
        raise RuntimeError("load the demo district first (python manage.py load_demo)")
    rng = random.Random(20250101)
    weights = [rng.randint(1, 6) for _ in villages]
    people = []
    for i in range(residents):
        number, born = resident_number(i)
        v = rng.choices(villages, weights)[0]
        r = rng.random()
        people.append((i, number, born, v, r))

    def resident_rows():
        for i, number, born, v, r in people:
            g = grids.get(v)
            yield {
                "line": i + 2,
                "id_number": number,
                "name": SURNAMES[i % len(SURNAMES)]
                + GIVEN[(i * 7) % len(GIVEN)]
                + (GIVEN[(i * 13) % len(GIVEN)] if i % 3 else ""),
                "sex": "M" if int(number[16]) % 2 else "F",
                "birth_date": born,
                "hukou_code": v,
                "residence_code": g[i % len(g)] if g and i % 4 == 0 else (v if r > 0.05 else ""),
                "phone": f"1{3 + i % 6}{(i * 7919) % 10**9:09d}" if r < 0.9 else "",
                "address": f"{v[-3:]}组{i % 90 + 1}号",
                "deceased_on": date(2024, 1 + i % 12, 1 + i % 28) if r > 0.995 else None,
                "moved_out_on": date(2024, 1 + i % 12, 2) if 0.985 < r <= 0.995 else None,
                "moved_in_on": date(2024, 1 + i % 12, 3) if 0.975 < r <= 0.985 else None,
            }

    _merge("police", resident_rows(), year=None, title=f"演示数据：户籍 {residents}")
    # civil affairs: ~3% subsidised
    cats = ["tekun", "dibao", "disabled", "low_income"]

    def civil_rows():
        for i, number, born, _v, r in people:
            if 0.40 < r < 0.43:
                yield {
                    "line": i + 2,
                    "id_number": number,
                    "name": "",
                    "sex": "M" if int(number[16]) % 2 else "F",
                    "birth_date": born,
                    "special_category": cats[i % 4],
                    "subsidy_payer": "civil_affairs",
                }

    _merge_civil = list(civil_rows())
    if _merge_civil:
        # name column is owned by police; the civil merge only sets the category
        _merge("civil", ({**row, "name": "x"} for row in _merge_civil), year=None, title=f"演示数据：民政 {residents}")
    for year, share in ((2024, 0.93), (2025, 0.0)):
        camp = campaigns[year]
        terms = CampaignTerms(year, camp.collection_start, camp.collection_end)
        tiers = {t.code: Tier(t.code, t.standard, t.subsidy, t.personal, t.ltc_premium) for t in camp.tiers.all()}
        period = (camp.collection_end - camp.collection_start).days

        def tax_rows(year=year, share=share, terms=terms, tiers=tiers, period=period):
            for i, number, born, _v, r in people:
                if r > 0.975:
                    continue  # dead, moved out, moved in late: no payment
                insured = (r < share) if year == 2024 else (r < 0.80 and (i * 31 % 100) < 92)
                if not insured or born > terms.collection_end:
                    continue
                tier = "tier2" if i % 7 == 0 else "tier1"
                if year == 2025:
                    # payments spread over the collection period up to as_of, more at the start
                    paid_on = terms.collection_start + timedelta(days=int(period * ((i * 17 % 1000) / 1000) ** 0.7))
                    if paid_on > as_of:
                        continue
                else:
                    paid_on = terms.collection_start + timedelta(days=(i * 17) % (period + 1))
                d = decide_cover(terms, tiers[tier], PaymentFacts(paid_on, born))
                yield {
                    "line": i + 2,
                    "id_number": number,
                    "name": "x",
                    "sex": "M",
                    "birth_date": born,
                    "year": year,
                    "status": tier,
                    "status_date": paid_on,
                    "tier": tier,
                    "amount": d.amount_due,
                    "ltc_amount": d.ltc_due,
                    "paid_on": paid_on,
                    "receipt_no": f"DEMO{year}{i:08d}",
                    "kind": d.kind,
                    "cover_start": d.cover_start,
                }

        _merge("tax", tax_rows(), year=year, title=f"演示数据：税务 {year} {residents}")

    def hr_rows():
        for i, number, born, _v, r in people:
            if 0.93 <= r < 0.96:
                yield {
                    "line": i + 2,
                    "id_number": number,
                    "name": "x",
                    "sex": "M",
                    "birth_date": born,
                    "year": 2024,
                    "status": "employee",
                    "status_date": date(2024, 1, 1),
                }

    _merge("hr", hr_rows(), year=2024, title=f"演示数据：人社 2024 {residents}")
    return {"residents": Resident.objects.count()}


def finish(*, year: int = 2025, as_of: date | None = None, stdout=None) -> None:
    """Guideline tasks, mobilisation tasks split to the demo village worker, a week of progress."""
    from enrollment import services
    from enrollment.models import GuidelineTask
    from medinsure.accounts.models import User

    as_of = as_of or date(2024, 12, 20)
    camp = Campaign.objects.get(year=year)
    if not GuidelineTask.objects.filter(campaign=camp).exists():
        hukou = Resident.objects.filter(hukou_division__isnull=False, deceased_on__isnull=True).count()
        camp.township_total = round(hukou * 1_072_400 / 1_378_200)
        camp.save(update_fields=["township_total"])
        services.guideline_tasks_compute(actor=None, year=year)
        prev = Campaign.objects.get(year=year - 1)
        if not GuidelineTask.objects.filter(campaign=prev).exists():
            prev.township_total = round(camp.township_total * 1_085_600 / 1_072_400)
            prev.save(update_fields=["township_total"])
            services.guideline_tasks_compute(actor=None, year=year - 1)
    services.tasks_sync(year=year)
    worker = User.objects.filter(username="village").first()
    if worker and worker.division_id:
        MobilisationTask.objects.filter(
            campaign=camp, assignee__isnull=True, division__code__startswith=worker.division.code
        ).update(assignee=worker, status="assigned")
    for back in range(6, -1, -1):
        services.progress_refresh(year=year, day=as_of - timedelta(days=back))


def load(*, stdout=None) -> None:
    """Called by `python manage.py load_demo`: a modest registry so the portal starts fast."""
    if Resident.objects.count() >= DEFAULT_RESIDENTS:
        ensure_campaigns()
        if stdout:
            stdout.write("全民参保：演示数据已存在")
        return
    seed(residents=DEFAULT_RESIDENTS)
    finish()
    if stdout:
        stdout.write(f"全民参保：{Resident.objects.count()} 名参保人员，{MobilisationTask.objects.count()} 条动员任务")

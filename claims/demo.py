"""Demo data for claims: the shipped policies, the demo district's own resident policy for 2024 and
2025, and a modest number of settlements written through the real import path (the engine computes
every amount). Idempotent: a second run changes nothing."""

from __future__ import annotations

import csv
import io
import random
from datetime import date, timedelta

from claims.importers import COLUMNS
from claims.models import Policy, Settlement
from claims.policies import read_policy_file
from claims.services import (
    policies_load_files,
    policy_version_create,
    settlement_import_apply,
    settlement_import_create,
)
from medinsure.institutions.models import Institution
from medinsure.regions.models import Division

SETTLEMENTS = {2024: 1200, 2025: 1400}  # 2025: January to November
KINDS = [
    ("inpatient", 34),
    ("outpatient_general", 48),
    ("outpatient_chronic", 10),
    ("inpatient_accident", 4),
    ("outpatient_accident", 4),
]
COST = {1: (600, 4000), 2: (2500, 15000), 3: (5000, 40000), 4: (15000, 90000)}
CHRONIC = ["糖尿病", "高血压病三期", "冠心病", "脑血管病", "白血病", "肾功能衰竭透析治疗"]
ITEMS = [
    ("250101001", "血常规", "甲"),
    ("310100001", "CT检查", "乙"),
    ("110200001", "床位费", "乙"),
    ("86900001", "阿莫西林胶囊", "甲"),
    ("86900002", "进口耗材", "自费"),
]


def demo_policy_document(year: int) -> dict:
    doc = read_policy_file("guanxian-2018")
    doc.update(
        code=f"jiangjin-resident-{year}",
        name=f"江津区{year}年城乡居民基本医疗保险（演示）",
        year=year,
        region="重庆市江津区（演示）",
        source="演示政策：以冠县2018年政策为模板，增加省级医院（4级）住院待遇",
    )
    inpatient = doc["benefits"]["inpatient"]
    inpatient["levels"] = [1, 2, 3, 4]
    inpatient["deductible"]["amount"] = {1: 200, 2: 500, 3: 900, 4: 1200}
    inpatient["ratio"] = {1: 0.8, 2: 0.7, 3: 0.6, 4: 0.5}
    accident = doc["benefits"]["inpatient_accident"]
    accident["levels"] = [1, 2, 3, 4]
    accident["deductible"]["amount"] = {1: 200, 2: 500, 3: 900, 4: 1200}
    return doc


def _persons(n: int) -> list[tuple[str, str, str]]:
    """(id number, name, division code) of demo residents (enrollment's registry when loaded)."""
    try:
        from enrollment.models import Resident

        rows = list(
            Resident.objects.filter(residence_division__isnull=False, birth_date__lt=date(2023, 1, 1))
            .order_by("id")
            .values_list("id_number", "name", "residence_division__code")[:n]
        )
        # a resident may live in a grid (15 digits); settlements carry the village's 12-digit code
        rows = [(id_number, name, code[:12]) for id_number, name, code in rows]
    except Exception:  # enrollment not migrated: make our own people
        rows = []
    if len(rows) < n:
        from medinsure.rules.id_numbers import make_id_number

        villages = list(Division.objects.filter(level="village").values_list("code", flat=True)) or [""]
        for i in range(n - len(rows)):
            born = date(1945, 1, 1) + timedelta(days=(i * 7919) % 25000)
            rows.append((make_id_number("500116", born, i % 1000), f"演示{i}", villages[i % len(villages)]))
    return rows


def _settlement_rows(year: int, count: int, persons, hospitals, rng: random.Random) -> list[list[str]]:
    header = [names[0] for names in COLUMNS.values()]
    last_day = date(year, 11, 30) if year == 2025 else date(year, 12, 31)
    span = (last_day - date(year, 1, 1)).days
    kinds = [k for k, w in KINDS for _ in range(w)]
    out = []
    for i in range(count):
        id_number, name, division = persons[rng.randrange(len(persons))]
        kind = rng.choice(kinds)
        if kind in ("outpatient_general", "outpatient_accident"):
            hospital = rng.choice([h for h in hospitals if h.level == 1] or hospitals)
        else:
            hospital = rng.choice(hospitals)
        settled = date(year, 1, 1) + timedelta(days=rng.randrange(span + 1))
        inpatient = kind.startswith("inpatient")
        admitted = settled - timedelta(days=rng.randrange(1, 12)) if inpatient else settled
        if admitted.year != year:
            admitted = date(year, 1, 1)
        low, high = COST[hospital.level] if inpatient else ((80, 600) if kind != "outpatient_chronic" else (300, 3000))
        total = rng.randrange(low, high)
        parts = [round(total * w) for w in (0.35, 0.4, 0.15, 0.1)]
        number = f"DEMO{year}{i:06d}"
        drug = 3 if rng.random() < 0.7 else 4
        essential = str(parts[3]) if drug == 3 else "0"
        disease = rng.choice(CHRONIC) if kind == "outpatient_chronic" else ""
        third_party = "1" if kind == "inpatient_accident" and rng.random() < 0.2 else "0"
        years = str(rng.randrange(0, 8))
        for j, amount in enumerate(parts):
            code, item, category = ITEMS[j if j < 3 else drug]
            values = {
                "结算单号": number,
                "机构编码": hospital.code,
                "身份证号": id_number,
                "姓名": name,
                "参保地区划代码": division,
                "险种": "城乡居民",
                "就诊类别": kind,
                "入院日期": admitted.isoformat(),
                "出院日期": settled.isoformat() if inpatient else "",
                "结算日期": settled.isoformat(),
                "基本药物费用": essential,
                "病种": disease,
                "第三方责任": third_party,
                "人群": "学生儿童" if kind == "outpatient_accident" else "普通居民",
                "在职状态": "",
                "连续参保年数": years,
                "缴费档次": "1",
                "建档立卡": "0",
                "项目编码": code,
                "项目名称": item,
                "类别": category,
                "数量": "1",
                "单价": str(amount),
                "金额": str(amount),
                "费用日期": admitted.isoformat(),
            }
            out.append([values[h] for h in header])
    return out


def load(*, stdout=None) -> None:
    result = policies_load_files()
    for year in SETTLEMENTS:
        policy_version_create(actor=None, document=demo_policy_document(year), note="演示政策")
    if Settlement.objects.filter(number__startswith="DEMO").exists():
        if stdout:
            stdout.write("待遇保障：演示数据已存在")
        return
    hospitals = list(Institution.objects.filter(kind=Institution.Kind.MEDICAL, level__isnull=False).order_by("code"))
    if not hospitals:
        if stdout:
            stdout.write("待遇保障：没有定点医疗机构，跳过结算单")
        return
    persons = _persons(800)
    rng = random.Random(20250101)
    for year, count in SETTLEMENTS.items():
        policy = Policy.objects.get(code=f"jiangjin-resident-{year}")
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow([names[0] for names in COLUMNS.values()])
        writer.writerows(_settlement_rows(year, count, persons, hospitals, rng))
        batch = settlement_import_create(
            actor=None, policy=policy, file_name=f"demo-settlements-{year}.csv", content=buf.getvalue().encode("utf-8")
        )
        if batch.errors:
            raise RuntimeError(f"demo settlements {year}: {batch.errors[:3]}")
        type(batch).objects.filter(pk=batch.pk).update(status=type(batch).Status.ACCEPTING)
        settlement_import_apply(import_id=batch.pk)
    if stdout:
        stdout.write(
            f"待遇保障：政策 {len(result['created']) + len(result['unchanged'])} 项，"
            f"结算单 {Settlement.objects.count()} 张"
        )

"""Helpers for claims tests that use the database: policies loaded the real way, settlement files
built as hospitals send them (one row per line item)."""

from __future__ import annotations

import csv
import io
from datetime import date

from claims.importers import COLUMNS
from claims.models import Policy
from claims.services import policies_load_files, settlement_import_apply, settlement_import_create
from medinsure.rules.id_numbers import make_id_number
from tests.factories import InstitutionFactory

HEADER = [names[0] for names in COLUMNS.values()]


def person(n: int, born=date(1970, 5, 5)) -> str:
    return make_id_number("500116", born, n)


def load_policy(code: str) -> Policy:
    result = policies_load_files(codes=[code])
    assert not result["errors"], result
    return Policy.objects.get(code=code)


def hospitals(divisions):
    """One institution per level 1–4, in township A."""
    return {
        level: InstitutionFactory(
            code=f"H5001160090{level}", name=f"{level}级医院", level=level, division=divisions.town_a
        )
        for level in (1, 2, 3, 4)
    }


def row(
    number,
    hospital,
    id_number,
    division,
    *,
    kind="inpatient",
    settled="2018-03-10",
    admitted=None,
    cost="8000",
    category="乙",
    name="张三",
    scheme="城乡居民",
    disease="",
    third_party="0",
    group="普通居民",
    essential="",
    lines=1,
    **extra,
):
    """The line items of one settlement (``lines`` equal parts of ``cost``)."""
    inpatient = kind in ("inpatient", "inpatient_accident")
    out = []
    part = f"{float(cost) / lines:.2f}"
    for i in range(lines):
        values = {
            "结算单号": number,
            "机构编码": hospital.code,
            "身份证号": id_number,
            "姓名": name,
            "参保地区划代码": division.code,
            "险种": scheme,
            "就诊类别": kind,
            "入院日期": admitted or settled,
            "出院日期": settled if inpatient else "",
            "结算日期": settled,
            "基本药物费用": essential,
            "病种": disease,
            "第三方责任": third_party,
            "人群": group,
            "在职状态": "",
            "连续参保年数": "3",
            "缴费档次": "1",
            "建档立卡": "0",
            "项目编码": f"X{i:03d}",
            "项目名称": f"项目{i}",
            "类别": category,
            "数量": "1",
            "单价": part,
            "金额": part,
            "费用日期": admitted or settled,
        }
        values.update(extra)
        out.append([values[h] for h in HEADER])
    return out


def csv_bytes(rows) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(HEADER)
    for r in rows:
        w.writerows(r)
    return buf.getvalue().encode("utf-8")


def import_rows(policy, rows, *, actor=None, name="settlements.csv"):
    batch = settlement_import_create(actor=actor, policy=policy, file_name=name, content=csv_bytes(rows))
    assert not batch.errors, batch.errors
    from claims.models import SettlementImport

    SettlementImport.objects.filter(pk=batch.pk).update(status=SettlementImport.Status.ACCEPTING)
    settlement_import_apply(import_id=batch.pk)
    batch.refresh_from_db()
    return batch

"""Excel files: the statistics tables and the import template (openpyxl)."""

import io
from decimal import Decimal

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from claims.importers import template_columns
from claims.models import HospitalLevel
from claims.selectors import STAT_GROUP_LABELS
from medinsure.core.imports import template_xlsx
from medinsure.core.spreadsheets import neutralise_workbook


def _n(value):
    return None if value is None else Decimal(value)


def stats_workbook(data: dict) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = _("分级统计")
    ws.append([_("%(y)s年1—%(m)s月结算统计") % {"y": data["year"], "m": data["month"]}])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append(
        [
            _("类别"),
            _("医院等级"),
            _("结算人次"),
            _("医疗总费用（元）"),
            _("统筹支付（元）"),
            _("大病保险（元）"),
            _("次均费用（元）"),
            _("上年同期人次"),
            _("上年同期统筹支付（元）"),
            _("上年同期次均费用（元）"),
            _("人次增长%"),
            _("基金支出增长%"),
        ]
    )
    for cell in ws[2]:
        cell.font = Font(bold=True)

    def row(group, level, line):
        ws.append(
            [
                group,
                level,
                line["count"],
                _n(line["total_cost"]),
                _n(line["fund_paid"]),
                _n(line["critical_paid"]),
                _n(line["average_cost"]),
                line["last_year_count"],
                _n(line["last_year_fund_paid"]),
                _n(line["last_year_average_cost"]),
                _n(line["count_growth"]),
                _n(line["fund_growth"]),
            ]
        )

    for g in data["groups"]:
        label = str(STAT_GROUP_LABELS[g["group"]])
        for line in g["levels"]:
            row(label, str(HospitalLevel(line["hospital_level"]).label), line)
        row(label, _("小计"), g["total"])
    row(_("合计"), "", data["total"])
    ms = wb.create_sheet(_("按月基金支出"))
    ms.append([_("月份"), _("结算人次"), _("基金支出（元）"), _("上年同期基金支出（元）")])
    for m in data["months"]:
        ms.append([m["month"], m["count"], _n(m["fund_paid"]), _n(m["last_year_fund_paid"])])
    for sheet in (ws, ms):
        for col in "ABCDEFGHIJKL":
            sheet.column_dimensions[col].width = 16
    out = io.BytesIO()
    neutralise_workbook(wb)
    wb.save(out)
    return out.getvalue()


def import_template() -> bytes:
    """The settlement file to fill in, built by the core's template builder: the first accepted heading of
    each column, an example row, and drop-down lists taken from the parser's own tables."""
    return template_xlsx(
        template_columns(),
        sheet=_("结算单"),
        example=[
            "ZY2018000001",
            "H50011600005",
            "500116198001010011",
            "张三",
            "500116001001",
            "城乡居民",
            "疾病住院",
            "2018-03-01",
            "2018-03-08",
            "2018-03-08",
            "200",
            "",
            "否",
            "普通居民",
            "",
            "3",
            "1",
            "否",
            "110100001",
            "床位费",
            "乙",
            "7",
            "30",
            "210",
            "2018-03-01",
        ],
    )

"""The monthly report as an Excel workbook: the same figures as the report page (yuan, percent)."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from medinsure.core.spreadsheets import neutralise_workbook

HEAD = PatternFill("solid", fgColor="DDEBF7")
MONEY_FMT = "#,##0.00"


def _head(ws, row):
    ws.append(row)
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
        cell.fill = HEAD


def _title(ws, text):
    ws.append([text])
    ws[ws.max_row][0].font = Font(bold=True, size=12)


def report_workbook(report: dict) -> bytes:
    wb = Workbook()
    summary = wb.active
    summary.title = _("基金运行概况")
    year, month = report["year"], report["month"]
    _title(summary, _("%(year)s年1—%(month)s月医保基金运行情况") % {"year": year, "month": month})
    _head(
        summary,
        [
            _("基金"),
            _("本年累计收入(元)"),
            _("本年累计支出(元)"),
            _("当期结余(元)"),
            _("累计结余(元)"),
            _("可支付月数"),
            _("时间进度(%)"),
            _("收入预算执行率(%)"),
            _("支出预算执行率(%)"),
            _("占可用基金(%)"),
            _("收入同比(%)"),
            _("支出同比(%)"),
            _("按季节比例预测全年(占可用基金%)"),
            _("按月均预测全年(占可用基金%)"),
            _("风险预警"),
        ],
    )
    for f in report["funds"]:
        ex = f["execution"]
        if ex is None:
            summary.append([f["fund_label"], _("本月无报表")])
            continue
        seasonal, run_rate = f["projections"]
        summary.append(
            [
                f["fund_label"],
                ex["income_ytd"],
                ex["expenditure_ytd"],
                ex["current_balance"],
                ex["accumulated_balance"],
                ex["months_payable"],
                ex["time_progress"],
                ex["income_progress"],
                ex["expenditure_progress"],
                ex["available_fund_used"],
                ex["income_growth"],
                ex["expenditure_growth"],
                seasonal["share_of_available"],
                run_rate["share_of_available"],
                "；".join(f"{w['indicator_label']}（{w['level_label']}，{w['value']}）" for w in f["warnings"]),
            ]
        )
    for row in summary.iter_rows(min_row=3, min_col=2, max_col=5):
        for cell in row:
            cell.number_format = MONEY_FMT
    summary.column_dimensions["A"].width = 28
    for col in "BCDE":
        summary.column_dimensions[col].width = 18
    summary.column_dimensions["O"].width = 50

    for f in report["funds"]:
        ws = wb.create_sheet(f["fund_label"][:28])
        _title(ws, _("%(fund)s %(year)s年逐月收支") % {"fund": f["fund_label"], "year": year})
        _head(
            ws,
            [
                _("月份"),
                _("当月收入(元)"),
                _("当月支出(元)"),
                _("本年累计支出(元)"),
                _("累计结余(元)"),
                _("上年同月支出(元)"),
            ],
        )
        for s in f["series"]:
            ws.append(
                [
                    s["month"],
                    s["income"],
                    s["expenditure"],
                    s["expenditure_ytd"],
                    s["accumulated_balance"],
                    s["last_year_expenditure"],
                ]
            )
        if f["budget"]:
            ws.append([])
            _title(ws, _("年度预算"))
            _head(ws, [_("收支"), _("项目"), _("金额(元)")])
            for line in f["budget"]["income"]:
                ws.append([_("收入"), line["label"], line["amount"]])
            for line in f["budget"]["expenditure"]:
                ws.append([_("支出"), line["label"], line["amount"]])
            ws.append([_("可用基金"), "", f["budget_totals"]["available_fund"]])
        if f["levels"]:
            ws.append([])
            _title(ws, _("住院次均费用（按医院等级）"))
            _head(
                ws,
                [
                    _("医院等级"),
                    _("住院人次"),
                    _("总费用(元)"),
                    _("统筹支付(元)"),
                    _("次均费用(元)"),
                    _("上年同期次均(元)"),
                    _("次均增长(%)"),
                    _("统筹支付同比(%)"),
                    _("占可用基金(%)"),
                    _("预算执行率(%)"),
                ],
            )
            for lv in f["levels"]:
                ws.append(
                    [
                        lv["level_label"],
                        lv["count"],
                        lv["total_cost"],
                        lv["fund_paid"],
                        lv["average_cost"],
                        lv["last_year_average_cost"],
                        lv["average_cost_growth"],
                        lv["fund_paid_growth"],
                        lv["fund_paid_share"],
                        lv["budget_progress"],
                    ]
                )
        if f["reconciliation"]:
            r = f["reconciliation"]
            ws.append([])
            _title(ws, _("与平台结算数据核对"))
            ws.append([_("报表累计支出(元)"), r["statement_expenditure_ytd"]])
            ws.append([_("平台结算统筹支付(元)"), r["portal_expenditure_ytd"]])
            ws.append([_("差额(元)"), r["difference"]])
            ws.append([_("差额占比(%)"), r["difference_share"]])
        for row in ws.iter_rows(min_row=3):
            for cell in row[1:]:
                cell.number_format = MONEY_FMT
                cell.alignment = Alignment(horizontal="right")
        for col in "ABCDEFGHIJ":
            ws.column_dimensions[col].width = 18
    out = io.BytesIO()
    neutralise_workbook(wb)
    wb.save(out)
    return out.getvalue()

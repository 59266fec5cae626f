"""HTML pages of the fund-budget area: thin — forms in, selectors and services called, templates out."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from medinsure.accounts.decorators import area_required
from medinsure.accounts.scoping import Area
from medinsure.core.errors import apply_errors
from medinsure.core.import_roles import importers_only, may_upload
from medinsure.core.imports import error_report_xlsx, shown_value

from . import access, exports, importers, selectors, services
from .forms import BudgetForm, PeriodForm, RuleForm, StatementForm, UploadForm
from .models import ExpenditureCategory, Fund, IncomeSource, Level, MonthlyStatement

READ = area_required(Area.FUNDBUDGET, stats=True)
WRITE = area_required(Area.FUNDBUDGET)


def IMPORT(view):  # noqa: N802 — reads like READ/WRITE: the statement import is the fund department's own
    return area_required(Area.FUNDBUDGET)(importers_only(Area.FUNDBUDGET, upload=True)(view))


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    return response


def _period(request):
    """(year, month) from the query string, else the latest statement's, else this month."""
    form = PeriodForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return form.cleaned_data["year"], form.cleaned_data["month"]
    latest = selectors.latest_period(request.user)
    if latest:
        return latest
    today = timezone.localdate()
    return today.year, today.month


def _period_context(request, year, month):
    years = selectors.available_years(request.user)
    if year not in years:
        years = sorted({*years, year}, reverse=True)
    return {"year": year, "month": month, "years": years, "months": range(1, 13)}


@READ
def execution_page(request):
    year, month = _period(request)
    report = selectors.execution_report(request.user, year=year, month=month)
    return render(
        request,
        "fundbudget/execution.html",
        {
            **_period_context(request, year, month),
            "report": report,
            "unread_notices": selectors.unread_notice_count(request.user),
            "can_write": selectors.can_write(request.user),
        },
    )


@READ
def report_page(request):
    year, month = _period(request)
    report = selectors.execution_report(request.user, year=year, month=month)
    return render(
        request,
        "fundbudget/report.html",
        {**_period_context(request, year, month), "report": report},
    )


@READ
def report_xlsx(request):
    year, month = _period(request)
    report = selectors.execution_report(request.user, year=year, month=month)
    return _xlsx(exports.report_workbook(report), f"fund-report-{year}-{month:02d}.xlsx")


# ---------------------------------------------------------------- statements


@READ
def statement_list(request):
    year = request.GET.get("year")
    year = int(year) if year and year.isdigit() else None
    page = Paginator(selectors.statement_list(request.user, year=year), 36).get_page(request.GET.get("page"))
    return render(
        request,
        "fundbudget/statement_list.html",
        {
            "page": page,
            "rows": selectors.statements_with_reconciliation(page.object_list),
            "year": year,
            "years": selectors.available_years(request.user),
            "can_write": selectors.can_write(request.user),
            "can_import": may_upload(request.user, Area.FUNDBUDGET),
        },
    )


@WRITE
@require_http_methods(["GET", "POST"])
def statement_form(request):
    initial = {k: request.GET[k] for k in ("fund", "year", "month") if k in request.GET}
    period = PeriodForm(initial) if initial else None
    if period is not None and period.is_valid() and initial.get("fund") in Fund.values:
        existing = selectors.statement_list(
            request.user, year=period.cleaned_data["year"], month=period.cleaned_data["month"], fund=initial["fund"]
        ).first()
        if existing is not None:  # replacing a month starts from its current figures
            initial.update({k: getattr(existing, k) for k in importers.AMOUNT_FIELDS})
    form = StatementForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            outcome = services.statement_save(
                actor=request.user, source=MonthlyStatement.Source.FORM, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            text = {
                "created": _("已新增%(s)s报表"),
                "updated": _("已更新%(s)s报表"),
                "unchanged": _("%(s)s报表与已有数据相同，未作修改"),
            }[outcome.outcome] % {"s": outcome.statement}
            messages.success(request, text)
            st = outcome.statement
            return redirect(f"{reverse('fundbudget:execution')}?year={st.year}&month={st.month}")
    return render(request, "fundbudget/statement_form.html", {"form": form})


@IMPORT
@require_http_methods(["GET", "POST"])
def statement_import(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        f = form.cleaned_data["file"]
        batch = services.statement_import_upload(actor=request.user, filename=f.name, content=f.read())
        return redirect("fundbudget:import_preview", import_id=batch.pk)
    return render(request, "fundbudget/statement_import.html", {"form": form})


@IMPORT
def import_preview(request, import_id):
    batch = access.access_statement_import_by_id(request.user, import_id)
    rows = selectors.import_preview_rows(request.user, batch)
    errors = [(e, shown_value(request.user, e.value)) for e in importers.stored_errors(batch.errors)]
    return render(request, "fundbudget/import_preview.html", {"batch": batch, "rows": rows, "errors": errors})


@require_POST
@IMPORT
def import_apply(request, import_id):
    batch = access.access_statement_import_by_id(request.user, import_id)
    try:
        batch = services.statement_import_apply(actor=request.user, import_id=batch.pk)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        r = batch.result
        messages.success(
            request,
            _("导入完成：新增%(created)s条，更新%(updated)s条，未变%(unchanged)s条") % r,
        )
    return redirect("fundbudget:import_preview", import_id=batch.pk)


@IMPORT
def import_errors_xlsx(request, import_id):
    batch = access.access_statement_import_by_id(request.user, import_id)
    errors = importers.stored_errors(batch.errors)
    title = _("月度收支导入错误报告：%(name)s") % {"name": batch.filename}
    return _xlsx(error_report_xlsx(errors, viewer=request.user, title=title), f"import-errors-{batch.pk}.xlsx")


@IMPORT
def import_template_xlsx(request):
    return _xlsx(importers.template_workbook(), "fund-statement-template.xlsx")


# ---------------------------------------------------------------- budgets


@READ
def budget_list(request):
    budgets = list(selectors.budget_list(request.user))
    rows = [{"budget": b, "lines": selectors.budget_lines(b), "totals": selectors.budget_totals_of(b)} for b in budgets]
    this_year = timezone.localdate().year
    return render(
        request,
        "fundbudget/budget_list.html",
        {"rows": rows, "funds": Fund.choices, "this_year": this_year, "can_write": selectors.can_write(request.user)},
    )


def _budget_field(code: str) -> str:
    if code in IncomeSource.values:
        return f"in_{code}"
    if code in ExpenditureCategory.values:
        return f"ex_{code}"
    return code


@WRITE
@require_http_methods(["GET", "POST"])
def budget_form(request, fund, year):
    budget = access.access_budget_by_fund_year(request.user, fund, year)
    initial = {}
    if budget is not None:
        initial["note"] = budget.note
        lines = selectors.budget_lines(budget)
        initial.update({f"in_{ln['code']}": ln["amount"] for ln in lines["income"]})
        initial.update({f"ex_{ln['code']}": ln["amount"] for ln in lines["expenditure"]})
    form = BudgetForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        income, expenditure = form.lines()
        try:
            services.budget_save(
                actor=request.user,
                fund=fund,
                year=year,
                income=income,
                expenditure=expenditure,
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            # the service names a budget line by its code; the form's fields are in_<code> / ex_<code>
            apply_errors(form, ValidationError({_budget_field(f): m for f, m in exc.message_dict.items()}))
        else:
            messages.success(request, _("已保存%(year)s年%(fund)s预算") % {"year": year, "fund": Fund(fund).label})
            return redirect("fundbudget:budget_list")
    return render(request, "fundbudget/budget_form.html", {"form": form, "fund_label": Fund(fund).label, "year": year})


# ---------------------------------------------------------------- warnings


@READ
def warning_list(request):
    year = request.GET.get("year")
    year = int(year) if year and year.isdigit() else None
    level = request.GET.get("level") if request.GET.get("level") in Level.values else None
    fund = request.GET.get("fund") if request.GET.get("fund") in Fund.values else None
    page = Paginator(selectors.warning_list(request.user, year=year, level=level, fund=fund), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "fundbudget/warning_list.html",
        {
            "page": page,
            "year": year,
            "level": level,
            "fund": fund,
            "levels": Level.choices,
            "funds": Fund.choices,
            "years": selectors.available_years(request.user),
        },
    )


@READ
@require_http_methods(["GET", "POST"])
def rule_list(request):
    rules = list(selectors.warning_rule_list(request.user))
    can_write = selectors.can_write(request.user)
    if request.method == "POST":
        if not can_write:
            raise Http404
        rule_id = request.POST.get("rule_id", "")
        form = RuleForm(request.POST)
        known = rule_id.isdigit() and any(r.pk == int(rule_id) for r in rules)
        if known and form.is_valid():
            services.warning_rule_update(
                actor=request.user,
                rule_id=int(rule_id),
                threshold=form.cleaned_data["threshold"],
                active=form.cleaned_data["active"],
            )
            messages.success(request, _("预警规则已保存，最近一年的报表将按新阈值重新评估"))
            return redirect("fundbudget:rule_list")
        elif not known:  # a stale or tampered form: say so rather than blame the threshold
            messages.error(request, _("预警规则不存在，请刷新页面后重试"))
        else:
            messages.error(
                request, _("阈值：%(e)s") % {"e": "；".join(e for errs in form.errors.values() for e in errs)}
            )
    return render(request, "fundbudget/rule_list.html", {"rules": rules, "can_write": can_write})


@READ
@require_http_methods(["GET", "POST"])
def notice_list(request):
    if request.method == "POST":
        services.notice_mark_read(actor=request.user)
        return redirect("fundbudget:notice_list")
    page = Paginator(selectors.notice_list(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "fundbudget/notice_list.html", {"page": page})

"""HTML pages of the enrollment app: thin, calling selectors and services."""

from __future__ import annotations

import io
import json
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from enrollment import importers, selectors, services
from enrollment.access import access_batch_by_id, access_resident_by_id, access_task_by_id
from enrollment.forms import (
    CampaignForm,
    ComputeForm,
    GuidelineEditForm,
    OutcomeForm,
    SplitForm,
    UploadForm,
    apply_campaign_errors,
    tier_formset,
    tier_inputs,
)
from enrollment.models import ImportBatch, InsuranceStatus, MobilisationTask, Resident, TaskStatus
from medinsure.accounts import scoping
from medinsure.accounts.decorators import area_required
from medinsure.accounts.models import Role
from medinsure.audit.models import AuditLog
from medinsure.audit.services import audit_log
from medinsure.core.errors import apply_errors
from medinsure.core.import_roles import importers_only
from medinsure.core.imports import RowError, error_report_xlsx, shown_value
from medinsure.core.spreadsheets import neutralise_workbook
from medinsure.masking import mask_numbers_in_text, person_view

AREA = scoping.Area.ENROLLMENT


def _year(request) -> int:
    try:
        return int(request.GET.get("year") or request.POST.get("year") or 0) or _default_year()
    except ValueError:
        return _default_year()


def _default_year() -> int:
    c = selectors.current_campaign()
    return c.year if c else timezone.localdate().year


def _is_enrollment_staff(user) -> bool:
    """The 参保征缴科 (and the administrator): they import department files and edit guideline tasks."""
    return scoping.has_area(user, AREA) and scoping.is_bureau_wide(user) and user.role in (Role.ENROLLMENT, Role.ADMIN)


def _require_bureau_staff(user):
    if not _is_enrollment_staff(user):
        raise PermissionDenied


# --- progress ---------------------------------------------------------------------------------------


@area_required(AREA, stats=True)
def dashboard(request):
    year = _year(request)
    level = request.GET.get("level", "township")
    parent = request.GET.get("parent") or None
    rows = _with_pct(selectors.progress_rows_with_change(user=request.user, year=year, level=level, parent=parent))
    series = selectors.progress_series(user=request.user, year=year)
    chart = {
        "names": [r["division_name"] for r in rows],
        "rates": [float(r["rate"]) * 100 for r in rows],
        "days": [s["day"].isoformat() for s in series],
        "day_rates": [float(s["rate"]) * 100 for s in series],
    }
    return render(
        request,
        "enrollment/dashboard.html",
        {
            "year": year,
            "level": level,
            "parent": parent,
            "rows": rows,
            "day": rows[0]["day"] if rows else None,
            "chart_json": json.dumps(chart, cls=DjangoJSONEncoder),
            "campaigns": selectors.campaign_list(),
        },
    )


@area_required(AREA, stats=True)
def bulletin(request):
    year = _year(request)
    towns = _with_pct(selectors.progress_rows_with_change(user=request.user, year=year, level="township"))
    villages = _with_pct(selectors.progress_rows_with_change(user=request.user, year=year, level="village"))
    day = towns[0]["day"] if towns else (villages[0]["day"] if villages else None)
    since = request.GET.get("since", "")
    if since in ("7", "15", "30"):  # 一周一调度、半月一督查、一月一通报
        towns = selectors.progress_since(towns, year=year, days=int(since))
        villages = selectors.progress_since(villages, year=year, days=int(since))
    if request.GET.get("format") == "xlsx":
        return _bulletin_xlsx(year, day, towns, villages)
    total_task = sum(r["task"] for r in towns)
    total_insured = sum(r["insured"] for r in towns)
    from enrollment.rules.progress import rate

    return render(
        request,
        "enrollment/bulletin.html",
        {
            "year": year,
            "day": day,
            "towns": towns,
            "villages": villages,
            "total_task": total_task,
            "total_insured": total_insured,
            "total_pct": f"{rate(total_insured, total_task) * 100:.2f}",
            "since": since,
        },
    )


def _with_pct(rows: list[dict]) -> list[dict]:
    for r in rows:
        r["pct"] = f"{r['rate'] * 100:.2f}"
    return rows


def _bulletin_xlsx(year, day, towns, villages) -> HttpResponse:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = _("镇街")
    ws.append([_("%(year)s年度城乡居民医保参保进度通报（截至%(day)s）") % {"year": year, "day": day or ""}])
    ws["A1"].font = Font(bold=True, size=14)
    head = [_("排名"), _("区划代码"), _("名称"), _("任务数"), _("已参保"), _("完成率"), _("较上次增加")]
    ws.append(head)
    for r in towns:
        ws.append(
            [r["rank"], r["division_code"], r["division_name"], r["task"], r["insured"], float(r["rate"]), r["change"]]
        )
    for row in ws.iter_rows(min_row=3, min_col=6, max_col=6):
        for c in row:
            c.number_format = "0.00%"
    vs = wb.create_sheet(_("村社"))
    vs.append([_("上级代码"), *head])
    for r in villages:
        vs.append(
            [
                r["parent_code"],
                r["rank"],
                r["division_code"],
                r["division_name"],
                r["task"],
                r["insured"],
                float(r["rate"]),
                r["change"],
            ]
        )
    buf = io.BytesIO()
    neutralise_workbook(wb)
    wb.save(buf)
    resp = HttpResponse(
        buf.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    resp["Content-Disposition"] = f'attachment; filename="bulletin-{year}-{day or "na"}.xlsx"'
    return resp


# --- residents --------------------------------------------------------------------------------------


@area_required(AREA)
def resident_list(request):
    """The resident search. A name and the filters travel in the query string; an ID number (or any
    six digits in a row) only in the search form's POST body, so no URL — and so no access log or audit
    path — ever holds one. A POST naming no number is sent on to the GET list (paginated as usual)."""
    params = request.POST if request.method == "POST" else request.GET
    q = params.get("q", "").strip()
    division = params.get("division", "")
    status = params.get("status", "")
    if request.method == "POST" and not selectors.names_a_number(q):
        from urllib.parse import urlencode

        from django.urls import reverse

        keep = {k: params.get(k, "") for k in ("q", "division", "year", "status") if params.get(k)}
        return redirect(reverse("enrollment:residents") + ("?" + urlencode(keep) if keep else ""))
    if request.method == "GET" and selectors.names_a_number(q):
        messages.error(request, _("按身份证号查询请在查询框中提交，不要把号码放在网址里"))
        q = ""
    year = _year(request)
    qs = selectors.resident_list(request.user, q=q, division=division, year=year, status=status)
    page = Paginator(qs, 50).get_page(params.get("page"))
    rows = selectors.resident_rows(request.user, list(page.object_list), year)
    audit_log(  # a list of people is a view of personal data
        actor=request.user,
        verb=AuditLog.Action.VIEW,
        obj=Resident,
        summary=f"list page {page.number} ({len(rows)}) q={q[:6]}… division={division} status={status}",
    )
    return render(
        request,
        "enrollment/resident_list.html",
        {
            "rows": rows,
            "page_obj": page,
            # the search box echoes a number only as the user may see it (the page must not hold it in full)
            "q": q if person_view(request.user).full else mask_numbers_in_text(q),
            "division": division,
            "status": status,
            "year": year,
            "status_choices": InsuranceStatus.Status.choices,
            "full_view": person_view(request.user).full,
        },
    )


@area_required(AREA)
def resident_detail(request, pk: int):
    if request.method == "POST":
        opt_out = request.POST.get("reminder_opt_out") == "1"
        services.resident_set_opt_out(actor=request.user, resident_id=pk, opt_out=opt_out)
        messages.success(request, _("已设置为拒收缴费提醒") if opt_out else _("已恢复缴费提醒"))
        return redirect("enrollment:resident", pk=pk)
    r = access_resident_by_id(request.user, pk)
    audit_log(
        actor=request.user,
        verb=AuditLog.Action.VIEW,
        obj=r,
        summary=r.name,
    )
    context = selectors.resident_detail(request.user, r)
    context["full_view"] = person_view(request.user).full
    return render(request, "enrollment/resident_detail.html", context)


# --- imports ----------------------------------------------------------------------------------------


@area_required(AREA)
@importers_only(AREA, upload=True)
def import_list(request):
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                batch = services.import_upload(
                    actor=request.user,
                    source=form.cleaned_data["source"],
                    uploaded_file=form.cleaned_data["file"],
                    year=form.cleaned_data["year"],
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                return redirect("enrollment:import_detail", pk=batch.pk)
    else:
        form = UploadForm(initial={"year": _default_year()})
    page = Paginator(selectors.import_batch_list(request.user), 20).get_page(request.GET.get("page"))
    return render(
        request, "enrollment/import_list.html", {"form": form, "page_obj": page, "sources": importers.SOURCES}
    )


@area_required(AREA)
@importers_only(AREA, upload=True)
def import_detail(request, pk: int):
    batch = access_batch_by_id(request.user, pk)
    if request.method == "POST":
        _require_bureau_staff(request.user)
        try:
            batch = services.import_accept(actor=request.user, batch_id=batch.pk)
        except ValidationError as exc:
            for m in exc.messages:
                messages.error(request, m)
        else:
            if batch.status == ImportBatch.Status.DONE:
                messages.success(
                    request,
                    _("已导入：新增 %(new)d，变更 %(changed)d，无变化 %(same)d")
                    % {"new": batch.new_rows, "changed": batch.changed_rows, "same": batch.unchanged_rows},
                )
        return redirect("enrollment:import_detail", pk=batch.pk)
    template = (
        "enrollment/_import_status.html" if request.headers.get("HX-Request") else "enrollment/import_detail.html"
    )
    # the page shows the cells as the report does: ID and phone numbers masked for roles without the right
    errors = [RowError(**d) for d in batch.errors[:200]]
    errors = [RowError(e.line, e.column, shown_value(request.user, e.value), e.message) for e in errors]
    return render(request, template, {"batch": batch, "errors": errors, "spec": importers.SOURCES[batch.source]})


@area_required(AREA)
@importers_only(AREA, upload=True)
def import_errors(request, pk: int):
    batch = access_batch_by_id(request.user, pk)
    if batch.purged_at:
        raise Http404  # deleted after the retention period; the page says so
    errors = batch.row_errors()
    data = error_report_xlsx(
        errors,
        viewer=request.user,
        title=_("%(name)s 错误报告（共 %(n)d 条）") % {"name": batch.file_name, "n": len(errors)},
    )
    audit_log(
        actor=request.user,
        verb=AuditLog.Action.EXPORT,
        obj=batch,
        summary="error report",
    )
    resp = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    resp["Content-Disposition"] = f'attachment; filename="import-{batch.pk}-errors.xlsx"'
    return resp


@area_required(AREA)
@importers_only(AREA, upload=True)
def import_template(request, source: str, fmt: str):
    spec = importers.SOURCES.get(source)
    if spec is None or fmt not in ("xlsx", "csv"):
        raise Http404
    if fmt == "xlsx":
        resp = HttpResponse(
            importers.source_template_xlsx(spec),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        resp = HttpResponse(importers.template_csv(spec), content_type="text/csv; charset=utf-8")
    resp["Content-Disposition"] = f'attachment; filename="template-{source}.{fmt}"'
    return resp


# --- guideline tasks --------------------------------------------------------------------------------


@area_required(AREA, stats=True)
def guideline(request):
    year = _year(request)
    staff = _is_enrollment_staff(request.user)
    campaign = selectors.campaign_list().filter(year=year).first()
    compute_form = ComputeForm(
        initial={
            "total": campaign.township_total if campaign else None,
            "base_ratio": campaign.base_ratio if campaign else None,
        }
    )
    if request.method == "POST":
        if not staff:
            raise PermissionDenied
        action = request.POST.get("action")
        try:
            if action == "compute":
                compute_form = ComputeForm(request.POST)
                if compute_form.is_valid():
                    services.guideline_tasks_compute(
                        actor=request.user,
                        year=year,
                        total=compute_form.cleaned_data["total"],
                        base_ratio=compute_form.cleaned_data["base_ratio"],
                    )
                    messages.success(request, _("已按最新登记数据测算"))
                    return redirect(f"{request.path}?year={year}")
            elif action == "edit":
                form = GuidelineEditForm(request.POST)
                task_id = request.POST.get("task_id", "")
                if not task_id.isdigit():
                    messages.error(request, _("该指导性任务不存在，请刷新后重试"))
                elif form.is_valid():
                    services.guideline_task_edit(actor=request.user, task_id=int(task_id), **form.cleaned_data)
                    messages.success(request, _("已保存调整"))
                else:
                    messages.error(
                        request, "; ".join(f"{form.fields[f].label}：{e[0]}" for f, e in form.errors.items())
                    )
                return redirect(f"{request.path}?year={year}")
            elif action == "issue":
                n = services.guideline_tasks_issue(actor=request.user, year=year)
                messages.success(request, _("已下达 %(n)d 个镇街的指导性任务") % {"n": n})
                return redirect(f"{request.path}?year={year}")
        except ValidationError as exc:
            for m in exc.messages:
                messages.error(request, m)
            return redirect(f"{request.path}?year={year}")
    rows = selectors.guideline_tasks(user=request.user, year=year)
    changes = selectors.guideline_task_changes([r["id"] for r in rows])
    for r in rows:
        r["changes"] = changes.get(r["id"], [])
    return render(
        request,
        "enrollment/guideline.html",
        {
            "year": year,
            "rows": rows,
            "campaign": campaign,
            "staff": staff,
            "compute_form": compute_form,
            "total": sum(r["task"] for r in rows),
            "issued": any(r["issued"] for r in rows),
        },
    )


# --- mobilisation tasks -----------------------------------------------------------------------------


@area_required(AREA)
def task_split(request):
    """Township staff: counts per village, and the bulk split to villages, grids and named workers."""
    if request.user.role == "village":
        return redirect("enrollment:my_tasks")
    year = _year(request)
    form = SplitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            n = services.tasks_split(
                actor=request.user,
                year=year,
                plan=services.SplitPlan(
                    mode=d["mode"], village_code=d["village"] or "", assignee_id=d["assignee"], count=d["count"] or 0
                ),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已分派 %(n)d 条任务") % {"n": n})
            return redirect(f"{request.path}?year={year}")
    return render(
        request,
        "enrollment/task_split.html",
        {
            "year": year,
            "form": form,
            "summary": selectors.task_summary(request.user, year=year),
            "workers": selectors.worker_list(request.user),
            "villages": selectors.village_list(request.user),
        },
    )


@area_required(AREA)
def my_tasks(request):
    """The worker's list on a phone: filter by status and village, tap to call, record the outcome."""
    year = _year(request)
    status = request.GET.get("status", "pending")
    village = request.GET.get("village", "")
    mine = request.user.role in ("village",) or request.GET.get("mine") == "1"
    qs = selectors.task_list(request.user, year=year, status=status, village=village, mine=mine)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    rows = selectors.task_rows(request.user, page.object_list)
    audit_log(
        actor=request.user,
        verb=AuditLog.Action.VIEW,
        obj=MobilisationTask,
        summary=f"task list page {page.number} ({len(rows)})",
    )
    villages = selectors.village_list(request.user)
    all_mine = selectors.task_list(request.user, year=year, mine=mine)
    return render(
        request,
        "enrollment/my_tasks.html",
        {
            "rows": rows,
            "page_obj": page,
            "status": status,
            "village": village,
            "year": year,
            "villages": villages,
            "form": OutcomeForm(),
            "open_count": all_mine.exclude(status=TaskStatus.CLOSED).count(),
            "all_count": all_mine.count(),
            "statuses": TaskStatus.choices,
        },
    )


@area_required(AREA)
@require_POST
def task_outcome(request, pk: int):
    task = access_task_by_id(request.user, pk)
    form = OutcomeForm(request.POST)
    error = None
    stale = False
    if form.is_valid():
        try:
            task = services.task_record_outcome(actor=request.user, task_id=task.pk, **form.cleaned_data)
        except ValidationError as exc:
            error, stale = "; ".join(exc.messages), services.is_stale(exc)
            if stale:
                task = access_task_by_id(request.user, pk)
    else:
        error = "; ".join(f"{form.fields[f].label if f in form.fields else f}：{e[0]}" for f, e in form.errors.items())
    if request.headers.get("HX-Request"):
        row = selectors.task_row(request.user, task)
        return render(
            request,
            "enrollment/_task_card.html",
            {
                "t": row,
                "form": OutcomeForm(),
                "error": error,
                "posted": request.POST if error else None,
                "stale": stale,
                "saved": not error,
            },
            status=409 if stale else 200,
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("已记录"))
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = "enrollment:my_tasks"  # only back to a page of this site, never to a link planted in the form
    return redirect(back)


# --- campaigns --------------------------------------------------------------------------------------


@area_required(AREA, stats=True)
def campaigns(request):
    return render(
        request,
        "enrollment/campaigns.html",
        {"campaigns": selectors.campaign_list(), "staff": _is_enrollment_staff(request.user)},
    )


_CAMPAIGN_FIELDS = (
    "name",
    "collection_start",
    "collection_end",
    "city_target",
    "township_total",
    "base_ratio",
    "reminder_round_days",
)


def _campaign_form_page(request, campaign=None):
    _require_bureau_staff(request.user)
    if campaign is None:
        initial = {"reminder_round_days": "0,30", "base_ratio": Decimal("0.96")}
        tiers = [{"code": "tier1"}, {"code": "tier2"}]
    else:
        initial = {f: getattr(campaign, f) for f in _CAMPAIGN_FIELDS}
        initial["year"] = campaign.year
        initial["reminder_round_days"] = ",".join(str(d) for d in campaign.reminder_round_days or [])
        tiers = [
            {
                "code": t.code,
                "standard": t.standard,
                "subsidy": t.subsidy,
                "personal": t.personal,
                "ltc_premium": t.ltc_premium,
            }
            for t in campaign.tiers.all()
        ]
    formset_class = tier_formset(len(tiers) if campaign is not None else 2)
    data = request.POST if request.method == "POST" else None
    form = CampaignForm(data, initial=initial, editing=campaign is not None)
    formset = formset_class(data, initial=tiers, prefix="tiers")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        d = form.cleaned_data
        values = {f: d[f] for f in _CAMPAIGN_FIELDS}
        try:
            if campaign is None:
                saved = services.campaign_create(
                    actor=request.user, year=d["year"], tiers=tier_inputs(formset), **values
                )
                messages.success(request, _("已新建%(year)s年度征缴活动") % {"year": saved.year})
            else:
                saved = services.campaign_update(
                    actor=request.user, campaign=campaign, tiers=tier_inputs(formset), **values
                )
                messages.success(request, _("已保存%(year)s年度征缴活动") % {"year": saved.year})
        except ValidationError as exc:
            apply_campaign_errors(form, formset, exc)
        else:
            return redirect("enrollment:campaigns")
    return render(
        request,
        "enrollment/campaign_form.html",
        {"form": form, "formset": formset, "campaign": campaign},
    )


@area_required(AREA)
def campaign_create(request):
    return _campaign_form_page(request)


@area_required(AREA)
def campaign_edit(request, year: int):
    _require_bureau_staff(request.user)
    campaign = selectors.campaign_list().filter(year=year).first()
    if campaign is None:
        raise Http404
    return _campaign_form_page(request, campaign)


# --- reminders --------------------------------------------------------------------------------------


@area_required(AREA)
def reminders(request):
    qs = selectors.reminder_list(request.user)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    from medinsure.masking import shown_phone

    rows = [{"m": m, "phone": shown_phone(request.user, m.phone)} for m in page.object_list]
    return render(
        request,
        "enrollment/reminders.html",
        {"rows": rows, "page_obj": page, "counts": selectors.reminder_counts(request.user)},
    )

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from claims import access, selectors, services
from claims.calculation import calculate_visits, render_steps
from claims.forms import CalculatorForm, PolicyEditForm, VisitFormSet, bounded_int, settlement_filters
from claims.models import HospitalLevel, Kind, Settlement
from claims.policies import PolicyNotFound, as_yaml
from medinsure.accounts.decorators import area_required
from medinsure.accounts.models import Role
from medinsure.accounts.powers import APPROVERS, Power
from medinsure.accounts.scoping import Area, may_see_personal_numbers
from medinsure.audit.models import AuditLog
from medinsure.audit.services import audit_log
from medinsure.core import uploads
from medinsure.core.errors import apply_errors
from medinsure.core.import_roles import importers_only
from medinsure.core.spreadsheets import neutralise_csv
from medinsure.masking import mask_id_number, shown_birth, shown_id_number


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


# --- calculator ---------------------------------------------------------------------------------
@area_required(Area.CLAIMS)
def calculator(request):
    """One person's visits of one year through the engine, with the step-by-step explanation."""
    result = None
    if request.method == "POST":
        form = CalculatorForm(request.POST)
        formset = VisitFormSet(request.POST, prefix="v")
        if form.is_valid() and formset.is_valid():
            person = form.cleaned_data
            visits = [
                {
                    **row,
                    "visit_id": f"{i + 1:02d}",
                    "person_id": "calculator",
                    "id_number": person["id_number"],
                    "group": person["group"],
                    "employment": person["employment"],
                    "continuous_years": person["continuous_years"],
                    "tier": person["tier"],
                    "poor": person["poor"],
                }
                for i, row in enumerate(formset.cleaned_data)
                if row
            ]
            if not visits:
                form.add_error(None, _("请至少填写一次就诊"))
            else:
                try:
                    result = calculate_visits(code=person["policy"], visits=visits)
                except ValidationError as exc:
                    apply_errors(form, exc)
                else:
                    kinds = dict(Kind.choices)
                    for row, visit in zip(result["results"], visits, strict=True):
                        row["date"] = visit["date"]
                        row["kind_label"] = kinds[visit["kind"]]
                        row["hospital_level"] = visit["hospital_level"]
                        row["in_scope_cost"] = f"{visit['in_scope_cost']:.2f}"
                    result["results"].sort(key=lambda r: (r["date"], r["visit_id"]))
    else:
        form = CalculatorForm()
        formset = VisitFormSet(prefix="v")
    from claims.forms import VisitsFileForm

    context = {
        "form": form,
        "formset": formset,
        "result": result,
        "diseases": _known_diseases(),
        "file_form": VisitsFileForm(),
        # the ID number typed is echoed back only to a role that may see numbers (a view of a person)
        "shown_id_number": shown_id_number(request.user, form["id_number"].value() or ""),
        "full_numbers": may_see_personal_numbers(request.user),
    }
    if _is_htmx(request):
        return render(request, "claims/_calculator_result.html", context)
    return render(request, "claims/calculator.html", context)


@area_required(Area.CLAIMS)
@require_POST
def calculator_file(request):
    """A VISITS file in, the OUT file back (exactly what `manage.py reimburse` writes)."""
    from django.http import HttpResponse

    from claims.forms import VisitsFileForm
    from claims.policies import engine_policy
    from claims.rules import VisitsError, reimburse_csv

    form = VisitsFileForm(request.POST, request.FILES)
    errors: list[str] = []
    if form.is_valid():
        try:
            text = uploads.decode_csv(form.cleaned_data["visits"].read())
        except uploads.UploadRejected as exc:
            errors.append(exc.message)
        else:
            try:
                policy, _version = engine_policy(form.cleaned_data["policy"])
                # the visit ids echo the uploaded file: a formula-looking id is written as text
                out = neutralise_csv(reimburse_csv(policy, text))
            except PolicyNotFound as exc:
                errors.append(str(exc))
            except VisitsError as exc:
                errors.extend(exc.render(_))
            else:
                response = HttpResponse(out, content_type="text/csv; charset=utf-8")
                response["Content-Disposition"] = f'attachment; filename="reimburse-{form.cleaned_data["policy"]}.csv"'
                return response
    else:
        errors.extend(f"{form.fields[k].label}：{e}" for k, errs in form.errors.items() for e in errs)
    return render(
        request,
        "claims/calculator.html",
        {
            "form": CalculatorForm(),
            "formset": VisitFormSet(prefix="v"),
            "result": None,
            "diseases": _known_diseases(),
            "file_form": form,
            "file_errors": errors,
        },
        status=400,
    )


def _known_diseases() -> list[str]:
    """Disease names of every policy's lists (the calculator offers them while typing)."""
    from claims.policies import engine_policy, shipped_codes

    names: set[str] = set()
    codes = set(shipped_codes()) | set(selectors.policy_list(None).values_list("code", flat=True))
    for code in codes:
        try:
            policy, _version = engine_policy(code)
        except Exception:  # noqa: BLE001 - a broken file must not break the page
            continue
        for benefit in policy.benefits.values():
            for group in benefit.disease_groups:
                names |= group.diseases
    return sorted(names)


# --- policies -----------------------------------------------------------------------------------
@area_required(Area.CLAIMS)
def policy_list(request):
    policies = list(selectors.policy_list(request.user).prefetch_related("versions"))
    stored = {p.code for p in policies}
    from claims.policies import shipped_codes

    unloaded = [c for c in shipped_codes() if c not in stored]
    return render(request, "claims/policy_list.html", {"policies": policies, "unloaded": unloaded})


@area_required(Area.CLAIMS)
@require_POST
def policy_load_files(request):
    result = services.policies_load_files(actor=request.user)
    messages.success(
        request,
        _("政策文件已载入：新版本 %(created)s；无变化 %(unchanged)s")
        % {"created": "、".join(result["created"]) or "—", "unchanged": "、".join(result["unchanged"]) or "—"},
    )
    for code, errors in result["errors"].items():
        messages.error(request, f"{code}: " + "；".join(errors))
    return redirect("claims:policy_list")


@area_required(Area.CLAIMS)
def policy_detail(request, code):
    policy = access.access_policy_by_code(request.user, code)
    versions = list(selectors.policy_versions(policy))
    number = request.GET.get("version")
    shown = next((v for v in versions if str(v.number) == number), versions[0] if versions else None)
    summary = _readable_summary(selectors.policy_summary(code=code))
    return render(
        request,
        "claims/policy_detail.html",
        {
            "policy": policy,
            "versions": versions,
            "shown": shown,
            "summary": summary,
            "document": as_yaml(shown.document) if shown else "",
        },
    )


def _table_text(value) -> str:
    """A policy value (number or rows with conditions) as one line a reader understands."""
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    parts = []
    for row in value:
        when = row["when"]
        cond = []
        if "level" in when:
            cond.append("/".join(str(v) for v in when["level"]) + _("级"))
        if "employment" in when:
            cond.append("/".join({"in_service": _("在职"), "retired": _("退休")}[e] for e in when["employment"]))
        if "tier" in when:
            cond.append("/".join(str(v) for v in when["tier"]) + _("档"))
        if "group" in when:
            cond.append("/".join({"resident": _("居民"), "student": _("学生儿童")}[g] for g in when["group"]))
        parts.append(("".join(cond) + " " if cond else "") + row["value"])
    return "；".join(parts)


def _readable_summary(summary: dict) -> dict:
    rows = []
    for b in summary["benefits"].values():
        ded = b["deductible"]
        deductible = _("无") if ded["type"] == "none" else _table_text(ded["amount"])
        if ded["type"] == "annual":
            deductible = _("年度累计 %(v)s") % {"v": deductible}
        elif ded.get("nth_admission_factors") and len(ded["nth_admission_factors"]) > 1:
            deductible += _("（第n次住院系数 %(f)s）") % {"f": "、".join(ded["nth_admission_factors"])}
        ratio = _table_text(b["ratio"]) if b["ratio"] else "—"
        if b["disease_groups"]:
            groups = [f"{g['name']} {_table_text(g['ratio'])}" for g in b["disease_groups"] if g["ratio"]]
            if groups:
                ratio = "；".join(groups) if ratio == "—" else ratio + "；" + "；".join(groups)
        if b["essential_drug_ratio"]:
            ratio += _("；基本药物 %(v)s") % {"v": _table_text(b["essential_drug_ratio"])}
        caps = "、".join(summary["caps"][c]["name"] for c in b["caps"]) or "—"
        rows.append(
            {
                "name": b["name"],
                "levels": "/".join(str(v) for v in b["levels"]) if b["levels"] else _("不限"),
                "deductible": deductible,
                "ratio": ratio,
                "caps": caps,
            }
        )
    caps = [{"name": c["name"], "amount": _table_text(c["amount"])} for c in summary["caps"].values()]
    ci = summary["critical_illness"]
    critical = None
    if ci:
        segs = [f"{s['from']}–{s['to'] or '∞'} {s['ratio']}" for s in ci["segments"]]
        critical = {
            "segments": "；".join(segs),
            "cap": _table_text(ci["cap"]),
            "bonus": "；".join(
                f"{b['min_years']}–{b['max_years'] or '∞'}年 +{b['amount']}" for b in ci["continuous_years_bonus"]
            ),
            "above": ci["above_fund_cap_ratio"],
        }
    return {"benefits": rows, "caps": caps, "critical": critical, "relief": summary["poverty_relief"]}


@area_required(Area.CLAIMS)
def policy_edit(request, code):
    """Edit a policy document; saving makes a new version (validated like the schema)."""
    policy = access.access_policy_by_code(request.user, code)
    current = policy.versions.order_by("-number").first()
    if request.method == "POST":
        form = PolicyEditForm(request.POST)
        if form.is_valid():
            doc = form.cleaned_data["document"]
            if doc.get("code") != policy.code:
                form.add_error("document", _("code: 编辑时不能修改政策编码（应为 %(code)s）") % {"code": policy.code})
            else:
                version, created = services.policy_version_create(
                    actor=request.user, document=doc, note=form.cleaned_data["note"]
                )
                if created:
                    messages.success(request, _("已保存为新版本 v%(n)s") % {"n": version.number})
                else:
                    messages.info(request, _("内容与当前版本相同，未生成新版本"))
                return redirect("claims:policy_detail", code=policy.code)
    else:
        form = PolicyEditForm(initial={"document": as_yaml(current.document) if current else ""})
    return render(request, "claims/policy_edit.html", {"policy": policy, "form": form, "current": current})


# --- settlements --------------------------------------------------------------------------------
def _filters_text(params) -> str:
    """The filters for an audit summary, without the form's token and with any ID number masked."""
    keep = {k: v for k, v in params.items() if k not in ("csrfmiddlewaretoken", "_form_token")}
    if keep.get("id_number"):
        keep["id_number"] = mask_id_number(keep["id_number"])
    return urlencode(keep)


@area_required(Area.CLAIMS)
def settlement_list(request):
    """The settlement list. Its filters travel in the query string, except the ID number: that one only
    in the search form's POST body, so no URL (access logs, the audit path) holds it."""
    g = request.POST if request.method == "POST" else request.GET
    filters = settlement_filters(g)
    if request.method == "POST" and not filters["id_number"]:  # nothing to hide: the ordinary GET list
        keep = {k: g[k] for k in ("year", "month", "kind", "level", "division") if g.get(k)}
        return redirect(reverse("claims:settlement_list") + ("?" + urlencode(keep) if keep else ""))
    if request.method == "GET" and filters["id_number"]:
        messages.error(request, _("按身份证号查询请在查询框中提交，不要把号码放在网址里"))
        filters["id_number"] = None
        g = g.copy()
        g.pop("id_number")
    rows = selectors.settlement_list(request.user, **filters)
    page = Paginator(rows, 50).get_page(g.get("page"))
    for s in page:
        s.shown_id_number = shown_id_number(request.user, s.id_number)
    audit_log(
        actor=request.user,
        verb=AuditLog.Action.VIEW,
        obj=Settlement,
        summary=_("查看结算单列表 %(q)s") % {"q": _filters_text(g)},
    )
    shown = g.copy()
    if shown.get("id_number"):  # the search box echoes the number only as the user may see it
        shown["id_number"] = shown_id_number(request.user, shown["id_number"])
    return render(request, "claims/settlement_list.html", {"page": page, "kinds": Kind.choices, "q": shown})


@area_required(Area.CLAIMS)
def settlement_detail(request, pk):
    s = access.access_settlement_by_id(request.user, pk)
    audit_log(actor=request.user, verb=AuditLog.Action.VIEW, obj=s, summary=_("查看结算单 %(n)s") % {"n": s.number})
    return render(
        request,
        "claims/settlement_detail.html",
        {
            "s": s,
            "shown_id_number": shown_id_number(request.user, s.id_number),
            "shown_birth": shown_birth(request.user, s.birth_date, as_of=s.settled_on),
            "lines": selectors.settlement_lines(s),
            "steps": render_steps(s.explanation.get("steps", [])),
        },
    )


# --- settlement import --------------------------------------------------------------------------
@area_required(Area.CLAIMS)
@importers_only(Area.CLAIMS, upload=True)
def import_upload(request):
    from claims.forms import ImportForm

    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            f = form.cleaned_data["file"]
            batch = services.settlement_import_create(
                actor=request.user,
                policy=form.cleaned_data["policy"],
                file_name=f.checked.display_name,
                content=f.read(),
            )
            return redirect("claims:import_detail", pk=batch.pk)
    else:
        form = ImportForm()
    recent = selectors.settlement_import_recent(request.user)
    return render(request, "claims/import_upload.html", {"form": form, "recent": recent})


@area_required(Area.CLAIMS)
@importers_only(Area.CLAIMS)
def import_detail(request, pk):
    from medinsure.accounts.powers import Power, may_approve

    batch = access.access_import_by_id(request.user, pk)
    may = (
        batch.needs_approval
        and batch.status == "preview"
        and may_approve(request.user, Power.SETTLEMENT_IMPORT_APPROVE)
        and request.user.pk != batch.created_by_id
    )
    return render(
        request,
        "claims/import_detail.html",
        {"batch": batch, "errors": batch.errors[:200], "may_approve": may},
    )


@area_required(Area.CLAIMS)
@require_POST
@importers_only(Area.CLAIMS)
def import_approve(request, pk):
    """Four eyes: a second person approves a file that disagrees with amounts already paid."""
    batch = access.access_import_by_id(request.user, pk)
    try:
        services.settlement_import_approve(actor=request.user, import_id=batch.pk)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("已审批，正在写入"))
    return redirect("claims:import_detail", pk=batch.pk)


@area_required(Area.CLAIMS)
@require_POST
@importers_only(Area.CLAIMS)
def import_accept(request, pk):
    batch = access.access_import_by_id(request.user, pk)
    try:
        services.settlement_import_accept(actor=request.user, import_id=batch.pk)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("claims:import_detail", pk=batch.pk)


@area_required(Area.CLAIMS)
@importers_only(Area.CLAIMS)
def import_errors_xlsx(request, pk):
    from django.http import HttpResponse

    from medinsure.core.imports import RowError, error_report_xlsx

    batch = access.access_import_by_id(request.user, pk)
    if batch.purged_at:
        raise Http404  # deleted after the retention period; the page says so
    audit_log(
        actor=request.user,
        verb=AuditLog.Action.EXPORT,
        obj=batch,
        summary=_("导出结算单导入错误报告 %(f)s") % {"f": batch.file_name},
    )
    response = HttpResponse(
        error_report_xlsx(
            [RowError(**e) for e in batch.errors],
            viewer=request.user,
            title=_("%(f)s 错误报告（共 %(n)d 条）") % {"f": batch.file_name, "n": len(batch.errors)},
        ),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="import-errors-{batch.pk}.xlsx"'
    return response


@area_required(Area.CLAIMS)
@importers_only(Area.CLAIMS, upload=True)
def import_template_xlsx(request):
    from django.http import HttpResponse

    from claims.exports import import_template

    response = HttpResponse(
        import_template(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = 'attachment; filename="settlement-import-template.xlsx"'
    return response


# --- batch recalculation ------------------------------------------------------------------------
def approver_labels(power: str) -> str:
    return "、".join(str(Role(r).label) for r in sorted(APPROVERS[power]))


@area_required(Area.CLAIMS)
def recalculation_list(request):
    return render(request, "claims/recalculation_list.html", {"runs": selectors.recalculation_list(request.user)[:50]})


@area_required(Area.CLAIMS)
def recalculation_start(request, code):
    from claims.forms import RecalculationForm

    policy = access.access_policy_by_code(request.user, code)
    if request.method == "POST":
        form = RecalculationForm(request.POST, policy=policy)
        if form.is_valid():
            try:
                rc = services.recalculation_start(
                    actor=request.user, version=form.cleaned_data["version"], year=form.cleaned_data["year"]
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                return redirect("claims:recalculation_detail", pk=rc.pk)
    else:
        form = RecalculationForm(policy=policy)
    return render(request, "claims/recalculation_start.html", {"policy": policy, "form": form})


@area_required(Area.CLAIMS)
def recalculation_detail(request, pk):
    rc = access.access_recalculation_by_id(request.user, pk)
    order = {"more": "-delta", "less": "delta"}.get(request.GET.get("order"), "-delta")
    diffs = Paginator(selectors.recalculation_diffs(rc, order=order), 50).get_page(request.GET.get("page"))
    for d in diffs:
        d.shown_id_number = shown_id_number(request.user, d.settlement.id_number)
    return render(
        request,
        "claims/recalculation_detail.html",
        {
            "rc": rc,
            "diffs": diffs,
            "order": order,
            "may_approve": selectors.recalculation_may_approve(request.user, rc),
            "approver_roles": approver_labels(Power.RECALCULATION_APPROVE),
        },
    )


@area_required(Area.CLAIMS)
@require_POST
def recalculation_approve(request, pk):
    rc = access.access_recalculation_by_id(request.user, pk)
    try:
        services.recalculation_approve(actor=request.user, recalculation_id=rc.pk)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("claims:recalculation_detail", pk=rc.pk)


@area_required(Area.CLAIMS)
@require_POST
def recalculation_discard(request, pk):
    rc = access.access_recalculation_by_id(request.user, pk)
    try:
        services.recalculation_discard(actor=request.user, recalculation_id=rc.pk)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("claims:recalculation_detail", pk=rc.pk)


# --- statistics ---------------------------------------------------------------------------------
def _stats_params(request):
    from django.utils import timezone

    g = request.GET
    year = bounded_int(g, "year", 1900, 9998) or timezone.localdate().year
    month = bounded_int(g, "month", 1, 12)
    scheme = g.get("scheme") if g.get("scheme") in ("resident", "employee") else None
    division = g.get("division") if g.get("division", "").isdigit() else None
    return year, month, scheme, division


@area_required(Area.CLAIMS, stats=True)
def stats(request):

    year, month, scheme, division = _stats_params(request)
    data = selectors.settlement_stats(request.user, year=year, month=month, scheme=scheme, division_code=division)
    chart = {
        "months": [m["month"] for m in data["months"]],
        "fund": [m["fund_paid"] for m in data["months"]],
        "last_year_fund": [m["last_year_fund_paid"] for m in data["months"]],
        "levels": [str(lv["hospital_level"]) for lv in data["groups"][0]["levels"]],
        "admissions": [lv["count"] for lv in data["groups"][0]["levels"]],
        "last_year_admissions": [lv["last_year_count"] for lv in data["groups"][0]["levels"]],
        "average": [lv["average_cost"] for lv in data["groups"][0]["levels"]],
    }
    return render(
        request,
        "claims/stats.html",
        {
            "data": data,
            "year": year,
            "month": month or 12,
            "scheme": scheme or "",
            "division": division or "",
            "chart": chart,
            "levels": dict(HospitalLevel.choices),
            "groups": selectors.STAT_GROUP_LABELS,
        },
    )


@area_required(Area.CLAIMS, stats=True)
def stats_xlsx(request):
    from django.http import HttpResponse

    from claims.exports import stats_workbook

    year, month, scheme, division = _stats_params(request)
    data = selectors.settlement_stats(request.user, year=year, month=month, scheme=scheme, division_code=division)
    response = HttpResponse(
        stats_workbook(data), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="claims-stats-{year}-{data["month"]:02d}.xlsx"'
    return response


# --- entitlement ----------------------------------------------------------------------------------
def eligibility(request):
    """Who is entitled on a date: the registry's answer with its reasons, for claims staff and an
    institution's desk (numbers posted, masked in the answer for roles that may not see them)."""
    from django.core.exceptions import PermissionDenied

    from claims.entitlement import ask, may_ask
    from claims.forms import EligibilityForm

    if not may_ask(request.user):
        raise PermissionDenied
    rows = None
    form = EligibilityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        rows = ask(viewer=request.user, id_numbers=form.cleaned_data["id_numbers"], on=form.cleaned_data["on"])
        from claims.models import RemoteFilingKind
        from enrollment.models import SpecialCategory

        categories, filings = dict(SpecialCategory.choices), dict(RemoteFilingKind.choices)
        for row in rows:
            row["categories"] = [str(categories.get(c, c)) for c in row["categories"]]
            row["remote_filings"] = [str(filings.get(k, k)) for k in row["remote_filings"]]
    return render(request, "claims/eligibility.html", {"form": form, "rows": rows})

"""HTML pages: thin — read through selectors/access, write through services."""

import io
import uuid
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from medinsure.accounts.powers import Power, may_approve
from medinsure.accounts.scoping import Area
from medinsure.audit.models import AuditLog
from medinsure.audit.services import audit_log
from medinsure.core.errors import apply_errors, error_text
from medinsure.core.import_roles import importers_only, may_upload
from medinsure.core.imports import error_report_xlsx, shown_value
from medinsure.core.spreadsheets import neutralise_workbook
from medinsure.core.throttles import public_throttled
from medinsure.masking import shown_id_number
from supervision import access, forms, importers, selectors, services
from supervision.models import AgreementStatus, CaseSource, CaseStatus, FlagStatus, ReportStatus
from supervision.rules import workflow


def _page(request, qs, per_page=30):
    return Paginator(qs, per_page).get_page(request.GET.get("page"))


def _staff(request):
    access.require_staff(request.user)


def _area(request):
    access.require_area(request.user)


# --- institutions and agreements --------------------------------------------------------------------


def institutions(request):
    _area(request)
    qs = selectors.institution_list(
        request.user, q=request.GET.get("q", ""), kind=request.GET.get("kind", ""), status=request.GET.get("status", "")
    )
    return render(
        request,
        "supervision/institutions.html",
        {
            "page": _page(request, qs),
            "statuses": AgreementStatus.choices,
            "is_staff": access.is_staff(request.user),
            "can_import": may_upload(request.user, Area.SUPERVISION),
        },
    )


def institution_detail(request, pk):
    institution = access.access_institution_by_id(request.user, pk)
    is_staff = access.is_staff(request.user)
    change_form = forms.AgreementChangeForm(prefix="chg")
    sign_form = forms.AgreementSignForm(prefix="sign")
    if request.method == "POST":
        _staff(request)
        try:
            if "sign-number" in request.POST:
                sign_form = forms.AgreementSignForm(request.POST, prefix="sign")
                if sign_form.is_valid():
                    services.agreement_sign(actor=request.user, institution_id=institution.pk, **sign_form.cleaned_data)
                    messages.success(request, _("已签订医保服务协议"))
                    return redirect("supervision:institution", pk=institution.pk)
            else:
                change_form = forms.AgreementChangeForm(request.POST, prefix="chg")
                if change_form.is_valid():
                    services.agreement_change(
                        actor=request.user, institution_id=institution.pk, **change_form.cleaned_data
                    )
                    messages.success(request, _("协议状态已变更"))
                    return redirect("supervision:institution", pk=institution.pk)
        except ValidationError as exc:
            apply_errors(sign_form if "sign-number" in request.POST else change_form, exc)
    agreement = getattr(institution, "agreement", None) if hasattr(institution, "agreement") else None
    return render(
        request,
        "supervision/institution_detail.html",
        {
            "institution": institution,
            "agreement": agreement,
            "history": selectors.agreement_history(request.user, institution),
            "cases": selectors.case_list(request.user, institution_id=institution.pk)[:50],
            "flags": selectors.flag_list(request.user, institution_id=institution.pk)[:50],
            "change_form": change_form,
            "sign_form": sign_form,
            "is_staff": is_staff,
        },
    )


def institution_edit(request, pk=None):
    _staff(request)
    institution = access.access_institution_by_id(request.user, pk) if pk else None
    initial = {}
    if institution:
        initial = {
            "code": institution.code,
            "name": institution.name,
            "kind": institution.kind,
            "type": institution.type,
            "level": institution.level,
            "division": institution.division_id,
            "address": institution.address,
        }
    form = forms.InstitutionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        division = data.pop("division")
        try:
            inst = services.institution_save(
                actor=request.user,
                institution_id=pk,
                division_id=division.pk if division else None,
                **data,
            )
            messages.success(request, _("已保存"))
            return redirect("supervision:institution", pk=inst.pk)
        except ValidationError as exc:
            apply_errors(form, exc)
    title = _("编辑定点医药机构") if institution else _("新增定点医药机构")
    return render(request, "supervision/form_page.html", {"title": title, "form": form})


def _institution_import(request, token):
    """The import keyed by its id (the form's ``token``); 404 for anything else."""
    from supervision.models import InstitutionImport

    try:
        pk = uuid.UUID(str(token))
    except ValueError:
        raise Http404 from None
    return get_object_or_404(InstitutionImport.objects.defer("raw"), pk=pk)


@importers_only(Area.SUPERVISION, upload=True)
def institution_import(request):
    """Upload → check the whole file (kept in the database) → show errors or a summary → accept writes."""
    _staff(request)
    form = forms.ImportForm()
    batch = None
    if request.method == "POST" and "accept" in request.POST:
        batch = _institution_import(request, request.POST.get("token", ""))
        try:
            batch = services.institution_import_accept(actor=request.user, import_id=batch.pk)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            if batch.status == batch.Status.DONE:
                messages.success(
                    request,
                    _("导入完成：新增 %(c)s 家，更新 %(u)s 家，未变 %(n)s 家")
                    % {"c": batch.created, "u": batch.updated, "n": batch.unchanged},
                )
                return redirect("supervision:institutions")
    elif request.method == "POST":
        form = forms.ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]  # checked by the upload guard (size, zip, bomb)
            batch = services.institution_import_upload(
                actor=request.user, file_name=upload.checked.display_name, content=upload.read()
            )
    errors = batch.row_errors() if batch else []
    error_rows = [(e, shown_value(request.user, e.value)) for e in errors]
    return render(
        request,
        "supervision/institution_import.html",
        {
            "form": form,
            "batch": batch,
            "errors": errors,
            "token": str(batch.pk) if batch else None,
            "error_rows": error_rows,
        },
    )


@importers_only(Area.SUPERVISION, upload=True)
def institution_import_errors(request, token):
    _staff(request)
    batch = _institution_import(request, token)
    if batch.purged_at:
        raise Http404
    data = error_report_xlsx(batch.row_errors(), viewer=request.user, title=_("定点医药机构导入错误报告"))
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="institution-import-errors.xlsx"'
    return response


@importers_only(Area.SUPERVISION, upload=True)
def institution_import_template(request):
    _staff(request)
    response = HttpResponse(
        importers.template_workbook(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = 'attachment; filename="institutions-template.xlsx"'
    return response


# --- cases ----------------------------------------------------------------------------------------------


def cases(request):
    _area(request)
    qs = selectors.case_list(
        request.user,
        status=request.GET.get("status", ""),
        source=request.GET.get("source", ""),
        q=request.GET.get("q", ""),
    )
    return render(
        request,
        "supervision/cases.html",
        {
            "page": _page(request, qs),
            "statuses": CaseStatus.choices,
            "sources": CaseSource.choices,
            "is_staff": access.is_staff(request.user),
        },
    )


def case_new(request):
    _staff(request)
    form = forms.CaseForm(request.POST or None, initial={"registered_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        institution = data.pop("institution")
        data["institution_id"] = institution.pk if institution else None
        try:
            case = services.case_register(actor=request.user, **data)
            messages.success(request, _("已立案：%(n)s") % {"n": case.number})
            return redirect("supervision:case", pk=case.pk)
        except ValidationError as exc:
            apply_errors(form, exc)
    return render(request, "supervision/case_new.html", {"form": form})


def case_detail(request, pk):
    case = access.access_case_by_id(request.user, pk)
    is_staff = access.is_staff(request.user)
    if case.target_kind == "person":
        audit_log(
            actor=request.user,
            verb=AuditLog.Action.VIEW,
            obj=case,
            summary=f"view {case.number}",
        )
    today = timezone.localdate()
    targets = [
        s for s in workflow.allowed_targets(workflow.CaseStatus(case.status)) if s != workflow.CaseStatus.DECIDED
    ]
    ctx = {
        "case": case,
        "is_staff": is_staff,
        "decision": getattr(case, "decision", None) if hasattr(case, "decision") else None,
        "transitions": selectors.case_transitions(case),
        "evidence": case.evidence.all() if is_staff else [],
        "person_id": shown_id_number(request.user, case.person_id_number),
        "transition_form": forms.TransitionForm(initial={"on": today}),
        "targets": [(t.value, CaseStatus(t.value).label) for t in targets],
        "decision_form": forms.DecisionForm(
            initial={"decided_on": today, "fine_basis": "none", "agreement_action": "none"}
        ),
        "publish_form": forms.PublishForm(initial={"published_on": today}),
        "evidence_form": forms.EvidenceForm(),
        "can_decide": case.status == CaseStatus.INVESTIGATING,
        # a case from a named report is published by the head only (services.case_publish)
        "can_publish": case.status in (CaseStatus.DECIDED, CaseStatus.EXECUTED, CaseStatus.CLOSED)
        and (access.is_head(request.user) or not selectors.case_from_named_report(case)),
    }
    return render(request, "supervision/case_detail.html", ctx)


@require_POST
def case_transition(request, pk):
    _staff(request)
    case = access.access_case_by_id(request.user, pk)
    form = forms.TransitionForm(request.POST)
    if form.is_valid():
        try:
            services.case_transition(
                actor=request.user,
                case_id=case.pk,
                target=form.cleaned_data["target"],
                on=form.cleaned_data["on"],
                note=form.cleaned_data["note"],
            )
            messages.success(request, _("案件状态已变更"))
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
    else:
        messages.error(request, error_text(form) or _("请检查填写的内容"))
    return redirect("supervision:case", pk=case.pk)


def case_decide(request, pk):
    _staff(request)
    case = access.access_case_by_id(request.user, pk)
    form = forms.DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.case_decide(actor=request.user, case_id=case.pk, **form.cleaned_data)
            messages.success(request, _("处理决定已录入"))
            return redirect("supervision:case", pk=case.pk)
        except ValidationError as exc:
            apply_errors(form, exc)
    return render(request, "supervision/case_decide.html", {"case": case, "form": form})


def case_publish(request, pk):
    _staff(request)
    case = access.access_case_by_id(request.user, pk)
    named = selectors.case_from_named_report(case)
    form = forms.PublishForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:  # the service audits its own refusals (a clerk on a named report's case: 403)
                services.case_publish(actor=request.user, case_id=case.pk, **form.cleaned_data)
                messages.success(request, _("案件已公开曝光"))
                return redirect("supervision:case", pk=case.pk)
            except ValidationError as exc:
                apply_errors(form, exc)
        else:  # refused before the service: audited all the same
            services.case_publish_refused(actor=request.user, case_id=case.pk, fields=sorted(form.errors))
    if named and not access.is_head(request.user):
        raise PermissionDenied  # a case from a named report is published by the head only
    notice = None
    if named:
        notice = _("此案件来源于实名举报：请逐字核对公开摘要，不得包含任何可能识别举报人的信息。")
    return render(
        request,
        "supervision/form_page.html",
        {"title": _("曝光案件 %(n)s") % {"n": case.number}, "form": form, "back": case, "notice": notice},
    )


@require_POST
def evidence_upload(request, pk):
    _staff(request)
    case = access.access_case_by_id(request.user, pk)
    form = forms.EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.evidence_add(
                actor=request.user,
                case_id=case.pk,
                upload=form.cleaned_data["file"],
                description=form.cleaned_data["description"],
            )
            messages.success(request, _("证据已上传"))
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
    else:
        messages.error(request, "；".join(e for errs in form.errors.values() for e in errs))
    return redirect("supervision:case", pk=case.pk)


def evidence_download(request, pk):
    evidence = access.access_evidence_by_id(request.user, pk)
    audit_log(
        actor=request.user,
        verb=AuditLog.Action.VIEW,
        obj=evidence,
        summary=f"{evidence.case.number} {evidence.original_name}",
    )
    response = FileResponse(
        evidence.file.open("rb"),
        content_type=evidence.content_type,
        as_attachment=True,
        filename=evidence.original_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- whistle-blower reports: public pages -------------------------------------------------------------

PUBLIC_REPORT_LIMIT = 5  # per hour and address, like the API's public_report throttle


def _throttled(request, scope: str, limit: int, seconds: int = 3600) -> bool:
    # per real client address and a global cap per scope; refuses while Redis is down (fail closed)
    return public_throttled(request, scope, limit, seconds)


PUBLIC_REPORT_DONE_KEY = "supervision:public_report_done"


@login_not_required
@never_cache
def public_report(request):
    if request.method == "GET" and "done" in request.GET:
        # after a report: its tracking code, shown once by a GET (post/redirect/get, so a reload or a
        # double click files nothing again) and then gone from the session: a reload shows the form
        report = selectors.report_by_tracking_code(request.session.pop(PUBLIC_REPORT_DONE_KEY, ""))
        if report is not None:
            return render(request, "supervision/public_report_done.html", {"report": report})
    form = forms.PublicReportForm(request.POST or None)
    if request.method == "POST":
        if _throttled(request, "report", PUBLIC_REPORT_LIMIT):
            return render(request, "supervision/public_report.html", {"form": form, "throttled": True}, status=429)
        if form.is_valid():
            data = dict(form.cleaned_data)
            data.pop("captcha")
            institution = data.pop("institution")
            try:
                report = services.report_submit(institution_id=institution.pk if institution else None, **data)
                request.session[PUBLIC_REPORT_DONE_KEY] = report.tracking_code
                return redirect(f"{request.path}?done=1")
            except ValidationError as exc:
                apply_errors(form, exc)
    return render(request, "supervision/public_report.html", {"form": form})


@login_not_required
@never_cache
def public_report_status(request):
    """Look a report up by its tracking code, sent in a POST body: a code in a URL ends up in access
    logs, proxies and the browser's history. A GET shows the empty form (a code in the query is ignored)."""
    form = forms.TrackingForm(request.POST if request.method == "POST" else None)
    report = None
    searched = False
    if form.is_valid():
        searched = True
        if _throttled(request, "track", 60, 600):
            return render(request, "supervision/public_status.html", {"form": form, "throttled": True}, status=429)
        report = selectors.report_by_tracking_code(form.cleaned_data["code"])
    return render(request, "supervision/public_status.html", {"form": form, "report": report, "searched": searched})


@login_not_required
def public_cases(request):
    year = request.GET.get("year")
    qs = selectors.published_cases(year=int(year) if year and year.isdigit() else None)
    return render(request, "supervision/public_cases.html", {"page": _page(request, qs, 20)})


# --- whistle-blower reports: staff pages ----------------------------------------------------------------


def reports(request):
    _staff(request)
    qs = selectors.report_list(request.user, status=request.GET.get("status", ""))
    return render(request, "supervision/reports.html", {"page": _page(request, qs), "statuses": ReportStatus.choices})


def report_detail(request, pk):
    report = access.access_report_by_id(request.user, pk)
    if request.method == "GET":
        audit_log(
            actor=request.user,
            verb=AuditLog.Action.VIEW,
            obj=report,
            summary="view report",  # the object id names it; the tracking code stays out of logs
        )
    case_form = forms.ReportCaseForm(
        initial={"registered_on": timezone.localdate(), "institution": report.institution_id}
    )
    if request.method == "POST" and "open_case" in request.POST:
        case_form = forms.ReportCaseForm(request.POST)
        if case_form.is_valid():
            data = dict(case_form.cleaned_data)
            institution = data.pop("institution")
            try:
                case = services.report_open_case(
                    actor=request.user,
                    report_id=report.pk,
                    institution_id=institution.pk if institution else None,
                    **data,
                )
                messages.success(request, _("已立案：%(n)s") % {"n": case.number})
                return redirect("supervision:case", pk=case.pk)
            except ValidationError as exc:
                apply_errors(case_form, exc)
    close_form = forms.ReportCloseForm()
    if request.method == "POST" and "close" in request.POST:
        close_form = forms.ReportCloseForm(request.POST)
        if close_form.is_valid():
            try:
                services.report_close(actor=request.user, report_id=report.pk, reason=close_form.cleaned_data["reason"])
                messages.success(request, _("举报已办结"))
                return redirect("supervision:report", pk=report.pk)
            except ValidationError as exc:
                apply_errors(close_form, exc)
    reward_form = forms.RewardForm(initial={"amount": report.reward, "paid_on": report.reward_paid_on})
    if request.method == "POST" and "reward" in request.POST:
        reward_form = forms.RewardForm(request.POST)
        if reward_form.is_valid():
            services.report_reward(
                actor=request.user,
                report_id=report.pk,
                amount=reward_form.cleaned_data["amount"],
                paid_on=reward_form.cleaned_data["paid_on"],
            )
            messages.success(request, _("奖励已记录"))
            return redirect("supervision:report", pk=report.pk)
    return render(
        request,
        "supervision/report_detail.html",
        {
            "report": report,
            "may_reveal": may_approve(request.user, Power.REPORTER_REVEAL),
            "case_form": case_form,
            "close_form": close_form,
            "reward_form": reward_form,
            "cases": report.cases.all(),
        },
    )


@never_cache
def report_reveal(request, pk):
    """The head of supervision reveals a named report's reporter, giving a reason (audited). The
    identity is in this one response only (not cached, not kept in the session)."""
    if not may_approve(request.user, Power.REPORTER_REVEAL):
        if request.method == "POST":  # an attempt: the service refuses it and writes it to the audit log
            services.report_reveal_identity(actor=request.user, report_id=pk, reason="")
        raise PermissionDenied
    report = access.access_report_by_id(request.user, pk)
    form = forms.RevealForm(request.POST or None)
    identity = None
    if request.method == "POST" and form.is_valid():
        try:
            identity = services.report_reveal_identity(
                actor=request.user, report_id=report.pk, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
    return render(request, "supervision/report_reveal.html", {"report": report, "form": form, "identity": identity})


# --- intelligent audit ----------------------------------------------------------------------------------


def flags(request):
    _area(request)
    qs = selectors.flag_list(request.user, status=request.GET.get("status", ""), month=request.GET.get("month", ""))
    return render(
        request,
        "supervision/flags.html",
        {
            "page": _page(request, qs),
            "statuses": FlagStatus.choices,
            "counts": selectors.flag_counts_by_status(request.user),
            "is_staff": access.is_staff(request.user),
        },
    )


def flag_detail(request, pk):
    flag = access.access_flag_by_id(request.user, pk)
    is_staff = access.is_staff(request.user)
    if request.method == "GET":
        audit_log(
            actor=request.user,
            verb=AuditLog.Action.VIEW,
            obj=flag,
            summary=f"view flag of settlement {flag.settlement_id}",
        )
    answer_form = forms.FlagAnswerForm()
    review_form = forms.FlagReviewForm(initial={"deduction": flag.amount})
    case_form = forms.FlagCaseForm()
    if request.method == "POST":
        try:
            if "answer" in request.POST:
                answer_form = forms.FlagAnswerForm(request.POST)
                if answer_form.is_valid():
                    services.flag_answer(actor=request.user, flag_id=flag.pk, **answer_form.cleaned_data)
                    messages.success(request, _("答复已提交"))
                    return redirect("supervision:flag", pk=flag.pk)
            elif "decision" in request.POST:
                review_form = forms.FlagReviewForm(request.POST)
                if review_form.is_valid():
                    d = review_form.cleaned_data
                    services.flag_review(
                        actor=request.user,
                        flag_id=flag.pk,
                        confirm=d["decision"] == "confirm",
                        deduction=d["deduction"],
                        note=d["note"],
                    )
                    messages.success(request, _("审核结论已记录"))
                    return redirect("supervision:flag", pk=flag.pk)
            elif "open_case" in request.POST:
                case_form = forms.FlagCaseForm(request.POST)
                if case_form.is_valid():
                    case = services.flag_open_case(actor=request.user, flag_id=flag.pk, **case_form.cleaned_data)
                    messages.success(request, _("已立案：%(n)s") % {"n": case.number})
                    return redirect("supervision:case", pk=case.pk)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
    return render(
        request,
        "supervision/flag_detail.html",
        {
            "flag": flag,
            "is_staff": is_staff,
            "is_institution": access.is_institution_user(request.user),
            "person_id": shown_id_number(request.user, flag.person_id_number),
            "detail": selectors.flag_detail_shown(request.user, flag),
            "answer_form": answer_form,
            "review_form": review_form,
            "case_form": case_form,
        },
    )


def rules(request):
    _staff(request)
    run_form = forms.AuditRunForm(request.POST or None)
    if request.method == "POST" and run_form.is_valid():
        d = run_form.cleaned_data
        try:
            job = services.audit_run_request(actor=request.user, kind=d["kind"], day=d["day"], month=d["month"])
            return redirect("jobs:detail", job_id=job.pk)
        except ValidationError as exc:
            apply_errors(run_form, exc)
    return render(
        request,
        "supervision/rules.html",
        {
            "rules": selectors.rule_list(request.user),
            "run_form": run_form,
            "runs": selectors.audit_run_list(request.user)[:10],
        },
    )


def rule_edit(request, pk):
    _staff(request)
    rule = access.access_rule_by_id(request.user, pk)
    form = forms.RuleForm(
        request.POST or None,
        initial={"name": rule.name, "enabled": rule.enabled, "params": rule.params, "answer_days": rule.answer_days},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.rule_update(actor=request.user, rule_id=rule.pk, **form.cleaned_data)
            messages.success(request, _("规则已保存"))
            return redirect("supervision:rules")
        except ValidationError as exc:
            apply_errors(form, exc)
    return render(request, "supervision/form_page.html", {"title": str(rule), "form": form, "rule": rule})


# --- self-inspection ---------------------------------------------------------------------------------------


def _int_or_zero(value) -> int:
    """A posted row id: anything but digits names no row (the service then says which field)."""
    return int(value) if value and str(value).isdigit() else 0


def self_inspections(request):
    _area(request)
    rounds = list(selectors.self_inspection_rounds())
    year = request.GET.get("year")
    year = int(year) if year and year.isdigit() else (rounds[0].year if rounds else None)
    current = next((r for r in rounds if r.year == year), None)
    round_form = forms.RoundForm(prefix="round")
    file_form = forms.SelfInspectionFileForm(prefix="file")
    if request.method == "POST":
        try:
            if "findings" in request.POST:
                services.self_inspection_record_findings(
                    actor=request.user,
                    self_inspection_id=_int_or_zero(request.POST.get("self_inspection")),
                    findings=request.POST["findings"],
                )
                messages.success(request, _("检查发现已记录"))
                return redirect(f"{request.path}?year={year}")
            if "round-year" in request.POST:
                round_form = forms.RoundForm(request.POST, prefix="round")
                if round_form.is_valid():
                    services.self_inspection_round_create(actor=request.user, **round_form.cleaned_data)
                    messages.success(request, _("已发起年度自查自纠"))
                    return redirect("supervision:self_inspections")
            elif current is not None:
                file_form = forms.SelfInspectionFileForm(request.POST, prefix="file")
                if file_form.is_valid():
                    services.self_inspection_file(
                        actor=request.user,
                        round_id=current.pk,
                        summary=file_form.cleaned_data["summary"],
                    )
                    messages.success(request, _("自查自纠报告已报送"))
                    return redirect(f"{request.path}?year={current.year}")
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
    items = selectors.self_inspection_list(request.user, year=year) if year else []
    own_filed = any(si.filed_on for si in items) if access.is_institution_user(request.user) else False
    return render(
        request,
        "supervision/self_inspections.html",
        {
            "rounds": rounds,
            "current": current,
            "page": _page(request, items),
            "is_staff": access.is_staff(request.user),
            "is_institution": access.is_institution_user(request.user),
            "own_filed": own_filed,
            "round_form": round_form,
            "file_form": file_form,
            "today": timezone.localdate(),
        },
    )


# --- figures -----------------------------------------------------------------------------------------------


def _year(request) -> int:
    y = request.GET.get("year", "")
    return int(y) if y.isdigit() and 2000 <= int(y) <= 2100 else timezone.localdate().year


def _require_stats(request):
    from django.core.exceptions import PermissionDenied

    if not access.may_read_stats(request.user):
        raise PermissionDenied


FIGURE_ROWS = [
    ("inspections", gettext_noop("现场检查医药机构（家次）")),
    ("institutions_inspected", gettext_noop("检查机构数（家）")),
    ("penalties_or_agreement_handlings", gettext_noop("行政处罚和协议处理（家次）")),
    ("recovered", gettext_noop("追回医保基金（元）")),
    ("rejected", gettext_noop("拒付（元）")),
    ("fines", gettext_noop("罚款（违约金）（元）")),
    ("agreements_suspended", gettext_noop("中止医保协议（家）")),
    ("agreements_terminated", gettext_noop("解除医保协议（家）")),
    ("publicized", gettext_noop("公示曝光案例（件）")),
    ("reports_received", gettext_noop("受理举报线索（件）")),
    ("reports_handled", gettext_noop("举报线索作出处理（家次）")),
    ("reports_recovered", gettext_noop("其中举报追回医保基金（元）")),
    ("reports_fines", gettext_noop("其中举报处罚款（违约金）（元）")),
    ("transferred_to_police", gettext_noop("移交公安（件）")),
    ("flags_raised", gettext_noop("智能审核疑点（条）")),
    ("flags_confirmed", gettext_noop("确认违规疑点（条）")),
]
KIND_LABELS = [
    ("medical", gettext_noop("定点医疗机构")),
    ("pharmacy", gettext_noop("定点零售药店")),
    ("person", gettext_noop("参保人员")),
    ("other", gettext_noop("未指明")),
]


def _figure_rows(table):
    rows = []
    for key, label in FIGURE_ROWS:
        rows.append(
            {
                "key": key,
                "label": _(label),
                "total": table["total"][key],
                "kinds": [table["by_kind"][k][key] for k, _l in KIND_LABELS],
                "months": [table["by_month"][m][key] for m in range(1, 13)],
                "money": key in ("recovered", "rejected", "fines", "reports_recovered", "reports_fines"),
            }
        )
    return rows


def figures(request):
    _require_stats(request)
    year = _year(request)
    table = selectors.supervision_stats_table(user=request.user, year=year, division=request.GET.get("division", ""))
    rows = _figure_rows(table)
    chart = {
        "months": [f"{m}月" for m in range(1, 13)],
        "inspections": [table["by_month"][m]["inspections"] for m in range(1, 13)],
        "handlings": [table["by_month"][m]["penalties_or_agreement_handlings"] for m in range(1, 13)],
        "recovered": [str(table["by_month"][m]["recovered"]) for m in range(1, 13)],
        "fines": [str(table["by_month"][m]["fines"]) for m in range(1, 13)],
        "kinds": [_(label) for _k, label in KIND_LABELS[:2]],
        "terminated": [table["by_kind"][k]["agreements_terminated"] for k, _l in KIND_LABELS[:2]],
        "suspended": [table["by_kind"][k]["agreements_suspended"] for k, _l in KIND_LABELS[:2]],
    }
    return render(
        request,
        "supervision/figures.html",
        {
            "year": year,
            "rows": rows,
            "kind_labels": [_(label) for _k, label in KIND_LABELS],
            "chart": chart,
            "years": range(timezone.localdate().year, timezone.localdate().year - 6, -1),
        },
    )


def figures_excel(request):
    _require_stats(request)
    from openpyxl import Workbook
    from openpyxl.styles import Font

    year = _year(request)
    table = selectors.supervision_stats_table(user=request.user, year=year, division=request.GET.get("division", ""))
    wb = Workbook()
    ws = wb.active
    ws.title = _("%(year)s年基金监管统计") % {"year": year}
    ws.append([_("%(year)s年基金监管工作情况") % {"year": year}])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([_("指标"), _("全年"), *[_(label) for _k, label in KIND_LABELS], *[f"{m}月" for m in range(1, 13)]])
    for row in _figure_rows(table):
        values = [row["total"], *row["kinds"], *row["months"]]
        ws.append([str(row["label"]), *[float(v) if row["money"] else v for v in values]])
        if row["money"]:
            for cell in ws[ws.max_row][1:]:
                cell.number_format = "#,##0.00"
    ws.column_dimensions["A"].width = 32
    buf = io.BytesIO()
    neutralise_workbook(wb)
    wb.save(buf)
    audit_log(
        actor=request.user,
        verb=AuditLog.Action.EXPORT,
        obj="supervision.stats",
        key=year,
        summary="figures excel",
    )
    response = HttpResponse(
        buf.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="supervision-{year}.xlsx"'
    return response


def home(request):
    if access.is_institution_user(request.user):
        return redirect("supervision:flags")
    _staff(request)
    return render(
        request,
        "supervision/home.html",
        {
            "flag_counts": selectors.flag_counts_by_status(request.user),
            "case_counts": selectors.cases_by_status(request.user),
            "case_statuses": CaseStatus.choices,
            "flag_statuses": FlagStatus.choices,
            "new_reports": selectors.report_list(request.user, status=ReportStatus.RECEIVED).count(),
            "today": date.today(),
        },
    )

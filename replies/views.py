"""HTML pages of the replies app: thin — forms in, services and selectors do the work."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from medinsure.accounts.decorators import area_required
from medinsure.accounts.models import Role
from medinsure.accounts.scoping import Area
from medinsure.audit.models import AuditLog
from medinsure.audit.services import audit_log
from medinsure.core.errors import apply_errors
from medinsure.core.imports import error_report_xlsx, shown_value
from replies import figures, forms, selectors, services
from replies.access import (
    access_commitment_by_id,
    access_proposal_by_id,
    access_published_by_id,
    access_section_by_id,
    access_version_by_id,
)
from replies.documents import letter_blocks, letter_docx, letter_title
from replies.models import Kind, LetterVersion, Section, Status
from replies.rules.deadlines import is_overdue

replies_area = area_required(Area.REPLIES)


def _flash(request, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errs in exc.message_dict.items():
            messages.error(request, f"{forms.field_label(field)}：{'；'.join(errs)}")
    else:
        messages.error(request, "；".join(exc.messages))


# --- cases ---------------------------------------------------------------------------------------
@replies_area
def case_list(request):
    q = request.GET
    cases = selectors.proposal_list(
        request.user,
        status=q.get("status") or None,
        kind=q.get("kind") or None,
        year=forms.parse_year(q.get("year")),
        open_only=q.get("open", "1") == "1",
    )
    page = Paginator(cases, 50).get_page(q.get("page"))
    today = timezone.localdate()
    for p in page:
        p.is_late = p.overdue or (p.is_open and is_overdue(p.due_on, as_of=today))
        p.days_left = (p.due_on - today).days
    return render(
        request,
        "replies/case_list.html",
        {"page": page, "statuses": Status.choices, "kinds": Kind.choices, "q": q, "open": q.get("open", "1")},
    )


@replies_area
def case_create(request):
    form = forms.ProposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            proposal = services.proposal_register(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已登记，答复期限 %(due)s") % {"due": proposal.due_on.isoformat()})
            return redirect("replies:case_detail", pk=proposal.pk)
    return render(request, "replies/case_form.html", {"form": form})


@replies_area
def case_detail(request, pk: int):
    proposal = access_proposal_by_id(request.user, pk)
    today = timezone.localdate()
    return render(
        request,
        "replies/case_detail.html",
        {
            "p": proposal,
            "is_late": proposal.overdue or (proposal.is_open and is_overdue(proposal.due_on, as_of=today)),
            "versions": selectors.letter_versions(proposal),
            "clocks": selectors.case_clocks(proposal),
            "current": selectors.current_version(proposal),
            "assign_form": forms.AssignForm(
                initial={
                    "department": proposal.department,
                    "drafter": proposal.drafter_id,
                    "department_head": proposal.department_head_id,
                }
            ),
            "contact_form": forms.ContactForm(initial={"contacted_on": today, "person": proposal.proposers_display}),
            "opinion_form": forms.OpinionForm(initial={"given_on": today}),
            "commitment_form": forms.CommitmentForm(),
            "progress_form": forms.ProgressForm(initial={"on": today}),
            "receipt_form": forms.ReceiptForm(initial={"received_on": today}),
            "send_form": forms.SendForm(initial={"sent_on": today}),
            "return_form": forms.ReturnForm(),
        },
    )


ACTIONS = {
    "assign": (
        forms.AssignForm,
        lambda user, pk, d: services.proposal_assign(actor=user, proposal_id=pk, **d),
        _("已交办"),
    ),
    "contact": (
        forms.ContactForm,
        lambda user, pk, d: services.contact_add(actor=user, proposal_id=pk, **d),
        _("已记录沟通情况"),
    ),
    "opinion": (
        forms.OpinionForm,
        lambda user, pk, d: services.opinion_add(actor=user, proposal_id=pk, **d),
        _("已记录协办意见"),
    ),
    "commitment": (
        forms.CommitmentForm,
        lambda user, pk, d: services.commitment_add(actor=user, proposal_id=pk, **d),
        _("已新增承诺事项"),
    ),
    "receipt": (
        forms.ReceiptForm,
        lambda user, pk, d: services.receipt_record(actor=user, proposal_id=pk, **d),
        _("已登记回执"),
    ),
    "send": (
        forms.SendForm,
        lambda user, pk, d: services.letter_send(actor=user, proposal_id=pk, **d),
        _("已登记答复送达"),
    ),
    "return": (
        forms.ReturnForm,
        lambda user, pk, d: services.proposal_return(actor=user, proposal_id=pk, **d),
        _("已退回"),
    ),
}


@replies_area
@require_POST
def case_action(request, pk: int, action: str):
    proposal = access_proposal_by_id(request.user, pk)
    if action not in ACTIONS:
        raise Http404
    form_class, call, done = ACTIONS[action]
    form = form_class(request.POST)
    if not form.is_valid():
        for field, errs in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}：{'；'.join(errs)}")
    else:
        data = {k: v for k, v in form.cleaned_data.items()}
        try:
            call(request.user, proposal.pk, data)
            messages.success(request, done)
        except ValidationError as exc:
            _flash(request, exc)
    return redirect("replies:case_detail", pk=proposal.pk)


@replies_area
@require_POST
def commitment_progress(request, pk: int, commitment_id: int):
    proposal = access_proposal_by_id(request.user, pk)
    commitment = access_commitment_by_id(request.user, proposal.pk, commitment_id)
    form = forms.ProgressForm(request.POST)
    if form.is_valid():
        try:
            services.commitment_progress(actor=request.user, commitment_id=commitment.pk, **form.cleaned_data)
            messages.success(request, _("已记录落实进展"))
        except ValidationError as exc:
            _flash(request, exc)
    else:
        messages.error(request, _("请填写日期和进展"))
    return redirect("replies:case_detail", pk=proposal.pk)


@replies_area
@require_POST
def letter_start(request, pk: int):
    proposal = access_proposal_by_id(request.user, pk)
    try:
        version = services.letter_start(actor=request.user, proposal_id=proposal.pk)
    except ValidationError as exc:
        _flash(request, exc)
        return redirect("replies:case_detail", pk=proposal.pk)
    return redirect("replies:letter_edit", pk=version.pk)


# --- the letter editor ---------------------------------------------------------------------------
def _editor_context(request, version: LetterVersion, **extra) -> dict:
    proposal = version.letter.proposal
    return {
        "v": version,
        "p": proposal,
        "sections": version.sections.order_by("order").prefetch_related("figures"),
        "version_form": extra.pop("version_form", None) or forms.VersionForm(instance=version),
        "section_form": forms.SectionForm(),
        "figure_form": forms.FigureForm(initial={"year": timezone.localdate().year - 1}),
        "figure_sources": figures.sources(),
        "commitments": selectors.version_commitments(version),
        "problems": {forms.field_label(f): m for f, m in selectors.sign_off_messages(version).items()}
        if not version.locked
        else {},
        "may_sign": request.user.role == Role.DIRECTOR and not version.locked,
        "is_current": selectors.current_version(proposal, version.letter.round).pk == version.pk,
        "title": letter_title(version),
        **extra,
    }


@replies_area
def letter_edit(request, pk: int):
    version = access_version_by_id(request.user, pk)
    if request.method == "POST":
        # A separate copy: validating the form writes into its instance, the editor shows the saved one.
        form = forms.VersionForm(request.POST, instance=access_version_by_id(request.user, version.pk))
        if form.is_valid():
            try:
                services.version_update(
                    actor=request.user,
                    version_id=version.pk,
                    **{f: form.cleaned_data[f] for f in services.HEADER_FIELDS},
                )
                messages.success(request, _("已保存"))
                return redirect("replies:letter_edit", pk=version.pk)
            except ValidationError as exc:
                apply_errors(form, exc)
        return render(request, "replies/letter_edit.html", _editor_context(request, version, version_form=form))
    return render(request, "replies/letter_edit.html", _editor_context(request, version))


@replies_area
@require_POST
def section_add(request, pk: int):
    version = access_version_by_id(request.user, pk)
    form = forms.SectionForm(request.POST)
    if form.is_valid():
        try:
            services.section_add(actor=request.user, version_id=version.pk, **form.cleaned_data)
        except ValidationError as exc:
            _flash(request, exc)
    return redirect("replies:letter_edit", pk=version.pk)


def _section(request, section_id: int) -> Section:
    return access_section_by_id(request.user, section_id)


@replies_area
@require_POST
def section_save(request, section_id: int):
    section = _section(request, section_id)
    form = forms.SectionForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            section = services.section_update(actor=request.user, section_id=section.pk, **form.cleaned_data)
        except ValidationError as exc:
            error = "；".join(exc.messages)
    if request.headers.get("HX-Request"):
        return render(
            request,
            "replies/_section.html",
            {
                "s": section,
                "v": section.version,
                "saved": not error,
                "error": error,
                "figure_form": forms.FigureForm(initial={"year": timezone.localdate().year - 1}),
            },
        )
    if error:
        messages.error(request, error)
    return redirect("replies:letter_edit", pk=section.version_id)


@replies_area
@require_POST
def section_delete(request, section_id: int):
    section = _section(request, section_id)
    try:
        services.section_delete(actor=request.user, section_id=section.pk)
    except ValidationError as exc:
        _flash(request, exc)
    return redirect("replies:letter_edit", pk=section.version_id)


@replies_area
@require_POST
def section_move(request, section_id: int, direction: str):
    section = _section(request, section_id)
    try:
        services.section_move(actor=request.user, section_id=section.pk, up=direction == "up")
    except ValidationError as exc:
        _flash(request, exc)
    return redirect("replies:letter_edit", pk=section.version_id)


@replies_area
@require_POST
def figure_insert(request, section_id: int):
    section = _section(request, section_id)
    form = forms.FigureForm(request.POST)
    if form.is_valid():
        params = {k: v for k, v in form.cleaned_data.items() if k != "source" and v not in (None, "")}
        try:
            figure = services.figure_insert(
                actor=request.user, section_id=section.pk, source=form.cleaned_data["source"], params=params
            )
            messages.success(request, _("已引用：%(label)s") % {"label": figure.label})
        except ValidationError as exc:
            _flash(request, exc)
    else:
        messages.error(request, _("请选择数据来源"))
    return redirect("replies:letter_edit", pk=section.version_id)


@replies_area
@require_POST
def letter_sign(request, pk: int):
    version = access_version_by_id(request.user, pk)
    try:
        services.letter_sign(actor=request.user, version_id=version.pk)
        messages.success(request, _("已审签，答复函已锁定"))
    except PermissionDenied:
        messages.error(request, _("只有局长可以审签答复函"))
    except ValidationError as exc:
        _flash(request, exc)
    return redirect("replies:letter_edit", pk=version.pk)


@replies_area
@require_POST
def letter_revise(request, pk: int):
    version = access_version_by_id(request.user, pk)
    try:
        new = services.letter_revise(actor=request.user, version_id=version.pk)
    except ValidationError as exc:
        _flash(request, exc)
        return redirect("replies:letter_edit", pk=version.pk)
    messages.success(request, _("已生成第%(n)s版草稿") % {"n": new.number})
    return redirect("replies:letter_edit", pk=new.pk)


@replies_area
@require_POST
def letter_publish(request, pk: int):
    version = access_version_by_id(request.user, pk)
    try:
        published = services.letter_publish(actor=request.user, version_id=version.pk)
    except ValidationError as exc:
        _flash(request, exc)
        return redirect("replies:letter_edit", pk=version.pk)
    messages.success(request, _("已公开（删除%(n)s处不予公开的内容）") % {"n": published.redactions})
    return redirect("replies:public_detail", pk=published.pk)


@replies_area
def letter_docx_download(request, pk: int):
    version = access_version_by_id(request.user, pk)
    data = letter_docx(version, selectors.version_commitments(version))
    audit_log(actor=request.user, verb=AuditLog.Action.EXPORT, obj=version, summary="导出答复函 .docx")
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    from urllib.parse import quote

    name = quote(f"{letter_title(version)}-第{version.number}版.docx")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}"
    return response


@replies_area
def letter_print(request, pk: int):
    version = access_version_by_id(request.user, pk)
    audit_log(actor=request.user, verb=AuditLog.Action.EXPORT, obj=version, summary="打印答复函")
    return render(
        request,
        "replies/letter_print.html",
        {"b": letter_blocks(version, selectors.version_commitments(version)), "v": version},
    )


# --- lists ---------------------------------------------------------------------------------------
@replies_area
def commitment_list(request):
    open_only = request.GET.get("open", "1") == "1"
    page = Paginator(selectors.commitment_list(request.user, open_only=open_only), 50).get_page(request.GET.get("page"))
    return render(
        request, "replies/commitment_list.html", {"page": page, "open": open_only, "today": timezone.localdate()}
    )


@replies_area
def reminder_list(request):
    page = Paginator(selectors.reminder_list(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "replies/reminder_list.html", {"page": page})


@area_required(Area.REPLIES, stats=True)
def stats(request):
    year = forms.parse_year(request.GET.get("year")) or timezone.localdate().year
    data = selectors.replies_stats(request.user, year=year)
    chart = {
        "statuses": [str(label) for _v, label in Status.choices],
        "series": [{"name": row["label"], "values": list(row["by_status"].values())} for row in data["by_kind"]],
    }
    return render(
        request, "replies/stats.html", {"s": data, "year": year, "status_labels": dict(Status.choices), "chart": chart}
    )


@replies_area
def holiday_list(request):
    initial = {}
    year = forms.parse_year(request.GET.get("year"))
    if request.method == "GET" and year:
        initial = selectors.holiday_year_initial(year)
    form = forms.HolidayYearForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.holiday_year_save(
                actor=request.user, year=d["year"], holidays=d["holidays"], workdays=d["workdays"], note=d["note"]
            )
            messages.success(request, _("已保存%(year)s年放假安排，正在重算未办结件的答复期限") % {"year": d["year"]})
            return redirect("replies:holiday_list")
        except ValidationError as exc:
            apply_errors(form, exc)
    return render(request, "replies/holiday_list.html", {"years": selectors.holiday_year_list(), "form": form})


# --- the assigning office's list ----------------------------------------------------------------
def _proposal_import(request, value: str):
    """The import the form names (its hidden ``payload`` holds the import's id, nothing else), or None."""
    import uuid

    from replies.models import ProposalImport

    try:
        pk = uuid.UUID(str(value))
    except ValueError:
        return None
    return ProposalImport.objects.filter(pk=pk, created_by=request.user).first()


@replies_area
def proposal_import(request):
    from replies import importers

    context: dict = {}
    if request.method == "POST" and request.POST.get("step") == "accept":
        batch = _proposal_import(request, request.POST.get("payload", ""))
        if batch is None:
            messages.error(request, _("校验结果已过期，请重新上传文件"))
            return redirect("replies:import")
        try:
            batch = services.proposals_import_accept(actor=request.user, import_id=batch.pk)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
            return redirect("replies:import")
        messages.success(
            request, _("已导入：新增%(created)s件，已存在%(existing)s件") % {"created": batch.created, "existing": batch.existing}
        )
        return redirect("replies:case_list")
    if request.method == "POST" and request.POST.get("step") == "report":
        batch = _proposal_import(request, request.POST.get("payload", ""))
        if batch is None or batch.purged_at:
            return redirect("replies:import")
        response = HttpResponse(
            error_report_xlsx(batch.row_errors(), viewer=request.user, title=_("交办清单导入错误报告")),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = "attachment; filename=errors.xlsx"
        return response
    if request.method == "POST" and request.FILES.get("file"):
        upload = request.FILES["file"]
        try:
            batch = services.proposals_import_upload(actor=request.user, file_name=upload.name, content=upload.read())
        except ValidationError as exc:
            result = importers.ListResult((), (), "；".join(exc.messages))
            return render(request, "replies/import.html", {"result": result, "payload": "", "error_rows": []})
        result = importers.ListResult(
            tuple(services.proposals_import_rows(batch)), tuple(batch.row_errors()), batch.message
        )
        context = {
            "result": result,
            "batch": batch,
            "payload": str(batch.pk) if not result.file_error else "",
            "error_rows": [(e, shown_value(request.user, e.value)) for e in result.errors[:200]],
        }
    return render(request, "replies/import.html", context)


@replies_area
def import_template(request):
    from replies import importers

    response = HttpResponse(
        importers.template_xlsx(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = "attachment; filename=jiaoban-template.xlsx"
    return response


# --- public --------------------------------------------------------------------------------------
@login_not_required
def public_list(request):
    page = Paginator(selectors.published_list(), 20).get_page(request.GET.get("page"))
    return render(request, "replies/public_list.html", {"page": page})


@login_not_required
def public_detail(request, pk: int):
    published = access_published_by_id(pk)
    return render(
        request, "replies/public_detail.html", {"r": published, "receipts": selectors.published_feedback(published)}
    )

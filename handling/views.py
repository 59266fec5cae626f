"""The window's pages (经办服务): the desk, receiving, an application, its receipt, a resident's
applications, the chronic round, the figures. Thin: selectors read, services decide."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from claims.selectors import policy_list
from enrollment.access import access_resident_by_id, access_resident_by_id_number
from enrollment.models import Resident
from handling import selectors, services
from handling.access import access_application_by_tracking, access_point_by_id
from handling.forms import DecideForm, PapersForm, ReceiveForm, ReviewForm
from handling.models import Application, Channel, HandlingItem
from handling.rules.workflow import actions_from, round_of
from medinsure.accounts.decorators import area_required
from medinsure.accounts.models import Role
from medinsure.accounts.scoping import Area
from medinsure.audit.models import AuditLog
from medinsure.audit.services import audit_log
from medinsure.core.errors import apply_errors, error_text

AREA = Area.HANDLING


def _point(request):
    """The point the page is about: ``?point=`` (in the user's area, else 404), or the user's own."""
    if request.GET.get("point"):
        return access_point_by_id(request.user, request.GET["point"])
    return selectors.default_point(request.user)


def _stats_filters(request) -> dict:
    """Month (1–12) and division code (digits) of the figures page; anything else is ignored."""
    raw_month = request.GET.get("month") or ""
    month = int(raw_month) if raw_month.isdigit() and 1 <= int(raw_month) <= 12 else None
    division = (request.GET.get("division") or "").strip()
    return {"month": month, "division_code": division if division.isascii() and division.isdigit() else None}


def _year(request) -> int:
    try:
        y = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        y = timezone.localdate().year
    return y if 2000 <= y <= 2100 else timezone.localdate().year


@area_required(AREA)
def desk(request):
    point = _point(request)
    today = timezone.localdate()
    rows = []
    if point is not None:
        apps = selectors.desk_list(request.user, point_id=point.pk, today=today)
        rows = [selectors.application_row(request.user, a, today=today) for a in apps]
        audit_log(
            actor=request.user,
            verb=AuditLog.Action.VIEW,
            obj=Application,
            summary=f"desk point {point.pk} ({len(rows)})",
        )
    return render(
        request,
        "handling/desk.html",
        {"point": point, "points": selectors.point_list(request.user), "rows": rows, "today": today},
    )


@area_required(AREA)
def receive(request):
    point = _point(request)
    if point is None:
        raise Http404
    items = list(selectors.item_list(point=point))
    code = request.POST.get("item") or request.GET.get("item") or ""
    item = next((i for i in items if i.code == code), None)
    initial = {"channel": Channel.PHONE if request.user.role == Role.VILLAGE else Channel.WINDOW}
    form = ReceiveForm(
        request.POST if request.method == "POST" and item else None,
        item=item,
        diseases=selectors.disease_list() if item and item.kind == "chronic" else (),
        policies=policy_list(request.user) if item and item.kind == "manual_claim" else (),
        initial=initial,
    )
    if request.method == "POST" and item and form.is_valid():
        c = form.cleaned_data
        number = c["id_number"].strip().upper()
        try:
            if not (number.isascii() and number.isalnum()):
                raise Http404
            resident = access_resident_by_id_number(request.user, number)
        except Http404:
            form.add_error("id_number", _("本辖区参保登记库中没有此人"))
        else:
            try:
                application = services.application_receive(
                    actor=request.user,
                    point_id=point.pk,
                    item_code=item.code,
                    resident_id=resident.pk,
                    applicant_name=c["applicant_name"],
                    applicant_relation=c["applicant_relation"],
                    channel=c["channel"],
                    papers_received=c["papers_received"],
                    details=form.details(),
                    disease_id=c.get("disease"),
                    evidence_years=c.get("evidence_years"),
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("已收件，受理编号 %(n)s") % {"n": application.tracking_number})
                return redirect("handling:receipt", tracking=application.tracking_number)
    return render(request, "handling/receive.html", {"point": point, "items": items, "item": item, "form": form})


def _detail_context(request, a: Application) -> dict:
    today = timezone.localdate()
    item = a.item
    return {
        "a": a,
        "row": selectors.application_row(request.user, a, today=today),
        "actions": actions_from(a.status),
        "may_decide": services.may_decide(request.user, item),
        "papers_form": PapersForm(item=item, initial={"papers_received": a.papers_received}),
        "decide_form": DecideForm(),
        "review_form": ReviewForm(),
        "details": a.details,
    }


@area_required(AREA)
def detail(request, tracking: str):
    a = access_application_by_tracking(request.user, tracking)
    audit_log(actor=request.user, verb=AuditLog.Action.VIEW, obj=a, summary="application viewed")
    return render(request, "handling/detail.html", _detail_context(request, a))


@area_required(AREA)
def receipt(request, tracking: str):
    a = access_application_by_tracking(request.user, tracking)
    audit_log(actor=request.user, verb=AuditLog.Action.VIEW, obj=a, summary="receipt printed")
    row = selectors.application_row(request.user, a, today=timezone.localdate())
    return render(request, "handling/receipt.html", {"a": a, "row": row})


@require_POST
@area_required(AREA)
def act(request, tracking: str, action: str):
    a = access_application_by_tracking(request.user, tracking)
    try:
        if action == "accept":
            form = PapersForm(request.POST, item=a.item)
            services.application_accept(
                actor=request.user,
                application_id=a.pk,
                # a paper the item does not ask for: keep what was recorded, the service names what is missing
                papers_received=form.cleaned_data["papers_received"] if form.is_valid() else None,
            )
        elif action == "return":
            form = PapersForm(request.POST, item=a.item)
            services.application_return(
                actor=request.user,
                application_id=a.pk,
                # a paper the item does not ask for: keep what was recorded, the service names what is missing
                papers_received=form.cleaned_data["papers_received"] if form.is_valid() else None,
            )
        elif action == "review":
            form = ReviewForm(request.POST)
            if not form.is_valid():
                raise ValidationError(error_text(form))
            services.application_review(
                actor=request.user,
                application_id=a.pk,
                passed=form.cleaned_data["expert_passed"],
                opinion=form.cleaned_data["expert_opinion"],
            )
        elif action == "decide":
            form = DecideForm(request.POST)
            if not form.is_valid():
                raise ValidationError(error_text(form))
            services.application_decide(
                actor=request.user,
                application_id=a.pk,
                approve=form.cleaned_data["approve"],
                reason=form.cleaned_data["decision_reason"],
            )
        elif action == "finish":
            services.application_finish(actor=request.user, application_id=a.pk)
        else:
            raise Http404
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    except PermissionDenied:
        messages.error(request, _("您无权作出此项决定"))
    else:
        messages.success(request, _("已办理"))
    back = request.POST.get("next", "")
    if back == "round":
        return redirect(f"/handling/chronic/?year={a.round_year}&half={a.round_half}")
    return redirect("handling:detail", tracking=a.tracking_number)


@area_required(AREA)
def resident_applications(request, pk: int):
    resident: Resident = access_resident_by_id(request.user, pk)
    today = timezone.localdate()
    apps = selectors.application_list(request.user, resident_id=resident.pk)
    rows = [selectors.application_row(request.user, a, today=today) for a in apps[:200]]
    audit_log(actor=request.user, verb=AuditLog.Action.VIEW, obj=resident, summary=f"applications ({len(rows)})")
    return render(
        request, "handling/resident.html", {"resident": resident, "rows": rows, "row0": rows[0] if rows else None}
    )


@area_required(AREA)
def find(request):
    """Find an application by the tracking number a resident quotes, or a resident by ID number (posted)."""
    number = (request.POST.get("q") or request.GET.get("tracking") or "").strip().upper()
    if not number:
        return redirect("handling:desk")
    if not number.isascii() or not number.isalnum():
        messages.error(request, _("请输入受理编号或身份证号"))
    elif number.startswith("B"):
        try:
            a = access_application_by_tracking(request.user, number)
        except Http404:
            messages.error(request, _("没有找到该受理编号"))
        else:
            return redirect("handling:detail", tracking=a.tracking_number)
    elif request.method == "POST":
        try:
            r = access_resident_by_id_number(request.user, number[:18])
        except Http404:
            messages.error(request, _("本辖区参保登记库中没有此人"))
        else:
            return redirect("handling:resident", pk=r.pk)
    return redirect("handling:desk")


@area_required(AREA)
def chronic_round(request):
    today = timezone.localdate()
    year, half = round_of(today)
    try:
        year = int(request.GET.get("year") or year)
        half = int(request.GET.get("half") or half)
    except ValueError:
        pass
    half = half if half in (1, 2) else 1
    apps = selectors.chronic_round(request.user, year=year, half=half)
    rows = [(a, selectors.application_row(request.user, a, today=today)) for a in apps]
    audit_log(
        actor=request.user,
        verb=AuditLog.Action.VIEW,
        obj=Application,
        summary=f"chronic round {year}-{half} ({len(rows)})",
    )
    return render(
        request,
        "handling/chronic_round.html",
        {"rows": rows, "year": year, "half": half, "review_form": ReviewForm()},
    )


@area_required(AREA)
def items(request):
    page = Paginator(HandlingItem.objects.order_by("level", "code"), 50).get_page(request.GET.get("page"))
    return render(request, "handling/items.html", {"page": page})


@area_required(AREA, stats=True)
def stats(request):
    year = _year(request)
    data = selectors.stats(request.user, year=year, today=timezone.localdate(), **_stats_filters(request))
    return render(
        request,
        "handling/stats.html",
        {"data": data, "year": year, "months": range(1, 13), "query": request.GET.urlencode()},
    )


@area_required(AREA, stats=True)
def stats_xlsx(request):
    from handling.exports import stats_workbook

    year = _year(request)
    data = selectors.stats(request.user, year=year, today=timezone.localdate(), **_stats_filters(request))
    response = HttpResponse(
        stats_workbook(data), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="handling-stats-{year}.xlsx"'
    return response

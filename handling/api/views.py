"""The handling API: applications (list, detail, create, transitions by tracking number) and the figures."""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from enrollment.access import access_resident_by_id_number
from handling import selectors, services
from handling.access import access_application_by_tracking
from handling.api.serializers import (
    ApplicationQuery,
    DecideIn,
    HandlingApplicationIn,
    HandlingApplicationOut,
    HandlingApplicationPageOut,
    HandlingStatsOut,
    HandlingStatsQuery,
    PapersIn,
    ReviewIn,
)
from medinsure.accounts.permissions import AreaPermission, StatsPermission
from medinsure.accounts.scoping import Area
from medinsure.audit.models import AuditLog
from medinsure.audit.services import audit_log


def _json(data):
    """Dates and decimals in the serializer's shape."""
    return HandlingApplicationOut(data).data


class Page(PageNumberPagination):
    page_size = 50


class ApplicationListView(APIView):
    """Applications in the caller's area (ID numbers masked unless the role may see them), and receiving one."""

    permission_classes = [AreaPermission.for_area(Area.HANDLING)]

    @extend_schema(
        parameters=[ApplicationQuery],
        responses=HandlingApplicationPageOut,
        operation_id="v1_handling_applications_list",
    )
    def get(self, request):
        q = ApplicationQuery(data=request.query_params)
        q.is_valid(raise_exception=True)
        v = q.validated_data
        qs = selectors.application_list(
            request.user, point_id=v.get("point"), status=v.get("status", ""), year=v.get("year")
        )
        pager = Page()
        page = pager.paginate_queryset(qs, request, view=self)
        today = timezone.localdate()
        rows = [_json(selectors.application_row(request.user, a, today=today)) for a in page]
        audit_log(
            actor=request.user, verb=AuditLog.Action.VIEW, obj="handling.application", summary=f"api list ({len(rows)})"
        )
        return pager.get_paginated_response(rows)

    @extend_schema(request=HandlingApplicationIn, responses={201: HandlingApplicationOut})
    def post(self, request):
        data = HandlingApplicationIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        number = v["id_number"].strip().upper()
        try:
            if not (number.isascii() and number.isalnum()):
                raise Http404
            resident = access_resident_by_id_number(request.user, number)
        except Http404 as exc:
            raise ValidationError({"id_number": "本辖区参保登记库中没有此人"}) from exc
        details = dict(v.get("details") or {})
        if "claim_reason" in details:
            details["reason"] = details.pop("claim_reason")
        details = {k: (x.isoformat() if hasattr(x, "isoformat") else x) for k, x in details.items()}
        if "lines" in details:
            details["lines"] = [{k: str(x) for k, x in ln.items()} for ln in details["lines"]]
        a = services.application_receive(
            actor=request.user,
            point_id=v["point"],
            item_code=v["item"],
            resident_id=resident.pk,
            applicant_name=v["applicant_name"],
            applicant_relation=v["applicant_relation"],
            channel=v["channel"],
            papers_received=v["papers_received"],
            details=details,
            disease_id=v.get("disease"),
            evidence_years=v.get("evidence_years"),
        )
        return Response(_json(selectors.application_row(request.user, a, today=timezone.localdate())), status=201)


TRACKING = OpenApiParameter("tracking", str, OpenApiParameter.PATH, description="the application's tracking number")


class ApplicationDetailView(APIView):
    permission_classes = [AreaPermission.for_area(Area.HANDLING)]

    @extend_schema(parameters=[TRACKING], responses=HandlingApplicationOut)
    def get(self, request, tracking):
        a = access_application_by_tracking(request.user, tracking)
        audit_log(actor=request.user, verb=AuditLog.Action.VIEW, obj=a, summary="api detail")
        return Response(_json(selectors.application_row(request.user, a, today=timezone.localdate())))


class _Transition(APIView):
    permission_classes = [AreaPermission.for_area(Area.HANDLING)]

    def _answer(self, request, a):
        a = access_application_by_tracking(request.user, a.tracking_number)
        return Response(_json(selectors.application_row(request.user, a, today=timezone.localdate())))


class AcceptView(_Transition):
    """Accept: every paper in (else 400 on papers_received listing all that is missing); the time limit starts."""

    @extend_schema(parameters=[TRACKING], request=PapersIn, responses=HandlingApplicationOut)
    def post(self, request, tracking):
        a = access_application_by_tracking(request.user, tracking)
        data = PapersIn(data=request.data)
        data.is_valid(raise_exception=True)
        a = services.application_accept(
            actor=request.user, application_id=a.pk, papers_received=data.validated_data.get("papers_received")
        )
        return self._answer(request, a)


class ReturnView(_Transition):
    """Return for missing papers (一次性告知)."""

    @extend_schema(parameters=[TRACKING], request=PapersIn, responses=HandlingApplicationOut)
    def post(self, request, tracking):
        a = access_application_by_tracking(request.user, tracking)
        data = PapersIn(data=request.data)
        data.is_valid(raise_exception=True)
        a = services.application_return(
            actor=request.user, application_id=a.pk, papers_received=data.validated_data.get("papers_received")
        )
        return self._answer(request, a)


class ReviewView(_Transition):
    """The expert review of an accepted chronic application."""

    @extend_schema(parameters=[TRACKING], request=ReviewIn, responses=HandlingApplicationOut)
    def post(self, request, tracking):
        a = access_application_by_tracking(request.user, tracking)
        data = ReviewIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        a = services.application_review(
            actor=request.user, application_id=a.pk, passed=v["expert_passed"], opinion=v["expert_opinion"]
        )
        return self._answer(request, a)


class DecideView(_Transition):
    """Approve (the register written through claims or enrollment) or refuse with a reason."""

    @extend_schema(parameters=[TRACKING], request=DecideIn, responses=HandlingApplicationOut)
    def post(self, request, tracking):
        a = access_application_by_tracking(request.user, tracking)
        data = DecideIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        a = services.application_decide(
            actor=request.user, application_id=a.pk, approve=v["approve"], reason=v["decision_reason"]
        )
        return self._answer(request, a)


class FinishView(_Transition):
    @extend_schema(parameters=[TRACKING], request=None, responses=HandlingApplicationOut)
    def post(self, request, tracking):
        a = access_application_by_tracking(request.user, tracking)
        a = services.application_finish(actor=request.user, application_id=a.pk)
        return self._answer(request, a)


class StatsView(APIView):
    """Volumes and on-time rate per service point and per item (the figures page), in the caller's area."""

    permission_classes = [StatsPermission.for_area(Area.HANDLING)]

    @extend_schema(parameters=[HandlingStatsQuery], responses=HandlingStatsOut)
    def get(self, request):
        q = HandlingStatsQuery(data=request.query_params)
        q.is_valid(raise_exception=True)
        v = q.validated_data
        data = selectors.stats(
            request.user,
            year=v["year"],
            month=v.get("month"),
            division_code=v.get("division"),
            today=timezone.localdate(),
        )
        return Response(
            {
                "year": data["year"],
                "month": data["month"],
                "division": data["division"],
                "points": [selectors.figures_json(f) for f in data["points"]],
                "items": [selectors.figures_json(f) for f in data["items"]],
                "total": selectors.figures_json(data["total"]),
            }
        )

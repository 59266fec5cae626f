from django.core.paginator import Paginator
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from claims import selectors
from claims.api.serializers import (
    CalculateIn,
    CalculateOut,
    EligibilityIn,
    EligibilityOut,
    PolicyOut,
    SettlementOut,
    SettlementPageOut,
    SettlementSearchIn,
    StatsQuery,
)
from claims.calculation import calculate_visits
from claims.forms import settlement_filters
from claims.models import Kind, Settlement
from claims.policies import PolicyNotFound
from medinsure.accounts.permissions import AreaPermission, StatsPermission
from medinsure.accounts.scoping import Area
from medinsure.audit.models import AuditLog
from medinsure.audit.services import audit_log
from medinsure.masking import mask_id_number


class CalculateView(APIView):
    """Run the reimbursement engine on a person's visits (nothing is stored)."""

    permission_classes = [AreaPermission.for_area(Area.CLAIMS)]

    @extend_schema(request=CalculateIn, responses=CalculateOut)
    def post(self, request):
        data = CalculateIn(data=request.data)
        data.is_valid(raise_exception=True)
        # an unknown policy is the service's ValidationError: the API's exception handler answers 400
        return Response(calculate_visits(code=data.validated_data["policy"], visits=data.validated_data["visits"]))


STATS_PARAMS = [
    OpenApiParameter("year", int, required=True),
    OpenApiParameter("month", int, description="1–12: figures of months 1..month (default 12)"),
    OpenApiParameter("scheme", str, enum=["resident", "employee"]),
    OpenApiParameter("division", str, description="township or village code (prefix)"),
]


class StatsView(APIView):
    """Settlements, admissions, fund paid and average cost by hospital level, with growth against the
    same period last year (the figures of the statistics page)."""

    permission_classes = [StatsPermission.for_area(Area.CLAIMS)]

    @extend_schema(parameters=STATS_PARAMS, responses=dict)
    def get(self, request):
        q = StatsQuery(data=request.query_params)
        q.is_valid(raise_exception=True)
        v = q.validated_data
        return Response(
            selectors.settlement_stats(
                request.user,
                year=v["year"],
                month=v.get("month"),
                scheme=v.get("scheme"),
                division_code=v.get("division"),
            )
        )


class PolicyDetailView(APIView):
    permission_classes = [StatsPermission.for_area(Area.CLAIMS)]

    @extend_schema(responses=dict)
    def get(self, request, code):
        try:
            return Response(selectors.policy_summary(code=code))
        except PolicyNotFound:
            return Response({"detail": _("没有编码为 %(code)s 的政策") % {"code": code}}, status=404)


class SettlementListView(ListAPIView):
    """Settlements in the caller's area; ID numbers masked unless the role may see them. The ID-number
    filter is not a query parameter (URLs end up in access logs): POST settlements/search/ takes it."""

    permission_classes = [AreaPermission.for_area(Area.CLAIMS)]
    serializer_class = SettlementOut

    @extend_schema(
        parameters=[
            OpenApiParameter("year", int),
            OpenApiParameter("month", int),
            OpenApiParameter("kind", str, enum=Kind.values),
            OpenApiParameter("level", int, enum=[1, 2, 3, 4]),
            OpenApiParameter("division", str),
        ],
        description="Out-of-range or unknown filter values are ignored, like on the settlement list page. "
        "`id_number` in the query string is refused (400): search by ID number with POST settlements/search/.",
    )
    def get(self, request, *args, **kwargs):
        if request.query_params.get("id_number"):
            raise ValidationError(
                {"id_number": [_("按身份证号查询请用 POST /api/v1/claims/settlements/search/，号码放在请求体中")]}
            )
        response = super().get(request, *args, **kwargs)
        audit_log(
            actor=request.user,
            verb=AuditLog.Action.VIEW,
            obj=Settlement,
            summary=_("查询结算单列表 %(q)s") % {"q": request.GET.urlencode()},
        )
        return response

    def get_queryset(self):
        return selectors.settlement_list(self.request.user, **settlement_filters(self.request.query_params))


class SettlementSearchView(APIView):
    """The settlement list filtered in a JSON body, the only way to filter by ID number; paginated like
    the GET list (``page`` in the body)."""

    permission_classes = [AreaPermission.for_area(Area.CLAIMS)]
    parser_classes = [JSONParser]

    @extend_schema(
        request=SettlementSearchIn,
        responses=SettlementPageOut,
        operation_id="v1_claims_settlements_search",
        summary="按身份证号等条件查询结算单（号码放在请求体中）",
    )
    def post(self, request):
        q = SettlementSearchIn(data=request.data)
        q.is_valid(raise_exception=True)
        data = q.validated_data
        filters = settlement_filters({k: "" if v is None else str(v) for k, v in data.items() if k != "page"})
        rows = selectors.settlement_list(request.user, **filters)
        page = Paginator(rows, 50).get_page(data.get("page"))
        audit_log(
            actor=request.user,
            verb=AuditLog.Action.VIEW,
            obj=Settlement,
            summary=_("按条件查询结算单 %(n)s") % {"n": mask_id_number(data.get("id_number") or "")},
        )
        results = SettlementOut(page.object_list, many=True, context={"request": request}).data
        return Response({"count": page.paginator.count, "page": page.number, "results": results})


class PolicyListView(APIView):
    """Every stored policy with its current version number."""

    permission_classes = [StatsPermission.for_area(Area.CLAIMS)]

    @extend_schema(responses=PolicyOut(many=True), operation_id="v1_claims_policies_list")
    def get(self, request):
        rows = selectors.policy_list(request.user).prefetch_related("versions")
        return Response(
            [
                {
                    "code": p.code,
                    "name": p.name,
                    "scheme": p.scheme,
                    "year": p.year,
                    "partial": p.partial,
                    "version": max((v.number for v in p.versions.all()), default=None),
                }
                for p in rows
            ]
        )


class RecalculationDetailView(APIView):
    """A batch recalculation: status and its difference report's totals by hospital level."""

    permission_classes = [AreaPermission.for_area(Area.CLAIMS)]

    @extend_schema(responses=dict)
    def get(self, request, pk):
        from claims.access import access_recalculation_by_id

        rc = access_recalculation_by_id(request.user, pk)
        return Response(
            {
                "id": str(rc.pk),
                "policy": rc.policy_version.policy.code,
                "version": rc.policy_version.number,
                "year": rc.year,
                "status": rc.status,
                "message": rc.message,
                "totals": rc.totals,
                "job": str(rc.job_id) if rc.job_id else None,
                "apply_job": str(rc.apply_job_id) if rc.apply_job_id else None,
                # four eyes: who started it, who approved it (another person with an approving role)
                "started_by": rc.created_by.display_name if rc.created_by else None,
                "approved_by": rc.approved_by.display_name if rc.approved_by else None,
            }
        )


class EligibilityPermission(AreaPermission):
    def has_permission(self, request, view) -> bool:
        from claims.entitlement import may_ask

        return may_ask(request.user)


class EligibilityView(APIView):
    """Entitlement of up to 1,000 persons on a date, from the registry and the registers (POST: the
    numbers travel in the body). Numbers are masked like every personal read; each person read is audited."""

    permission_classes = [EligibilityPermission]

    @extend_schema(request=EligibilityIn, responses=EligibilityOut(many=True))
    def post(self, request):
        from claims.entitlement import ask

        data = EligibilityIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        return Response(ask(viewer=request.user, id_numbers=v["id_numbers"], on=v["on"]))


class ImportersPermission(AreaPermission):
    """The staff who import settlement files and their approvers (medinsure.core.import_roles)."""

    def has_permission(self, request, view) -> bool:
        from medinsure.core.import_roles import may_import

        if not hasattr(view, request.method.lower()):
            return True  # a method the view does not have answers 405, whoever asks
        return may_import(request.user, Area.CLAIMS)


class SettlementImportDetailView(APIView):
    """A settlement import: its status, counts and whether it waits for a second person's approval."""

    permission_classes = [ImportersPermission]

    @extend_schema(responses=dict)
    def get(self, request, pk):
        from claims.access import access_import_by_id

        return Response(_import_out(access_import_by_id(request.user, pk)))


class SettlementImportApproveView(APIView):
    """Four eyes: a second person (director, leader; not the uploader) approves a settlement file that
    disagrees with amounts already paid, which queues its write. 403 for a role that may not approve,
    400 ``approved_by`` for the uploader themselves."""

    permission_classes = [ImportersPermission]

    @extend_schema(request=None, responses=dict)
    def post(self, request, pk):
        from claims import services
        from claims.access import access_import_by_id

        batch = access_import_by_id(request.user, pk)
        return Response(_import_out(services.settlement_import_approve(actor=request.user, import_id=batch.pk)))


def _import_out(batch) -> dict:
    return {
        "id": str(batch.pk),
        "file_name": batch.file_name,
        "policy": batch.policy.code,
        "status": batch.status,
        "settlements": batch.settlement_count,
        "new": batch.summary.get("new"),
        "existing": batch.summary.get("existing"),
        "changed": batch.summary.get("changed"),
        "needs_approval": batch.needs_approval,
        "approved_by": batch.approved_by.get_username() if batch.approved_by_id else None,
        "created": batch.created,
        "skipped": batch.skipped,
        "errors": batch.error_count,
        "file_deleted": batch.purged_at is not None,
        "job": str(batch.job_id) if batch.job_id else None,
    }

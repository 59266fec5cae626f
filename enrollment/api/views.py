"""Read-only statistics and the worker's task endpoints: thin, calling selectors and services."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import Paginator
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from enrollment import selectors, services
from enrollment.access import access_task_by_id
from enrollment.api import serializers as s
from enrollment.models import MobilisationTask, Resident
from medinsure.accounts.permissions import AreaPermission, StatsPermission
from medinsure.accounts.scoping import Area
from medinsure.audit.models import AuditLog
from medinsure.audit.services import audit_log
from medinsure.core.errors import error_dict
from medinsure.openapi import CONFLICT


def _query(serializer_class, request):
    q = serializer_class(data=request.query_params)
    q.is_valid(raise_exception=True)
    return q.validated_data


class ProgressView(APIView):
    permission_classes = [IsAuthenticated, StatsPermission.for_area(Area.ENROLLMENT)]

    @extend_schema(
        parameters=[s.ProgressQuery],
        responses=s.ProgressRowSerializer(many=True),
        summary="参保进度（按镇街或村社，最新一日）",
    )
    def get(self, request):
        q = _query(s.ProgressQuery, request)
        rows = selectors.progress_rows(
            user=request.user, year=q["year"], level=q["level"], parent=q.get("parent"), day=q.get("day")
        )
        return Response(s.ProgressRowSerializer(rows, many=True).data)


class BulletinView(APIView):
    permission_classes = [IsAuthenticated, StatsPermission.for_area(Area.ENROLLMENT)]

    @extend_schema(
        parameters=[s.BulletinQuery],
        responses=s.BulletinRowSerializer(many=True),
        summary="每日通报（含较上次或较N天前增加）",
    )
    def get(self, request):
        q = _query(s.BulletinQuery, request)
        rows = selectors.progress_rows_with_change(
            user=request.user, year=q["year"], level=q["level"], parent=q.get("parent"), day=q.get("day")
        )
        if q.get("since"):
            rows = selectors.progress_since(rows, year=q["year"], days=int(q["since"]))
        return Response(s.BulletinRowSerializer(rows, many=True).data)


class TaskSummaryView(APIView):
    permission_classes = [IsAuthenticated, AreaPermission.for_area(Area.ENROLLMENT)]

    @extend_schema(
        parameters=[s.YearQuery], responses=s.TaskSummarySerializer(many=True), summary="动员任务按村社、状态统计"
    )
    def get(self, request):
        q = _query(s.YearQuery, request)
        return Response(s.TaskSummarySerializer(selectors.task_summary(request.user, year=q["year"]), many=True).data)


class ProgressSeriesView(APIView):
    permission_classes = [IsAuthenticated, StatsPermission.for_area(Area.ENROLLMENT)]

    @extend_schema(parameters=[s.YearQuery], responses=s.SeriesRowSerializer(many=True), summary="全区参保进度逐日走势")
    def get(self, request):
        q = _query(s.YearQuery, request)
        return Response(
            s.SeriesRowSerializer(selectors.progress_series(user=request.user, year=q["year"]), many=True).data
        )


class GuidelineTasksView(APIView):
    permission_classes = [IsAuthenticated, StatsPermission.for_area(Area.ENROLLMENT)]

    @extend_schema(
        parameters=[s.YearQuery], responses=s.GuidelineRowSerializer(many=True), summary="各镇街指导性任务数"
    )
    def get(self, request):
        q = _query(s.YearQuery, request)
        return Response(
            s.GuidelineRowSerializer(selectors.guideline_tasks(user=request.user, year=q["year"]), many=True).data
        )


def _resident_page(request, q: dict):
    year = q.get("year") or timezone.localdate().year
    qs = selectors.resident_list(request.user, q=q["q"], division=q["division"], year=year, status=q["status"])
    page = Paginator(qs, 50).get_page(q.get("page"))
    rows = selectors.resident_rows(request.user, list(page.object_list), year)
    audit_log(
        actor=request.user,
        verb=AuditLog.Action.EXPORT,
        obj=Resident,
        summary=_("接口查询参保人员列表第 %(p)s 页（%(n)s 人）") % {"p": page.number, "n": len(rows)},
    )
    return Response(
        {"count": page.paginator.count, "page": page.number, "results": s.ResidentSerializer(rows, many=True).data}
    )


class ResidentListView(APIView):
    permission_classes = [IsAuthenticated, AreaPermission.for_area(Area.ENROLLMENT)]

    @extend_schema(
        parameters=[s.ResidentQuery],
        responses=s.ResidentPageSerializer,
        operation_id="v1_enrollment_residents_list",
        summary="参保人员（按权限脱敏，按区域限定）",
        description="`q` takes a name here; an ID number goes in the body of POST residents/search/ "
        "(never in a URL, which access logs keep): six digits in a row in `q` are refused (400).",
    )
    def get(self, request):
        q = _query(s.ResidentQuery, request)
        if selectors.names_a_number(q["q"]):
            raise ValidationError(
                {"q": [_("按身份证号查询请用 POST /api/v1/enrollment/residents/search/，号码放在请求体中")]}
            )
        return _resident_page(request, q)


class ResidentSearchView(APIView):
    """The resident search by ID number (or name): the number travels in the body, not the URL."""

    permission_classes = [IsAuthenticated, AreaPermission.for_area(Area.ENROLLMENT)]
    parser_classes = [JSONParser]

    @extend_schema(
        request=s.ResidentQuery,
        responses=s.ResidentPageSerializer,
        operation_id="v1_enrollment_residents_search",
        summary="按身份证号或姓名查询参保人员（号码放在请求体中）",
    )
    def post(self, request):
        q = s.ResidentQuery(data=request.data)
        q.is_valid(raise_exception=True)
        return _resident_page(request, q.validated_data)


class ResidentDetailView(APIView):
    permission_classes = [IsAuthenticated, AreaPermission.for_area(Area.ENROLLMENT)]

    @extend_schema(responses=s.ResidentSerializer, summary="参保人员详情（按系统编号；号码按权限脱敏）")
    def get(self, request, pk: int):
        r = selectors.resident_by_pk(request.user, pk)
        if r is None:
            raise NotFound
        audit_log(
            actor=request.user,
            verb=AuditLog.Action.VIEW,
            obj=r,
            summary=r.name,
        )
        year = timezone.localdate().year
        st = selectors.statuses_for([r], year).get(r.pk)
        return Response(s.ResidentSerializer(selectors.resident_row(request.user, r, st or "none")).data)


class TaskListView(APIView):
    permission_classes = [IsAuthenticated, AreaPermission.for_area(Area.ENROLLMENT)]

    @extend_schema(
        parameters=[s.TaskQuery],
        responses=s.TaskPageSerializer,
        operation_id="v1_enrollment_tasks_list",
        summary="参保动员任务清单",
    )
    def get(self, request):
        q = _query(s.TaskQuery, request)
        qs = selectors.task_list(request.user, year=q["year"], status=q["status"], village=q["village"])
        rows, count, number = selectors.task_page(request.user, qs, page=q.get("page"), per_page=50)
        audit_log(
            actor=request.user,
            verb=AuditLog.Action.VIEW,
            obj=MobilisationTask,
            summary=_("接口查询动员任务列表第 %(p)s 页（%(n)s 件）") % {"p": number, "n": len(rows)},
        )
        return Response({"count": count, "page": number, "results": s.TaskSerializer(rows, many=True).data})


class TaskOutcomeView(APIView):
    permission_classes = [IsAuthenticated, AreaPermission.for_area(Area.ENROLLMENT)]

    @extend_schema(
        request=s.OutcomeInput,
        responses={200: s.TaskSerializer, 409: CONFLICT},
        summary="记录动员结果（乐观锁：version）",
    )
    def post(self, request, pk: int):
        access_task_by_id(request.user, pk)
        data = s.OutcomeInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            task = services.task_record_outcome(actor=request.user, task_id=pk, **data.validated_data)
        except DjangoValidationError as exc:
            if services.is_stale(exc):  # someone saved in between: a conflict, not bad input
                return Response(error_dict(exc), status=status.HTTP_409_CONFLICT)
            raise
        return Response(s.TaskSerializer(selectors.task_row(request.user, task)).data)


class ReminderSummaryView(APIView):
    permission_classes = [IsAuthenticated, AreaPermission.for_area(Area.ENROLLMENT)]

    @extend_schema(responses=s.ReminderSummarySerializer(many=True), summary="缴费提醒发送情况（按轮次、方式、状态）")
    def get(self, request):
        return Response(s.ReminderSummarySerializer(selectors.reminder_summary(request.user), many=True).data)


class GatewayPermission(IsAuthenticated):
    """The SMS/voice gateway posts delivery reports with an API token of an api_client user."""

    def has_permission(self, request, view) -> bool:
        return super().has_permission(request, view) and request.user.role in ("api_client", "admin")


class ReminderReceiptsView(APIView):
    permission_classes = [GatewayPermission]
    # A list of receipts has no form or multipart shape: such a body parsed as an empty list and was
    # answered 200 "updated 0", the gateway's reports silently dropped. JSON only (else 415).
    parser_classes = [JSONParser]

    @extend_schema(request=s.ReceiptSerializer(many=True), responses={200: None}, summary="短信/语音网关投递回执")
    def post(self, request):
        data = s.ReceiptSerializer(data=request.data, many=True)
        data.is_valid(raise_exception=True)
        n = services.reminders_record_receipts(actor=request.user, receipts=data.validated_data)
        return Response({"updated": n})


class CampaignListView(APIView):
    permission_classes = [IsAuthenticated, StatsPermission.for_area(Area.ENROLLMENT)]

    @extend_schema(responses=s.CampaignSerializer(many=True), summary="征缴年度：缴费期、档次标准、财政补助、市级任务")
    def get(self, request):
        return Response(s.CampaignSerializer(selectors.campaign_list(), many=True).data)

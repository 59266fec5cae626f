"""Thin DRF views: validate, call selectors/services, serialize."""

from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from medinsure.accounts.permissions import AreaPermission, StatsPermission
from medinsure.accounts.scoping import Area

from .. import selectors, services
from ..models import Fund, FundBudget, FundWarning, Indicator, Level, MonthlyStatement
from . import serializers as s

DIVISION_PARAM = OpenApiParameter(
    "division",
    str,
    required=False,
    description="区县代码（12位）。基金由区县统筹管理，数据不分镇街；镇街、村社代码返回400。",
)


def check_division(request) -> None:
    """The same filters as every statistics endpoint; a township's code gets a clear answer."""
    code = request.query_params.get("division")
    if code and not selectors.division_is_fund_area(code):
        raise ValidationError({"division": _("基金由区县统筹管理，数据不分镇街：请使用区县代码或不传此参数")})


READ = StatsPermission.for_area(Area.FUNDBUDGET)
WRITE = AreaPermission.for_area(Area.FUNDBUDGET)


class StatementFilter(filters.FilterSet):
    year = filters.NumberFilter()
    month = filters.NumberFilter()
    fund = filters.ChoiceFilter(choices=Fund.choices)

    class Meta:
        model = MonthlyStatement
        fields = ["year", "month", "fund"]


class WarningFilter(filters.FilterSet):
    year = filters.NumberFilter()
    month = filters.NumberFilter()
    fund = filters.ChoiceFilter(choices=Fund.choices)
    level = filters.ChoiceFilter(choices=Level.choices)
    indicator = filters.ChoiceFilter(choices=Indicator.choices)

    class Meta:
        model = FundWarning
        fields = ["year", "month", "fund", "level", "indicator"]


class BudgetFilter(filters.FilterSet):
    year = filters.NumberFilter()
    fund = filters.ChoiceFilter(choices=Fund.choices)

    class Meta:
        model = FundBudget
        fields = ["year", "fund"]


class StatementViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Monthly fund statements (基金月度收支报表). POST creates or replaces one fund's month."""

    serializer_class = s.StatementOutSerializer
    filterset_class = StatementFilter

    def get_permissions(self):
        return [WRITE()] if self.request.method == "POST" else [READ()]

    def get_queryset(self):
        return selectors.statement_list(self.request.user)

    @extend_schema(parameters=[DIVISION_PARAM])
    def list(self, request, *args, **kwargs):
        check_division(request)
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request=s.StatementInSerializer, responses={200: s.StatementOutSerializer, 201: s.StatementOutSerializer}
    )
    def create(self, request):
        data = s.StatementInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        outcome = services.statement_save(actor=request.user, source=MonthlyStatement.Source.API, **data.validated_data)
        code = status.HTTP_201_CREATED if outcome.outcome == "created" else status.HTTP_200_OK
        return Response(s.StatementOutSerializer(outcome.statement).data, status=code)


class WarningViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Fund-risk warnings (基金运行风险预警): fund, indicator, value, level."""

    serializer_class = s.WarningOutSerializer
    filterset_class = WarningFilter
    permission_classes = [READ]

    def get_queryset(self):
        return selectors.warning_list(self.request.user)

    @extend_schema(parameters=[DIVISION_PARAM])
    def list(self, request, *args, **kwargs):
        check_division(request)
        return super().list(request, *args, **kwargs)


class BudgetViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Yearly fund budgets: income by source, expenditure by category, totals."""

    serializer_class = s.BudgetOutSerializer
    filterset_class = BudgetFilter
    permission_classes = [READ]

    def get_queryset(self):
        return selectors.budget_list(self.request.user)

    @extend_schema(parameters=[DIVISION_PARAM])
    def list(self, request, *args, **kwargs):
        check_division(request)
        return super().list(request, *args, **kwargs)


class ExecutionView(APIView):
    """Execution against budget and time, projections, monthly series, reconciliation and
    average cost per admission by level — the figures of the execution and monthly report pages."""

    permission_classes = [READ]

    @extend_schema(
        parameters=[
            OpenApiParameter("year", int, required=True),
            OpenApiParameter("month", int, required=True),
            OpenApiParameter("fund", str, required=False, enum=Fund.values),
            DIVISION_PARAM,
        ],
        responses=s.ExecutionReportSerializer,
    )
    def get(self, request):
        check_division(request)
        q = s.PeriodQuerySerializer(data=request.query_params)
        if not q.is_valid():
            raise ValidationError(q.errors)
        fund = q.validated_data.get("fund")
        report = selectors.execution_report(
            request.user, year=q.validated_data["year"], month=q.validated_data["month"], funds=[fund] if fund else None
        )
        return Response(s.ExecutionReportSerializer(report).data)


class WarningRuleViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Warning thresholds as the fund department keeps them (预警规则)."""

    serializer_class = s.WarningRuleOutSerializer
    permission_classes = [READ]
    pagination_class = None

    def get_queryset(self):
        return selectors.warning_rule_list(self.request.user)

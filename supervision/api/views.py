"""Thin DRF views: validate, call selectors/services, serialize."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from medinsure.audit.models import AuditLog
from medinsure.audit.services import audit_log
from medinsure.institutions.models import Institution
from supervision import access, selectors, services
from supervision.models import Case, Flag

from . import serializers as s


class StaffOrInstitution(BasePermission):
    def has_permission(self, request, view):
        return access.is_staff(request.user) or access.is_institution_user(request.user)


def _filters(serializer_class, request) -> dict:
    """A list's query parameters, validated: a bad one is a 400 naming it."""
    q = serializer_class(data=request.query_params)
    q.is_valid(raise_exception=True)
    return q.validated_data


class StatsView(APIView):
    """The year's supervision figures (or one month's), district-wide or for one township."""

    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=[s.StatsQuery], responses=s.StatsOut)
    def get(self, request):
        q = s.StatsQuery(data=request.query_params)
        q.is_valid(raise_exception=True)
        if not access.may_read_stats(request.user):
            raise PermissionDenied
        data = selectors.supervision_stats(
            user=request.user,
            year=q.validated_data["year"],
            month=q.validated_data.get("month"),
            division=q.validated_data.get("division", ""),
        )
        return Response(s.StatsOut(data).data)


class StatsTableView(APIView):
    """The figures page's table: totals, by kind (medical, pharmacy, person, other) and by month."""

    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=[OpenApiParameter("year", int, required=True)], responses=dict)
    def get(self, request):
        q = s.StatsQuery(data=request.query_params)
        q.is_valid(raise_exception=True)
        if not access.may_read_stats(request.user):
            raise PermissionDenied
        t = selectors.supervision_stats_table(
            user=request.user, year=q.validated_data["year"], division=q.validated_data.get("division", "")
        )

        def clean(d):
            return {k: (str(v) if not isinstance(v, int) else v) for k, v in d.items()}

        return Response(
            {
                "year": t["year"],
                "total": clean(t["total"]),
                "by_kind": {k: clean(v) for k, v in t["by_kind"].items()},
                "by_month": {str(m): clean(v) for m, v in t["by_month"].items()},
            }
        )


class CaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Cases, scoped: supervision staff see all, institution staff their own institution's."""

    serializer_class = s.CaseOut
    permission_classes = [StaffOrInstitution]
    queryset = Case.objects.none()
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        p = _filters(s.CaseQuery, self.request)
        return selectors.case_list(self.request.user, status=p["status"], source=p["source"], year=p.get("year"))

    @extend_schema(parameters=[s.CaseQuery])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def get_object(self):
        return access.access_case_by_id(self.request.user, self.kwargs["pk"])

    @extend_schema(request=s.CaseIn, responses=s.CaseOut)
    def create(self, request):
        data = s.CaseIn(data=request.data)
        data.is_valid(raise_exception=True)
        case = services.case_register(actor=request.user, **data.validated_data)
        return Response(s.CaseOut(case).data, status=201)

    @extend_schema(request=s.TransitionIn, responses=s.CaseOut)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        case = self.get_object()
        data = s.TransitionIn(data=request.data)
        data.is_valid(raise_exception=True)
        services.case_transition(actor=request.user, case_id=case.pk, **data.validated_data)
        return Response(s.CaseOut(self.get_object()).data)

    @extend_schema(request=s.DecisionIn, responses=s.CaseOut)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        case = self.get_object()
        data = s.DecisionIn(data=request.data)
        data.is_valid(raise_exception=True)
        services.case_decide(actor=request.user, case_id=case.pk, **data.validated_data)
        return Response(s.CaseOut(self.get_object()).data)


class FlagViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Intelligent-audit flags, scoped like the pages."""

    serializer_class = s.FlagOut
    permission_classes = [StaffOrInstitution]
    queryset = Flag.objects.none()
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        p = _filters(s.FlagQuery, self.request)
        return selectors.flag_list(self.request.user, status=p["status"], month=p["month"])

    def get_object(self):
        return access.access_flag_by_id(self.request.user, self.kwargs["pk"])

    # Flags carry insured persons' ID numbers (masked unless the role may see them): every read is audited.
    @extend_schema(parameters=[s.FlagQuery])
    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        audit_log(
            actor=request.user,
            verb=AuditLog.Action.VIEW,
            obj=Flag,
            summary=f"api flag list {request.GET.urlencode()}"[:500],
        )
        return response

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        audit_log(
            actor=request.user,
            verb=AuditLog.Action.VIEW,
            obj=Flag,
            key=kwargs.get("pk", ""),
        )
        return response

    @extend_schema(request=s.FlagAnswerIn, responses=s.FlagOut)
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        flag = self.get_object()
        data = s.FlagAnswerIn(data=request.data)
        data.is_valid(raise_exception=True)
        services.flag_answer(actor=request.user, flag_id=flag.pk, **data.validated_data)
        return Response(s.FlagOut(self.get_object(), context={"request": request}).data)

    @extend_schema(request=s.FlagReviewIn, responses=s.FlagOut)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        flag = self.get_object()
        data = s.FlagReviewIn(data=request.data)
        data.is_valid(raise_exception=True)
        services.flag_review(actor=request.user, flag_id=flag.pk, **data.validated_data)
        return Response(s.FlagOut(self.get_object(), context={"request": request}).data)


class InstitutionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Designated institutions with their agreement status (institution staff: their own only).
    Filters: q (name or code), kind, status (active/suspended/terminated/none), division (code)."""

    serializer_class = s.InstitutionOut
    permission_classes = [StaffOrInstitution]
    queryset = Institution.objects.none()
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        p = _filters(s.InstitutionQuery, self.request)
        return selectors.institution_list(
            self.request.user, q=p["q"], kind=p["kind"], status=p["status"], division=p["division"]
        )

    @extend_schema(parameters=[s.InstitutionQuery])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def get_object(self):
        return access.access_institution_by_id(self.request.user, self.kwargs["pk"])

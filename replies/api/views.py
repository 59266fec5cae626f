from django.contrib.auth.decorators import login_not_required
from django.utils.decorators import method_decorator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from medinsure.accounts.permissions import AreaPermission, StatsPermission
from medinsure.accounts.scoping import Area
from replies import selectors, services
from replies.access import access_proposal_by_id
from replies.api.serializers import (
    CommitmentListSerializer,
    HolidayYearSerializer,
    ProposalDetailSerializer,
    ProposalInSerializer,
    ProposalOutSerializer,
    ProposalQuery,
    PublishedSerializer,
    StatsSerializer,
)


class ProposalViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Cases of deputies' suggestions and members' proposals, sorted by due date."""

    permission_classes = [AreaPermission.for_area(Area.REPLIES)]
    serializer_class = ProposalOutSerializer
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        q = ProposalQuery(data=self.request.query_params)
        q.is_valid(raise_exception=True)
        q = q.validated_data
        return selectors.proposal_list(
            self.request.user,
            status=q["status"] or None,
            kind=q["kind"] or None,
            year=q.get("year"),
            open_only=q["open"],
        )

    @extend_schema(parameters=[ProposalQuery])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def get_object(self):
        return access_proposal_by_id(self.request.user, self.kwargs["pk"])

    @extend_schema(responses=ProposalDetailSerializer)
    def retrieve(self, request, *args, **kwargs):
        return Response(ProposalDetailSerializer(self.get_object()).data)

    @extend_schema(request=ProposalInSerializer, responses={201: ProposalDetailSerializer})
    def create(self, request, *args, **kwargs):
        data = ProposalInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        proposal = services.proposal_register(actor=request.user, **data.validated_data)
        proposal = access_proposal_by_id(request.user, proposal.pk)
        return Response(ProposalDetailSerializer(proposal).data, status=status.HTTP_201_CREATED)


class CommitmentViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """承诺事项 and their tracking state, soonest due first (?open=1 for those not done)."""

    permission_classes = [AreaPermission.for_area(Area.REPLIES)]
    serializer_class = CommitmentListSerializer

    def get_queryset(self):
        return selectors.commitment_list(
            self.request.user, open_only=self.request.query_params.get("open") in ("1", "true")
        )

    @extend_schema(parameters=[OpenApiParameter("open", bool)])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)


@method_decorator(login_not_required, name="dispatch")
class PublishedViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Published replies, redacted: public, like the website column."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    serializer_class = PublishedSerializer
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return selectors.published_list()


class HolidayYearViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The holiday schedule the due dates follow: days off and make-up working days per year."""

    permission_classes = [AreaPermission.for_area(Area.REPLIES)]
    serializer_class = HolidayYearSerializer
    pagination_class = None

    def get_queryset(self):
        qs = selectors.holiday_years_with_days()
        year = self.request.query_params.get("year", "")
        return qs.filter(year=int(year)) if year.isdigit() else qs

    @extend_schema(parameters=[OpenApiParameter("year", int)])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)


class StatsView(APIView):
    """Counts by kind and status, on-time rate, satisfaction rate, commitments open and done."""

    permission_classes = [StatsPermission.for_area(Area.REPLIES)]

    @extend_schema(parameters=[OpenApiParameter("year", OpenApiTypes.INT, required=True)], responses=StatsSerializer)
    def get(self, request):
        year = request.query_params.get("year", "")
        if not year.isdigit() or not 2000 <= int(year) <= 2100:
            raise ValidationError({"year": ["请以 YYYY 格式提供年度。"]})
        return Response(StatsSerializer(selectors.replies_stats(request.user, year=int(year))).data)

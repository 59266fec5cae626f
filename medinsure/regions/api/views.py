import django_filters
from rest_framework import serializers, viewsets

from medinsure.regions.access import access_division_by_code
from medinsure.regions.models import Division
from medinsure.regions.selectors import division_list


class DivisionOut(serializers.ModelSerializer):
    parent_code = serializers.CharField(source="parent.code", default=None, allow_null=True, read_only=True)

    class Meta:
        model = Division
        fields = ["code", "name", "level", "parent_code"]


class DivisionFilter(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(choices=Division.Level.choices)
    parent = django_filters.CharFilter(field_name="parent__code")

    class Meta:
        model = Division
        fields = ["level", "parent"]


class DivisionViewSet(viewsets.ReadOnlyModelViewSet):
    """Administrative divisions within the caller's area."""

    serializer_class = DivisionOut
    filterset_class = DivisionFilter
    lookup_field = "code"
    queryset = Division.objects.none()  # for the schema; rows come from the selector

    def get_queryset(self):
        return division_list(self.request.user)

    def get_object(self):
        return access_division_by_code(self.request.user, self.kwargs["code"])

"""The one way a page gets a single row: the same 404 whether it is missing or outside the user's area."""

import re

from django.http import Http404

from handling.models import Application, ServicePoint
from medinsure.accounts import scoping


def application_queryset_for(user):
    if not scoping.has_area(user, scoping.Area.HANDLING):
        return Application.objects.none()
    return Application.objects.filter(scoping.division_q(user, "division"))


def point_queryset_for(user):
    if not scoping.has_area(user, scoping.Area.HANDLING):
        return ServicePoint.objects.none()
    return ServicePoint.objects.filter(scoping.division_q(user, "division"))


TRACKING_RE = re.compile(r"^[A-Z0-9]{1,20}$")


def access_application_by_tracking(user, tracking_number: str, *, for_update: bool = False) -> Application:
    if not TRACKING_RE.match(str(tracking_number)):
        raise Http404
    qs = application_queryset_for(user)
    if for_update:
        qs = qs.select_for_update(of=("self",))
    else:
        qs = qs.select_related("item", "point", "resident", "division", "disease")
    a = qs.filter(tracking_number=str(tracking_number)).first()
    if a is None:
        raise Http404
    return a


def access_application_by_id(user, pk: int, *, for_update: bool = False) -> Application:
    qs = application_queryset_for(user)
    if for_update:
        qs = qs.select_for_update(of=("self",))
    a = qs.filter(pk=pk).first()
    if a is None:
        raise Http404
    return a


def access_point_by_id(user, pk, *, for_update: bool = False) -> ServicePoint:
    qs = point_queryset_for(user)
    if for_update:
        qs = qs.select_for_update()
    try:
        p = qs.filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        p = None
    if p is None:
        raise Http404
    return p

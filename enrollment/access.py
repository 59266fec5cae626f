"""The one way a page gets a single row: the same 404 whether it is missing or outside the user's area."""

from django.http import Http404

from enrollment.models import ImportBatch, MobilisationTask, Resident
from medinsure.accounts import scoping


def resident_scope_q(user):
    """Residents registered (户籍) or living in the user's area."""
    return scoping.division_q(user, "hukou_division") | scoping.division_q(user, "residence_division")


def resident_queryset_for(user):
    if scoping.scope_prefix(user) == "":
        return Resident.objects.none()
    return Resident.objects.filter(resident_scope_q(user))


def task_queryset_for(user):
    if not scoping.has_area(user, scoping.Area.ENROLLMENT):
        return MobilisationTask.objects.none()
    return MobilisationTask.objects.filter(scoping.division_q(user, "division"))


def access_resident_by_id_number(user, id_number: str) -> Resident:
    r = (
        resident_queryset_for(user)
        .select_related("hukou_division", "residence_division")
        .filter(id_number=id_number)
        .first()
    )
    if r is None:
        raise Http404
    return r


def access_resident_by_id(user, pk: int, *, for_update: bool = False) -> Resident:
    qs = resident_queryset_for(user)
    if for_update:
        qs = qs.select_for_update(of=("self",))
    r = qs.filter(pk=pk).first()
    if r is None:
        raise Http404
    return r


def access_task_by_id(user, pk: int, *, for_update: bool = False) -> MobilisationTask:
    """A to-do in the user's area; ``for_update`` locks it (only its own row) for a service's read-check-write."""
    qs = task_queryset_for(user)
    if for_update:
        qs = qs.select_for_update(of=("self",))
    t = qs.select_related("resident", "division", "assignee", "campaign").filter(pk=pk).first()
    if t is None:
        raise Http404
    return t


def access_batch_by_id(user, pk: int) -> ImportBatch:
    """Import batches are the bureau's (department files): bureau-wide enrollment users only."""
    if not (scoping.has_area(user, scoping.Area.ENROLLMENT) and scoping.is_bureau_wide(user)):
        raise Http404
    b = ImportBatch.objects.defer("raw", "checked").filter(pk=pk).first()  # the blobs stay in the database
    if b is None:
        raise Http404
    return b

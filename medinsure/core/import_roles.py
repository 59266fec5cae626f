"""Who may open an app's import pages: the staff who import (and, for a file that needs a second
person, the approvers) — not every role of the area.

An import page shows the raw cells of a department's file (ID numbers, phone numbers, names in error
reports) and the file's history. Leaders, the director and the administrator read the area's pages, but
they do not import: their business with an import is at most approving it (``accounts.powers``). So
the import pages (upload, detail, error report, template) check :func:`may_import` instead of the area.
"""

from __future__ import annotations

from functools import wraps

from django.core.exceptions import PermissionDenied

from medinsure.accounts.models import Role
from medinsure.accounts.powers import APPROVERS, Power
from medinsure.accounts.scoping import Area, has_area

# Roles that upload an area's files.
UPLOADERS: dict[str, frozenset[str]] = {
    Area.ENROLLMENT: frozenset({Role.ENROLLMENT}),
    Area.CLAIMS: frozenset({Role.CLAIMS}),
    Area.SUPERVISION: frozenset({Role.SUPERVISION, Role.SUPERVISION_HEAD}),
    Area.FUNDBUDGET: frozenset({Role.FUND}),
}
# Roles that open an import already uploaded (its detail, errors, accept): the uploaders and, where the
# import takes a second person, that power's approvers.
READERS: dict[str, frozenset[str]] = {
    **UPLOADERS,
    Area.CLAIMS: UPLOADERS[Area.CLAIMS] | APPROVERS[Power.SETTLEMENT_IMPORT_APPROVE],
}


def may_upload(user, area: str) -> bool:
    return has_area(user, area) and user.role in UPLOADERS.get(area, ())


def may_import(user, area: str) -> bool:
    """May open the area's import pages (an upload's detail, error report, accept)."""
    return has_area(user, area) and user.role in READERS.get(area, ())


def importers_only(area: str, *, upload: bool = False):
    """A view of the area's imports: 403 for every other role (``upload=True``: uploaders only)."""
    check = may_upload if upload else may_import

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not check(request.user, area):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator

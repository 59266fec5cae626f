from functools import wraps

from django.core.exceptions import PermissionDenied

from medinsure.accounts import scoping


def area_required(area: str, *, stats: bool = False):
    """A page of one area of the portal: 403 for roles that may not use it."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            allowed = scoping.can_read_stats(request.user, area) if stats else scoping.has_area(request.user, area)
            if not allowed:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator

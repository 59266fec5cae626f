from django.shortcuts import get_object_or_404

from medinsure.regions.selectors import division_list


def access_division_by_code(user, code: str):
    """The same 404 whether the division does not exist or lies outside the user's area."""
    return get_object_or_404(division_list(user), code=code)

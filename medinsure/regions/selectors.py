from medinsure.accounts.scoping import division_code_q
from medinsure.regions.models import Division


def division_list(user, *, level: str | None = None, parent_code: str | None = None):
    """Divisions inside the user's area (a township worker: their township and below).

    The division table is itself the area tree, so the filter is on its own code.
    """
    rows = Division.objects.filter(division_code_q(user, "code"))
    if level:
        rows = rows.filter(level=level)
    if parent_code:
        rows = rows.filter(parent__code=parent_code)
    return rows.select_related("parent").order_by("code")


def division_children(user, division: Division):
    return division_list(user).filter(parent=division)

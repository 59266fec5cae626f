from django.shortcuts import render
from django.views.decorators.http import require_safe

from medinsure.regions.access import access_division_by_code
from medinsure.regions.models import Division
from medinsure.regions.selectors import division_children, division_list


@require_safe
def division_index(request):
    roots = division_list(request.user)
    top = roots.first()
    return render(request, "regions/index.html", {"divisions": roots.filter(level=top.level) if top else roots})


@require_safe
def division_detail(request, code):
    division = access_division_by_code(request.user, code)
    return render(
        request,
        "regions/detail.html",
        {"division": division, "children": division_children(request.user, division), "levels": Division.Level},
    )

from django.shortcuts import render

from medinsure.navigation import menu_for


def home(request):
    return render(request, "home.html", {"sections": menu_for(request.user)})

from django.shortcuts import render

from coproduction.access import project_view


@project_view({"coordinator", "peer_researcher", "supervisor"})
def home(request, project):
    return render(request, "wellbeing/home.html", {"project": project})

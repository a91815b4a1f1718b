from django.shortcuts import render

from coproduction.access import project_view
from interviews.models import Interview


@project_view({"coordinator", "peer_researcher"})
def interview_list(request, project):
    interviews = Interview.objects.visible_to(request.user, project).select_related("participant", "venue", "interviewer")
    return render(request, "interviews/list.html", {"project": project, "interviews": interviews})

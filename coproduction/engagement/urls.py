from django.urls import path

from coproduction.engagement import public, views

app_name = "engagement"

urlpatterns = [
    path("", views.event_list, name="list"),
    path("plan/", views.event_plan, name="plan"),
    path("<int:pk>/", views.event_detail, name="detail"),
    path("<int:pk>/change/", views.event_change, name="change"),
    path("<int:pk>/status/", views.event_status, name="status"),
    path("<int:pk>/attendance/", views.event_attendance, name="attendance"),
    path("<int:pk>/feedback/", views.event_feedback, name="feedback"),
    path("<int:pk>/notes/", views.event_notes, name="notes"),
    path("<int:pk>/notes/redact/", views.event_redact, name="redact"),
    path("<int:pk>/notes/dismiss/", views.event_dismiss, name="dismiss"),
    path("<int:pk>/notes/submit/", views.event_submit, name="submit"),
    path("<int:pk>/review/", views.event_review, name="review"),
    path("reach/", views.reach, name="reach"),
    path("targets/", views.targets, name="targets"),
    path("discussion-guide/", views.discussion_guide, name="guide"),
    path("requests/", views.request_list, name="requests"),
    path("requests/<int:pk>/", views.request_detail, name="request"),
    path("requests/<int:pk>/close/", views.request_close, name="request_close"),
    path("public-page/", views.public_page, name="public_page"),
]

public_patterns = [
    path("", public.sessions, name="sessions"),
    path("request/", public.session_request, name="request"),
    path("request/sent/", public.request_sent, name="request_sent"),
]

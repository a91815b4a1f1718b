from django.urls import path

from interviews import views

app_name = "interviews"

urlpatterns = [
    path("", views.interview_list, name="list"),
    path("week/", views.week, name="week"),
    path("book/", views.book, name="book"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/move/", views.reschedule, name="reschedule"),
    path("<int:pk>/status/", views.change_status, name="status"),
    path("<int:pk>/appointment.ics", views.ics, name="ics"),
    path("<int:pk>/flag/", views.flag, name="flag"),
    path("flags/<int:pk>/resolve/", views.flag_resolve, name="flag_resolve"),
    path("<int:pk>/protocol/", views.protocol_use, name="protocol_use"),
    path("follow-ups/", views.follow_ups, name="follow_ups"),
    path("follow-ups/<int:pk>/done/", views.follow_up_done, name="follow_up_done"),
    path("<int:pk>/notes/", views.notes, name="notes"),
    path("<int:pk>/notes/redact/", views.redact, name="redact"),
    path("<int:pk>/notes/dismiss/", views.dismiss, name="dismiss"),
    path("<int:pk>/notes/submit/", views.submit, name="submit"),
    path("review/", views.review_list, name="review_list"),
    path("<int:pk>/review/", views.review, name="review"),
    path("venues/", views.venues, name="venues"),
    path("venues/<int:pk>/toggle/", views.venue_toggle, name="venue_toggle"),
    path("topic-guide/", views.topic_guide, name="topic_guide"),
]

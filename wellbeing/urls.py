from django.urls import path

from wellbeing import views

app_name = "wellbeing"

urlpatterns = [
    path("", views.home, name="home"),
    path("sessions/", views.session_list, name="session_list"),
    path("sessions/new/", views.session_new, name="session_new"),
    path("sessions/<int:pk>/", views.session_detail, name="session_detail"),
    path("sessions/<int:pk>/change/", views.session_edit, name="session_edit"),
    path("sessions/<int:pk>/cancel/", views.session_cancel, name="session_cancel"),
    path("sessions/<int:pk>/attendance/", views.session_attendance, name="session_attendance"),
    path("sessions/<int:pk>/notes/", views.session_notes, name="session_notes"),
    path("sessions/<int:pk>/appointment.ics", views.session_calendar, name="session_calendar"),
    path("requests/new/", views.request_new, name="request_new"),
    path("requests/<int:pk>/decline/", views.request_decline, name="request_decline"),
    path("check-ins/", views.check_in_list, name="check_in_list"),
    path("check-ins/<int:pk>/", views.check_in, name="check_in"),
    path("check-ins/<int:pk>/acknowledge/", views.alert_acknowledge, name="alert_acknowledge"),
    path("policy/", views.policy, name="policy"),
    path("providers/", views.providers, name="providers"),
    path("training/", views.training, name="training"),
    path("training/modules/new/", views.training_module_new, name="training_module_new"),
    path("reflections/", views.reflections, name="reflections"),
    path("reflections/<int:pk>/delete/", views.reflection_delete, name="reflection_delete"),
    path("reflections/my-reflections.pdf", views.reflections_pdf, name="reflections_pdf"),
    path("report/", views.report, name="report"),
    path("report/summary.pdf", views.report_pdf, name="report_pdf"),
]

from django.urls import path

from coproduction.notifications import views

app_name = "notifications"

urlpatterns = [
    path("failed/", views.failed_notifications, name="failed"),
]

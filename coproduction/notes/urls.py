from django.urls import path

from coproduction.notes import views

app_name = "notes"

urlpatterns = [
    path("", views.review_list, name="review_list"),
]

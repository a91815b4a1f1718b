"""URLs of the evidence side of the strategy: unanswered themes, action import and export."""

from django.urls import path

from coproduction.strategy import evidence_views

urlpatterns = [
    path("unanswered/", evidence_views.unanswered, name="unanswered"),
]

"""URLs of the evidence side of the strategy: unanswered themes, action import and export."""

from django.urls import path

from coproduction.strategy import evidence_views, exchange_views

urlpatterns = [
    path("unanswered/", evidence_views.unanswered, name="unanswered"),
    path("actions/import/", exchange_views.import_actions, name="import"),
    path("actions/import/confirm/", exchange_views.import_confirm, name="import_confirm"),
    path("actions/export/", exchange_views.export_plan, name="export"),
]

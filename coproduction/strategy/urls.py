"""The strategy and its action plan: priorities, actions and sub-actions linked to the themes
that justify them, a timeline of updates, outcome indicators, and the themes nothing answers yet.

Reads analysis (themes, counts, quotes); never reads interviews or wellbeing.
"""

from django.urls import path

from coproduction.strategy import indicator_views

app_name = "strategy"

urlpatterns: list = [
    path("overview/", indicator_views.overview, name="overview"),
    path("indicators/", indicator_views.indicator_list, name="indicators"),
    path("indicators/new/", indicator_views.indicator_new, name="indicator_new"),
    path("indicators/<int:pk>/", indicator_views.indicator_detail, name="indicator"),
    path("indicators/<int:pk>/change/", indicator_views.indicator_change, name="indicator_change"),
    path("indicators/<int:pk>/measurements/new/", indicator_views.measurement_new, name="measurement_new"),
    path("indicators/<int:pk>/measurements/import/", indicator_views.measurement_import, name="measurement_import"),
    path(
        "indicators/<int:pk>/measurements/<int:measurement_pk>/change/",
        indicator_views.measurement_change,
        name="measurement_change",
    ),
    path(
        "indicators/<int:pk>/measurements/<int:measurement_pk>/delete/",
        indicator_views.measurement_delete,
        name="measurement_delete",
    ),
]

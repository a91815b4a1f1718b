from django.urls import path

from coproduction.strategy import indicator_views, views
from coproduction.strategy.evidence_urls import urlpatterns as evidence_urlpatterns

app_name = "strategy"

urlpatterns = [
    # The action plan and its actions (coproduction/strategy/views.py)
    path("", views.plan, name="plan"),
    path("settings/", views.strategy_settings, name="settings"),
    path("priorities/", views.priorities, name="priorities"),
    path("priorities/<int:pk>/", views.priority_change, name="priority"),
    path("priorities/<int:pk>/move/", views.priority_move, name="priority_move"),
    path("priorities/<int:pk>/remove/", views.priority_remove, name="priority_remove"),
    path("owners/", views.owners, name="owners"),
    path("owners/<int:pk>/", views.owner_change, name="owner"),
    path("owners/<int:pk>/remove/", views.owner_remove, name="owner_remove"),
    path("statuses/", views.statuses, name="statuses"),
    path("statuses/<int:pk>/", views.status_change, name="status"),
    path("statuses/<int:pk>/remove/", views.status_remove, name="status_remove"),
    path("actions/new/", views.action_new, name="action_new"),
    path("actions/propose/", views.action_propose, name="propose"),
    path("actions/<int:pk>/", views.action_detail, name="action"),
    path("actions/<int:pk>/change/", views.action_change, name="action_change"),
    path("actions/<int:pk>/decide/", views.action_decide, name="decide"),
    path("actions/<int:pk>/comment/", views.action_comment, name="comment"),
    path("actions/<int:pk>/themes/", views.action_themes, name="themes"),
    path("actions/<int:pk>/update/", views.action_update, name="update"),
    path("actions/<int:pk>/keep/", views.action_keep, name="keep"),
    *evidence_urlpatterns,
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

from django.urls import path

from coproduction.participation import views

app_name = "participation"

urlpatterns = [
    path("", views.participant_list, name="list"),
    path("new/", views.participant_create, name="create"),
    path("<int:pk>/", views.participant_detail, name="detail"),
    path("<int:pk>/consent/", views.consent_record, name="consent"),
    path("<int:pk>/contact/", views.contact_details, name="contact"),
    path("<int:pk>/updates/", views.follow_up_contact, name="follow_up"),
    path("<int:pk>/updates/erase/", views.follow_up_erase, name="follow_up_erase"),
    path("stop-updates/", views.stop_updates, name="stop_updates"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("information-sheets/", views.information_sheets, name="sheets"),
    path("attributes/", views.attributes, name="attributes"),
    path("attributes/<int:pk>/remove/", views.attribute_remove, name="attribute_remove"),
    path("deny-list/", views.deny_list, name="deny_list"),
    path("deny-list/<int:pk>/remove/", views.deny_list_remove, name="deny_list_remove"),
    path("allow-list/", views.allow_list, name="allow_list"),
    path("allow-list/<int:pk>/remove/", views.allow_list_remove, name="allow_list_remove"),
]

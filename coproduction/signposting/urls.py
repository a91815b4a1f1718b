from django.urls import path

from coproduction.signposting import views

app_name = "signposting"

urlpatterns = [
    path("", views.directory, name="directory"),
    path("services/new/", views.service_new, name="service_new"),
    path("services/<int:pk>/", views.service_change, name="service_change"),
    path("services/<int:pk>/reviewed/", views.service_reviewed, name="service_reviewed"),
    path("services/<int:pk>/remove/", views.service_remove, name="service_remove"),
    path("card/", views.pocket_card, name="card"),
    path("card.pdf", views.pocket_card_pdf, name="card_pdf"),
    path("phone/", views.phone, name="phone"),
    path("protocol/", views.protocol, name="protocol"),
    path("protocol/<int:pk>/", views.step_change, name="step_change"),
    path("protocol/<int:pk>/move/", views.step_move, name="step_move"),
    path("protocol/<int:pk>/remove/", views.step_remove, name="step_remove"),
]

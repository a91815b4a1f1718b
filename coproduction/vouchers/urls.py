from django.urls import path

from coproduction.vouchers import views

app_name = "vouchers"

urlpatterns = [
    path("", views.stock, name="stock"),
    path("load/", views.load, name="load"),
    path("given/", views.given, name="given"),
    path("given/<int:pk>/", views.gift, name="gift"),
    path("given/<int:pk>/code/", views.reveal, name="reveal"),
    path("report/", views.finance, name="finance"),
    path("thank/<slug:kind>/<int:pk>/", views.thank, name="thank"),
]

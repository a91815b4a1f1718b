from django.urls import path

from coproduction.payments import views

app_name = "payments"

urlpatterns = [
    path("", views.my_payments, name="mine"),
    path("method/", views.choose_method, name="method"),
    path("start/", views.start_claim, name="start"),
    path("claims/", views.claim_list, name="claims"),
    path("claims/<int:pk>/", views.claim_detail, name="claim"),
    path("claims/<int:pk>/activities/add/", views.activity_add, name="activity_add"),
    path("claims/<int:pk>/activities/<int:activity_pk>/", views.activity_change, name="activity_change"),
    path("claims/<int:pk>/activities/<int:activity_pk>/remove/", views.activity_remove, name="activity_remove"),
    path("claims/<int:pk>/submit/", views.claim_submit, name="submit"),
    path("claims/<int:pk>/approve/", views.claim_approve, name="approve"),
    path("claims/<int:pk>/return/", views.claim_return, name="return"),
    path("rates/", views.rates, name="rates"),
    path("rates/<int:pk>/remove/", views.rate_remove, name="rate_remove"),
    path("limit/", views.monthly_limit, name="limit"),
    path("export/", views.finance_export, name="export"),
]

from django.contrib import admin
from django.urls import include, path

from coproduction import views
from coproduction.engagement.urls import public_patterns as engagement_public
from coproduction.publication.urls import public_patterns as publication_public

project_patterns = [
    path("", views.dashboard, name="dashboard"),
    path("members/", views.members, name="members"),
    path("members/<int:pk>/", views.member_change, name="member_change"),
    path("invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("invitations/<int:pk>/resend/", views.invitation_resend, name="invitation_resend"),
    path("audit/", views.audit_log, name="audit"),
    path("audit/export.csv", views.audit_export, name="audit_export"),
    path("settings/", views.project_settings, name="project_settings"),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("p/<slug:slug>/", include((project_patterns, "coproduction"))),
    path("p/<slug:slug>/participants/", include("coproduction.participation.urls")),
    path("p/<slug:slug>/review/", include("coproduction.notes.urls")),
    path("p/<slug:slug>/interviews/", include("interviews.urls")),
    path("p/<slug:slug>/support/", include("wellbeing.urls")),
    path("p/<slug:slug>/analysis/", include("coproduction.analysis.urls")),
    path("p/<slug:slug>/engagement/", include("coproduction.engagement.urls")),
    path("p/<slug:slug>/strategy/", include("coproduction.strategy.urls")),
    path("p/<slug:slug>/publication/", include("coproduction.publication.urls")),
    path("p/<slug:slug>/signposting/", include("coproduction.signposting.urls")),
    path("p/<slug:slug>/notifications/", include("coproduction.notifications.urls")),
    path("p/<slug:slug>/payments/", include("coproduction.payments.urls")),
    path("p/<slug:slug>/vouchers/", include("coproduction.vouchers.urls")),
    path("sessions/<str:token>/", include((engagement_public, "engagement_public"))),
    path("s/<str:public_id>/", include((publication_public, "publication_public"))),
    path("join/<slug:slug>/<str:token>/", views.accept_invitation, name="accept_invitation"),
    path("session/keep-alive/", views.keep_alive, name="keep_alive"),
    path("account/", views.account_settings, name="account_settings"),
    path("health/", views.health, name="health"),
    path("accounts/", include("allauth.urls")),
    path("ops/admin/", admin.site.urls),
]

handler403 = "coproduction.views.permission_denied"
handler500 = "coproduction.views.server_error"

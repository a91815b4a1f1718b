from django.urls import path

from coproduction.publication import public, views

app_name = "publication"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("compose/", views.compose, name="compose"),
    path("themes/", views.themes, name="themes"),
    path("themes/<int:pk>/", views.summary, name="summary"),
    path("themes/<int:pk>/remove/", views.theme_remove, name="theme_remove"),
    path("preview/", views.preview, name="preview"),
    path("preview/keep/", views.keep, name="keep"),
    path("publish/", views.publish, name="publish"),
    path("versions/", views.versions, name="versions"),
    path("versions/<int:number>/unpublish/", views.unpublish, name="unpublish"),
    path("versions/<int:number>/case-study/", views.case_study, name="case_study"),
    path("versions/<int:number>/case-study.pdf", views.case_study_pdf, name="case_study_pdf"),
]

public_patterns = [
    path("", public.latest, name="latest"),
    path("v/<int:number>/", public.version, name="version"),
]

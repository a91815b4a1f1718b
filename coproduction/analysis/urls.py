from django.urls import path

from coproduction.analysis import import_views, views

app_name = "analysis"

urlpatterns = [
    path("", views.themes, name="themes"),
    path("themes/<int:pk>/", views.theme_detail, name="theme"),
    path("themes/<int:pk>/status/", views.theme_change_status, name="theme_status"),
    path("themes/<int:pk>/memo/", views.theme_memo, name="theme_memo"),
    path("codebook/import/", views.codebook_import, name="codebook_import"),
    path("import/", import_views.project_import, name="project_import"),
    path("import/confirm/", import_views.project_import_confirm, name="project_import_confirm"),
    path("import/<int:pk>/", import_views.import_batch, name="import_batch"),
    path("import/texts/<int:pk>/notes/", import_views.imported_notes, name="imported_notes"),
    path("import/texts/<int:pk>/redact/", import_views.imported_redact, name="imported_redact"),
    path("import/texts/<int:pk>/dismiss/", import_views.imported_dismiss, name="imported_dismiss"),
    path("import/texts/<int:pk>/submit/", import_views.imported_submit, name="imported_submit"),
    path("import/texts/<int:pk>/review/", import_views.imported_review, name="imported_review"),
    path("documents/", views.documents, name="documents"),
    path("documents/<int:pk>/", views.document_detail, name="document"),
    path("excerpts/<int:pk>/", views.excerpt_change, name="excerpt"),
    path("blind/", views.blind_mode, name="blind"),
    path("agreement/", views.agreement_view, name="agreement"),
    path("consensus/", views.consensus_view, name="consensus"),
    path("matrix/", views.matrix, name="matrix"),
    path("matrix/chart.png", views.matrix_chart, name="matrix_chart"),
    path("search/", views.search, name="search"),
    path("exports/", views.export, name="export"),
    path("exports/<int:pk>/", views.export_job, name="export_job"),
    path("exports/<int:pk>/status/", views.export_job_status, name="export_job_status"),
    path("exports/<int:pk>/download/", views.export_job_download, name="export_job_download"),
]

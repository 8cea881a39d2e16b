from django.urls import path

from labels import views, views_board, views_dashboard

app_name = "labels"

urlpatterns = [
    path("openbadges/issuer.json", views.ob_issuer, name="ob_issuer"),
    path("openbadges/status.json", views.ob_status, name="ob_status"),
    path("openbadges/achievements/<str:level>.json", views.ob_achievement, name="ob_achievement"),
    path("openbadges/<str:code>.json", views.ob_credential, name="ob_credential"),
    path("logo/<str:level>.<str:extension>", views.label_logo, name="logo"),
    path("certificates/regenerate/", views.certificates_regenerate, name="certificates_regenerate"),
    path("certificates/regenerate/<int:pk>/", views.certificate_job, name="certificate_job"),
    path("dashboard/", views_dashboard.dashboard_view, name="dashboard"),
    path("dashboard/<str:figure>/", views_dashboard.dashboard_list, name="dashboard_list"),
    path("label/<str:code>/", views_dashboard.label_detail, name="label_detail"),
    path("l/<str:code>/", views.label_manage, name="label_manage"),
    path("l/<str:code>/revoke/", views.label_revoke, name="label_revoke"),
    path("l/<str:code>/reinstate/", views.label_reinstate, name="label_reinstate"),
    path("l/<str:code>/correct/", views.label_correct, name="label_correct"),
    path("l/<str:code>/certificate-language/", views.label_certificate_language, name="label_certificate_language"),
    path("l/<str:code>/certificate.pdf", views.certificate_download, name="certificate_download"),
    path("office/", views.office_start, name="office_start"),
    path("committee/", views.committee_start, name="committee_start"),
    path("board/", views_board.meeting_list, name="meetings"),
    path("board/schedule/", views_board.meeting_schedule, name="meeting_schedule"),
    path("board/<int:pk>/", views_board.meeting_detail, name="meeting_detail"),
    path("board/<int:pk>/open/", views_board.meeting_open, name="meeting_open"),
    path("board/<int:pk>/close/", views_board.meeting_close, name="meeting_close"),
    path("board/<int:pk>/minutes.pdf", views_board.meeting_minutes, name="meeting_minutes"),
    path("board/case/<int:pk>/propose/", views_board.proposal_make, name="proposal_make"),
    path("board/case/<int:pk>/approve/", views_board.proposal_approve, name="proposal_approve"),
    path("board/case/<int:pk>/send-back/", views_board.proposal_send_back, name="proposal_send_back"),
    path("statistics/", views.policy_start, name="policy_start"),
    path("import/", views.import_upload, name="import_upload"),
    path("import/<int:pk>/", views.import_detail, name="import_detail"),
    path("import/<int:pk>/progress/", views.import_progress, name="import_progress"),
]

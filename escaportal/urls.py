from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from common.views import healthz, notifications, notifications_read
from labels import api as labels_api
from labels import views as labels_views
from labels import views_history, views_home

urlpatterns = [
    path("", views_home.home, name="home"),
    path("healthz/", healthz, name="healthz"),
    path("notifications/", notifications, name="notifications"),
    path("notifications/read/", notifications_read, name="notifications_read"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("accounts.urls")),
    path("clusters/", include("clusters.urls")),
    path("assessments/", include("assessments.urls")),
    path("benchmarking/", include("assessments.urls_benchmarking")),
    path("labels/", include("labels.urls")),
    path("privacy/", include("privacy.urls")),
    path("statistics/", include("labels.urls_statistics")),
    path("billing/", include("billing.urls")),
    path("verify/", labels_views.verify_search, name="verify_search"),
    path("registry/", labels_views.registry, name="registry"),
    path("registry/o/<slug:slug>/", labels_views.registry_organisation, name="registry_organisation"),
    path("verify/<str:code>/", labels_views.verify, name="verify"),
    path("history/<str:kind>/<int:pk>/", views_history.history, name="history"),
    path("api/v1/labels/", labels_api.LabelList.as_view(), name="api_labels"),
    path("api/v1/labels/<str:code>/", labels_api.LabelDetail.as_view(), name="api_label"),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    # The split view serves its start script as a file: the CSP forbids inline scripts.
    path("api/v1/docs/", SpectacularSwaggerSplitView.as_view(url_name="api_schema"), name="api_docs"),
    path("admin/", admin.site.urls),
]

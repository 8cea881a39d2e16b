from django.urls import path

from privacy import views

app_name = "privacy"

urlpatterns = [
    path("", views.policy, name="policy"),
    path("my-data/", views.my_data, name="my_data"),
    path("my-data/export/", views.export_create, name="export_request"),
    path("my-data/export/<str:token>/", views.export_file, name="export_download"),
    path("erasures/", views.erasures, name="erasures"),
]

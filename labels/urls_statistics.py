from django.urls import path

from labels import views_statistics as views

app_name = "statistics"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("comparison/", views.comparison, name="comparison"),
    path("csv/<slug:figure>/", views.export_csv, name="csv"),
]

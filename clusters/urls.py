from django.urls import path

from clusters import views

app_name = "clusters"

urlpatterns = [
    path("my/", views.manager_start, name="manager_start"),
    path("partner/", views.partner_start, name="partner_start"),
]

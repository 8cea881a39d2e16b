from django.urls import path

from clusters import views

app_name = "clusters"

urlpatterns = [
    path("my/", views.manager_start, name="manager_start"),
    path("partner/", views.partner_start, name="partner_start"),
    path("register/", views.organisation_register, name="organisation_register"),
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("validation/", views.validation_queue, name="validation_queue"),
    path("o/<slug:slug>/", views.organisation_detail, name="organisation_detail"),
    path("o/<slug:slug>/edit/", views.organisation_edit, name="organisation_edit"),
    path("o/<slug:slug>/move/<str:to_state>/", views.organisation_move, name="organisation_move"),
    path("o/<slug:slug>/name/", views.name_change_ask, name="name_change_ask"),
    path("o/<slug:slug>/name/<int:pk>/<str:decision>/", views.name_change_decide, name="name_change_decide"),
    path("o/<slug:slug>/waivers/", views.waiver_add, name="waiver_add"),
    path("o/<slug:slug>/waivers/<int:pk>/withdraw/", views.waiver_remove, name="waiver_remove"),
    path("o/<slug:slug>/people/", views.organisation_people, name="organisation_people"),
    path("o/<slug:slug>/people/<int:pk>/role/", views.membership_role, name="membership_role"),
    path("o/<slug:slug>/people/<int:pk>/remove/", views.membership_remove, name="membership_remove"),
    path("o/<slug:slug>/invitations/<int:pk>/withdraw/", views.invitation_revoke, name="invitation_revoke"),
    path("invitation/<str:token>/", views.invitation_accept, name="invitation_accept"),
]

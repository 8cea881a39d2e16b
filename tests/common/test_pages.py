"""The layout, static files and friendly error pages."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.test import Client


def test_unknown_page_gets_friendly_404(client: Client, db: None) -> None:
    response = client.get("/no/such/page/")

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_500_page_renders_without_context() -> None:
    html = render_to_string("500.html")

    assert "Something went wrong on our side" in html


def test_layout_uses_vendored_assets_only(client: Client, db: None) -> None:
    html = client.get("/accounts/login/").content.decode()

    assert "/static/vendor/bootstrap-5.3.9/css/bootstrap.min.css" in html
    assert "/static/vendor/htmx-2.0.11/htmx.min.js" in html
    assert "cdn." not in html and "//unpkg" not in html


def test_home_is_the_front_door_for_visitors(client: Client, db: None) -> None:
    response = client.get("/")

    assert response.status_code == 200
    assert response.templates[0].name == "home.html"


def test_admin_lists_open_for_superuser(admin_client: Client) -> None:
    from django.contrib import admin

    for model in admin.site._registry:
        url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/?q=x"
        assert admin_client.get(url).status_code == 200, url

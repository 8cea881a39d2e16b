"""``{% role_panels "manager" %}``: the blocks other apps add to a start page."""

from django import template
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from accounts.start_pages import Panel, panels_for
from common.http import AuthenticatedHttpRequest
from common.kept import KEPT_SECONDS, kept_key

register = template.Library()


@register.simple_tag(takes_context=True)
def role_panels(context: template.Context, role: str) -> SafeString:
    request = context["request"]
    return mark_safe("".join(_panel_html(panel, request) for panel in panels_for(role)))


def _panel_html(panel: Panel, request: AuthenticatedHttpRequest) -> str:
    """A panel drawn (each part is a template rendered with autoescaping), or kept (``Panel.kept``)."""

    def draw() -> str:
        # Rendered without the request so the context processors (navigation, the
        # notification count) do not run again for every panel.
        return render_to_string(panel.template, {"request": request, "user": request.user, **panel.context(request)})

    if not panel.kept:
        return draw()
    return str(cache.get_or_set(kept_key(f"panel:{panel.role}:{panel.template}", request), draw, KEPT_SECONDS))

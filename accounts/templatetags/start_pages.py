"""``{% role_panels "manager" %}``: the blocks other apps add to a start page."""

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from accounts.start_pages import panels_for

register = template.Library()


@register.simple_tag(takes_context=True)
def role_panels(context: template.Context, role: str) -> SafeString:
    request = context["request"]
    # Rendered without the request so the context processors (navigation, the
    # notification count) do not run again for every panel.
    parts = [
        render_to_string(p.template, {"request": request, "user": request.user, **p.context(request)})
        for p in panels_for(role)
    ]
    return mark_safe("".join(parts))  # each part is a template rendered with autoescaping

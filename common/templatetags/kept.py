"""``{% kept "name" [vary ...] %}...{% endkept %}``: a part of a page drawn once per reader,
address, language, day and history version, and kept (``common.kept``)."""

from __future__ import annotations

from django import template
from django.core.cache import cache
from django.template.base import FilterExpression, NodeList, Parser, Token
from django.utils.safestring import SafeString, mark_safe

from common.kept import KEPT_SECONDS, kept_key

register = template.Library()


class KeptNode(template.Node):
    def __init__(self, nodelist: NodeList, name: FilterExpression, vary: list[FilterExpression]) -> None:
        self.nodelist, self.name, self.vary = nodelist, name, vary

    def render(self, context: template.Context) -> SafeString:
        request = context.get("request")
        if request is None:  # drawn outside a request (an e-mail, a PDF): nothing to key on
            return self.nodelist.render(context)
        key = kept_key(str(self.name.resolve(context)), request, [v.resolve(context) for v in self.vary])
        html = cache.get(key)
        if html is None:
            html = self.nodelist.render(context)
            cache.set(key, str(html), KEPT_SECONDS)
        # Our own template's output, escaped when it was drawn.
        return mark_safe(html)


@register.tag
def kept(parser: Parser, token: Token) -> KeptNode:
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("{% kept %} needs the name of the part it keeps.")
    nodelist = parser.parse(("endkept",))
    parser.delete_first_token()
    return KeptNode(nodelist, parser.compile_filter(bits[1]), [parser.compile_filter(bit) for bit in bits[2:]])

"""``{% chart chart_obj %}``: a server-drawn chart with its data table for screen readers."""

from django import template

from common.charts.frame import Chart

register = template.Library()


@register.inclusion_tag("common/_chart.html")
def chart(chart_obj: Chart, caption: bool = True) -> dict[str, object]:
    """Render the chart's SVG inside a ``<figure>``, followed by its data table in a ``<details>``.

    ``caption=False`` drops the visible description, for places (PDF tiles) that print their own.
    """
    return {"chart": chart_obj, "caption": caption}

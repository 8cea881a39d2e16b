"""The server-drawn SVG charts: safe markup, sound scales, gaps, and the text alternative."""

import re
import xml.etree.ElementTree as ET

from django.template import Context, Template

from common.charts.bar import bar_chart
from common.charts.box import box_plot
from common.charts.frame import MUTED, Box, Chart, Series
from common.charts.heat import heatmap
from common.charts.line import line_chart

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = "<script>alert(\"x\")</script> & 'co'"


def parse(chart: Chart) -> ET.Element:
    return ET.fromstring(str(chart.svg))


def child(element: ET.Element, tag: str) -> ET.Element:
    found = element.find(f"{SVG}{tag}")
    assert found is not None, f"no <{tag}>"
    return found


def bar_heights(root: ET.Element) -> list[float]:
    return [float(rect.attrib["height"]) for rect in root.iter(f"{SVG}rect") if rect.find(f"{SVG}title") is not None]


def test_bar_chart_with_hostile_labels_is_valid_escaped_xml() -> None:
    chart = bar_chart(title=HOSTILE, categories=[HOSTILE, "RS"], series=[Series(name=HOSTILE, values=[1, 2])])

    root = parse(chart)

    assert "<script" not in str(chart.svg)
    assert root.findtext(f"{SVG}title") == HOSTILE
    assert list(root.iter(f"{SVG}script")) == []


def test_chart_svg_is_an_accessible_scalable_image() -> None:
    chart = bar_chart(title="Labels", description="Labels by level", categories=["A"], series=[Series("n", [3])])

    root = parse(chart)
    chart_id = root.get("id")

    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == f"{chart_id}-title {chart_id}-desc"
    assert child(root, "title").get("id") == f"{chart_id}-title"
    assert root.findtext(f"{SVG}desc") == "Labels by level"
    assert re.fullmatch(r"0 0 \d+(\.\d+)? \d+(\.\d+)?", root.attrib["viewBox"])
    assert "url(" not in str(chart.svg)
    assert "@font-face" not in str(chart.svg)


def test_two_charts_have_distinct_ids() -> None:
    first = bar_chart(title="a", categories=["x"], series=[Series("n", [1])])
    second = bar_chart(title="a", categories=["x"], series=[Series("n", [1])])

    assert parse(first).get("id") != parse(second).get("id")


def test_bar_heights_are_proportional_to_values() -> None:
    chart = bar_chart(title="t", categories=["a", "b", "c"], series=[Series("n", [10, 20, 40])])

    heights = bar_heights(parse(chart))

    assert heights[1] == 2 * heights[0]
    assert heights[2] == 4 * heights[0]


def test_stacked_bars_stack_on_one_another() -> None:
    chart = bar_chart(title="t", categories=["a"], series=[Series("Bronze", [30]), Series("Gold", [10])], stacked=True)

    rects = [r for r in parse(chart).iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]

    bronze, gold = rects
    assert bronze.get("x") == gold.get("x")
    assert float(gold.attrib["y"]) + float(gold.attrib["height"]) == float(bronze.attrib["y"])
    assert float(bronze.attrib["height"]) == 3 * float(gold.attrib["height"])


def test_bar_chart_none_draws_no_bar_and_reads_as_dash() -> None:
    chart = bar_chart(title="t", categories=["a", "b"], series=[Series("n", [5, None])])

    assert len(bar_heights(parse(chart))) == 1
    assert chart.rows == [["a", "5"], ["b", "\u2013"]]


def test_bar_chart_highlight_is_emphasised() -> None:
    chart = bar_chart(title="t", categories=["DE", "RS"], series=[Series("n", [5, 1])], highlight="RS")

    root = parse(chart)
    bold = [t.text for t in root.iter(f"{SVG}text") if t.get("font-weight") == "bold"]
    outlined = [r.findtext(f"{SVG}title") for r in root.iter(f"{SVG}rect") if r.get("stroke-width") == "2"]

    assert "RS" in bold
    assert outlined == ["RS: 1"]


def test_table_uses_the_value_format_and_category_name() -> None:
    chart = bar_chart(
        title="t",
        categories=["2014", "2015"],
        series=[Series("Serbia", [0, 12.5]), Series("All", [1234.0, 50])],
        value_format="{:,.1f} %",
        category_name="Year",
    )

    assert chart.headers == ["Year", "Serbia", "All"]
    assert chart.rows == [["2014", "0.0 %", "1,234.0 %"], ["2015", "12.5 %", "50.0 %"]]


def test_line_chart_leaves_a_gap_for_none() -> None:
    chart = line_chart(
        title="t", categories=["2012", "2013", "2014", "2015", "2016"], series=[Series("RS", [1, 2, None, 4, 5])]
    )

    root = parse(chart)
    polylines = list(root.iter(f"{SVG}polyline"))
    points = [t.text for t in root.iter(f"{SVG}title") if (t.text or "").startswith("20")]

    assert len(polylines) == 2
    assert [len(p.attrib["points"].split()) for p in polylines] == [2, 2]
    assert points == ["2012, RS: 1", "2013, RS: 2", "2015, RS: 4", "2016, RS: 5"]
    assert chart.rows[2] == ["2014", "\u2013"]


def test_line_chart_scale_starts_at_zero_and_covers_the_maximum() -> None:
    chart = line_chart(title="t", categories=["a", "b"], series=[Series("n", [40, 87])], value_format="{:.0f} %")

    ticks = [t.text or "" for t in parse(chart).iter(f"{SVG}text") if t.get("text-anchor") == "end"]

    assert ticks[0] == "0 %"
    assert float(ticks[-1].rstrip(" %")) >= 87


def test_box_plot_rows_markers_and_text_only_rows() -> None:
    chart = box_plot(
        title=HOSTILE,
        boxes=[
            Box(label="Members", minimum=10, q1=20, median=30, q3=40, maximum=50, marker=45),
            Box(label=HOSTILE, minimum=None, q1=None, median=None, q3=None, maximum=None, note="peer group too small"),
        ],
        marker_name="Your organisation",
    )

    root = parse(chart)
    texts = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]

    assert "peer group too small" in texts
    assert chart.headers[6] == "Your organisation"
    assert chart.rows == [
        ["Members", "10.0", "20.0", "30.0", "40.0", "50.0", "45.0", ""],
        [HOSTILE, "\u2013", "\u2013", "\u2013", "\u2013", "\u2013", "\u2013", "peer group too small"],
    ]


def test_box_plot_marker_sits_on_the_shared_scale() -> None:
    chart = box_plot(title="t", boxes=[Box("a", 0, 25, 50, 75, 100, marker=50)], scale=(0, 100))

    root = parse(chart)
    median = next(line for line in root.iter(f"{SVG}line") if line.get("stroke-width") == "2.5")
    diamond = next(p for p in root.iter(f"{SVG}polygon") if p.find(f"{SVG}title") is not None)
    top_point = diamond.attrib["points"].split()[0]

    assert top_point.split(",")[0] == median.get("x1")


def test_box_plot_without_ends_draws_no_whiskers_and_lists_no_ends() -> None:
    """Rows withheld for privacy: a median alone, or quartiles and a median, and never a range."""
    chart = box_plot(
        title="t",
        boxes=[Box("median only", None, None, 30, None, None), Box("box", None, 20, 30, 40, None, marker=45)],
        scale=(0, 50),
    )

    root = parse(chart)
    inside = [line for line in root.iter(f"{SVG}line") if line.get("stroke") != MUTED]  # the axis aside
    boxes = [rect for rect in root.iter(f"{SVG}rect") if rect.get("height") == "22"]

    assert chart.headers == ["Item", "Lower quartile", "Median", "Upper quartile", "Value", "Note"]
    assert chart.rows == [
        ["median only", "\u2013", "30.0", "\u2013", "\u2013", ""],
        ["box", "20.0", "30.0", "40.0", "45.0", ""],
    ]
    assert [line.get("stroke-width") for line in inside] == ["2.5", "2.5"]  # two medians, no whisker
    assert len(boxes) == 1
    assert "minimum" not in str(chart.svg) and "maximum" not in str(chart.svg)


def test_chart_tag_renders_figure_with_data_table() -> None:
    chart = bar_chart(title=HOSTILE, categories=["RS"], series=[Series("Labels", [5])], category_name="Country")

    html = Template("{% load charts %}{% chart c %}").render(Context({"c": chart}))

    assert html.count("<figure") == 1
    assert "<summary>Data table</summary>" in html
    assert '<th scope="col">Country</th><th scope="col">Labels</th>' in html
    assert '<th scope="row">RS</th><td>5</td>' in html
    assert "<script>" not in html


def test_chart_without_any_figure_says_so_but_zeros_are_figures() -> None:
    empty = bar_chart(title="t", categories=["a"], series=[Series("n", [None])])
    zero = bar_chart(title="t", categories=["a"], series=[Series("n", [0])])

    assert "No figures yet" in str(empty.svg)
    assert "No figures yet" not in str(zero.svg)


def test_heatmap_cells_notes_and_table() -> None:
    chart = heatmap(
        title="Renewal",
        rows=["Serbia", "Germany"],
        columns=["2014", "2015"],
        values=[[0, 0], [100, None]],
        value_format="{:.0f} %",
        row_name="Country",
        row_notes=["0 of 5", "1 of 1"],
        notes_name="All years",
        highlight="Serbia",
    )

    root = parse(chart)
    cells = [t.text for t in root.iter(f"{SVG}title") if "," in (t.text or "")]

    assert cells == ["Serbia, 2014: 0 %", "Serbia, 2015: 0 %", "Germany, 2014: 100 %"]
    assert chart.headers == ["Country", "2014", "2015", "All years"]
    assert chart.rows == [["Serbia", "0 %", "0 %", "0 of 5"], ["Germany", "100 %", "\u2013", "1 of 1"]]

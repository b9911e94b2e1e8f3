"""Each insight table as a bar chart: SVG drawn on the server by pygal, with no script.

The chart is a picture of the table beside it, which is its accessible equivalent: the SVG is
role="img" with a title and a description that say so, and its own marks are not read out.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from markupsafe import Markup

from helpline.insight.tables import Table

SVG = "{http://www.w3.org/2000/svg}"
# Most bars a chart draws: the table beside it has every row.
MAX_BARS = 12
# GOV.UK colours: text on white well past 4.5:1, bars told apart without colour alone (legend).
_STYLE = dict(
    background="#ffffff", plot_background="#ffffff", foreground="#0b0c0c",
    foreground_strong="#0b0c0c", foreground_subtle="#505a5f", opacity="1", opacity_hover="1",
    colors=("#1d70b8", "#003078", "#f47738", "#00703c"), value_colors=("#ffffff",),
    font_family="arial, sans-serif", label_font_size=16, major_label_font_size=16,
    legend_font_size=16, value_font_size=16, title_font_size=16, no_data_font_size=20,
)


def chart_svg(table: Table, nonce: str = "") -> Markup:
    """The table's charted columns as an accessible horizontal bar chart (inline SVG)."""
    # Imported here: only this page draws charts, and the processes answering Twilio's
    # webhooks needn't load a charting library to do it.
    import pygal
    from pygal.style import Style

    label, *series = table.chart
    label_at = table.columns.index(label)
    rows = [r for r in table.rows if any(_number(r[table.columns.index(s)]) for s in series)]
    rows = rows[:MAX_BARS]
    chart = pygal.HorizontalBar(
        style=Style(**_STYLE), js=[], disable_xml_declaration=True, show_legend=len(series) > 1,
        legend_at_bottom=True, print_values=True, tooltip_border_radius=0, width=640,
        height=max(160, 90 + 36 * max(1, len(rows)) * max(1, len(series))),
        show_y_guides=False, truncate_label=40, no_data_text="Nothing in this period",
        margin=8, spacing=8,
    )
    chart.x_labels = [str(r[label_at]) for r in rows]
    # Whole numbers on the count axis: there is no half a text.
    top = max((_number(r[table.columns.index(s)]) for r in rows for s in series), default=0)
    step = max(1, -(-top // 5))
    chart.y_labels = list(range(0, top + step, step))
    for name in series:
        at = table.columns.index(name)
        chart.add(name, [_number(r[at]) for r in rows])
    return Markup(_accessible(chart.render_tree(), table, nonce))


def _number(cell: object) -> int:
    return cell if isinstance(cell, int) else 0


def _accessible(root: ET.Element, table: Table, nonce: str) -> str:
    """role="img", a title and a description; no script, no inline style; the nonce the page's
    Content-Security-Policy allows the chart's own stylesheet with."""
    tags = {f"{SVG}{name}": name for name in ("script", "style", "title", "desc")}
    tags.update({name: name for name in tags.values()})
    for parent in list(root.iter()):
        for child in list(parent):
            kind = tags.get(child.tag)
            # Scripts, pygal's tooltips and its per-bar titles serve only its script, which
            # is never sent; the table says what they would.
            if kind in ("script", "title", "desc") or "tooltip" in child.get("class", "").split():
                parent.remove(child)
        parent.attrib.pop("style", None)
        if tags.get(parent.tag) == "style" and nonce:
            parent.set("nonce", nonce)
    chart_id = f"chart-{table.key}"
    old_id = root.get("id", "")
    root.set("id", chart_id)
    root.attrib.pop("xmlns", None)  # ElementTree writes the namespace itself
    for style in root.iter():
        if tags.get(style.tag) == "style" and old_id:
            # pygal scopes its rules to a random id: give them the chart's own, stable one.
            style.text = (style.text or "").replace(f"#{old_id}", f"#{chart_id}")
    title = ET.Element(f"{SVG}title", id=f"{chart_id}-title")
    title.text = table.title
    desc = ET.Element(f"{SVG}desc", id=f"{chart_id}-desc")
    desc.text = f"Bar chart of {', '.join(table.chart[1:]).lower()} by {table.chart[0].lower()}."\
                " The same figures are in the table beside it."
    root.insert(0, desc)
    root.insert(0, title)
    root.set("role", "img")
    root.set("aria-labelledby", f"{chart_id}-title {chart_id}-desc")
    root.set("focusable", "false")
    root.set("class", "insight-chart")
    ET.register_namespace("", SVG[1:-1])
    ET.register_namespace("xlink", "http://www.w3.org/1999/xlink")
    return ET.tostring(root, encoding="unicode", method="xml")

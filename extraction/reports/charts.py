"""Charts as Vega-Lite specifications: the evidence gap map (two fields crossed, a bubble per
cell sized by its studies, coloured by a third field, empty cells drawn as gaps) and studies
over time (a bar per year, stacked by a field). The page embeds the same specification with
vega-embed; ``to_svg`` and ``to_png`` write it offline with vl-convert, and ``standalone_html``
makes a file that opens with no network (the Vega libraries inlined, every text escaped).

Each mark carries the ids of its studies and a link (``href``): on the page, to the list of
those studies; in the standalone file, to the list written inside the file.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from extraction.reports.typology import CrossTab

VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"  # a name only: nothing is fetched
EMPTY = "#e8e8e8"
Link = Callable[..., str]  # (study ids, what they are: "DBT × UK") -> the address of their list


def _ids(study_ids: Sequence[int]) -> str:
    return ",".join(str(study) for study in study_ids)


def _names(study_ids: Sequence[int], citations: Mapping[int, str], limit: int = 8) -> str:
    names = [citations.get(study, f"study {study}") for study in study_ids[:limit]]
    more = len(study_ids) - limit
    return "; ".join(names) + (f"; and {more} more" if more > 0 else "")


def _about(row: str, column: str, colour: str | None, labels: Mapping[str, str]) -> str:
    return f"{row} × {column}" + (f" ({labels.get(colour, 'Not coded')})" if colour is not None else "")


def gap_map_cells(table: CrossTab, citations: Mapping[int, str], link: Link) -> list[dict[str, Any]]:
    """One datum per cell and colour (one per cell without a colour field), empty cells included
    with n 0: what the gap map draws, and what a test compares with the cross-tab."""
    data = []
    for row_index, (row, row_label) in enumerate(table.rows):
        for column_index, (column, column_label) in enumerate(table.columns):
            cell = table.cell(row, column)
            shades = cell.colours if table.colours else ((None, cell.study_ids),)
            colour_labels = dict(table.colours)
            if not cell.study_ids:
                shades = ((None, ()),)
            for colour, study_ids in shades:
                data.append({"row": row_label, "column": column_label, "row_key": row, "column_key": column,
                             "row_order": row_index, "column_order": column_index,
                             "colour": colour_labels.get(colour, "") if colour is not None else "",
                             "n": len(study_ids), "cell_n": cell.n, "ids": _ids(study_ids),
                             "studies": _names(study_ids, citations),
                             "href": link(study_ids, _about(row_label, column_label, colour, colour_labels))
                             if study_ids else ""})
    return data


def gap_map_spec(table: CrossTab, citations: Mapping[int, str], link: Link, *, title: str = "") -> dict[str, Any]:
    data = gap_map_cells(table, citations, link)
    rows, columns = [label for _, label in table.rows], [label for _, label in table.columns]
    x = {"field": "column", "type": "nominal", "sort": columns, "title": table.column_label,
         "axis": {"orient": "top", "labelAngle": -30, "labelLimit": 180}}
    y = {"field": "row", "type": "nominal", "sort": rows, "title": table.row_label, "axis": {"labelLimit": 220}}
    tooltip = [{"field": "row", "title": table.row_label or "Row"},
               {"field": "column", "title": table.column_label or "Column"},
               {"field": "n", "title": "Studies"}, {"field": "studies", "title": "Which"}]
    if table.colours:
        tooltip.insert(2, {"field": "colour", "title": table.colour_label})
    largest = max((datum["n"] for datum in data), default=1) or 1
    band = 90 if not table.colours else 36 * max(2, len(table.colours))
    radius = min(band / max(1, len(table.colours)), 48) / 2 - 3
    bubble: dict[str, Any] = {
        "mark": {"type": "circle", "opacity": 0.85, "stroke": "#333", "strokeWidth": 0.5, "cursor": "pointer"},
        "transform": [{"filter": "datum.n > 0"}],
        "encoding": {"x": x, "y": y, "size": {"field": "n", "type": "quantitative", "title": "Studies",
                                             # area in proportion to the studies: the largest fills its place
                                             "scale": {"domain": [0, largest], "range": [0, 3.14 * radius * radius]},
                                             "legend": {"orient": "bottom", "format": "d",
                                                        "values": sorted({d["n"] for d in data if d["n"]})}},
                     "href": {"field": "href"}, "tooltip": tooltip},
    }
    if table.colours:
        colour_names = [label for _, label in table.colours]
        bubble["encoding"]["color"] = {"field": "colour", "type": "nominal", "sort": colour_names,
                                       "title": table.colour_label, "legend": {"orient": "bottom"}}
        bubble["encoding"]["xOffset"] = {"field": "colour", "type": "nominal", "sort": colour_names,
                                         "scale": {"domain": colour_names}}
    else:
        bubble["encoding"]["color"] = {"value": "#2b6cb0"}
    numbers = {"mark": {"type": "text", "fontSize": 11, "fontWeight": "bold", "color": "#111111"},
               "transform": [{"filter": "datum.n > 0"}],
               "encoding": {"x": x, "y": y, "text": {"field": "n"}, "href": {"field": "href"}, "tooltip": tooltip,
                            **({"xOffset": bubble["encoding"]["xOffset"]} if table.colours else {})}}
    # the cells as tiles under the bubbles, grey where no study is (a gap); with a colour field
    # one tile per colour, so they fill the cell exactly as the bubbles share it
    colour_names = [label for _, label in table.colours] or [""]
    tiles = [{"row": row_label, "column": column_label, "colour": colour_name, "cell_n": table.cell(row, column).n}
             for row, row_label in table.rows for column, column_label in table.columns for colour_name in colour_names]
    grid = {"grid": True, "bandPosition": 0, "gridColor": "#d0d0d0", "ticks": False, "domain": False}
    gaps = {"data": {"values": tiles}, "mark": {"type": "rect"},
            "encoding": {"x": {**x, "scale": {"paddingInner": 0, "paddingOuter": 0}, "axis": {**x["axis"], **grid}},
                         "y": {**y, "scale": {"paddingInner": 0, "paddingOuter": 0}, "axis": {**y["axis"], **grid}},
                         "color": {"condition": {"test": "datum.cell_n == 0", "value": "#eeeeee"}, "value": "#ffffff"},
                         "tooltip": [tooltip[0], tooltip[1], {"field": "cell_n", "title": "Studies"}]}}
    if table.colours:
        gaps["encoding"]["xOffset"] = {"field": "colour", "type": "nominal", "sort": colour_names,
                                       "scale": {"domain": colour_names, "paddingInner": 0, "paddingOuter": 0}}
        bubble["encoding"]["xOffset"] = gaps["encoding"]["xOffset"]
        numbers["encoding"]["xOffset"] = gaps["encoding"]["xOffset"]
    return {
        "$schema": VEGA_LITE_SCHEMA, "title": title or None, "data": {"values": data},
        # a fixed size, not a step: the bubbles of a cell share its place by colour (xOffset)
        "width": band * max(1, len(columns)), "height": 48 * max(1, len(rows)),
        "layer": [gaps, bubble, numbers],
        "resolve": {"scale": {"color": "independent"}},
        "config": {"font": "DejaVu Sans", "view": {"stroke": "#d0d0d0"}},
    }


def timeline_spec(table: CrossTab, citations: Mapping[int, str], link: Link, *, title: str = "") -> dict[str, Any]:
    """Studies per year (the rows of ``table``), stacked by its columns (a design)."""
    data = []
    stacked = bool(table.columns)
    for year, _ in table.rows:
        shades = [(label, table.cell(year, key).study_ids) for key, label in table.columns] if stacked else []
        for label, study_ids in shades:
            if study_ids:
                data.append({"year": year, "design": label, "n": len(study_ids), "ids": _ids(study_ids),
                             "studies": _names(study_ids, citations),
                             "href": link(study_ids, f"{year}, {label}" if label != "Studies" else year)})
    heights: dict[str, int] = {}
    for datum in data:
        heights[datum["year"]] = heights.get(datum["year"], 0) + datum["n"]
    tallest = max(heights.values(), default=1)
    encoding: dict[str, Any] = {
        "x": {"field": "year", "type": "ordinal", "sort": [year for year, _ in table.rows], "title": "Year",
              "scale": {"domain": [year for year, _ in table.rows]}},
        "y": {"field": "n", "type": "quantitative", "aggregate": "sum", "title": "Studies",
              "axis": {"values": list(range(0, tallest + 1, max(1, tallest // 8))), "format": "d"}},
        "href": {"field": "href"},
        "tooltip": [{"field": "year", "title": "Year"}, {"field": "design", "title": table.column_label},
                    {"field": "n", "title": "Studies"}, {"field": "studies", "title": "Which"}],
    }
    encoding["color"] = {"field": "design", "type": "nominal", "title": table.column_label,
                         "sort": [label for _, label in table.columns], "legend": {"orient": "bottom"}}
    return {"$schema": VEGA_LITE_SCHEMA, "title": title or None, "data": {"values": data},
            "width": {"step": 22}, "height": 220, "mark": {"type": "bar", "cursor": "pointer"},
            "encoding": encoding, "config": {"font": "DejaVu Sans"}}


def recall_curve_spec(points: Sequence[tuple[int, int]], total: int) -> dict[str, Any]:
    """The Statistics page's recall curve: relevant records found against records screened, a
    step at each relevant one. Only the steps are kept (and the last point), so a review of
    100,000 screened records draws as many points as it has relevant ones."""
    steps, found = [{"screened": 0, "found": 0}], 0
    for screened, now_found in points:
        if now_found != found:
            steps.append({"screened": screened, "found": now_found})
            found = now_found
    if points and steps[-1]["screened"] != points[-1][0]:
        steps.append({"screened": points[-1][0], "found": found})
    return {"$schema": VEGA_LITE_SCHEMA, "data": {"values": steps}, "width": 560, "height": 220,
            "mark": {"type": "line", "interpolate": "step-after", "strokeWidth": 2.5, "point": False},
            "encoding": {
                "x": {"field": "screened", "type": "quantitative", "title": "records screened",
                      "scale": {"domain": [0, max(total, 1)]}},
                "y": {"field": "found", "type": "quantitative", "title": "relevant found",
                      "axis": {"tickMinStep": 1}},
                "tooltip": [{"field": "screened", "title": "Records screened"},
                            {"field": "found", "title": "Relevant found"}]},
            "config": {"font": "DejaVu Sans"}}


def _clean(spec: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in spec.items() if value is not None}


def spec_json(spec: dict[str, Any]) -> str:
    """The specification as JSON safe inside an HTML ``<script type="application/json">``:
    "<", ">" and "&" escaped, so no text can end the block."""
    text = json.dumps(_clean(spec), ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def to_svg(spec: dict[str, Any]) -> str:
    import vl_convert

    return vl_convert.vegalite_to_svg(_clean(spec), vl_version="6.4")


def to_png(spec: dict[str, Any], scale: float = 2) -> bytes:
    import vl_convert

    return vl_convert.vegalite_to_png(_clean(spec), vl_version="6.4", scale=scale)


_SCRIPT_END = re.compile(r"</(script)", re.IGNORECASE)

STANDALONE_CSS = """
body { font-family: "DejaVu Sans", Arial, sans-serif; margin: 2rem; color: #222; }
.cell-studies { display: none; border: 1px solid #ccc; padding: .5rem 1rem; margin: .5rem 0; }
.cell-studies:target { display: block; background: #fffbe6; }
table { border-collapse: collapse; } td, th { border: 1px solid #ccc; padding: .2rem .5rem; text-align: left; }
.gap { background: #f6f6f6; color: #888; }
"""

STANDALONE_EMBED = """
document.querySelectorAll('script[type="application/json"][data-chart]').forEach(function (block) {
  var target = document.getElementById(block.dataset.chart);
  vegaEmbed(target, JSON.parse(block.textContent), {actions: false, ast: true});
});
"""


def standalone_html(title: str, table: CrossTab, citations: Mapping[int, str], libraries: Sequence[str]) -> str:
    """The gap map as one HTML file that needs no network: the Vega libraries inlined, the
    specification as a JSON data block, and under it the studies of each cell, which a click on
    the cell opens (a link to the cell's list in the same file). Every label is escaped."""
    cell_anchor: dict[str, str] = {}

    def link(study_ids: Sequence[int], about: str = "") -> str:
        return "#" + cell_anchor.setdefault(_ids(study_ids), f"cell-{len(cell_anchor) + 1}")

    spec = gap_map_spec(table, citations, link, title=title)
    lists = []
    for datum in spec["data"]["values"]:
        if not datum["ids"]:
            continue
        anchor = cell_anchor[datum["ids"]]
        if any(f'id="{anchor}"' in item for item in lists):
            continue
        names = "".join(f"<li>{html.escape(citations.get(int(study), 'study ' + study))}</li>"
                        for study in datum["ids"].split(","))
        where = " × ".join(html.escape(part) for part in (datum["row"], datum["column"]))
        colour = f" ({html.escape(datum['colour'])})" if datum["colour"] else ""
        lists.append(f'<section class="cell-studies" id="{anchor}"><h2>{where}{colour}: {datum["n"]} '
                     f'{"study" if datum["n"] == 1 else "studies"}</h2><ul>{names}</ul></section>')
    inlined = [_SCRIPT_END.sub(r"<\\/\1", library) for library in libraries]  # no text may end the block
    scripts = "".join(f"<script>{library}</script>\n" for library in inlined)
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f"<style>{STANDALONE_CSS}</style>\n{scripts}</head><body><h1>{html.escape(title)}</h1>"
            f"<p>Bubble size: number of studies. Empty cells are gaps. Click a bubble to list its studies.</p>"
            f'<div id="gap-map"></div><script type="application/json" data-chart="gap-map">{spec_json(spec)}</script>'
            f"{cross_tab_html(table)}{''.join(lists)}<script>{STANDALONE_EMBED}</script></body></html>\n")


def cross_tab_html(table: CrossTab) -> str:
    """The cross-tab as a plain HTML table (Word takes it as a table), gaps marked."""
    head = "".join(f'<th scope="col">{html.escape(label)}</th>' for _, label in table.columns)
    body = []
    for row, row_label in table.rows:
        cells = "".join(
            '<td class="gap">0</td>' if not table.cell(row, column).n else f"<td>{table.cell(row, column).n}</td>"
            for column, _ in table.columns)
        body.append(f'<tr><th scope="row">{html.escape(row_label)}</th>{cells}</tr>')
    corner = html.escape(f"{table.row_label} × {table.column_label}")
    return f"<table><thead><tr><th>{corner}</th>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"

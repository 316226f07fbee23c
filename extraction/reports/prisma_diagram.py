"""The PRISMA 2020 flow diagram drawn from the counts: SVG laid out like the statement's
template for new reviews (Page et al. 2021, BMJ 372:n71) — identification, screening and
included bands; databases and registers on the left, other methods on the right when the
review has any — and PNG and PDF made from that same SVG by CairoSVG, so the three never
differ. Every name printed (a database, a reason, the review's title) is XML-escaped: they
are typed by people and may hold anything, ``<script>`` included."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from extraction.reports.prisma import Box, PrismaCounts

FONT = "DejaVu Sans, Arial, Helvetica, sans-serif"
SIZE = 13  # px
LINE = 17
CHAR = 0.56 * SIZE  # a generous average glyph width, so wrapped lines fit their boxes
PAD = 10
GAP_Y = 34
BAND_X, BAND_W = 10, 34
MAIN_X, MAIN_W = 60, 300
SIDE_X, SIDE_W = 400, 290
OTHER_X, OTHER_W = 740, 260
OTHER_SIDE_X, OTHER_SIDE_W = 1040, 260
UNITS_NOTE = ("Records: titles or abstracts of reports found in a database, register or by other methods. "
              "Reports: documents (articles, preprints, register entries, theses) about a study. "
              "Studies: the investigations, each with one or more reports.")
Link = Callable[[str], str | None]


@dataclass(frozen=True)
class Line:
    text: str
    key: str | None = None  # the box this line counts, linked when the diagram has links
    indent: int = 0
    bold: bool = False


def n(value: int) -> str:
    return f"(n\u00a0=\u00a0{value:,})"  # no-break spaces: a count is never split across lines


def _wrap(text: str, width: float, indent: int) -> list[str]:
    room = max(8, int((width - 2 * PAD - indent * 14) / CHAR))
    words, lines, current = [word for word in text.split(" ") if word], [], ""  # not at no-break spaces
    for word in words:
        while len(word) > room:  # a single long word is cut rather than overflow
            if current:
                lines.append(current)
                current = ""
            lines.append(word[:room])
            word = word[room:]
        candidate = f"{current} {word}".strip()
        if len(candidate) > room and current:
            lines.append(current)
            current = word
        else:
            current = candidate
    lines.append(current)
    return lines


def _parts(box: Box, indent: int = 1) -> list[Line]:
    return [Line(f"{part.name} {n(part.n)}", box.key, indent) for part in box.parts]


def _boxes(counts: PrismaCounts) -> dict[str, list[Line]]:
    b = counts.boxes
    identified = [Line("Records identified from:", bold=True),
                  Line(f"Databases {n(b['database_results'].n)}", "database_results", 1),
                  *_parts(b["database_specific_results"], 2),
                  Line(f"Registers {n(b['register_results'].n)}", "register_results", 1),
                  *_parts(b["register_specific_results"], 2)]
    removed = [Line("Records removed before screening:", bold=True),
               Line(f"Duplicate records removed {n(b['duplicates'].n)}", "duplicates", 1),
               Line(f"automatically {n(b['duplicates_automatic'].n)}, by a person {n(b['duplicates_manual'].n)}",
                    None, 2),
               Line(f"Records marked as ineligible by automation tools {n(b['excluded_automatic'].n)}",
                    "excluded_automatic", 1),
               Line(f"Records removed for other reasons {n(b['excluded_other'].n)}", "excluded_other", 1),
               *_parts(b["excluded_other"], 2)]
    boxes = {
        "identified": identified, "removed": removed,
        "screened": [Line(f"Records screened {n(b['records_screened'].n)}", "records_screened")],
        "excluded": [Line(f"Records excluded {n(b['records_excluded'].n)}", "records_excluded")],
        "sought": [Line(f"Reports sought for retrieval {n(b['dbr_sought_reports'].n)}", "dbr_sought_reports")],
        "not_retrieved": [Line(f"Reports not retrieved {n(b['dbr_notretrieved_reports'].n)}",
                               "dbr_notretrieved_reports"), *_parts(b["dbr_notretrieved_reports"])],
        "assessed": [Line(f"Reports assessed for eligibility {n(b['dbr_assessed'].n)}", "dbr_assessed")],
        "reports_excluded": [Line(f"Reports excluded {n(b['dbr_excluded'].n)}:" if b["dbr_excluded"].parts
                                  else f"Reports excluded {n(b['dbr_excluded'].n)}", "dbr_excluded"),
                             *_parts(b["dbr_excluded"])],
        "included": [Line(f"Studies included in review {n(b['total_studies'].n)}", "total_studies", bold=True),
                     Line(f"Reports of included studies {n(b['total_reports'].n)}", "total_reports", bold=True)],
    }
    if b["previous_studies"].n or counts.previous_until is not None:
        boxes["included"] = [
            Line(f"Studies included in previous version of review {n(b['previous_studies'].n)}", "previous_studies"),
            Line(f"Reports of studies included in previous version of review {n(b['previous_reports'].n)}",
                 "previous_reports"),
            Line(f"New studies included in review {n(b['new_studies'].n)}", "new_studies"),
            Line(f"Reports of new included studies {n(b['new_reports'].n)}", "new_reports"),
            Line(f"Total studies included in review {n(b['total_studies'].n)}", "total_studies", bold=True),
            Line(f"Reports of total included studies {n(b['total_reports'].n)}", "total_reports", bold=True)]
    if counts.other_methods:
        boxes |= {
            "other_identified": [Line("Records identified from:", bold=True),
                                 Line(f"Websites {n(b['website_results'].n)}", "website_results", 1),
                                 *_parts(b["website_specific_results"], 2),
                                 Line(f"Organisations {n(b['organisation_results'].n)}", "organisation_results", 1),
                                 *_parts(b["organisation_specific_results"], 2),
                                 Line(f"Citation searching {n(b['citations_results'].n)}", "citations_results", 1),
                                 *_parts(b["citations_specific_results"], 2)],
            "other_sought": [Line(f"Reports sought for retrieval {n(b['other_sought_reports'].n)}",
                                  "other_sought_reports")],
            "other_not_retrieved": [Line(f"Reports not retrieved {n(b['other_notretrieved_reports'].n)}",
                                         "other_notretrieved_reports"), *_parts(b["other_notretrieved_reports"])],
            "other_assessed": [Line(f"Reports assessed for eligibility {n(b['other_assessed'].n)}", "other_assessed")],
            "other_reports_excluded": [
                Line(f"Reports excluded {n(b['other_excluded'].n)}:" if b["other_excluded"].parts
                     else f"Reports excluded {n(b['other_excluded'].n)}", "other_excluded"),
                *_parts(b["other_excluded"])],
        }
    return boxes


class _Canvas:
    def __init__(self, link: Link | None):
        self.parts: list[str] = []
        self.link = link

    def box(self, name: str, x: float, y: float, width: float, lines: list[Line], height: float,
            fill: str = "#ffffff") -> None:
        first_key = next((line.key for line in lines if line.key), None)
        self.parts.append(f'<g class="prisma-box" data-box={quoteattr(name)}'
                          + (f" data-key={quoteattr(first_key)}" if first_key else "") + ">")
        self.parts.append(f'<rect x="{x}" y="{y}" width="{width}" height="{height}" rx="3" fill="{fill}" '
                          'stroke="#000000" stroke-width="1.2"/>')
        ty = y + PAD + SIZE
        for line in lines:
            href = self.link(line.key) if self.link and line.key else None
            wrapped = _wrap(line.text, width, line.indent)
            if href:
                self.parts.append(f'<a href={quoteattr(href)} data-key={quoteattr(line.key)}>')
                # A clear area under the line's text, so the whole line takes the click.
                self.parts.append(f'<rect x="{x + 2}" y="{ty - SIZE}" width="{width - 4}" '
                                  f'height="{LINE * len(wrapped)}" fill="#ffffff" fill-opacity="0"/>')
            for text in wrapped:
                weight = ' font-weight="bold"' if line.bold else ""
                self.parts.append(f'<text x="{x + PAD + line.indent * 14}" y="{ty}"{weight}>{escape(text)}</text>')
                ty += LINE
            if href:
                self.parts.append("</a>")
        self.parts.append("</g>")

    def arrow(self, *points: tuple[float, float]) -> None:
        path = " ".join(f"{x},{y}" for x, y in points)
        self.parts.append(f'<polyline points="{path}" fill="none" stroke="#000000" stroke-width="1.4" '
                          'marker-end="url(#arrow)"/>')

    def band(self, label: str, y: float, height: float) -> None:
        cx, cy = BAND_X + BAND_W / 2, y + height / 2
        self.parts.append(f'<rect x="{BAND_X}" y="{y}" width="{BAND_W}" height="{height}" rx="6" fill="#a7c7e7" '
                          'stroke="#6f9bc9"/>')
        self.parts.append(f'<text x="{cx}" y="{cy}" transform="rotate(-90 {cx} {cy})" text-anchor="middle" '
                          f'dominant-baseline="middle" font-weight="bold">{escape(label)}</text>')

    def header(self, label: str, x: float, y: float, width: float, fill: str) -> None:
        self.parts.append(f'<rect x="{x}" y="{y}" width="{width}" height="40" rx="6" fill="{fill}" stroke="#9a8a4a"/>')
        self.parts.append(f'<text x="{x + width / 2}" y="{y + 25}" text-anchor="middle" '
                          f'font-weight="bold">{escape(label)}</text>')


def _height(lines: list[Line], width: float) -> float:
    return 2 * PAD + LINE * sum(len(_wrap(line.text, width, line.indent)) for line in lines) - (LINE - SIZE) + 4


def render_svg(counts: PrismaCounts, *, title: str = "", link: Link | None = None, as_of_text: str = "") -> str:
    """The diagram as a standalone SVG document. ``link(key)`` gives a box's URL (the page's
    inline diagram links each count to its records); files are drawn without links."""
    boxes = _boxes(counts)
    other = counts.other_methods
    width = (OTHER_SIDE_X + OTHER_SIDE_W if other else SIDE_X + SIDE_W) + 20
    canvas = _Canvas(link)
    y = 20
    canvas.header("Identification of new studies via databases and registers", MAIN_X, y,
                  SIDE_X + SIDE_W - MAIN_X, "#ffd966")
    if other:
        canvas.header("Identification of new studies via other methods", OTHER_X, y,
                      OTHER_SIDE_X + OTHER_SIDE_W - OTHER_X, "#d9d9d9")
    y += 40 + 20

    def row(pairs: list[tuple[str, float, float]]) -> float:
        present = [(name, x, w) for name, x, w in pairs if name in boxes]
        return max(64, *(_height(boxes[name], w) for name, _, w in present))  # room for a band's word

    layout: dict[str, tuple[float, float, float, float]] = {}  # name -> x, y, width, height
    rows = [
        [("identified", MAIN_X, MAIN_W), ("removed", SIDE_X, SIDE_W), ("other_identified", OTHER_X, OTHER_W)],
        [("screened", MAIN_X, MAIN_W), ("excluded", SIDE_X, SIDE_W)],
        [("sought", MAIN_X, MAIN_W), ("not_retrieved", SIDE_X, SIDE_W), ("other_sought", OTHER_X, OTHER_W),
         ("other_not_retrieved", OTHER_SIDE_X, OTHER_SIDE_W)],
        [("assessed", MAIN_X, MAIN_W), ("reports_excluded", SIDE_X, SIDE_W), ("other_assessed", OTHER_X, OTHER_W),
         ("other_reports_excluded", OTHER_SIDE_X, OTHER_SIDE_W)],
        [("included", MAIN_X, MAIN_W)],
    ]
    band_edges = []
    for pairs in rows:
        height = row(pairs)
        for name, x, w in pairs:
            if name in boxes:
                layout[name] = (x, y, w, height)
        band_edges.append((y, height))
        y += height + GAP_Y
    bottom = y - GAP_Y

    identification, screening_rows, included = band_edges[0], band_edges[1:4], band_edges[4]
    canvas.band("Identification", identification[0], identification[1])
    canvas.band("Screening", screening_rows[0][0], screening_rows[-1][0] + screening_rows[-1][1] - screening_rows[0][0])
    canvas.band("Included", included[0], included[1])
    for name, (x, by, w, h) in layout.items():
        canvas.box(name, x, by, w, boxes[name], h)

    def centre_bottom(name):
        x, by, w, h = layout[name]
        return x + w / 2, by + h

    def centre_top(name):
        x, by, w, h = layout[name]
        return x + w / 2, by

    def right_mid(name):
        x, by, w, h = layout[name]
        return x + w, by + h / 2

    def left_mid(name):
        x, by, w, h = layout[name]
        return x, by + h / 2

    for upper, lower in (("identified", "screened"), ("screened", "sought"), ("sought", "assessed"),
                         ("assessed", "included")):
        canvas.arrow(centre_bottom(upper), centre_top(lower))
    for main, side in (("identified", "removed"), ("screened", "excluded"), ("sought", "not_retrieved"),
                       ("assessed", "reports_excluded")):
        canvas.arrow(right_mid(main), left_mid(side))
    if other:
        canvas.arrow(centre_bottom("other_identified"), centre_top("other_sought"))
        canvas.arrow(centre_bottom("other_sought"), centre_top("other_assessed"))
        for main, side in (("other_sought", "other_not_retrieved"), ("other_assessed", "other_reports_excluded")):
            canvas.arrow(right_mid(main), left_mid(side))
        start = centre_bottom("other_assessed")
        end = right_mid("included")
        canvas.arrow(start, (start[0], end[1]), end)

    notes = [*counts.notes, UNITS_NOTE]
    if as_of_text:
        notes.append(as_of_text)
    y = bottom + 26
    for note in notes:
        for text in _wrap(note, width - 2 * MAIN_X + 2 * PAD, 0):
            canvas.parts.append(f'<text x="{MAIN_X}" y="{y}" font-size="11">{escape(text)}</text>')
            y += 15
        y += 4
    height = y + 10
    heading = f"PRISMA 2020 flow diagram: {title}" if title else "PRISMA 2020 flow diagram"
    return "\n".join([
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family={quoteattr(FONT)} font-size="{SIZE}" role="img" '
        'class="prisma-diagram">',
        f"<title>{escape(heading)}</title>",
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" '
        'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#000000"/></marker></defs>',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
        *canvas.parts,
        "</svg>",
    ])


def svg_to_png(svg: str, scale: float = 2.0) -> bytes:
    import cairosvg  # imported here: it loads the system's Cairo library, which only exports need

    return cairosvg.svg2png(bytestring=svg.encode("utf-8"), scale=scale)


def svg_to_pdf(svg: str) -> bytes:
    import cairosvg

    return cairosvg.svg2pdf(bytestring=svg.encode("utf-8"))

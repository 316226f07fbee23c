"""EndNote XML (``<xml><records><record>``), as EndNote, Zotero and Mendeley
export it. Text may sit directly in an element or inside ``<style>``
wrappers that carry fonts; only the text matters."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree

from screening.citation import Citation
from screening.importers.errors import ImportFormatError
from screening.importers.fields import clean_pmid, parse_year, pmid_in_text, split_keywords


def parse_endnote_xml(text: str, filename: str) -> list[Citation]:
    # The text is already decoded; an encoding declaration would make the
    # parser refuse a str, so it is dropped.
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError as error:
        line, _ = error.position
        raise ImportFormatError(
            filename, line,
            f"the XML is not well formed ({error}). "
            "Check that the file is a complete EndNote XML export and was not cut short or edited.",
        ) from error
    return [_citation(record) for record in root.iter("record")]


def _text(element: ElementTree.Element) -> str:
    return " ".join("".join(element.itertext()).split())


def _leaves(element: ElementTree.Element, prefix: str = "") -> list[tuple[str, str]]:
    """``(path, text)`` for every element that holds text rather than other
    fields (a ``<style>`` child is formatting, not a field)."""
    pairs = []
    for child in element:
        path = f"{prefix}{child.tag}"
        if all(grandchild.tag == "style" for grandchild in child):
            text = _text(child)
            if text:
                pairs.append((path, text))
        else:
            pairs.extend(_leaves(child, f"{path}/"))
    return pairs


def _citation(record: ElementTree.Element) -> Citation:
    raw: dict[str, str | list[str]] = {}
    for path, text in _leaves(record):
        if path not in raw:
            raw[path] = text
        else:
            previous = raw[path]
            raw[path] = [*previous, text] if isinstance(previous, list) else [previous, text]

    def values(path: str) -> list[str]:
        value = raw.get(path, [])
        return [value] if isinstance(value, str) else value

    def first(*paths: str) -> str:
        return next((values(path)[0] for path in paths if values(path)), "")

    ref_type = record.find("ref-type")
    return Citation(
        title=first("titles/title"),
        abstract=first("abstract"),
        authors=values("contributors/authors/author"),
        year=parse_year(first("dates/year"), first("dates/pub-dates/date")),
        journal=first("periodical/full-title", "titles/secondary-title", "alt-periodical/full-title", "periodical/abbr-1"),
        volume=first("volume"),
        issue=first("number", "issue"),
        pages=first("pages"),
        doi=first("electronic-resource-num"),
        pmid=_pmid(raw, first),
        keywords=split_keywords(values("keywords/keyword")),
        url=first("urls/related-urls/url", "urls/web-urls/url"),
        type=ref_type.get("name", "") if ref_type is not None else "",
        source_id=first("rec-number"),
        raw=raw,
    )


def _pmid(raw: dict, first) -> str:
    database = f"{first('remote-database-name')} {first('remote-database-provider')}".lower()
    if any(name in database for name in ("pubmed", "medline", "nlm")):
        pmid = clean_pmid(first("accession-num"))
        if pmid:
            return pmid
    return pmid_in_text(first("notes"), first("custom2"), first("accession-num"))

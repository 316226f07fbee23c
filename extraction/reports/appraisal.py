"""Appraisal summaries from a form's consensus judgements, as robvis draws them: the traffic
light table (study by domain) and the share of each judgement per domain.

A domain is a single-choice question whose options are all judgements Winnow knows (RoB 2's
Low / Some concerns / High, CASP's Yes / Can't tell / No, ROBINS-I's Low to Critical, ...).
A question labelled only "Judgement" (as in the RoB 2 template, one per section) takes its
section's name. Pure on the form's summary: no database here."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from extraction.forms import FormDef
from extraction.models import FieldType
from extraction.reports.typology import FormSummary

# judgement label (casefolded) -> (level, order): low is good, high is bad
LEVELS = {"low": ("low", 0), "yes": ("low", 0), "some concerns": ("some", 1), "moderate": ("some", 1),
          "unclear": ("some", 1), "can't tell": ("some", 1), "can’t tell": ("some", 1), "high": ("high", 2),
          "no": ("high", 2), "serious": ("high", 2), "critical": ("critical", 3), "no information": ("none", 4)}
LEVEL_NAMES = {"low": "Low", "some": "Some concerns", "high": "High", "critical": "Critical",
               "none": "No information"}
COLOURS = {"low": "#2e8b57", "some": "#e8b923", "high": "#c0392b", "critical": "#6e1a1a", "none": "#9e9e9e"}
SYMBOLS = {"low": "+", "some": "?", "high": "−", "critical": "!", "none": "·"}


@dataclass(frozen=True)
class Domain:
    key: str  # the dimension key (the field id)
    label: str


@dataclass(frozen=True)
class Judgement:
    level: str
    label: str  # as coded: "Some concerns", "Can't tell"


@dataclass(frozen=True)
class DomainShare:
    domain: Domain
    level: str
    study_ids: tuple[int, ...]
    share: float  # of the studies judged on the domain


@dataclass
class Appraisal:
    domains: list[Domain]
    studies: list[tuple[int, str]]  # (study id, label)
    judgements: dict[tuple[int, str], Judgement]
    shares: list[DomainShare]

    def judgement(self, study_id: int, domain: str) -> Judgement | None:
        return self.judgements.get((study_id, domain))


def appraisal_domains(definition: FormDef) -> list[Domain]:
    domains = []
    for section in definition.sections:
        for item in section.fields:
            if item.field.field_type is not FieldType.single_choice or item.field.group_id is not None:
                continue
            labels = [option.label.casefold() for option in item.options if option.merged_into_id is None]
            if not labels or any(label not in LEVELS for label in labels):
                continue
            label = section.section.label if item.field.label.casefold() == "judgement" else item.field.label
            domains.append(Domain(str(item.id), label))
    return domains


def appraisal(summary: FormSummary) -> Appraisal | None:
    """The form's judgements, or None when it has no judgement question."""
    domains = appraisal_domains(summary.definition)
    if not domains:
        return None
    judgements: dict[tuple[int, str], Judgement] = {}
    for domain in domains:
        dimension = summary.dimensions[domain.key]
        labels = dict(dimension.values)
        for item in dimension.observations:
            label = labels.get(item.key, item.key)
            judgements[(item.study_id, domain.key)] = Judgement(LEVELS.get(label.casefold(), ("none", 4))[0], label)
    studies = [(view.study.id, view.study.label) for view in summary.studies]
    shares = []
    for domain in domains:
        by_level: dict[str, list[int]] = defaultdict(list)
        for study_id, _ in studies:
            found = judgements.get((study_id, domain.key))
            by_level[found.level if found else "none"].append(study_id)
        total = sum(len(ids) for ids in by_level.values())
        for level in LEVEL_NAMES:
            if by_level.get(level):
                shares.append(DomainShare(domain, level, tuple(by_level[level]), len(by_level[level]) / total))
    return Appraisal(domains, studies, judgements, shares)


def summary_spec(result: Appraisal, link) -> dict:
    """robvis's summary plot: per domain, a bar of the share of each judgement."""
    order = list(LEVEL_NAMES)
    data = [{"domain": share.domain.label, "judgement": LEVEL_NAMES[share.level], "share": round(share.share * 100, 1),
             "n": len(share.study_ids), "order": order.index(share.level), "href": link(share.study_ids, f"{share.domain.label}: {LEVEL_NAMES[share.level]}")}
            for share in result.shares]
    levels = [level for level in order if any(share.level == level for share in result.shares)]
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json", "data": {"values": data},
        "width": 480, "height": {"step": 26}, "mark": {"type": "bar", "cursor": "pointer"},
        "encoding": {
            "y": {"field": "domain", "type": "nominal", "sort": [domain.label for domain in result.domains],
                  "title": None, "axis": {"labelLimit": 360}},
            "x": {"field": "share", "type": "quantitative", "stack": "normalize", "title": "Studies (%)",
                  "axis": {"format": ".0%"}},
            "color": {"field": "judgement", "type": "nominal", "title": "Judgement",
                      "scale": {"domain": [LEVEL_NAMES[level] for level in levels],
                                "range": [COLOURS[level] for level in levels]},
                      "legend": {"orient": "bottom"}},
            "order": {"field": "order"}, "href": {"field": "href"},
            "tooltip": [{"field": "domain"}, {"field": "judgement"}, {"field": "n", "title": "Studies"},
                        {"field": "share", "title": "%"}]},
        "config": {"font": "DejaVu Sans"},
    }

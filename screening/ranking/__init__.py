"""Relevance ranking for title/abstract screening (see `model` for the chosen default)."""

from screening.ranking.features import record_text
from screening.ranking.model import DEFAULT_MODEL, ModelSpec, Ranker, TermContributions, rank
from screening.ranking.registry import UnknownComponent

__all__ = [
    "DEFAULT_MODEL",
    "ModelSpec",
    "Ranker",
    "TermContributions",
    "UnknownComponent",
    "rank",
    "record_text",
]

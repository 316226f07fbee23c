"""Relevance ranking for title/abstract screening.

The pure parts, shared by the app and the simulation: ``features``, ``classifiers``,
``balancing``, ``querying`` and ``model`` (the chosen default). In a review: ``in_review``
trains (the background job) and ``scores`` reads what a screener's queue is ranked by.
``simulate`` replays labelled reviews. Nothing is imported here, so reading the stored
scores never loads scikit-learn."""

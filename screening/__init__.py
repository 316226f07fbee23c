"""Screening domain: reviews, records, import, deduplication, ranking, screening decisions.

Plain functions and SQLModel tables; never imports the web layer (``app``)."""

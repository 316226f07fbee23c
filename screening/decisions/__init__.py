"""Screening decisions: each screener's verdicts, the queue of what they have left,
conflicts and the lead's resolutions, the record list, progress, and what blind mode
lets each member see. ``outcomes`` holds the rules as pure functions; the other
modules read and write the database."""

"""What both stages share: the review and its members (``access`` is the one check of who
may do what), the audit log, Winnow's error types, bulk inserts and agreement statistics.

Screening and extraction both use these modules; nothing here imports either stage."""

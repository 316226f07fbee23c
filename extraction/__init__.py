"""Extraction domain: lead-built forms, double extraction, reconciliation and reports.

Empty until the extraction issue; never imports the web layer (``app``)."""

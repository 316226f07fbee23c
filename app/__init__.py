"""Winnow's web layer: settings, database, accounts, routes, jobs and the CLI."""

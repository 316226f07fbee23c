"""Thin routes: parse, authorise (through ``app.deps``), call one domain or account function, render."""

"""Imports point one way: the domain packages never import the web layer."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WEB_LAYER = {"app", "fastapi", "starlette", "uvicorn", "jinja2"}


def _imported_top_level_names(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_domain_packages_never_import_the_web_layer():
    offenders = {
        str(path.relative_to(ROOT)): sorted(_imported_top_level_names(path) & WEB_LAYER)
        for package in ("screening", "extraction")
        for path in (ROOT / package).rglob("*.py")
        if _imported_top_level_names(path) & WEB_LAYER
    }
    assert offenders == {}
